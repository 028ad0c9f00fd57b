/**
 * Values that travel through a browser or a URL and come back: JSON, signed with HMAC-SHA256 under a key derived
 * from LINK_SECRET for one purpose (its label), so a value signed for one purpose never passes for another. The
 * dashboard's sign-in cookie (api/session.ts) and the calendar feed URLs (api/feed-links.ts) are made with it.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export type SignedRead = { ok: true; value: unknown } | { ok: false; reason: 'malformed' | 'bad-signature' };

export class SignedValues {
  private readonly key: Buffer;

  /** @param label names the purpose, e.g. `lr_session/v1`: the key is HMAC(secret, label). */
  constructor(secret: string, label: string) {
    this.key = createHmac('sha256', secret).update(label).digest();
  }

  /** `<payload>.<mac>`, both base64url: safe in a cookie and in a URL's query. */
  sign(value: unknown): string {
    const payload = Buffer.from(JSON.stringify(value)).toString('base64url');
    return `${payload}.${this.mac(payload)}`;
  }

  /** The value, once its signature checks out in constant time; what it holds is for the caller to check. */
  verify(signed: unknown): SignedRead {
    if (typeof signed !== 'string') return { ok: false, reason: 'malformed' };
    const [payload, mac, ...rest] = signed.split('.');
    if (!payload || !mac || rest.length) return { ok: false, reason: 'malformed' };
    const expected = Buffer.from(this.mac(payload));
    const given = Buffer.from(mac);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'bad-signature' };
    try {
      return { ok: true, value: JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) };
    } catch {
      return { ok: false, reason: 'malformed' };
    }
  }

  private mac(payload: string): string {
    return createHmac('sha256', this.key).update(payload).digest('base64url');
  }
}
