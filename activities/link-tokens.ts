/**
 * Signed reviewer links. A token names one step of one workflow run, the
 * reviewer who owes it and an expiry, signed with HMAC-SHA256; it is useless
 * for anything else. Used by the mail activity (sign) and the API (verify).
 * Rotation: new links are signed with the current secret; links signed with a
 * previous one (LINK_SECRET_PREVIOUS) keep working until that is removed.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export interface LinkClaims {
  /** Workflow that owns the step. */
  workflowId: string;
  stepId: string;
  reviewer: string;
  /** Expiry, epoch milliseconds. */
  expiresAt: number;
  /** The workflow's first run id: a later run of the same workflow id refuses the link. Absent on links issued before runs were bound. */
  run?: string;
  /**
   * How many times the step had been passed on when the link was issued (`ReviewStep.assignments`): once it is passed
   * on again, the link no longer decides it, even when the step comes back to the same reviewer (A → B → A).
   * Absent on links issued before assignments were bound: they decide only a step never passed on.
   */
  assignment?: number;
}

export type VerifyResult = { ok: true; claims: LinkClaims } | { ok: false; reason: 'malformed' | 'bad-signature' | 'expired'; claims?: LinkClaims };

const b64 = (buf: Buffer | string) => Buffer.from(buf).toString('base64url');

export class LinkSigner {
  constructor(
    private readonly secret: string,
    /** Secrets that signed links still in people's mailboxes: accepted, never used to sign. */
    private readonly previous: readonly string[] = [],
  ) {
    if (secret.length < 16) throw new Error('LINK_SECRET must be at least 16 characters');
    if (previous.some((p) => p.length < 16)) throw new Error('every LINK_SECRET_PREVIOUS secret must be at least 16 characters');
  }

  sign(claims: LinkClaims): string {
    const payload = b64(
      JSON.stringify({
        w: claims.workflowId,
        s: claims.stepId,
        r: claims.reviewer,
        e: claims.expiresAt,
        ...(claims.run && { u: claims.run }),
        ...(claims.assignment !== undefined && { a: claims.assignment }),
      }),
    );
    return `${payload}.${this.mac(payload)}`;
  }

  verify(token: string, now = Date.now()): VerifyResult {
    const parts = token.split('.');
    if (parts.length !== 2 || !parts[0] || !parts[1]) return { ok: false, reason: 'malformed' };
    const [payload, mac] = parts;
    const given = Buffer.from(mac);
    const signedBy = (secret: string) => {
      const expected = Buffer.from(this.mac(payload, secret));
      return given.length === expected.length && timingSafeEqual(given, expected);
    };
    if (![this.secret, ...this.previous].some(signedBy)) return { ok: false, reason: 'bad-signature' };
    let claims: LinkClaims;
    try {
      const raw = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
      if (typeof raw.w !== 'string' || typeof raw.s !== 'string' || typeof raw.r !== 'string' || typeof raw.e !== 'number') {
        return { ok: false, reason: 'malformed' };
      }
      if (raw.u !== undefined && typeof raw.u !== 'string') return { ok: false, reason: 'malformed' };
      if (raw.a !== undefined && !(Number.isSafeInteger(raw.a) && raw.a >= 0)) return { ok: false, reason: 'malformed' };
      claims = {
        workflowId: raw.w,
        stepId: raw.s,
        reviewer: raw.r,
        expiresAt: raw.e,
        ...(raw.u && { run: raw.u }),
        ...(raw.a !== undefined && { assignment: raw.a }),
      };
    } catch {
      return { ok: false, reason: 'malformed' };
    }
    if (claims.expiresAt <= now) return { ok: false, reason: 'expired', claims };
    return { ok: true, claims };
  }

  private mac(payload: string, secret = this.secret): string {
    return createHmac('sha256', secret).update(payload).digest('base64url');
  }
}
