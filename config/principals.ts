/**
 * Who holds a key (DESIGN §8 "Who is who"). Two sources:
 * - `API_KEYS` (development, tests, small installs): the keys themselves, held only as SHA-256 digests;
 * - `PRINCIPALS_FILE` (production): each principal's id, role, scope, name and e-mail, and for each of its keys
 *   a key id and a hash. The key itself is never stored; `npm run principal-key` makes one and prints it once.
 *
 * A file key reads `<keyId>.<secret>`: the key id (not secret) finds the hash, and the secret is checked against
 * it in constant time. The secret is 256 random bits, so a slow hash adds nothing against guessing it: the file
 * stores `hmac-sha256$<salt>$<mac>`, one HMAC-SHA-256 keyed by a per-key salt, and a wrong guess costs what a
 * right one does (microseconds). Files written before hold `scrypt$…` hashes (128 MiB each): they are still
 * accepted, checked one at a time, with a wrong secret remembered, so a stream of `<known keyId>.<junk>` cannot
 * take the API's memory; reissue those keys to be rid of scrypt altogether. Every lookup compares digests, never
 * the key as sent, so its time tells nothing about how much of a guess was right.
 */
import { createHash, createHmac, randomBytes, scrypt as scryptCallback, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { ApiKey, Role } from './env';

export interface Principal extends ApiKey {
  name?: string;
  email?: string;
}

type ScryptParams = { N: number; r: number; p: number; keylen: number };

const scrypt = (secret: string, salt: Buffer, o: ScryptParams) =>
  new Promise<Buffer>((resolve, reject) =>
    scryptCallback(secret, salt, o.keylen, { N: o.N, r: o.r, p: o.p, maxmem: 256 * o.N * o.r } satisfies ScryptOptions, (err, key) =>
      err ? reject(err) : resolve(key),
    ),
  );

const digest = (secret: string) => createHash('sha256').update(secret).digest('hex');
const mac = (salt: Buffer, secret: string) => createHmac('sha256', salt).update(secret).digest();

/** `hmac-sha256$<salt>$<mac>`, salt and mac in base64url: what `npm run principal-key` writes. */
const HMAC_HASH = /^hmac-sha256\$([A-Za-z0-9_-]{22,})\$([A-Za-z0-9_-]{43})$/;
/** `scrypt$N$r$p$<salt>$<hash>`: files written before HMAC; accepted, never written. */
const SCRYPT_HASH = /^scrypt\$(\d+)\$(\d+)\$(\d+)\$([A-Za-z0-9_-]{16,})\$([A-Za-z0-9_-]{43,})$/;
const KEY_ID = /^k-[0-9a-f]{16}$/;

/** The stored form of a key's secret part. */
export function hashKey(secret: string): string {
  const salt = randomBytes(16);
  return `hmac-sha256$${salt.toString('base64url')}$${mac(salt, secret).toString('base64url')}`;
}

/** The scrypt form files held before HMAC (kept so that a test can write one; nothing in the product writes it). */
export async function legacyScryptHash(secret: string, o: ScryptParams): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scrypt(secret, salt, o);
  return `scrypt$${o.N}$${o.r}$${o.p}$${salt.toString('base64url')}$${hash.toString('base64url')}`;
}

function hmacMatches(secret: string, keyHash: string): boolean {
  const [, salt, want] = HMAC_HASH.exec(keyHash)!;
  return timingSafeEqual(mac(Buffer.from(salt, 'base64url'), secret), Buffer.from(want, 'base64url'));
}

async function scryptMatches(secret: string, keyHash: string): Promise<boolean> {
  const [, N, r, p, salt, hash] = SCRYPT_HASH.exec(keyHash)!;
  const want = Buffer.from(hash, 'base64url');
  const got = await scrypt(secret, Buffer.from(salt, 'base64url'), { N: Number(N), r: Number(r), p: Number(p), keylen: want.length });
  return timingSafeEqual(got, want);
}

/** A new file key: its id, and the key to hand over once. */
export function newFileKey(): { keyId: string; key: string } {
  const keyId = `k-${randomBytes(8).toString('hex')}`;
  return { keyId, key: `${keyId}.${randomBytes(32).toString('base64url')}` };
}

/** What the scope of each role names; `admin` has none. */
export const SCOPES = { coordinator: 'userId', funder: 'funderId', agency: 'agencyId' } as const;

/** The principal a role and scope name: `agency:de-bafa:k.schmidt` is agency de-bafa's person k.schmidt. */
export function principalOf(role: Role, scope: string | undefined): ApiKey {
  if (role === 'admin' || !scope) return { id: role, role };
  const [own, person] = scope.split(':');
  return { id: `${role}:${scope}`, role, [SCOPES[role]]: own, ...(role === 'agency' && person && { userId: person }) };
}

const principalEntry = z
  .strictObject({
    id: z
      .string()
      .regex(
        /^(admin|(coordinator|funder):[A-Za-z0-9._@-]+|agency:[A-Za-z0-9._@-]+(:[A-Za-z0-9._@-]+)?)$/,
        'must be admin, coordinator:<userId>, funder:<funderId>, agency:<agencyId> or agency:<agencyId>:<userId>',
      ),
    role: z.enum(['admin', 'coordinator', 'funder', 'agency']),
    scope: z.string().min(1).optional(),
    name: z.string().min(1).max(200),
    email: z.email(),
    keys: z
      .array(
        z.strictObject({
          keyId: z.string().regex(KEY_ID, 'must be k- and 16 hex digits'),
          hash: z.string().refine((h) => HMAC_HASH.test(h) || SCRYPT_HASH.test(h), 'must be hmac-sha256$salt$mac (or an older scrypt$N$r$p$salt$hash)'),
        }),
      )
      .max(10),
  })
  .superRefine((p, ctx) => {
    const id = p.role === 'admin' ? 'admin' : `${p.role}:${p.scope ?? ''}`;
    if (p.id !== id) ctx.addIssue({ code: 'custom', path: ['id'], message: `must be "${id}", its role and scope` });
  });

export const principalsFileSchema = z.strictObject({ principals: z.array(principalEntry) }).superRefine((f, ctx) => {
  const seen = new Set<string>();
  f.principals.forEach((p, i) => {
    if (seen.has(p.id)) ctx.addIssue({ code: 'custom', path: ['principals', i, 'id'], message: `${p.id} is listed twice` });
    seen.add(p.id);
  });
  // An e-mail names one person: OpenID Connect signs in by it, and the four-eyes rule tells people apart by it.
  const byEmail = new Map<string, string>();
  f.principals.forEach((p, i) => {
    const email = p.email.toLowerCase();
    const first = byEmail.get(email);
    if (first) ctx.addIssue({ code: 'custom', path: ['principals', i, 'email'], message: `${p.email} is the e-mail of both ${first} and ${p.id}` });
    else byEmail.set(email, p.id);
  });
  const keyIds = f.principals.flatMap((p) => p.keys.map((k) => k.keyId));
  if (new Set(keyIds).size !== keyIds.length) ctx.addIssue({ code: 'custom', path: ['principals'], message: 'a keyId is listed twice' });
});
export type PrincipalsFile = z.infer<typeof principalsFileSchema>;

function principalFrom(entry: PrincipalsFile['principals'][number]): Principal {
  return { ...principalOf(entry.role as Role, entry.scope), name: entry.name, email: entry.email };
}

export class KeyRing {
  /** API_KEYS, by digest. */
  private readonly plain = new Map<string, Principal>();
  /** File keys that checked out, by digest. */
  private readonly checked = new Map<string, Principal>();
  /** File keys by key id. */
  private readonly hashed = new Map<string, { hash: string; principal: Principal }>();
  private readonly byId = new Map<string, Principal>();
  /** Digests of keys whose scrypt check failed. */
  private readonly failed = new Set<string>();
  /** The scrypt check running now: the next waits for it. */
  private scryptQueue: Promise<void> = Promise.resolve();

  private constructor() {}

  static fromApiKeys(keys: Map<string, ApiKey>): KeyRing {
    const ring = new KeyRing();
    for (const [secret, key] of keys) {
      ring.plain.set(digest(secret), key);
      ring.byId.set(key.id, key);
    }
    return ring;
  }

  static fromFile(file: PrincipalsFile): KeyRing {
    const ring = new KeyRing();
    for (const entry of file.principals) {
      const principal = principalFrom(entry);
      ring.byId.set(principal.id, principal);
      for (const k of entry.keys) ring.hashed.set(k.keyId, { hash: k.hash, principal });
    }
    return ring;
  }

  /** Reads and validates a principals file; a problem is thrown naming the file and the entry. */
  static readFile(path: string): KeyRing {
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(path, 'utf8'));
    } catch (err) {
      throw new Error(`${path} cannot be read as JSON: ${(err as Error).message}`);
    }
    const parsed = principalsFileSchema.safeParse(raw);
    if (!parsed.success) throw new Error(`${path}: ${parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`);
    return KeyRing.fromFile(parsed.data);
  }

  /** The principal a key belongs to, or undefined. */
  async verify(secret: string): Promise<Principal | undefined> {
    const d = digest(secret);
    const known = this.plain.get(d) ?? this.checked.get(d);
    if (known) return known;
    const dot = secret.indexOf('.');
    const entry = dot > 0 ? this.hashed.get(secret.slice(0, dot)) : undefined;
    if (!entry) return undefined;
    const given = secret.slice(dot + 1);
    const ok = HMAC_HASH.test(entry.hash) ? hmacMatches(given, entry.hash) : await this.legacyMatches(d, given, entry.hash);
    if (!ok) return undefined;
    // Keys in use are few; should the cache fill, it starts over rather than grow.
    if (this.checked.size >= 10_000) this.checked.clear();
    this.checked.set(d, entry.principal);
    return entry.principal;
  }

  /** Older scrypt hashes: one check at a time (128 MiB each), and a secret that failed is not checked again. */
  private async legacyMatches(d: string, secret: string, keyHash: string): Promise<boolean> {
    if (this.failed.has(d)) return false;
    const run = this.scryptQueue.then(() => scryptMatches(secret, keyHash));
    this.scryptQueue = run.then(
      () => undefined,
      () => undefined,
    );
    const ok = await run;
    if (!ok) {
      if (this.failed.size >= 10_000) this.failed.clear();
      this.failed.add(d);
    }
    return ok;
  }

  principal(id: string): Principal | undefined {
    return this.byId.get(id);
  }

  /** The principal with this e-mail address (OpenID Connect sign-in), compared without case. */
  principalByEmail(email: string): Principal | undefined {
    const wanted = email.toLowerCase();
    return [...this.byId.values()].find((p) => p.email?.toLowerCase() === wanted);
  }

  /** Whether a key of this file is still an older scrypt hash (start-up warns: reissue it). */
  legacyKeyIds(): string[] {
    return [...this.hashed].filter(([, e]) => SCRYPT_HASH.test(e.hash)).map(([keyId]) => keyId);
  }

  principals(): Principal[] {
    return [...this.byId.values()];
  }
}

/**
 * The person a principal is, when it is one: an agency principal that names a user (`agency:<agencyId>:<userId>`),
 * known by the e-mail address the principals file gives it. With API_KEYS, which hold no e-mail, a person is named
 * by their e-mail address itself (`agency:de-bafa:ausfuhr@bafa.example`). Undefined for an agency's shared key, and
 * for a person whose e-mail is not known: neither may decide (domain/four-eyes.ts).
 */
export function personEmail(principal: Principal): string | undefined {
  if (principal.role !== 'agency' || !principal.userId) return undefined;
  if (principal.email) return principal.email.toLowerCase();
  return z.email().safeParse(principal.userId).success ? principal.userId.toLowerCase() : undefined;
}
