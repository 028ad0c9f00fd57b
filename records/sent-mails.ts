/**
 * The mails SMTP accepted, by Message-ID. A send can be retried after SMTP took it: its worker could not report the
 * completion (its frontend down, say) and Temporal gave the activity to another worker after its timeout. That retry
 * finds the mail here and does not send it again. Only a worker that dies between SMTP's acceptance and this row's
 * write still leaves a second copy, which the deterministic Message-ID lets recipients spot.
 */
import { sql, type Transaction } from 'kysely';
import { snapshot, type Records } from './database';
import type { Database } from './schema';

/** How long a sent mail is remembered: far beyond any activity's retries; the purge forgets older ones. */
export const SENT_MAIL_MEMORY_MS = 30 * 86_400_000;

// Each statement in a transaction, as every statement on the records (see `snapshot` in records/database.ts).
export async function wasSent(db: Records, messageId: string): Promise<boolean> {
  const row = await snapshot(db, (tx) => tx.selectFrom('sent_mails').select('message_id').where('message_id', '=', messageId).executeTakeFirst());
  return !!row;
}

export async function markSent(db: Records, messageId: string, workflowId: string, at: Date): Promise<void> {
  await db.transaction().execute((tx) =>
    tx
      .insertInto('sent_mails')
      .values({ message_id: messageId, workflow_id: workflowId, sent_at: at.toISOString() })
      .onConflict((oc) => oc.column('message_id').doNothing())
      .execute(),
  );
}

/** Forgets the mails sent before `now` less the memory; returns how many. */
export async function forgetSentMails(db: Records | Transaction<Database>, now: Date): Promise<number> {
  const cutoff = new Date(now.getTime() - SENT_MAIL_MEMORY_MS).toISOString();
  const result = await db
    .deleteFrom('sent_mails')
    .where('sent_at', '<', sql<Date>`${cutoff}::timestamptz`)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
