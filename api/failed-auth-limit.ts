/**
 * The failed-authentication limit (RATE_LIMIT_FAILED_AUTH): makes guessing keys slow without ever refusing a key
 * that is right.
 * - Only answered failures count: a `401`, once sent, counts against the client's address and, for a file key
 *   (`<keyId>.<secret>`), against its key id, whoever sends it. Requests in flight count for nothing, so a burst
 *   of good requests is never refused (express-rate-limit's `skipSuccessfulRequests` counted every request until
 *   it answered: 150 concurrent reads with a valid key were all refused).
 * - Past the limit, only a failure is refused: a credential that checks out passes as always; one that does not
 *   gets `429` with Retry-After instead of `401`, until the window ends.
 * Counts live in the process (each API replica counts on its own), in fixed windows per counter.
 */
import type { ErrorRequestHandler, Request, RequestHandler } from 'express';
import { ApiError } from './errors';
import { clientAddress, rateLimitedError } from './rate-limit';

/** A file key's id (config/principals.ts): not secret, and the same whichever secret a guesser pairs with it. */
const KEY_ID = /^(k-[0-9a-f]{16})\./;
/** Counters kept at most: past it a new address or key id is not counted until a window ends (memory stays bounded). */
const MAX_COUNTERS = 100_000;

/** The file key id a request presents: in `Authorization: Bearer`, or in the dashboard sign-in form's `key`. */
function presentedKeyId(req: Request): string | undefined {
  const bearer = /^Bearer\s+(\S+)$/i.exec(req.get('authorization') ?? '')?.[1];
  const form = (req.body as { key?: unknown } | undefined)?.key;
  const key = bearer ?? (typeof form === 'string' ? form.trim() : undefined);
  return key ? KEY_ID.exec(key)?.[1] : undefined;
}

export class FailedAuthLimit {
  private readonly counters = new Map<string, { failures: number; resetAt: number }>();

  constructor(
    /** Failures per window per address and per key id; 0 turns the limit off. */
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts the request's answer once it is sent, if it refused a credential (401). */
  readonly count: RequestHandler = (req, res, next) => {
    if (this.limit > 0) res.once('finish', () => res.statusCode === 401 && this.fail(this.keys(req)));
    next();
  };

  /** Seconds until the request's address or key id may fail again; undefined while under the limit. */
  retryAfter(req: Request): number | undefined {
    if (this.limit <= 0) return undefined;
    const now = this.now();
    const spentUntil = this.keys(req)
      .map((key) => this.counters.get(key))
      .filter((c) => c && c.resetAt > now && c.failures >= this.limit)
      .map((c) => c!.resetAt);
    return spentUntil.length ? Math.max(1, Math.ceil((Math.max(...spentUntil) - now) / 1000)) : undefined;
  }

  /** After authentication: a refused credential from an address or key id past the limit is answered 429, not 401. */
  readonly refuse: ErrorRequestHandler = (err, req, res, next) => {
    const seconds = err instanceof ApiError && err.code === 'UNAUTHORIZED' ? this.retryAfter(req) : undefined;
    if (seconds === undefined) return next(err);
    res.set('Retry-After', String(seconds));
    next(rateLimitedError(seconds));
  };

  private keys(req: Request): string[] {
    const keyId = presentedKeyId(req);
    return [`ip:${clientAddress(req)}`, ...(keyId ? [`key:${keyId}`] : [])];
  }

  private fail(keys: string[]): void {
    const now = this.now();
    for (const key of keys) {
      let counter = this.counters.get(key);
      if (!counter || counter.resetAt <= now) {
        if (!counter && this.counters.size >= MAX_COUNTERS) this.sweep(now);
        if (!counter && this.counters.size >= MAX_COUNTERS) continue;
        counter = { failures: 0, resetAt: now + this.windowMs };
        this.counters.set(key, counter);
      }
      counter.failures++;
    }
  }

  private sweep(now: number): void {
    for (const [key, counter] of this.counters) if (counter.resetAt <= now) this.counters.delete(key);
  }
}
