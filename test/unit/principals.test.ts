/** Principals (config/principals.ts): keys from API_KEYS and from a principals file of HMAC (or older scrypt) hashes, and the command that issues them. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { apiKeyRing, ConfigError, loadConfig } from '../../config/env';
import crypto from 'node:crypto';
import { hashKey, KeyRing, legacyScryptHash, newFileKey, personEmail, principalsFileSchema, type PrincipalsFile } from '../../config/principals';

/** A cheap scrypt for the older hashes; the file records the parameters of each. */
const CHEAP = { N: 2 ** 10, r: 8, p: 1, keylen: 32 };

let dir: string;
beforeEach(() => (dir = mkdtempSync(path.join(tmpdir(), 'principals-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function fileWith(...principals: { id: string; name?: string }[]): { file: PrincipalsFile; keys: Record<string, string> } {
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
      email: `${id.replace(/[^a-z.]/g, '-')}@example.org`,
      keys: [{ keyId, hash: hashKey(key.slice(keyId.length + 1)) }],
    });
  }
  return { file, keys };
}

describe('a principals file', () => {
  test('a key finds its principal, with name and e-mail; a wrong secret, an unknown key id or a plain key find none', async () => {
    const { file, keys } = fileWith({ id: 'coordinator:a.weber', name: 'Anna Weber' }, { id: 'funder:horizon-eu' });
    const ring = KeyRing.fromFile(file);
    expect(await ring.verify(keys['coordinator:a.weber'])).toEqual({
      id: 'coordinator:a.weber',
      role: 'coordinator',
      userId: 'a.weber',
      name: 'Anna Weber',
      email: 'coordinator-a.weber@example.org',
    });
    expect(await ring.verify(keys['funder:horizon-eu'])).toMatchObject({ id: 'funder:horizon-eu', funderId: 'horizon-eu' });
    const [keyId, secret] = keys['coordinator:a.weber'].split('.');
    expect(await ring.verify(`${keyId}.${secret.slice(0, -1)}${secret.endsWith('A') ? 'B' : 'A'}`)).toBeUndefined();
    expect(await ring.verify(`k-0000000000000000.${secret}`)).toBeUndefined();
    expect(await ring.verify('dev-admin-key')).toBeUndefined();
    expect(ring.principal('funder:horizon-eu')?.name).toBe('funder:horizon-eu');
  });

  test('a key is stored as an HMAC-SHA-256 under its own salt, and a known key id with a wrong secret runs no scrypt', async () => {
    const { keyId, key } = newFileKey();
    const secret = key.slice(keyId.length + 1);
    const hash = hashKey(secret);
    expect(hash).toMatch(/^hmac-sha256\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    expect(hashKey(secret)).not.toBe(hash); // salted: the same key never shows twice
    const scrypt = jest.spyOn(crypto, 'scrypt');
    try {
      const ring = KeyRing.fromFile({ principals: [{ id: 'admin', role: 'admin', name: 'Ops', email: 'ops@example.org', keys: [{ keyId, hash }] }] });
      expect(await ring.verify(key)).toMatchObject({ id: 'admin' });
      for (let i = 0; i < 50; i++) expect(await ring.verify(`${keyId}.junk-${i}`)).toBeUndefined();
      expect(scrypt).not.toHaveBeenCalled();
      expect(ring.legacyKeyIds()).toEqual([]);
    } finally {
      scrypt.mockRestore();
    }
    expect(key.length).toBeGreaterThanOrEqual(60);
  });

  test('an older scrypt hash still checks out, one check at a time, and a wrong secret is checked once', async () => {
    const { keyId, key } = newFileKey();
    const hash = await legacyScryptHash(key.slice(keyId.length + 1), CHEAP);
    const ring = KeyRing.fromFile({ principals: [{ id: 'admin', role: 'admin', name: 'Ops', email: 'ops@example.org', keys: [{ keyId, hash }] }] });
    expect(ring.legacyKeyIds()).toEqual([keyId]);
    let running = 0;
    let most = 0;
    const real = crypto.scrypt;
    const scrypt = jest.spyOn(crypto, 'scrypt').mockImplementation(((...args: Parameters<typeof crypto.scrypt>) => {
      const done = args[args.length - 1] as (err: Error | null, key: Buffer) => void;
      most = Math.max(most, ++running);
      (real as (...a: unknown[]) => void)(...args.slice(0, -1), (err: Error | null, derived: Buffer) => {
        running--;
        done(err, derived);
      });
    }) as typeof crypto.scrypt);
    try {
      const guesses = await Promise.all(['a', 'b', 'c', 'a', 'a'].map((g) => ring.verify(`${keyId}.${g}`)));
      expect(guesses).toEqual([undefined, undefined, undefined, undefined, undefined]);
      expect(most).toBe(1);
      const calls = scrypt.mock.calls.length;
      expect(await ring.verify(`${keyId}.a`)).toBeUndefined();
      expect(scrypt.mock.calls.length).toBe(calls); // remembered as wrong
      expect(await ring.verify(key)).toMatchObject({ id: 'admin' });
      expect(await ring.verify(key)).toMatchObject({ id: 'admin' });
      expect(scrypt.mock.calls.length).toBe(calls + 1); // and a right one is remembered too
    } finally {
      scrypt.mockRestore();
    }
  });

  test('two principals with one e-mail are refused, naming both; so is a hash of no known form', () => {
    const { file } = fileWith({ id: 'agency:de-bafa:k.schmidt' }, { id: 'agency:de-bafa:k.schmidt-2' });
    file.principals[1].email = 'Agency-De-Bafa-K.Schmidt@example.org';
    const parsed = principalsFileSchema.safeParse(file);
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues.map((i) => `${i.path.join('.')} ${i.message}`)).toEqual([
      'principals.1.email Agency-De-Bafa-K.Schmidt@example.org is the e-mail of both agency:de-bafa:k.schmidt and agency:de-bafa:k.schmidt-2',
    ]);
    file.principals[1].email = 'someone-else@example.org';
    file.principals[1].keys[0].hash = 'sha1$abc';
    expect(principalsFileSchema.safeParse(file).error?.issues.map((i) => i.message)).toEqual([
      'must be hmac-sha256$salt$mac (or an older scrypt$N$r$p$salt$hash)',
    ]);
  });

  test("a person is an agency principal with a user, known by the file's e-mail (or, in API_KEYS, by an e-mail as its user id)", () => {
    const { file } = fileWith({ id: 'agency:de-bafa:k.schmidt' }, { id: 'agency:de-bafa' }, { id: 'coordinator:a.weber' });
    const ring = KeyRing.fromFile(file);
    expect(personEmail(ring.principal('agency:de-bafa:k.schmidt')!)).toBe('agency-de-bafa-k.schmidt@example.org');
    expect(personEmail(ring.principal('agency:de-bafa')!)).toBeUndefined();
    expect(personEmail(ring.principal('coordinator:a.weber')!)).toBeUndefined();
    const plain = apiKeyRing('agency:de-bafa:Ausfuhr@bafa.example=person-key-1,agency:de-bafa:k.schmidt=person-key-2');
    expect(personEmail(plain.principal('agency:de-bafa:Ausfuhr@bafa.example')!)).toBe('ausfuhr@bafa.example');
    expect(personEmail(plain.principal('agency:de-bafa:k.schmidt')!)).toBeUndefined();
  });

  test('PRINCIPALS_FILE is read at start-up, production accepts it, and each problem names the setting', async () => {
    const { file, keys } = fileWith({ id: 'admin' }, { id: 'agency:de-bafa' });
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
  expect(JSON.parse(stored).principals[0].keys[0].hash).toMatch(/^hmac-sha256\$/);
  expect(await KeyRing.readFile(at).verify(key)).toMatchObject({ id: 'funder:nsf', name: 'NSF programme office' });

  const missing = run('--id', 'agency:de-bafa');
  expect({ status: missing.status, stderr: missing.stderr }).toEqual({ status: 2, stderr: 'agency:de-bafa is new: give its --name and --email\n' });

  expect(run('--revoke', key.split('.')[0]).status).toBe(0);
  expect(await KeyRing.readFile(at).verify(key)).toBeUndefined();
}, 60_000);
