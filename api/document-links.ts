/**
 * Short-lived signed download links for reviewers (`GET /d/:token`): a token names one document, the reader it was
 * made for (the audit trail names them when it is used) and an expiry, signed with HMAC-SHA256 under the link secret
 * (LINK_SECRET, and LINK_SECRET_PREVIOUS after a rotation). The signed text is prefixed with its purpose, so a
 * reviewer's decision link never passes for a download link, nor the other way round.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export interface DocumentLinkClaims {
  documentId: string;
  /** Who the link was made for (a reviewer's e-mail): the audit trail's actor for the download. */
  reader: string;
  /** The step whose page showed the link, if any. */
  stepId?: string;
  /** Epoch milliseconds. */
  expiresAt: number;
}

export type DocumentLinkCheck = { ok: true; claims: DocumentLinkClaims } | { ok: false; reason: 'malformed' | 'bad-signature' | 'expired' };

const PURPOSE = 'document-download\n';

export class DocumentLinks {
  constructor(
    private readonly secret: string,
    private readonly previous: readonly string[] = [],
  ) {
    if (secret.length < 16) throw new Error('the link secret must be at least 16 characters');
  }

  sign(claims: DocumentLinkClaims): string {
    const payload = Buffer.from(
      JSON.stringify({ d: claims.documentId, r: claims.reader, e: claims.expiresAt, ...(claims.stepId && { s: claims.stepId }) }),
    ).toString('base64url');
    return `${payload}.${this.mac(payload, this.secret)}`;
  }

  verify(token: string, now = Date.now()): DocumentLinkCheck {
    const [payload, mac, ...rest] = token.split('.');
    if (!payload || !mac || rest.length) return { ok: false, reason: 'malformed' };
    const given = Buffer.from(mac);
    const signed = [this.secret, ...this.previous].some((secret) => {
      const expected = Buffer.from(this.mac(payload, secret));
      return expected.length === given.length && timingSafeEqual(expected, given);
    });
    if (!signed) return { ok: false, reason: 'bad-signature' };
    let raw: { d?: unknown; r?: unknown; e?: unknown; s?: unknown };
    try {
      raw = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    } catch {
      return { ok: false, reason: 'malformed' };
    }
    if (typeof raw.d !== 'string' || typeof raw.r !== 'string' || typeof raw.e !== 'number' || (raw.s !== undefined && typeof raw.s !== 'string'))
      return { ok: false, reason: 'malformed' };
    if (raw.e <= now) return { ok: false, reason: 'expired' };
    return { ok: true, claims: { documentId: raw.d, reader: raw.r, expiresAt: raw.e, ...(raw.s !== undefined && { stepId: raw.s as string }) } };
  }

  private mac(payload: string, secret: string): string {
    return createHmac('sha256', secret)
      .update(PURPOSE + payload)
      .digest('base64url');
  }
}
