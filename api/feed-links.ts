/**
 * Signed calendar feed URLs (DESIGN §8): calendar apps cannot send an Authorization header, so an authenticated
 * caller gets a URL whose `?token=` stands for them on that one feed only. The token names the feed and the
 * principal, when it was issued and until when it holds, signed like the sign-in cookie (api/signed-values.ts)
 * under its own label. Each read checks, as for a sign-in: the principal is still configured, and has not signed
 * out everywhere since the token was issued (api/session-revocations.ts: "sign out everywhere" ends feed URLs too).
 * The feed's own access rules then run as for a key, so a coordinator no longer a delegate loses the feed as well.
 */
import type { KeyRing } from '../config/principals';
import type { Records } from '../records/database';
import type { Caller } from './auth';
import { callerFor } from './auth';
import { ApiError } from './errors';
import { sessionsRevokedAt } from './session-revocations';
import { SignedValues } from './signed-values';

/** How long a feed URL holds: long, as calendar subscriptions are; sign out everywhere ends it sooner. */
export const FEED_LINK_TTL_MS = 365 * 86_400_000;

interface FeedClaims {
  /** The feed's path, e.g. `/v1/projects/p1/calendar.ics`. */
  f: string;
  /** The principal's id. */
  a: string;
  /** Issued at and expires at, epoch milliseconds. */
  i: number;
  e: number;
}

const isClaims = (v: unknown): v is FeedClaims => {
  const c = v as Partial<FeedClaims> | null;
  return typeof c === 'object' && c !== null && typeof c.f === 'string' && typeof c.a === 'string' && typeof c.i === 'number' && typeof c.e === 'number';
};

export class FeedLinks {
  private readonly signed: SignedValues;

  constructor(
    linkSecret: string,
    private readonly keys: KeyRing,
    private readonly records: Records,
    private readonly ttlMs = FEED_LINK_TTL_MS,
  ) {
    this.signed = new SignedValues(linkSecret, 'lr_feed/v1');
  }

  /** A token for `feed`, standing for `caller`. */
  issue(feed: string, caller: Caller, now = Date.now()): { token: string; expiresAt: string } {
    const claims: FeedClaims = { f: feed, a: caller.actor, i: now, e: now + this.ttlMs };
    return { token: this.signed.sign(claims), expiresAt: new Date(claims.e).toISOString() };
  }

  /** The caller a token stands for on `feed`; a token damaged, for another feed, expired or revoked is 401. */
  async caller(token: string, feed: string, now = Date.now()): Promise<Caller> {
    const read = this.signed.verify(token);
    if (!read.ok || !isClaims(read.value) || read.value.f !== feed) throw new ApiError('UNAUTHORIZED', 'the feed token is not valid for this feed');
    const claims = read.value;
    if (claims.e <= now) throw new ApiError('UNAUTHORIZED', 'the feed URL has expired: ask for a new one (POST /v1/calendar-links)');
    const principal = this.keys.principal(claims.a);
    if (!principal) throw new ApiError('UNAUTHORIZED', 'the principal this feed URL was issued to is no longer configured');
    const revokedAt = await sessionsRevokedAt(this.records, principal.id);
    if (revokedAt !== undefined && claims.i <= revokedAt)
      throw new ApiError('UNAUTHORIZED', 'you were signed out everywhere since this feed URL was issued: ask for a new one');
    return callerFor(principal);
  }
}
