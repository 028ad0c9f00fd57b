/**
 * Bearer API keys mapped to roles (DESIGN §5), and the dashboard's sign-in
 * cookie made from the same keys. Reviewers never use these: their signed
 * link is their credential.
 */
import type { Request, RequestHandler } from 'express';
import type { ApiKey, Role } from '../config/env';
import type { KeyRing, Principal } from '../config/principals';
import { ApiError } from './errors';
import type { Records } from '../records/database';
import type { Sessions } from './session';
import { sessionsRevokedAt } from './session-revocations';
import { cookieWritesAllowed } from './web/cookie-writes';

export interface Caller extends Principal {
  /** The principal's id: who acted, as the audit trail names them. */
  actor: string;
}

declare module 'express-serve-static-core' {
  interface Request {
    caller?: Caller;
  }
}

export function callerFor(key: ApiKey): Caller {
  return { ...key, actor: key.id };
}

/**
 * A session cookie rides along on reads only: a write needs the key itself, so no other page can make a signed-in
 * browser change anything. The one exception is a form of the app's own pages whose CSRF token was checked, and what
 * that page sends on to the API (api/web/cookie-writes.ts).
 */
const READS = new Set(['GET', 'HEAD']);

export type Identity = { caller: Caller } | { error: ApiError } | { none: true };

/**
 * Who sent the request: the Bearer key when there is an Authorization header,
 * else (reads only) the session cookie. The cookie's actor must still be a
 * configured principal, so removing a principal ends its sessions too, and issued after its last sign-out
 * everywhere (read from `records`, when given).
 */
export function identifier(keys: KeyRing, sessions?: Sessions, records?: Records): (req: Request) => Promise<Identity> {
  return async (req) => {
    const header = req.get('authorization');
    if (header) {
      const m = /^Bearer\s+(\S+)$/i.exec(header);
      const key = m && (await keys.verify(m[1]));
      if (!key) return { error: new ApiError('UNAUTHORIZED', 'unknown API key') };
      return { caller: callerFor(key) };
    }
    const session = sessions?.read(req);
    if (!session) return { none: true };
    if (!READS.has(req.method) && !cookieWritesAllowed(req))
      return { error: new ApiError('UNAUTHORIZED', 'send Authorization: Bearer <api key>; a dashboard sign-in only lets you read') };
    if (!session.ok) {
      return {
        error: new ApiError(
          'UNAUTHORIZED',
          session.reason === 'expired'
            ? 'your sign-in has expired: sign in again at /dashboard'
            : 'the sign-in cookie is not valid: sign in again at /dashboard',
        ),
      };
    }
    const principal = keys.principal(session.session.actor);
    if (!principal) return { error: new ApiError('UNAUTHORIZED', 'the key you signed in with is no longer accepted: sign in again at /dashboard') };
    const revokedAt = records && (await sessionsRevokedAt(records, principal.id));
    if (revokedAt !== undefined && (session.session.issuedAt ?? 0) <= revokedAt)
      return { error: new ApiError('UNAUTHORIZED', 'you were signed out everywhere: sign in again at /dashboard') };
    return { caller: callerFor(principal) };
  };
}

export function authenticate(keys: KeyRing, sessions?: Sessions, records?: Records): RequestHandler {
  const identify = identifier(keys, sessions, records);
  return async (req, _res, next) => {
    const who = await identify(req);
    if ('error' in who) return next(who.error);
    if ('none' in who) return next(new ApiError('UNAUTHORIZED', 'send Authorization: Bearer <api key>'));
    req.caller = who.caller;
    next();
  };
}

export function requireRole(...roles: Role[]): RequestHandler {
  return (req, _res, next) => {
    if (!req.caller || !roles.includes(req.caller.role)) {
      return next(new ApiError('FORBIDDEN', `this action needs the role ${roles.join(' or ')}`));
    }
    next();
  };
}

/**
 * Who may see a project, and act on it as their role allows: its owner and delegates (coordinators), its funder,
 * and admins. Anyone else gets exactly the answer a missing project gets, so a project id reveals nothing.
 */
export function assertMayAccess(caller: Caller, project: { funderId: string; owner: string; delegates?: string[] }): void {
  if (caller.role === 'admin') return;
  if (caller.role === 'funder' && caller.funderId === project.funderId) return;
  if (caller.role === 'coordinator' && (project.owner === caller.actor || (project.delegates ?? []).includes(caller.actor))) return;
  throw new ApiError('NOT_FOUND', 'not found');
}

/**
 * Who may read a project's case (its documents): whoever may see the project (assertMayAccess), and the agencies it
 * is routed to (a step of theirs, open or closed). Anyone else gets the answer a missing project gets.
 */
export function assertMayReadCase(caller: Caller, project: { funderId: string; owner: string; delegates?: string[]; steps: { party: string }[] }): void {
  if (caller.role === 'agency') {
    if (caller.agencyId && project.steps.some((s) => s.party === caller.agencyId)) return;
    throw new ApiError('NOT_FOUND', 'not found');
  }
  assertMayAccess(caller, project);
}
