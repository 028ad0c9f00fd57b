/**
 * Purging the records whose keeping period has passed (DESIGN §8: kept for the policy's record-keeping
 * period after the project, or the cycle, closed, whatever Temporal's retention is). One transaction: the
 * projects and cycles go with every row that belongs to them, and an event in record_events says who purged
 * what, and when. A cycle's target set goes with it; a set no cycle was started with (its launch refused, or
 * its cycle id taken) goes a day after it was written.
 */
import { forgetSentMails } from './sent-mails';
import { sql } from 'kysely';
import type { Records } from './database';

export interface PurgeResult {
  purged: { projectId: string; keepUntil: string }[];
  cycles: { cycleId: string; keepUntil: string }[];
  /** Target sets deleted: those of the cycles purged, and those no cycle was started with. */
  targetSets: number;
  dryRun: boolean;
}

/** How long a target set no cycle claimed is kept (a launch in flight, or retried within it, finds its set). */
const UNUSED_SET_MS = 86_400_000;

export async function purgeExpiredRecords(db: Records, o: { now: Date; actor: string; dryRun?: boolean }): Promise<PurgeResult> {
  return db.transaction().execute(async (tx) => {
    const now = sql<Date>`${o.now.toISOString()}::timestamptz`;
    const expired = await tx
      .selectFrom('projects')
      .select(['project_id', 'keep_until'])
      .where('keep_until', '<', now)
      .orderBy('keep_until')
      .forUpdate()
      .execute();
    const expiredCycles = await tx
      .selectFrom('cycles')
      .select(['cycle_id', 'keep_until'])
      .where('keep_until', '<', now)
      .orderBy('keep_until')
      .forUpdate()
      .execute();
    const purged = expired.map((r) => ({ projectId: r.project_id, keepUntil: r.keep_until!.toISOString() }));
    const cycles = expiredCycles.map((r) => ({ cycleId: r.cycle_id, keepUntil: r.keep_until!.toISOString() }));
    // A set goes with the cycle that claimed it; a set no cycle claimed, or whose cycle is gone, goes a day after it
    // was written (a launch in flight, or retried, finds its set meanwhile). A set filed under a cycle id that was
    // taken is never claimed: it goes then too, whatever the cycle of that id does.
    const sets = tx
      .selectFrom('cycle_target_sets')
      .select('set_id')
      .where((eb) =>
        eb.or([
          ...(cycles.length
            ? [
                eb(
                  'cycle_id',
                  'in',
                  cycles.map((c) => c.cycleId),
                ),
              ]
            : []),
          eb.and([
            eb('created_at', '<', sql<Date>`${new Date(o.now.getTime() - UNUSED_SET_MS).toISOString()}::timestamptz`),
            eb.or([
              eb('cycle_id', 'is', null),
              eb.not(eb.exists(eb.selectFrom('cycles').select('cycles.cycle_id').whereRef('cycles.cycle_id', '=', 'cycle_target_sets.cycle_id'))),
            ]),
          ]),
        ]),
      );
    const setIds = (await sets.execute()).map((r) => r.set_id);
    const result = { purged, cycles, targetSets: setIds.length, dryRun: !!o.dryRun };
    if (!o.dryRun) await forgetSentMails(tx, o.now);
    if (o.dryRun || (purged.length === 0 && cycles.length === 0 && setIds.length === 0)) return result;

    // Steps, decisions, audit entries, licences, parties and compliance records go with their project, a cycle's
    // items with the cycle (on delete cascade).
    const [projectIds, cycleIds] = [purged.map((p) => p.projectId), cycles.map((c) => c.cycleId)];
    if (projectIds.length) await tx.deleteFrom('projects').where('project_id', 'in', projectIds).execute();
    if (cycleIds.length) await tx.deleteFrom('cycles').where('cycle_id', 'in', cycleIds).execute();
    if (setIds.length) await tx.deleteFrom('cycle_target_sets').where('set_id', 'in', setIds).execute();
    const what = [
      `${purged.length} project(s) past their record-keeping period: ${purged.map((p) => `${p.projectId} (kept until ${p.keepUntil})`).join(', ') || 'none'}`,
      `${cycles.length} cycle(s): ${cycles.map((c) => `${c.cycleId} (kept until ${c.keepUntil})`).join(', ') || 'none'}`,
      `${setIds.length} cycle target set(s)`,
    ];
    await tx
      .insertInto('record_events')
      .values({ at: o.now.toISOString(), actor: o.actor, action: 'records-purged', detail: what.join('; ') })
      .execute();
    return result;
  });
}
