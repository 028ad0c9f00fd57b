/**
 * Who holds a key (DESIGN §8 "Who is who"). Two sources:
 * - `API_KEYS` (development, tests, small installs): the keys themselves, held only as SHA-256 digests;
 * - `PRINCIPALS_FILE` (production): each principal's id, role, scope, name and e-mail, and for each of its keys
 *   a key id and a scrypt hash. The key itself is never stored; `npm run principal-key` makes one and prints it once.
 *
 * A file key reads `<keyId>.<secret>`: the key id (not secret) finds the hash, and the secret is checked against
 * it with scrypt and a constant-time comparison. A key that checked out is remembered by its SHA-256 digest, so
 * only the first request with it pays for scrypt. Every lookup compares digests, never the key as sent, so its
 * time tells nothing about how much of a guess was right.
 */
import { createHash, randomBytes, scrypt as scryptCallback, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { ApiKey, Role } from './env';

export interface Principal extends ApiKey {
  name?: string;
  email?: string;
}

/** OWASP's scrypt floor (N=2^17, r=8, p=1): 128 MiB and up to 1 s per check on the 2-core CI machine; paid once per key and API process. */
export const SCRYPT = { N: 2 ** 17, r: 8, p: 1, keylen: 32 } as const;

const scrypt = (secret: string, salt: Buffer, o: { N: number; r: number; p: number; keylen: number }) =>
  new Promise<Buffer>((resolve, reject) =>
    scryptCallback(secret, salt, o.keylen, { N: o.N, r: o.r, p: o.p, maxmem: 256 * o.N * o.r } satisfies ScryptOptions, (err, key) =>
      err ? reject(err) : resolve(key),
    ),
  );

const digest = (secret: string) => createHash('sha256').update(secret).digest('hex');

/** `scrypt$N$r$p$<salt>$<hash>`, salt and hash in base64url. */
const KEY_HASH = /^scrypt\$(\d+)\$(\d+)\$(\d+)\$([A-Za-z0-9_-]{16,})\$([A-Za-z0-9_-]{43,})$/;
const KEY_ID = /^k-[0-9a-f]{16}$/;

/** The stored form of a key's secret part. */
export async function hashKey(secret: string, o: { N: number; r: number; p: number; keylen: number } = SCRYPT): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scrypt(secret, salt, o);
  return `scrypt$${o.N}$${o.r}$${o.p}$${salt.toString('base64url')}$${hash.toString('base64url')}`;
}

async function matches(secret: string, keyHash: string): Promise<boolean> {
  const [, N, r, p, salt, hash] = KEY_HASH.exec(keyHash)!;
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
        z.strictObject({ keyId: z.string().regex(KEY_ID, 'must be k- and 16 hex digits'), hash: z.string().regex(KEY_HASH, 'must be scrypt$N$r$p$salt$hash') }),
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
    if (!entry || !(await matches(secret.slice(dot + 1), entry.hash))) return undefined;
    // Keys in use are few; should the cache fill, it starts over rather than grow.
    if (this.checked.size >= 10_000) this.checked.clear();
    this.checked.set(d, entry.principal);
    return entry.principal;
  }

  principal(id: string): Principal | undefined {
    return this.byId.get(id);
  }

  /** The principal with this e-mail address (OpenID Connect sign-in), compared without case. */
  principalByEmail(email: string): Principal | undefined {
    const wanted = email.toLowerCase();
    return [...this.byId.values()].find((p) => p.email?.toLowerCase() === wanted);
  }

  principals(): Principal[] {
    return [...this.byId.values()];
  }
}
