/**
 * What the records keep of principals (migration 0007-principal-bindings): the account at the OpenID provider each
 * principal first signed in with (api/oidc-identity.ts bindAccount), and when its sessions were last revoked
 * (api/session-revocations.ts). On PGlite and on PostgreSQL.
 */
import { bindAccount } from '../../api/oidc-identity';
import { revokeSessions, sessionsRevokedAt } from '../../api/session-revocations';
import { STORES, useRecordStore } from '../helpers/record-stores';

const ISSUER = 'https://id.example';

describe.each(STORES)('%s', (_name, start) => {
  const s = useRecordStore(start);

  test('the first sign-in binds the principal to its account; the same account signs in again; another account with the same e-mail does not', async () => {
    const first = { issuer: ISSUER, subject: 'u-aweber', email: 'a.weber@kit.example' };
    expect(await bindAccount(s.db, 'coordinator:a.weber', first)).toBeUndefined();
    expect(await bindAccount(s.db, 'coordinator:a.weber', { ...first, email: 'A.Weber@kit.example' })).toBeUndefined();
    expect(await bindAccount(s.db, 'coordinator:a.weber', { ...first, subject: 'u-impostor' })).toMatch(
      /^a\.weber@kit\.example signs in with another account at the identity provider/,
    );
    expect(await bindAccount(s.db, 'coordinator:a.weber', { ...first, issuer: 'https://other-id.example' })).toMatch(/another account/);
    // An account bound to one principal that now shows another's address signs in as neither.
    expect(await bindAccount(s.db, 'funder:nsf', { ...first, email: 'programme@nsf.example' })).toMatch(/signs in as coordinator:a\.weber, not as the owner/);
    const rows = await s.db.selectFrom('principal_bindings').select(['principal_id', 'issuer', 'subject']).orderBy('principal_id').execute();
    expect(rows).toEqual([{ principal_id: 'coordinator:a.weber', issuer: ISSUER, subject: 'u-aweber' }]);
  });

  test('two first sign-ins of one principal at once bind one account, and refuse the other', async () => {
    const results = await Promise.all(
      ['u-one', 'u-two'].map((subject) => bindAccount(s.db, 'agency:de-bafa:k.schmidt', { issuer: ISSUER, subject, email: 'k.schmidt@bafa.example' })),
    );
    expect(results.filter((r) => r === undefined)).toHaveLength(1);
    expect(results.filter((r) => r !== undefined)).toHaveLength(1);
  });

  test('a revocation is kept per principal, and a later one never moves it back', async () => {
    expect(await sessionsRevokedAt(s.db, 'funder:nsf')).toBeUndefined();
    const at = new Date('2031-01-01T00:00:00Z');
    expect((await revokeSessions(s.db, 'funder:nsf', 'admin', at)).toISOString()).toBe(at.toISOString());
    expect(await sessionsRevokedAt(s.db, 'funder:nsf')).toBe(at.getTime());
    await revokeSessions(s.db, 'funder:nsf', 'funder:nsf', new Date('2030-01-01T00:00:00Z'));
    expect(await sessionsRevokedAt(s.db, 'funder:nsf')).toBe(at.getTime());
    expect(await sessionsRevokedAt(s.db, 'funder:ukri')).toBeUndefined();
  });
});
