/**
 * Sign-out everywhere (DESIGN §9): a revocation recorded per principal, so every session cookie issued to it before
 * then is refused on every API replica, however long it had left. Cookies hold no server state; this is the one
 * thing the records remember about them.
 */
import { snapshot, type Records } from '../records/database';

/** Records that the principal's sessions issued until `at` are revoked; a later revocation never moves it back. */
export async function revokeSessions(records: Records, principalId: string, revokedBy: string, at = new Date()): Promise<Date> {
  // In a transaction, as every statement on the records (PGlite's socket server interleaves bare statements).
  const row = await records.transaction().execute((tx) =>
    tx
      .insertInto('session_revocations')
      .values({ principal_id: principalId, revoked_at: at.toISOString(), revoked_by: revokedBy })
      .onConflict((c) =>
        c.column('principal_id').doUpdateSet((eb) => ({
          revoked_at: eb.fn('greatest', ['session_revocations.revoked_at', eb.ref('excluded.revoked_at')]),
          revoked_by: eb.ref('excluded.revoked_by'),
        })),
      )
      .returning('revoked_at')
      .executeTakeFirstOrThrow(),
  );
  return row.revoked_at;
}

/** When the principal's sessions were last revoked (epoch milliseconds), if ever. */
export async function sessionsRevokedAt(records: Records, principalId: string): Promise<number | undefined> {
  const row = await snapshot(records, (tx) =>
    tx.selectFrom('session_revocations').select('revoked_at').where('principal_id', '=', principalId).executeTakeFirst(),
  );
  return row?.revoked_at.getTime();
}
