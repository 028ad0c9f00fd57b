/** Signed download links (api/document-links.ts): valid until they expire, refused when tampered with or made for another purpose. */
import { LinkSigner } from '../../activities/link-tokens';
import { DocumentLinks } from '../../api/document-links';

const SECRET = 'unit-test-link-secret-0123456789';
const links = new DocumentLinks(SECRET);
const claims = { documentId: 'doc-0123456789abcdef01234567', reader: 'ausfuhr@bafa.example', stepId: 'c2-de-bafa', expiresAt: 2_000_000 };

it('verifies its own link until it expires', () => {
  const token = links.sign(claims);
  expect(links.verify(token, 1_000_000)).toEqual({ ok: true, claims });
  expect(links.verify(token, 2_000_000)).toEqual({ ok: false, reason: 'expired' });
});

it('refuses a link whose claims or signature were changed', () => {
  const token = links.sign(claims);
  const [payload, mac] = token.split('.');
  const other = Buffer.from(JSON.stringify({ d: 'doc-ffffffffffffffffffffffff', r: claims.reader, e: claims.expiresAt })).toString('base64url');
  expect(links.verify(`${other}.${mac}`, 0)).toEqual({ ok: false, reason: 'bad-signature' });
  expect(links.verify(`${payload}.${mac.slice(0, -2)}xx`, 0)).toEqual({ ok: false, reason: 'bad-signature' });
  expect(links.verify('not-a-token', 0)).toEqual({ ok: false, reason: 'malformed' });
});

it("never takes a reviewer's decision link, even under the same secret, and takes links of a previous secret", () => {
  const decision = new LinkSigner(SECRET).sign({ workflowId: 'project-p1', stepId: 'grant-agency', reviewer: 'a@b.example', expiresAt: 2_000_000 });
  expect(links.verify(decision, 0)).toEqual({ ok: false, reason: 'bad-signature' });
  const rotated = new DocumentLinks('a-new-link-secret-0123456789', [SECRET]);
  expect(rotated.verify(links.sign(claims), 0)).toEqual({ ok: true, claims });
});
