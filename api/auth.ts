/** Bearer API keys mapped to roles (DESIGN §5). Reviewers never use these: their signed link is their credential. */
import { createHash } from 'node:crypto';
import type { RequestHandler } from 'express';
import type { ApiKey, Role } from '../config/env';
import { ApiError } from './errors';

export interface Caller extends ApiKey {
  /** Role plus a short fingerprint of the key: who acted, for the audit trail, without the secret. */
  actor: string;
}

declare module 'express-serve-static-core' {
  interface Request {
    caller?: Caller;
  }
}

export function authenticate(keys: Map<string, ApiKey>): RequestHandler {
  return (req, _res, next) => {
    const header = req.get('authorization');
    if (!header) return next(new ApiError('UNAUTHORIZED', 'send Authorization: Bearer <api key>'));
    const m = /^Bearer\s+(\S+)$/i.exec(header);
    const key = m && keys.get(m[1]);
    if (!m || !key) return next(new ApiError('UNAUTHORIZED', 'unknown API key'));
    const fingerprint = createHash('sha256').update(m[1]).digest('hex').slice(0, 8);
    req.caller = { ...key, actor: `${key.role}${key.funderId ? `:${key.funderId}` : ''}#${fingerprint}` };
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

/** A funder sees only its own projects. */
export function assertMayRead(caller: Caller, funderId: string): void {
  if (caller.role === 'funder' && caller.funderId !== funderId) {
    throw new ApiError('FORBIDDEN', 'this project belongs to another funder');
  }
}
