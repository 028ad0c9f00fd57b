/**
 * Rate limits (DESIGN §5: `RATE_LIMITED` 429 with `Retry-After`), on the
 * surfaces worth abusing: the reviewer pages (open to anyone holding a link,
 * so counted per client address), writes (counted per principal once
 * authenticated, per address for the dashboard's sign-in form). Failed
 * authentication has its own limit (failed-auth-limit.ts), which never refuses a key that is right.
 * Client addresses are as `trust proxy` (TRUST_PROXY) makes them: behind a trusted proxy, X-Forwarded-For's.
 * Counters live in the process: each API replica limits on its own.
 */
import type { Request, RequestHandler } from 'express';
import { ipKeyGenerator, rateLimit, type AugmentedRequest } from 'express-rate-limit';
import type { RateLimits } from '../config/env';
import { ApiError } from './errors';

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

export const clientAddress = (req: Request) => ipKeyGenerator(req.ip ?? req.socket.remoteAddress ?? 'unknown');

/** The error the limiter raises; the route's own error rendering (JSON contract or reviewer page) turns it into the answer. */
export function rateLimitedError(retryAfterSeconds: number): ApiError {
  return new ApiError('RATE_LIMITED', `too many requests; try again in ${retryAfterSeconds} s`, [
    { path: 'request', message: `retry after ${retryAfterSeconds} s` },
  ]);
}

type Counting = Pick<Parameters<typeof rateLimit>[0] & object, 'skip'>;

function limiter(limit: number, windowMs: number, key: (req: Request) => string, counting: Counting = {}): RequestHandler {
  if (limit <= 0) return (_req, _res, next) => next();
  return rateLimit({
    windowMs,
    limit,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    keyGenerator: key,
    ...counting,
    handler: (req, res, next) => {
      const resetAt = (req as AugmentedRequest).rateLimit?.resetTime?.getTime() ?? Date.now() + windowMs;
      const seconds = Math.max(1, Math.ceil((resetAt - Date.now()) / 1000));
      res.set('Retry-After', String(seconds));
      next(rateLimitedError(seconds));
    },
  });
}

export function reviewPageLimiter(limits: RateLimits): RequestHandler {
  return limiter(limits.reviewPages, limits.windowMs, clientAddress);
}

/** Keyed by the principal (after authentication), never by the secret itself; by address before one is known. */
export function writeLimiter(limits: RateLimits): RequestHandler {
  const key = (req: Request) => (req.caller ? `key:${req.caller.actor}` : `ip:${clientAddress(req)}`);
  return limiter(limits.writes, limits.windowMs, key, { skip: (req) => READS.has(req.method) });
}
