/** Which OpenID Connect claims sign anyone in (api/oidc-identity.ts identityFrom), with no provider. */
import { identityFrom } from '../../api/oidc-identity';

const base = { iss: 'https://id.example', sub: 'u-1', email: 'a.weber@kit.example' };

test('a verified e-mail, with the issuer and subject, is an identity', () => {
  expect(identityFrom({ ...base, email_verified: true })).toEqual({ issuer: 'https://id.example', subject: 'u-1', email: 'a.weber@kit.example' });
});

test.each([
  ['email_verified missing', { ...base }, 'did not say that a.weber@kit.example is verified (no email_verified claim)'],
  ['email_verified false', { ...base, email_verified: false }, 'email_verified is false, not true'],
  ['email_verified the string "false"', { ...base, email_verified: 'false' }, 'email_verified is "false", not true'],
  ['email_verified the string "true"', { ...base, email_verified: 'true' }, 'email_verified is "true", not true'],
  ['no e-mail', { iss: base.iss, sub: base.sub, email_verified: true }, 'gave no e-mail address'],
  ['no subject', { iss: base.iss, email: base.email, email_verified: true }, 'gave no issuer and subject'],
  ['no claims at all', undefined, 'gave no e-mail address'],
])('%s: refused, saying why', (_what, claims, why) => {
  const result = identityFrom(claims);
  expect(result).toEqual({ refused: expect.stringContaining(why) });
});
