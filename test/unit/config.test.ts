/** Start-up configuration (config/env.ts): defaults, each bad value named, the policy file validated. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig, loadPolicy, parseApiKeys } from '../../config/env';
import { policySchema, type PolicyFile } from '../../domain/policy';
import { DEFAULT_TASK_QUEUE } from '../../workflows/definitions';
import { workflowCacheSize } from '../../worker/create-worker';
import { DEFAULT_POLICY_FILE, defaultPolicyFile } from '../helpers/policy';

const DAY = 24 * 3600 * 1000;
const PRODUCTION_KEY = 'a-production-admin-key-of-40-characters!';
/** A production configuration start-up accepts. */
const PRODUCTION = {
  NODE_ENV: 'production',
  API_KEYS: `admin=${PRODUCTION_KEY}`,
  LINK_SECRET: 'a-production-secret-value',
  PUBLIC_URL: 'https://reviews.example',
  METRICS_TOKEN: 'a-metrics-token-of-at-least-32-characters',
};

/** The ConfigError that `fn` throws (fails the test if it throws anything else, or nothing). */
function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('expected a ConfigError, but nothing was thrown');
}

describe('environment', () => {
  it('refuses an empty environment: unset NODE_ENV is production, which needs its own secrets', () => {
    expect(configError(() => loadConfig({})).message).toBe(
      [
        'Invalid configuration:',
        '  LINK_SECRET: is required when NODE_ENV is production',
        '  API_KEYS: or PRINCIPALS_FILE is required when NODE_ENV is production',
        '  (NODE_ENV is unset, so this runs as production; only npm start and the tests run development)',
      ].join('\n'),
    );
    // The public development values are refused too when NODE_ENV is unset, and say why it is production.
    const message = configError(() => loadConfig({ API_KEYS: 'admin=dev-admin-key', LINK_SECRET: 'dev-only-link-secret-change-me' })).message;
    expect(message).toMatch(/^Refused in production:\n {2}API_KEYS: the admin key is a development key/);
    expect(message).toContain('NODE_ENV is unset');
  });

  it('starts on safe local defaults in development, chosen explicitly', () => {
    const config = loadConfig({ NODE_ENV: 'development' });
    expect(config).toMatchObject({
      NODE_ENV: 'development',
      TEMPORAL_ADDRESS: 'localhost:7233',
      TEMPORAL_NAMESPACE: 'default',
      TASK_QUEUE: DEFAULT_TASK_QUEUE,
      PORT: 3000,
      PUBLIC_URL: 'http://localhost:3000',
      TEMPORAL_UI_URL: 'http://localhost:8233',
      SMTP_URL: 'smtp://localhost:1025',
      LOG_LEVEL: 'info',
      WORKER_MEMORY_MIB: 1024,
      TRUST_PROXY: ['loopback'],
    });
    expect(config.HOST).toBeUndefined();
    expect(config.LINK_SECRET.length).toBeGreaterThanOrEqual(16);
    expect(
      config.apiKeys
        .principals()
        .map((k) => k.role)
        .sort(),
    ).toEqual(['admin', 'agency', 'coordinator', 'funder']);
    expect(config.policy.version).toBe(defaultPolicyFile().version);
  });

  it('takes the values it is given', async () => {
    const config = loadConfig({ ...PRODUCTION, PORT: '8081', TEMPORAL_ADDRESS: 'temporal:7233' });
    expect(config).toMatchObject({ PORT: 8081, TEMPORAL_ADDRESS: 'temporal:7233', LINK_SECRET: 'a-production-secret-value', NODE_ENV: 'production' });
    expect(config.apiKeys.principals().map((p) => p.id)).toEqual(['admin']);
    expect(await config.apiKeys.verify(PRODUCTION_KEY)).toMatchObject({ id: 'admin', role: 'admin' });
  });

  describe('production refuses what is public or weak, naming each setting and never a key', () => {
    it.each([
      [
        'a development key',
        { API_KEYS: `admin=${PRODUCTION_KEY},coordinator:a.weber=dev-coordinator-key` },
        'API_KEYS: the coordinator:a.weber key is a development key',
      ],
      ['a short key', { API_KEYS: 'funder:nsf=only-22-characters-long' }, 'API_KEYS: the funder:nsf key has 23 characters; at least 32'],
      ['the development link secret', { LINK_SECRET: 'dev-only-link-secret-change-me' }, 'LINK_SECRET: the development link secret'],
      ['it as a previous secret', { LINK_SECRET_PREVIOUS: 'dev-only-link-secret-change-me' }, 'LINK_SECRET: the development link secret'],
      ['plain http', { PUBLIC_URL: 'http://reviews.example' }, 'PUBLIC_URL: http://reviews.example is not https'],
      ['no metrics token', { METRICS_TOKEN: undefined }, 'METRICS_TOKEN: required in production'],
      ['a short metrics token', { METRICS_TOKEN: 'scrape-me' }, 'METRICS_TOKEN: has 9 characters; at least 32'],
    ])('%s', (_what, change, message) => {
      const error = configError(() => loadConfig({ ...PRODUCTION, ...change }));
      expect(error.message).toMatch(/^Refused in production:\n/);
      expect(error.message).toContain(message);
      expect(error.message).not.toMatch(/dev-coordinator-key|only-22-characters-long/);
    });

    it('lists every problem at once', () => {
      const env = {
        NODE_ENV: 'production',
        API_KEYS: 'coordinator:a.weber=dev-coordinator-key,admin=short-admin-key',
        LINK_SECRET: 'dev-only-link-secret-change-me',
      };
      expect(
        configError(() => loadConfig(env))
          .message.split('\n')
          .slice(1),
      ).toHaveLength(5);
    });

    it('the same values start in development and test', () => {
      expect(() => loadConfig({ ...PRODUCTION, NODE_ENV: 'test', API_KEYS: 'admin=short-admin-key', PUBLIC_URL: 'http://localhost:3000' })).not.toThrow();
    });
  });

  it.each([
    ['PORT', { PORT: 'abc' }],
    ['PORT', { PORT: '70000' }],
    ['PORT', { PORT: '' }],
    ['TEMPORAL_ADDRESS', { TEMPORAL_ADDRESS: 'temporal.internal' }],
    ['SMTP_URL', { SMTP_URL: 'http://mail.example:25' }],
    ['PUBLIC_URL', { PUBLIC_URL: 'not a url' }],
    // The dashboard puts it into links: only a web address.
    ['TEMPORAL_UI_URL', { TEMPORAL_UI_URL: 'javascript:alert(1)' }],
    ['LINK_SECRET', { LINK_SECRET: 'too-short' }],
    ['LINK_SECRET_PREVIOUS', { LINK_SECRET_PREVIOUS: 'a-long-enough-old-secret,short' }],
    ['RATE_LIMIT_WRITES', { RATE_LIMIT_WRITES: 'many' }],
    ['RATE_LIMIT_WINDOW_SECONDS', { RATE_LIMIT_WINDOW_SECONDS: '0' }],
    ['RATE_LIMIT_FAILED_AUTH', { RATE_LIMIT_FAILED_AUTH: '-1' }],
    ['LINK_SECRET', { NODE_ENV: 'production', API_KEYS: `admin=${PRODUCTION_KEY}` }],
    ['LINK_SECRET', { NODE_ENV: 'test', API_KEYS: 'admin=prod-admin-key-1' }],
    // The public development keys never apply outside development.
    ['API_KEYS', { NODE_ENV: 'production', LINK_SECRET: 'a-production-secret-value', PUBLIC_URL: 'https://reviews.example' }],
    ['NODE_ENV', { NODE_ENV: 'staging' }],
    ['LOG_LEVEL', { LOG_LEVEL: 'verbose' }],
    ['HOST', { HOST: 'not a host' }],
    ['TRUST_PROXY', { TRUST_PROXY: '' }],
    ['API_KEYS', { API_KEYS: 'guest=abcdefghijkl' }],
    ['API_KEYS', { API_KEYS: 'funder=abcdefghijkl' }],
    ['API_KEYS', { API_KEYS: 'admin=short' }],
    // A funder or an agency the policy does not know would lock its holder out of everything.
    ['API_KEYS', { API_KEYS: 'funder:no-such-funder=abcdefghijkl' }],
    ['API_KEYS', { API_KEYS: 'agency:no-such-agency=abcdefghijkl' }],
  ])('names %s when it is invalid (%j)', (name, env) => {
    // In development unless the case sets NODE_ENV: otherwise the missing secrets would be named too.
    expect(configError(() => loadConfig({ NODE_ENV: 'development', ...env })).message).toMatch(new RegExp(`^\\s+${name}: `, 'm'));
  });

  it("sizes the worker's workflow cache to its memory budget, and refuses a budget too small to name", () => {
    const dev = { NODE_ENV: 'development' };
    expect(workflowCacheSize(loadConfig(dev).WORKER_MEMORY_MIB)).toBe(1078);
    expect(workflowCacheSize(loadConfig({ ...dev, WORKER_MEMORY_MIB: '4096' }).WORKER_MEMORY_MIB)).toBe(5993);
    expect(configError(() => loadConfig({ ...dev, WORKER_MEMORY_MIB: '256' })).message).toContain('WORKER_MEMORY_MIB: must be at least 512 (MiB)');
    expect(configError(() => loadConfig({ ...dev, WORKER_MEMORY_MIB: '1g' })).message).toContain('WORKER_MEMORY_MIB: must be a whole number');
  });

  it.each([
    ['2', 2],
    ['0', 0],
    ['loopback', ['loopback']],
    [' 10.0.0.0/8, 192.0.2.7 ,fd00::/8,::1 ', ['10.0.0.0/8', '192.0.2.7', 'fd00::/8', '::1']],
  ])("TRUST_PROXY %j is Express's trust proxy %j", (value, parsed) => {
    expect(loadConfig({ NODE_ENV: 'development', TRUST_PROXY: value }).TRUST_PROXY).toEqual(parsed);
  });

  it.each([
    ['10.0.0.0/33', '"10.0.0.0/33": the prefix length must be 0–32'],
    ['fd00::/129', '"fd00::/129": the prefix length must be 0–128'],
    ['10.0.0.0/8,proxy.internal', '"proxy.internal" is not an IP address, a CIDR range or one of loopback, linklocal, uniquelocal'],
    ['true', '"true" is not an IP address, a CIDR range or one of loopback, linklocal, uniquelocal'],
    ['11', '11 hops: at most 10 proxies in front of the API'],
    [' , ', 'give a hop count or comma-separated proxy addresses or CIDR ranges'],
  ])('TRUST_PROXY %j is refused, saying why', (value, why) => {
    expect(configError(() => loadConfig({ NODE_ENV: 'development', TRUST_PROXY: value })).message).toContain(`TRUST_PROXY: ${why}`);
  });

  it('never repeats an API key in its error message', () => {
    const message = configError(() => loadConfig({ NODE_ENV: 'development', API_KEYS: 'coordinator:a.weber=fine-key-123,guest=leaked-secret-value' })).message;
    expect(message).toContain('API_KEYS');
    expect(message).not.toContain('leaked-secret-value');
  });
});

describe('parseApiKeys', () => {
  it('maps each key to its principal: the role and what it is scoped to', () => {
    const keys = parseApiKeys(
      ' coordinator:a.weber=coord-key-1 , funder:horizon-eu=funder-key-1,agency:de-bafa=agency-key-1,agency:de-bafa:k.schmidt=person-key-1,admin=admin-key-1,',
    );
    expect(Object.fromEntries(keys)).toEqual({
      'coord-key-1': { id: 'coordinator:a.weber', role: 'coordinator', userId: 'a.weber' },
      'funder-key-1': { id: 'funder:horizon-eu', role: 'funder', funderId: 'horizon-eu' },
      'agency-key-1': { id: 'agency:de-bafa', role: 'agency', agencyId: 'de-bafa' },
      'person-key-1': { id: 'agency:de-bafa:k.schmidt', role: 'agency', agencyId: 'de-bafa', userId: 'k.schmidt' },
      'admin-key-1': { id: 'admin', role: 'admin' },
    });
  });

  it.each([
    ['a funder key without its funder', 'funder=funder-key-1', /funderId/],
    ['a coordinator key without its user', 'coordinator=coord-key-1', /coordinator:<userId>=key/],
    ['an agency key without its agency', 'agency=agency-key-1', /agencyId/],
    ['a scope on an admin key', 'admin:horizon-eu=admin-key-1', /admin key carries no scope/],
    ['the same key twice', 'admin=same-key-1,coordinator:a.weber=same-key-1', /twice/],
    ['an unknown role', 'root=root-key-1', /role/],
    ['a person under a coordinator', 'coordinator:a.weber:x=coord-key-1', /only an agency key names a person/],
  ])('rejects %s', (_what, value, message) => {
    expect(() => parseApiKeys(value)).toThrow(message);
  });
});

describe('policy file', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'policy-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** Writes the default policy after `change` to a temp file and returns its path. */
  function policyFile(name: string, change: (p: PolicyFile) => void): string {
    const policy = defaultPolicyFile();
    change(policy);
    const file = path.join(dir, `${name}.json`);
    writeFileSync(file, JSON.stringify(policy));
    return file;
  }

  const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

  it.each<[string, (p: PolicyFile) => void, string]>([
    [
      'a negative duration',
      (p) => {
        p.sla.agencyReview = '-5d';
      },
      'sla.agencyReview: ',
    ],
    [
      'a duration that is not one',
      (p) => {
        p.reminders.every = 'soon';
      },
      'reminders.every: ',
    ],
    [
      'an agency with an unknown regime',
      (p) => {
        p.agencies[3].regime = 'MARS';
      },
      'agencies.3.regime: ',
    ],
    [
      'duplicate agency ids',
      (p) => {
        p.agencies.push({ ...p.agencies[1] });
      },
      `agencies.${defaultPolicyFile().agencies.length}.id: duplicate`,
    ],
    [
      'a reviewer address that is not one',
      (p) => {
        p.agencies[0].reviewers = ['licensing at bis'];
      },
      'agencies.0.reviewers.0: ',
    ],
    [
      'a country without a defence reviewer',
      (p) => {
        p.agencies = p.agencies.filter((a) => a.id !== 'de-bmvg');
      },
      'agencies: country DE has no defence reviewer',
    ],
  ])('rejects %s, naming where', (name, change, line) => {
    const file = policyFile(name.replace(/\W+/g, '-'), change);
    const message = configError(() => loadPolicy(file)).message;
    expect(message).toContain(`POLICY_FILE ${file} is invalid`);
    expect(message).toMatch(new RegExp(`^\\s+${escape(line)}`, 'm'));
  });

  it('stops loadConfig too, naming POLICY_FILE', () => {
    const file = policyFile('negative', (p) => {
      p.sla.caseLimit = '-90d';
    });
    expect(configError(() => loadConfig({ NODE_ENV: 'development', POLICY_FILE: file })).message).toMatch(/^POLICY_FILE .* is invalid:\n\s+sla\.caseLimit: /);
  });

  it('names a file that is missing or not JSON', () => {
    const file = path.join(dir, 'broken.json');
    writeFileSync(file, '{ "version": ');
    expect(configError(() => loadPolicy(file)).message).toContain(`POLICY_FILE ${file} cannot be read as JSON`);
    expect(configError(() => loadPolicy(path.join(dir, 'absent.json'))).message).toContain('cannot be read');
  });
});

describe('the shipped policy', () => {
  const policy = loadPolicy(DEFAULT_POLICY_FILE);
  const agenciesOf = (country: string) => policy.agencies.filter((a) => a.country === country);

  it.each(['US', 'DE', 'FR', 'NL', 'GB', 'JP'])('has exactly one licensing agency for %s', (country) => {
    expect(agenciesOf(country).filter((a) => a.role === 'licensing')).toHaveLength(1);
  });

  it('has US Commerce licensing, and State, Defense and Energy reviewing', () => {
    const us = agenciesOf('US');
    expect(us.filter((a) => a.role === 'licensing').map((a) => a.name)).toEqual([expect.stringContaining('Commerce')]);
    const reviewing = us.filter((a) => a.role === 'reviewing').map((a) => a.name);
    for (const department of ['State', 'Defense', 'Energy']) expect(reviewing).toContainEqual(expect.stringContaining(department));
  });

  it('addresses every reviewer, senior reviewer and chair on an .example domain', () => {
    const addresses = [
      ...policy.agencies.flatMap((a) => [...a.reviewers, ...a.seniorReviewers]),
      ...policy.funders.flatMap((f) => f.reviewers),
      ...Object.values(policy.regimes).flatMap((r) => (r.ladder ?? []).map((l) => l.chair)),
      ...policy.agencies.flatMap((a) => (a.appealBody ? [a.appealBody.chair] : [])),
    ];
    expect(addresses.length).toBeGreaterThan(20);
    expect(addresses.filter((a) => !/@([a-z0-9-]+\.)*example$/.test(a))).toEqual([]);
  });

  it('parses durations to milliseconds (days, not seconds)', () => {
    expect(policy.sla.agencyReview).toBe(30 * DAY);
    expect(policy.regimes.US.ladder![0].decideWithin).toBe(14 * DAY);
  });

  it('keeps working days as working days, for the deciding agency’s calendar', () => {
    expect(policy.regimes.EU.consultation.within).toEqual({ workingDays: 10 });
    expect(policy.sla.returnUnansweredAfter).toEqual({ workingDays: 20 });
  });

  it('names what is wrong in a regime or an agency', () => {
    const file = defaultPolicyFile();
    delete (file.regimes.US as { ladder?: unknown }).ladder;
    delete file.agencies.find((a) => a.id === 'nl-cdiu')!.appealBody;
    file.regimes.EU.consultation.within = '0wd';
    const issues = policySchema.safeParse(file).error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    expect(issues).toEqual(expect.arrayContaining(['regimes.EU.consultation.within: "0wd" must be between 1wd and 366wd']));
    file.regimes.EU.consultation.within = '10wd';
    const again = policySchema.safeParse(file).error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    expect(again).toEqual(
      expect.arrayContaining([
        'regimes.US.ladder: regime US sends disagreement up a ladder, so it needs one',
        'agencies.8.appealBody: licensing agency "nl-cdiu" needs an appealBody: where its denials are appealed',
      ]),
    );
  });
});
