/** Signed reviewer links (activities/link-tokens.ts): only an untouched, unexpired token from our secret passes. */
import { createHmac } from 'node:crypto';
import { LinkSigner, type LinkClaims } from '../../activities/link-tokens';

const SECRET = 'unit-test-link-secret-0123456789';
const signer = new LinkSigner(SECRET);
const now = Date.parse('2027-01-01T00:00:00Z');
const claims: LinkClaims = { workflowId: 'licence-p1--c2', stepId: 'c2-us-bis', reviewer: 'licensing@bis.example', expiresAt: now + 60_000 };

/** Re-encodes a payload in the token's format, to build tokens the signer never issued. */
const encode = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

it('verifies its own token and returns the claims it signed', () => {
  expect(signer.verify(signer.sign(claims), now)).toEqual({ ok: true, claims });
});

it('carries the workflow run it is bound to, and a changed run breaks the signature', () => {
  const bound = { ...claims, run: '0190c1a2-run-of-the-first-submission' };
  const token = signer.sign(bound);
  expect(signer.verify(token, now)).toEqual({ ok: true, claims: bound });
  const [, mac] = token.split('.');
  const forged = `${encode({ w: bound.workflowId, s: bound.stepId, r: bound.reviewer, e: bound.expiresAt, u: 'another-run' })}.${mac}`;
  expect(signer.verify(forged, now)).toEqual({ ok: false, reason: 'bad-signature' });
});

it('carries the assignment it was issued for (0 included), a changed one breaks the signature, and a malformed one is refused', () => {
  for (const assignment of [0, 2]) {
    const bound = { ...claims, assignment };
    expect(signer.verify(signer.sign(bound), now)).toEqual({ ok: true, claims: bound });
  }
  const [, mac] = signer.sign({ ...claims, assignment: 0 }).split('.');
  const payload = { w: claims.workflowId, s: claims.stepId, r: claims.reviewer, e: claims.expiresAt };
  expect(signer.verify(`${encode({ ...payload, a: 2 })}.${mac}`, now)).toEqual({ ok: false, reason: 'bad-signature' });
  for (const a of [-1, 1.5, '1']) {
    const body = encode({ ...payload, a });
    const signed = `${body}.${createHmac('sha256', SECRET).update(body).digest('base64url')}`;
    expect(signer.verify(signed, now)).toEqual({ ok: false, reason: 'malformed' });
  }
});

it('rejects a token whose payload was changed (another step, same signature)', () => {
  const [, mac] = signer.sign(claims).split('.');
  const forged = `${encode({ w: claims.workflowId, s: 'c2-us-dod', r: claims.reviewer, e: claims.expiresAt })}.${mac}`;
  expect(signer.verify(forged, now)).toEqual({ ok: false, reason: 'bad-signature' });
});

it('rejects a token whose signature was changed', () => {
  const token = signer.sign(claims);
  const flipped = token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A');
  expect(signer.verify(flipped, now)).toEqual({ ok: false, reason: 'bad-signature' });
  expect(signer.verify(token.slice(0, -2), now)).toEqual({ ok: false, reason: 'bad-signature' });
});

it('rejects a token signed with another secret', () => {
  const foreign = new LinkSigner('another-secret-of-enough-length').sign(claims);
  expect(signer.verify(foreign, now)).toEqual({ ok: false, reason: 'bad-signature' });
});

it('rejects an expired token from the expiry instant on, and still says whose it was', () => {
  const token = signer.sign(claims);
  expect(signer.verify(token, claims.expiresAt - 1).ok).toBe(true);
  expect(signer.verify(token, claims.expiresAt)).toEqual({ ok: false, reason: 'expired', claims });
});

it.each([
  ['', 'malformed'],
  ['abc', 'malformed'],
  ['a.b.c', 'malformed'],
  ['.sig', 'malformed'],
  ['payload.', 'malformed'],
  ['%%%.%%%', 'bad-signature'],
])('rejects %p as %s without throwing', (token, reason) => {
  expect(signer.verify(token, now)).toEqual({ ok: false, reason });
});

it('calls a correctly signed payload that is not our claims malformed', () => {
  // Reaches the payload checks, which only run after the signature has passed.
  const mac = (payload: string) => createHmac('sha256', SECRET).update(payload).digest('base64url');
  for (const payload of [encode('not json'), encode({ w: 'x', s: 'y', r: 'z', e: 'tomorrow' }), encode([1, 2])]) {
    expect(signer.verify(`${payload}.${mac(payload)}`, now)).toEqual({ ok: false, reason: 'malformed' });
  }
});

it('refuses a secret shorter than 16 characters', () => {
  expect(() => new LinkSigner('short-secret')).toThrow(/at least 16/);
  expect(() => new LinkSigner('exactly-16-chars')).not.toThrow();
});

describe('rotating LINK_SECRET', () => {
  const OLD = 'the-previous-link-secret-0123';
  const sentBefore = new LinkSigner(OLD).sign(claims);
  const rotated = new LinkSigner(SECRET, [OLD]);

  it('accepts links signed with a previous secret, and signs new ones with the current secret only', () => {
    expect(rotated.verify(sentBefore, now)).toEqual({ ok: true, claims });
    const fresh = rotated.sign(claims);
    expect(signer.verify(fresh, now)).toEqual({ ok: true, claims });
    expect(new LinkSigner(OLD).verify(fresh, now)).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it('refuses them once the previous secret is removed, and still checks expiry for them', () => {
    expect(signer.verify(sentBefore, now)).toEqual({ ok: false, reason: 'bad-signature' });
    expect(rotated.verify(sentBefore, claims.expiresAt + 1)).toEqual({ ok: false, reason: 'expired', claims });
  });

  it('refuses a short previous secret', () => {
    expect(() => new LinkSigner(SECRET, ['short'])).toThrow(/LINK_SECRET_PREVIOUS/);
  });
});
