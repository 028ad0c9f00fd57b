/**
 * Purging the records whose keeping period has passed (DESIGN §8: kept for the policy's record-keeping
 * period after the project closed, whatever Temporal's retention is). One transaction: the projects and
 * every row that belongs to them go, and an event in record_events says who purged what, and when.
 */
import { sql } from 'kysely';
import type { Records } from './database';

export interface PurgeResult {
  purged: { projectId: string; keepUntil: string }[];
  dryRun: boolean;
}

export async function purgeExpiredRecords(db: Records, o: { now: Date; actor: string; dryRun?: boolean }): Promise<PurgeResult> {
  return db.transaction().execute(async (tx) => {
    const expired = await tx
      .selectFrom('projects')
      .select(['project_id', 'keep_until'])
      .where('keep_until', '<', sql<Date>`${o.now.toISOString()}::timestamptz`)
      .orderBy('keep_until')
      .forUpdate()
      .execute();
    const purged = expired.map((r) => ({ projectId: r.project_id, keepUntil: r.keep_until!.toISOString() }));
    if (o.dryRun || purged.length === 0) return { purged, dryRun: !!o.dryRun };
    const ids = purged.map((p) => p.projectId);
    // Steps, decisions, audit entries, licences, parties and compliance records go with their project (on delete cascade).
    await tx.deleteFrom('projects').where('project_id', 'in', ids).execute();
    await tx
      .insertInto('record_events')
      .values({
        at: o.now.toISOString(),
        actor: o.actor,
        action: 'records-purged',
        detail: `${ids.length} project(s) past their record-keeping period: ${purged.map((p) => `${p.projectId} (kept until ${p.keepUntil})`).join(', ')}`,
      })
      .execute();
    return { purged, dryRun: false };
  });
}
