/**
 * Dashboard sign-in sessions (DESIGN §5): the API key, typed once into the
 * dashboard's form, becomes the `lr_session` cookie, so a browser can read the
 * dashboard and the audit trails it links to. The cookie never holds the key:
 * only the role, the funder, the audit actor and an expiry, signed with
 * HMAC-SHA256 (api/signed-values.ts). HttpOnly keeps it from scripts; SameSite=Strict keeps it off
 * requests that other sites start; `authenticate` honours it for reads only.
 */
import type { CookieOptions, Request, Response } from 'express';
import type {} from 'cookie-parser'; // adds req.cookies
import type { Role } from '../config/env';
import { SignedValues } from './signed-values';

export const SESSION_COOKIE = 'lr_session';
export const SESSION_TTL_MS = 8 * 3_600_000;

export interface Session {
  role: Role;
  funderId?: string;
  /** The principal signed in (its id, never the key); the session ends once no key of that principal is configured. */
  actor: string;
  /** Epoch milliseconds. */
  expiresAt: number;
  /** Epoch milliseconds: a sign-out everywhere after it ends the session (api/session-revocations.ts). Absent on cookies issued before it was kept. */
  issuedAt?: number;
}

export type SessionRead = { ok: true; session: Session } | { ok: false; reason: 'malformed' | 'bad-signature' | 'expired' };

const ROLES: readonly string[] = ['funder', 'coordinator', 'admin', 'agency'] satisfies Role[];

function isSession(raw: unknown): raw is Session {
  const s = raw as Partial<Session> | null;
  return (
    typeof s === 'object' &&
    s !== null &&
    ROLES.includes(s.role as string) &&
    typeof s.actor === 'string' &&
    typeof s.expiresAt === 'number' &&
    (s.funderId === undefined || typeof s.funderId === 'string') &&
    (s.issuedAt === undefined || typeof s.issuedAt === 'number')
  );
}

export class Sessions {
  private readonly signed: SignedValues;
  private readonly cookieOptions: CookieOptions;

  /**
   * @param linkSecret the app's LINK_SECRET. The session key is derived from it under its own label, so a
   *   reviewer link (signed with LINK_SECRET itself) can never pass as a session, nor a session as a link.
   * @param publicUrl the address people reach the API at: the cookie is `Secure` when it is https.
   */
  constructor(
    linkSecret: string,
    publicUrl: string,
    private readonly ttlMs = SESSION_TTL_MS,
  ) {
    this.signed = new SignedValues(linkSecret, 'lr_session/v1');
    this.cookieOptions = { httpOnly: true, sameSite: 'strict', path: '/', secure: new URL(publicUrl).protocol === 'https:' };
  }

  sign(session: Session): string {
    return this.signed.sign(session);
  }

  verify(value: unknown, now = Date.now()): SessionRead {
    const read = this.signed.verify(value);
    if (!read.ok) return read;
    const raw = read.value;
    if (!isSession(raw)) return { ok: false, reason: 'malformed' };
    if (raw.expiresAt <= now) return { ok: false, reason: 'expired' };
    const { role, funderId, actor, expiresAt, issuedAt } = raw; // only the known fields travel on
    return { ok: true, session: { role, ...(funderId ? { funderId } : {}), actor, expiresAt, ...(issuedAt !== undefined && { issuedAt }) } };
  }

  /** The session the request carries; undefined when it carries no session cookie (cookie-parser fills req.cookies). */
  read(req: Request, now = Date.now()): SessionRead | undefined {
    const value: unknown = req.cookies?.[SESSION_COOKIE];
    return value === undefined ? undefined : this.verify(value, now);
  }

  /** Signs in: the cookie lives as long as the session it holds. */
  start(res: Response, who: Omit<Session, 'expiresAt' | 'issuedAt'>, now = Date.now()): Session {
    const session: Session = {
      role: who.role,
      ...(who.funderId ? { funderId: who.funderId } : {}),
      actor: who.actor,
      expiresAt: now + this.ttlMs,
      issuedAt: now,
    };
    res.cookie(SESSION_COOKIE, this.sign(session), { ...this.cookieOptions, maxAge: this.ttlMs });
    return session;
  }

  end(res: Response): void {
    res.clearCookie(SESSION_COOKIE, this.cookieOptions);
  }
}
