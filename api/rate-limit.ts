/**
 * Rate limits (DESIGN §5: `RATE_LIMITED` 429 with `Retry-After`), on the two
 * surfaces worth abusing: the reviewer pages (open to anyone holding a link,
 * so counted per client address) and writes (counted per API key, or per
 * address when no known key is sent, which also slows down key guessing).
 * Counters live in the process: each API replica limits on its own.
 */
import type { Request, RequestHandler } from 'express';
import { ipKeyGenerator, rateLimit, type AugmentedRequest } from 'express-rate-limit';
import { callerFor } from './auth';
import type { ApiKey, RateLimits } from '../config/env';
import { ApiError } from './errors';

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

const clientAddress = (req: Request) => ipKeyGenerator(req.ip ?? req.socket.remoteAddress ?? 'unknown');

/** The error the limiter raises; the route's own error rendering (JSON contract or reviewer page) turns it into the answer. */
export function rateLimitedError(retryAfterSeconds: number): ApiError {
  return new ApiError('RATE_LIMITED', `too many requests; try again in ${retryAfterSeconds} s`, [
    { path: 'request', message: `retry after ${retryAfterSeconds} s` },
  ]);
}

function limiter(limit: number, windowMs: number, key: (req: Request) => string, skip?: (req: Request) => boolean): RequestHandler {
  if (limit <= 0) return (_req, _res, next) => next();
  return rateLimit({
    windowMs,
    limit,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    keyGenerator: key,
    skip,
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

export function writeLimiter(limits: RateLimits, keys: Map<string, ApiKey>): RequestHandler {
  // Keyed by the principal, never by the secret itself.
  const actors = new Map([...keys].map(([secret, key]) => [secret, callerFor(key).actor]));
  const key = (req: Request) => {
    const bearer = /^Bearer\s+(\S+)$/i.exec(req.get('authorization') ?? '')?.[1];
    const actor = bearer ? actors.get(bearer) : undefined;
    return actor ? `key:${actor}` : `ip:${clientAddress(req)}`;
  };
  return limiter(limits.writes, limits.windowMs, key, (req) => READS.has(req.method));
}
