/** Principals (config/principals.ts): keys from API_KEYS and from a principals file of scrypt hashes, and the command that issues them. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { apiKeyRing, ConfigError, loadConfig } from '../../config/env';
import { hashKey, KeyRing, newFileKey, type PrincipalsFile } from '../../config/principals';

/** A cheap scrypt for the tests that do not test its cost; the file records the parameters of each hash. */
const CHEAP = { N: 2 ** 10, r: 8, p: 1, keylen: 32 };

let dir: string;
beforeEach(() => (dir = mkdtempSync(path.join(tmpdir(), 'principals-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function fileWith(...principals: { id: string; name?: string }[]): Promise<{ file: PrincipalsFile; keys: Record<string, string> }> {
  const keys: Record<string, string> = {};
  const file: PrincipalsFile = { principals: [] };
  for (const { id, name } of principals) {
    const { keyId, key } = newFileKey();
    keys[id] = key;
    const [role, scope] = id.split(/:(.*)/s);
    file.principals.push({
      id,
      role: role as PrincipalsFile['principals'][number]['role'],
      ...(scope && { scope }),
      name: name ?? id,
      email: `${role}@example.org`,
      keys: [{ keyId, hash: await hashKey(key.slice(keyId.length + 1), CHEAP) }],
    });
  }
  return { file, keys };
}

describe('a principals file', () => {
  test('a key finds its principal, with name and e-mail; a wrong secret, an unknown key id or a plain key find none', async () => {
    const { file, keys } = await fileWith({ id: 'coordinator:a.weber', name: 'Anna Weber' }, { id: 'funder:horizon-eu' });
    const ring = KeyRing.fromFile(file);
    expect(await ring.verify(keys['coordinator:a.weber'])).toEqual({
      id: 'coordinator:a.weber',
      role: 'coordinator',
      userId: 'a.weber',
      name: 'Anna Weber',
      email: 'coordinator@example.org',
    });
    expect(await ring.verify(keys['funder:horizon-eu'])).toMatchObject({ id: 'funder:horizon-eu', funderId: 'horizon-eu' });
    const [keyId, secret] = keys['coordinator:a.weber'].split('.');
    expect(await ring.verify(`${keyId}.${secret.slice(0, -1)}${secret.endsWith('A') ? 'B' : 'A'}`)).toBeUndefined();
    expect(await ring.verify(`k-0000000000000000.${secret}`)).toBeUndefined();
    expect(await ring.verify('dev-admin-key')).toBeUndefined();
    expect(ring.principal('funder:horizon-eu')?.name).toBe('funder:horizon-eu');
  });

  test('the default scrypt parameters are the ones stored, and a key checks out against them', async () => {
    const { keyId, key } = newFileKey();
    const hash = await hashKey(key.slice(keyId.length + 1));
    expect(hash).toMatch(/^scrypt\$131072\$8\$1\$/);
    const ring = KeyRing.fromFile({ principals: [{ id: 'admin', role: 'admin', name: 'Ops', email: 'ops@example.org', keys: [{ keyId, hash }] }] });
    expect(await ring.verify(key)).toMatchObject({ id: 'admin' });
    expect(key.length).toBeGreaterThanOrEqual(60);
  });

  test('PRINCIPALS_FILE is read at start-up, production accepts it, and each problem names the setting', async () => {
    const { file, keys } = await fileWith({ id: 'admin' }, { id: 'agency:de-bafa' });
    const at = path.join(dir, 'principals.json');
    writeFileSync(at, JSON.stringify(file));
    const production = {
      NODE_ENV: 'production',
      PRINCIPALS_FILE: at,
      LINK_SECRET: 'a-production-secret-value',
      PUBLIC_URL: 'https://reviews.example',
      METRICS_TOKEN: 'a-metrics-token-of-at-least-32-characters',
    };
    const config = loadConfig(production);
    expect(await config.apiKeys.verify(keys['agency:de-bafa'])).toMatchObject({ id: 'agency:de-bafa', agencyId: 'de-bafa' });

    const refused = (env: NodeJS.ProcessEnv) => {
      try {
        loadConfig(env);
      } catch (err) {
        expect(err).toBeInstanceOf(ConfigError);
        return (err as Error).message;
      }
      throw new Error('expected a ConfigError');
    };
    expect(refused({ ...production, API_KEYS: 'admin=a-production-admin-key-of-40-characters!' })).toMatch(
      /PRINCIPALS_FILE: give API_KEYS or PRINCIPALS_FILE, not both/,
    );
    writeFileSync(at, JSON.stringify({ principals: [{ ...file.principals[1], id: 'agency:no-such-agency', scope: 'no-such-agency' }] }));
    expect(refused(production)).toMatch(/PRINCIPALS_FILE: "agency:no-such-agency": no agency "no-such-agency"/);
    writeFileSync(at, JSON.stringify({ principals: [{ ...file.principals[1], id: 'agency:other' }] }));
    expect(refused(production)).toMatch(/PRINCIPALS_FILE: .*principals\.0\.id must be "agency:de-bafa"/);
    writeFileSync(at, JSON.stringify({ principals: [file.principals[0], file.principals[0]] }));
    expect(refused(production)).toMatch(/admin is listed twice/);
    writeFileSync(at, '{ not json');
    expect(refused(production)).toMatch(/PRINCIPALS_FILE: .* cannot be read as JSON/);
    // The file holds hashes only.
    expect(readFileSync(at, 'utf8')).not.toContain(keys.admin.split('.')[1]);
  });
});

test('API_KEYS keys are looked up by digest and name their principal', async () => {
  const ring = apiKeyRing('coordinator:a.weber=coord-key-1,admin=admin-key-1');
  expect(await ring.verify('coord-key-1')).toEqual({ id: 'coordinator:a.weber', role: 'coordinator', userId: 'a.weber' });
  expect(await ring.verify('coord-key-')).toBeUndefined();
  expect(ring.principals().map((p) => p.id)).toEqual(['coordinator:a.weber', 'admin']);
});

test('npm run principal-key issues a key shown once, stores only its hash, and revokes it', async () => {
  const at = path.join(dir, 'principals.json');
  const run = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'scripts/principal-key.ts', '--file', at, ...args], { encoding: 'utf8' });
  const issued = run('--id', 'funder:nsf', '--name', 'NSF programme office', '--email', 'programme@nsf.example');
  expect(issued.status).toBe(0);
  const key = issued.stdout.trim();
  expect(key).toMatch(/^k-[0-9a-f]{16}\.[A-Za-z0-9_-]{43}$/);
  const stored = readFileSync(at, 'utf8');
  expect(stored).not.toContain(key.split('.')[1]);
  expect(await KeyRing.readFile(at).verify(key)).toMatchObject({ id: 'funder:nsf', name: 'NSF programme office' });

  const missing = run('--id', 'agency:de-bafa');
  expect({ status: missing.status, stderr: missing.stderr }).toEqual({ status: 2, stderr: 'agency:de-bafa is new: give its --name and --email\n' });

  expect(run('--revoke', key.split('.')[0]).status).toBe(0);
  expect(await KeyRing.readFile(at).verify(key)).toBeUndefined();
}, 60_000);
