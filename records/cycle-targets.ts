/**
 * The projects a funder review cycle reviews, as one ordered list in the records (a target set). The API writes
 * the list a funder gives; the cycle makes "every active project" itself. Each of the cycle's shards reads only
 * its own slice, so no workflow input or result carries the whole portfolio.
 *
 * A set is written once: writing it again (a retried request or activity) changes nothing, so a set always
 * holds exactly what its first write put there.
 */
import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import type { Records } from './database';

/** The set id of a list a funder gave: the same cycle and list always name the same set. */
export function givenTargetSetId(cycleId: string, projectIds: string[]): string {
  return `${cycleId}:${createHash('sha256').update(projectIds.join('\n')).digest('hex').slice(0, 32)}`;
}

/** Returns the set's size, whether this call wrote it or an earlier one did. */
async function sizeAfter(db: Records, setId: string, insert: ReturnType<typeof sql>): Promise<number> {
  return db.transaction().execute(async (tx) => {
    await insert.execute(tx);
    return (await tx.selectFrom('cycle_target_sets').select('total').where('set_id', '=', setId).executeTakeFirstOrThrow()).total;
  });
}

/** Writes the funder's list as the set `setId` (a no-op when it exists). */
export function writeTargetSet(db: Records, setId: string, projectIds: string[]): Promise<number> {
  return sizeAfter(
    db,
    setId,
    sql`insert into cycle_target_sets (set_id, total, project_ids, created_at)
        values (${setId}, ${projectIds.length}, ${projectIds}::text[], now())
        on conflict (set_id) do nothing`,
  );
}

/** Makes the set `setId` of the funder's active projects as recorded now, in project id order (a no-op when it exists). */
export function selectActiveTargets(db: Records, setId: string, funderId: string): Promise<number> {
  return sizeAfter(
    db,
    setId,
    sql`insert into cycle_target_sets (set_id, total, project_ids, created_at)
        select ${setId}, count(*), coalesce(array_agg(project_id order by project_id), '{}'), now()
        from projects where funder_id = ${funderId} and stage = 'active'
        on conflict (set_id) do nothing`,
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
