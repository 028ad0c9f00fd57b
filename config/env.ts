/**
 * Configuration: the environment parsed once with zod. A bad value stops
 * start-up with a message naming the variable.
 */
import { existsSync, readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import path from 'node:path';
import { z } from 'zod';
import { DEFAULT_TASK_QUEUE } from '../workflows/definitions';
import { CYCLE_SHARD_SIZE } from '../workflows/cycle-contract';
import { policySchema, type Policy } from '../domain/policy';
import { KeyRing, principalOf, SCOPES } from './principals';
import { DEFAULT_TRUST_PROXY, trustProxy } from './trust-proxy';

/** The package root, from the sources or from the compiled `dist/`. */
function packageRoot(dir = __dirname): string {
  return existsSync(path.join(dir, 'package.json')) || dir === path.dirname(dir) ? dir : packageRoot(path.dirname(dir));
}
const ROOT = packageRoot();
/** Where documents are kept when DOCUMENTS_DIR is unset (DOCUMENT_STORE=local). */
export const DEFAULT_DOCUMENTS_DIR = path.join(ROOT, 'data/documents');
/** Development only: outside NODE_ENV=development both must be set. */
const DEV_LINK_SECRET = 'dev-only-link-secret-change-me';
const DEV_API_KEYS =
  'coordinator:a.weber=dev-coordinator-key,funder:horizon-eu=dev-funder-key,admin=dev-admin-key,agency:de-bafa:ausfuhr@bafa.example=dev-agency-key';
const port = z
  .string()
  .regex(/^\d{1,5}$/, 'must be a port number')
  .transform(Number)
  .pipe(z.number().max(65535, 'must be at most 65535'));

/** Requests per window; 0 turns a limit off. */
export interface RateLimits {
  windowMs: number;
  /** To `/r/:token`, GET and POST, per client address. */
  reviewPages: number;
  /** Non-read requests under `/v1` and the dashboard sign-in, per API key (per address when no known key is sent). */
  writes: number;
  /** Failed authentications (401), on every method under `/v1`, the dashboard and `/metrics`, per client address. */
  failedAuth: number;
}
export const DEFAULT_RATE_LIMITS: RateLimits = { windowMs: 60_000, reviewPages: 120, writes: 300, failedAuth: 30 };

const count = z
  .string()
  .regex(/^\d{1,7}$/, 'must be a whole number')
  .transform(Number);

export type Role = 'admin' | 'coordinator' | 'funder' | 'agency';
/**
 * Who holds a key: the principal's id (`admin`, `coordinator:<userId>`, `funder:<funderId>`, `agency:<agencyId>`, or
 * `agency:<agencyId>:<userId>` for one person of the agency's staff) and its scope.
 */
export interface ApiKey {
  id: string;
  role: Role;
  /** A coordinator's user id; for agency staff, the person's. */
  userId?: string;
  /** A funder's id in the policy. */
  funderId?: string;
  /** An agency's id in the policy. */
  agencyId?: string;
}

/** `role[:scope]=key,…`, e.g. `coordinator:a.weber=k1,funder:horizon-eu=k2,agency:de-bafa=k3,admin=k4`. */
export function parseApiKeys(value: string): Map<string, ApiKey> {
  const keys = new Map<string, ApiKey>();
  for (const item of value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const m = /^(admin|coordinator|funder|agency)(?::([A-Za-z0-9._@-]+(?::[A-Za-z0-9._@-]+)?))?=(\S{8,})$/.exec(item);
    if (!m) {
      throw new Error(`"${item.replace(/=.*/, '=…')}" is not role[:scope]=key with a role of admin, coordinator, funder or agency and a key of 8+ characters`);
    }
    const [, role, scope, key] = m as unknown as [string, Role, string | undefined, string];
    if (role === 'admin') {
      if (scope) throw new Error(`an admin key carries no scope ("admin:${scope}")`);
    } else if (!scope) {
      throw new Error(`a ${role} key needs its ${SCOPES[role]}: ${role}:<${SCOPES[role]}>=key`);
    } else if (role !== 'agency' && scope.includes(':')) {
      throw new Error(`only an agency key names a person after its scope ("${role}:${scope}")`);
    }
    if (keys.has(key)) throw new Error('the same key is given twice');
    keys.set(key, principalOf(role, scope));
  }
  return keys;
}

/** A key ring of `API_KEYS`-formatted keys. */
export const apiKeyRing = (value: string): KeyRing => KeyRing.fromApiKeys(parseApiKeys(value));

const envSchema = z
  .object({
    // Fail closed: unset is production. Only `npm start` and the tests choose development, by setting it.
    NODE_ENV: z.enum(['development', 'production', 'test']).default('production'),
    TEMPORAL_ADDRESS: z
      .string()
      .regex(/^[^:\s]+:\d+$/, 'must be host:port')
      .default('localhost:7233'),
    TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
    TASK_QUEUE: z.string().min(1).default(DEFAULT_TASK_QUEUE),
    PORT: port.default(3000),
    /** API only: the interface to listen on (`npm start`: 127.0.0.1); unset, every interface. */
    HOST: z
      .string()
      .refine((h) => isIP(h) !== 0 || /^[A-Za-z0-9]([A-Za-z0-9.-]{0,252})$/.test(h), 'must be an IP address or a host name')
      .optional(),
    /** API only: which proxies may name the client (config/trust-proxy.ts). */
    TRUST_PROXY: trustProxy.default(DEFAULT_TRUST_PROXY),
    PUBLIC_URL: z.url().default('http://localhost:3000'),
    /** Where the dashboard links each project's workflow: the Temporal web UI as people reach it. */
    TEMPORAL_UI_URL: z.url({ protocol: /^https?$/ }).default('http://localhost:8233'),
    SMTP_URL: z
      .string()
      .regex(/^smtps?:\/\//, 'must be an smtp:// or smtps:// URL')
      .default('smtp://localhost:1025'),
    /** The system of record (PostgreSQL). `npm start` points it at its embedded PGlite unless it is set. */
    DATABASE_URL: z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
      .default('postgres://postgres@localhost:5432/postgres'),
    MAIL_FROM: z.string().min(3).default('Licence reviews <reviews@licence-review.example>'),
    LINK_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
    /** Comma-separated secrets that signed links still valid (after a rotation): accepted, never used to sign. */
    LINK_SECRET_PREVIOUS: z
      .string()
      .default('')
      .transform((v) =>
        v
          .split(',')
          .map((x) => x.trim())
          .filter(Boolean),
      )
      .refine((secrets) => secrets.every((x) => x.length >= 16), 'each secret must be at least 16 characters'),
    API_KEYS: z.string().optional(),
    /** A JSON file of principals with hashed keys (config/principals.ts); instead of API_KEYS. */
    PRINCIPALS_FILE: z.string().min(1).optional(),
    POLICY_FILE: z.string().default(path.join(ROOT, 'policy/default.json')),
    CONTROL_LIST_FILE: z.string().default(path.join(ROOT, 'reference-data/control-list.json')),
    RESTRICTED_PARTIES_FILE: z.string().default(path.join(ROOT, 'reference-data/restricted-parties.json')),
    /** Worker only: a bundle made by `npm run bundle-workflows`; unset, the worker bundles the workflow code at start. */
    WORKFLOW_BUNDLE: z.string().min(1).optional(),
    /**
     * Worker only: the memory, in MiB, the worker may use. Its workflow cache is sized to fit (worker/create-worker.ts):
     * workflows beyond it are evicted and replayed at their next task.
     */
    WORKER_MEMORY_MIB: count.pipe(z.number().min(512, 'must be at least 512 (MiB)')).default(1024),
    /** Worker only: host:port for the Temporal SDK's Prometheus exporter (worker metrics); unset, none. */
    WORKER_METRICS_ADDRESS: z
      .string()
      .regex(/^[^:\s]+:\d+$/, 'must be host:port')
      .optional(),
    LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
    /**
     * API only: projects per shard of a funder cycle (workflows/cycle-contract.ts). A shard takes no signal; it writes
     * about two history events per project it asks, so keep it well below the server's history limit ÷ 2
     * (`limit.historyCount.error`, 51,200 by default): 500 is 1,000 events.
     */
    CYCLE_SHARD_SIZE: count
      .pipe(z.number().min(1, 'must be at least 1').max(10_000, 'must be at most 10000 (a shard of 20,000 history events)'))
      .default(CYCLE_SHARD_SIZE),
    /** Rate limits (429 with Retry-After): requests per window; 0 turns one off. */
    RATE_LIMIT_WINDOW_SECONDS: count.pipe(z.number().min(1, 'must be at least 1')).default(DEFAULT_RATE_LIMITS.windowMs / 1000),
    RATE_LIMIT_REVIEW_PAGES: count.default(DEFAULT_RATE_LIMITS.reviewPages),
    RATE_LIMIT_WRITES: count.default(DEFAULT_RATE_LIMITS.writes),
    RATE_LIMIT_FAILED_AUTH: count.default(DEFAULT_RATE_LIMITS.failedAuth),
    /** API only: dashboard sign-in by OpenID Connect: the provider's issuer URL, and this API's client at it. */
    OIDC_ISSUER: z.url({ protocol: /^https?$/ }).optional(),
    OIDC_CLIENT_ID: z.string().min(1).optional(),
    OIDC_CLIENT_SECRET: z.string().min(1).optional(),
    /** API only: the Bearer token `/metrics` asks for; unset, `/metrics` is open (development only). */
    METRICS_TOKEN: z.string().min(1).optional(),
    /** Where documents' bytes are kept (storage/): a local directory, or an S3-compatible bucket. */
    DOCUMENT_STORE: z.enum(['local', 's3']).default('local'),
    /** DOCUMENT_STORE=local: the directory (npm start: DATA_DIR/documents). */
    DOCUMENTS_DIR: z.string().min(1).default(DEFAULT_DOCUMENTS_DIR),
    /** DOCUMENT_STORE=s3: the endpoint of an S3-compatible server (unset: AWS S3 in S3_REGION), the bucket, its region. */
    S3_ENDPOINT: z.url({ protocol: /^https?$/ }).optional(),
    S3_BUCKET: z.string().min(3).optional(),
    S3_REGION: z.string().min(1).default('us-east-1'),
    /** Unset: the AWS SDK's own credential chain (AWS_ACCESS_KEY_ID…, a profile, an instance role). */
    S3_ACCESS_KEY_ID: z.string().min(1).optional(),
    S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
    /** Prepended to every object key, so one bucket can serve more than this application. */
    S3_PREFIX: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9/_.-]*$/, 'letters, digits and / _ . -')
      .optional(),
  })
  .superRefine((env, ctx) => {
    // The development defaults are public: anything but development must bring its own.
    if (env.NODE_ENV !== 'development' && !env.LINK_SECRET)
      ctx.addIssue({ code: 'custom', path: ['LINK_SECRET'], message: `is required when NODE_ENV is ${env.NODE_ENV}` });
    if (env.NODE_ENV !== 'development' && !env.API_KEYS && !env.PRINCIPALS_FILE)
      ctx.addIssue({ code: 'custom', path: ['API_KEYS'], message: `or PRINCIPALS_FILE is required when NODE_ENV is ${env.NODE_ENV}` });
    if (env.OIDC_ISSUER && !env.OIDC_CLIENT_ID) ctx.addIssue({ code: 'custom', path: ['OIDC_CLIENT_ID'], message: 'is required with OIDC_ISSUER' });
    if (env.DOCUMENT_STORE === 's3' && !env.S3_BUCKET) ctx.addIssue({ code: 'custom', path: ['S3_BUCKET'], message: 'is required with DOCUMENT_STORE=s3' });
    if (!env.S3_ACCESS_KEY_ID !== !env.S3_SECRET_ACCESS_KEY)
      ctx.addIssue({ code: 'custom', path: ['S3_SECRET_ACCESS_KEY'], message: 'give S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY together, or neither' });
    if (env.API_KEYS && env.PRINCIPALS_FILE) ctx.addIssue({ code: 'custom', path: ['PRINCIPALS_FILE'], message: 'give API_KEYS or PRINCIPALS_FILE, not both' });
  });

export type Env = z.infer<typeof envSchema>;

/** The shortest API key production accepts: long enough that guessing it is hopeless. */
export const MIN_PRODUCTION_KEY_LENGTH = 32;

/**
 * What production refuses, each naming its setting: the development keys and link secret (they are in this
 * repository, so public; the dashboard's session key derives from the link secret), short keys, and a
 * PUBLIC_URL that is not https (links and the sign-in cookie would travel in clear).
 */
export function productionProblems(env: Env, apiKeys: Map<string, ApiKey>): string[] {
  const problems: string[] = [];
  const devKeys = parseApiKeys(DEV_API_KEYS);
  for (const [key, who] of apiKeys) {
    if (devKeys.has(key)) problems.push(`API_KEYS: the ${who.id} key is a development key, published in this repository`);
    else if (key.length < MIN_PRODUCTION_KEY_LENGTH)
      problems.push(`API_KEYS: the ${who.id} key has ${key.length} characters; at least ${MIN_PRODUCTION_KEY_LENGTH}`);
  }
  if (env.LINK_SECRET === DEV_LINK_SECRET || env.LINK_SECRET_PREVIOUS.includes(DEV_LINK_SECRET)) {
    problems.push('LINK_SECRET: the development link secret (it also keys dashboard sessions) is published in this repository');
  }
  if (!env.METRICS_TOKEN) problems.push('METRICS_TOKEN: required in production; without it anyone reaching the API reads /metrics');
  else if (env.METRICS_TOKEN.length < MIN_PRODUCTION_KEY_LENGTH)
    problems.push(`METRICS_TOKEN: has ${env.METRICS_TOKEN.length} characters; at least ${MIN_PRODUCTION_KEY_LENGTH}`);
  if (env.OIDC_ISSUER && new URL(env.OIDC_ISSUER).protocol !== 'https:') problems.push(`OIDC_ISSUER: ${env.OIDC_ISSUER} is not https`);
  if (new URL(env.PUBLIC_URL).protocol !== 'https:')
    problems.push(`PUBLIC_URL: ${env.PUBLIC_URL} is not https; review links and sign-ins would travel in clear`);
  return problems;
}

export interface Config extends Omit<Env, 'API_KEYS' | 'LINK_SECRET'> {
  LINK_SECRET: string;
  rateLimits: RateLimits;
  /** Who holds which key, from API_KEYS or PRINCIPALS_FILE. */
  apiKeys: KeyRing;
  policy: Policy;
}

export class ConfigError extends Error {}

function describe(error: z.ZodError): string {
  return error.issues.map((i) => `  ${i.path.join('.') || '(root)'}: ${i.message}`).join('\n');
}

export function loadPolicy(file: string): Policy {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ConfigError(`POLICY_FILE ${file} cannot be read as JSON: ${(err as Error).message}`);
  }
  const parsed = policySchema.safeParse(raw);
  if (!parsed.success) throw new ConfigError(`POLICY_FILE ${file} is invalid:\n${describe(parsed.error)}`);
  return parsed.data;
}

export function loadConfig(source: NodeJS.ProcessEnv = process.env): Config {
  // Said whenever unset NODE_ENV is why something is refused: the fix is the secrets, never development.
  const unset = source.NODE_ENV === undefined ? `\n  (NODE_ENV is unset, so this runs as production; only npm start and the tests run development)` : '';
  const parsed = envSchema.safeParse(source);
  if (!parsed.success) throw new ConfigError(`Invalid configuration:\n${describe(parsed.error)}${unset}`);
  const env = parsed.data;
  // File keys are made by `npm run principal-key` (<keyId>.<secret>, 60+ characters): none is a development key or short.
  let plainKeys = new Map<string, ApiKey>();
  let apiKeys: KeyRing;
  try {
    if (env.PRINCIPALS_FILE) apiKeys = KeyRing.readFile(env.PRINCIPALS_FILE);
    else apiKeys = KeyRing.fromApiKeys((plainKeys = parseApiKeys(env.API_KEYS ?? DEV_API_KEYS)));
  } catch (err) {
    throw new ConfigError(`Invalid configuration:\n  ${env.PRINCIPALS_FILE ? 'PRINCIPALS_FILE' : 'API_KEYS'}: ${(err as Error).message}`);
  }
  if (env.NODE_ENV === 'production') {
    const problems = productionProblems(env, plainKeys);
    if (problems.length) throw new ConfigError(`Refused in production:\n${problems.map((p) => `  ${p}`).join('\n')}${unset}`);
  }
  const rateLimits = {
    windowMs: env.RATE_LIMIT_WINDOW_SECONDS * 1000,
    reviewPages: env.RATE_LIMIT_REVIEW_PAGES,
    writes: env.RATE_LIMIT_WRITES,
    failedAuth: env.RATE_LIMIT_FAILED_AUTH,
  };
  const policy = loadPolicy(env.POLICY_FILE);
  const unknown = unknownScopes(apiKeys.principals(), policy);
  const setting = env.PRINCIPALS_FILE ? 'PRINCIPALS_FILE' : 'API_KEYS';
  if (unknown.length) throw new ConfigError(`Invalid configuration:\n${unknown.map((u) => `  ${setting}: ${u}`).join('\n')}`);
  return { ...env, LINK_SECRET: env.LINK_SECRET ?? DEV_LINK_SECRET, apiKeys, rateLimits, policy };
}

/** Funder and agency keys must name a funder or an agency of the policy: a typo would lock its holder out of everything. */
function unknownScopes(principals: ApiKey[], policy: Policy): string[] {
  const funders = new Set(policy.funders.map((f) => f.id));
  const agencies = new Set(policy.agencies.map((a) => a.id));
  return principals.flatMap((k) => {
    if (k.funderId && !funders.has(k.funderId)) return [`"${k.id}": no funder "${k.funderId}" in policy ${policy.version}`];
    if (k.agencyId && !agencies.has(k.agencyId)) return [`"${k.id}": no agency "${k.agencyId}" in policy ${policy.version}`];
    return [];
  });
}
