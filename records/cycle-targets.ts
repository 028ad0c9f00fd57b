/**
 * The projects a funder review cycle reviews, as one ordered list in the records (a target set). The API writes
 * the list a funder gives; the cycle makes "every active project" itself. Each of the cycle's shards reads only
 * its own slice, so no workflow input or result carries the whole portfolio.
 *
 * A set is written once: writing it again (a retried request or activity) changes nothing, so a set always
 * holds exactly what its first write put there. It belongs to the funder who wrote it (its id is made from the
 * funder too, and its row names the funder), and to the cycle started with it once one is (`claimTargetSet`): a set
 * no cycle claims is purged (records/purge.ts).
 */
import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import type { Records } from './database';

/** The set id of a list a funder gave: the same funder, cycle and list always name the same set; another funder's never. */
export function givenTargetSetId(cycleId: string, funderId: string, projectIds: string[]): string {
  return `${cycleId}:${createHash('sha256')
    .update(`${funderId}\n${projectIds.join('\n')}`)
    .digest('hex')
    .slice(0, 32)}`;
}

/** The cycle a set id is filed under (a cycle id has no ":"). */
export const targetSetCycle = (setId: string) => setId.slice(0, setId.indexOf(':'));

/** A set that exists under another funder: never used for, or shown to, this one. */
export class ForeignTargetSet extends Error {}

/** Returns the set's size, whether this call wrote it or an earlier one did; refuses another funder's set. */
async function sizeAfter(db: Records, setId: string, funderId: string, insert: ReturnType<typeof sql>): Promise<number> {
  return db.transaction().execute(async (tx) => {
    await insert.execute(tx);
    // A set from before sets named their funder (migration 0008) that no cycle had: the one asking for it adopts it.
    await tx.updateTable('cycle_target_sets').set({ funder_id: funderId }).where('set_id', '=', setId).where('funder_id', 'is', null).execute();
    const row = await tx.selectFrom('cycle_target_sets').select(['total', 'funder_id']).where('set_id', '=', setId).executeTakeFirstOrThrow();
    if (row.funder_id !== funderId) throw new ForeignTargetSet(`the target set ${setId} is not ${funderId}'s`);
    return row.total;
  });
}

/** Writes the funder's list as the set `setId` (a no-op when it exists). */
export function writeTargetSet(db: Records, setId: string, funderId: string, projectIds: string[]): Promise<number> {
  return sizeAfter(
    db,
    setId,
    funderId,
    sql`insert into cycle_target_sets (set_id, total, project_ids, created_at, funder_id)
        values (${setId}, ${projectIds.length}, ${projectIds}::text[], now(), ${funderId})
        on conflict (set_id) do nothing`,
  );
}

/** Makes the set `setId` of the funder's active projects as recorded now, in project id order (a no-op when it exists); the cycle making it claims it. */
export function selectActiveTargets(db: Records, setId: string, funderId: string): Promise<number> {
  return sizeAfter(
    db,
    setId,
    funderId,
    sql`insert into cycle_target_sets (set_id, total, project_ids, created_at, funder_id, cycle_id)
        select ${setId}, count(*), coalesce(array_agg(project_id order by project_id), '{}'), now(), ${funderId}, ${targetSetCycle(setId)}
        from projects where funder_id = ${funderId} and stage = 'active'
        on conflict (set_id) do nothing`,
  );
}

/**
 * The cycle the set is filed under was started with it: from then on the set lives as long as that cycle. Called by
 * the API once the cycle's workflow started and by the cycle's first activity (either may be lost to a crash).
 * A set filed under a cycle id that was taken is never passed to a workflow, so never claimed.
 */
export async function claimTargetSet(db: Records, setId: string): Promise<void> {
  await db.transaction().execute((tx) =>
    tx
      .updateTable('cycle_target_sets')
      .set({ cycle_id: targetSetCycle(setId) })
      .where('set_id', '=', setId)
      .where('cycle_id', 'is', null)
      .execute(),
  );
}

/** How many projects the set holds; undefined when there is no such set. */
export async function targetSetSize(db: Records, setId: string): Promise<number | undefined> {
  const row = await db.transaction().execute((tx) => tx.selectFrom('cycle_target_sets').select('total').where('set_id', '=', setId).executeTakeFirst());
  return row?.total;
}

/** The set's project ids at positions `from` … `from + count - 1` (0-based). */
export async function readTargets(db: Records, setId: string, from: number, count: number): Promise<string[]> {
  const row = await db.transaction().execute((tx) =>
    tx
      .selectFrom('cycle_target_sets')
      // PostgreSQL arrays are 1-based, and a slice past the end is cut short.
      .select(sql<string[]>`project_ids[${from + 1}:${from + count}]`.as('slice'))
      .where('set_id', '=', setId)
      .executeTakeFirst(),
  );
  return row?.slice ?? [];
}
