/**
 * A funder review cycle's record: the summary (status, total) and one row per project, its outcome or why it
 * was skipped. The cycle writes the summary; each project writes its own row (its outcome, as it changes), and a
 * shard the rows of projects it could not ask or that never answered; the counts are read from the rows. Read by
 * the API in pages.
 */
import { CYCLE_OUTCOMES, noCounts, type CycleItem, type CycleOutcome, type CycleTally, type CycleView, type SkippedProject } from '../workflows/cycle-contract';
import type { ShardRef } from '../workflows/cycle-contract';
import type { CycleItemWrite, CycleRecordWrite, CycleSummary } from './contract';
import { sql, type Transaction } from 'kysely';
import { readTargets } from './cycle-targets';
import { snapshot, type Records } from './database';
import type { Database } from './schema';

/** Outcomes a project may still change: it has not reported a final one (or reported it after its shard gave up). */
const OPEN_OUTCOMES = ['pending', 'unreported'];

/**
 * Writes of final outcomes into one shard's slice take turns (a lock held to the end of the transaction), so the
 * write that closes the slice's last open item sees every other one, and exactly one write finds the slice settled.
 */
async function takeTurnIn(tx: Transaction<Database>, shards: ShardRef[]): Promise<void> {
  // Always in the same order, so two writes into the same shards cannot wait for each other.
  for (const id of [...new Set(shards.map((s) => s.workflowId))].sort()) await sql`select pg_advisory_xact_lock(hashtext(${id}))`.execute(tx);
}

/** How many projects of the slice have no final outcome (no row, or a pending or unreported one). */
async function openInSlice(tx: Transaction<Database>, cycleId: string, shard: ShardRef): Promise<number> {
  const { rows } = await sql<{ open: number }>`
    select count(*)::int as open
    from unnest((select project_ids[${shard.from + 1}:${shard.from + shard.count}] from cycle_target_sets where set_id = ${shard.setId})) as t(id)
    where not exists (
      select 1 from cycle_items i
      where i.cycle_id = ${cycleId} and i.project_id = t.id and i.outcome <> all(${OPEN_OUTCOMES}::text[])
    )`.execute(tx);
  return rows[0]?.open ?? 0;
}

/** The shards among `writes` whose every project has a final outcome now (in the writing transaction, after its turn). */
async function settledShards(tx: Transaction<Database>, writes: { cycleId: string; shard: ShardRef }[]): Promise<string[]> {
  const settled: string[] = [];
  for (const w of writes) if ((await openInSlice(tx, w.cycleId, w.shard)) === 0) settled.push(w.shard.workflowId);
  return settled;
}

/**
 * A project's own rows, in its record write: a final outcome is never replaced by a later write. Returns the shards
 * this write settled: a final outcome that was its shard's last open one.
 */
export async function writeProjectCycleItems(tx: Transaction<Database>, version: number, items: CycleItemWrite[]): Promise<string[]> {
  const finals = items.flatMap((w) => ('item' in w && w.shard && !OPEN_OUTCOMES.includes(w.item.outcome) ? [{ cycleId: w.cycleId, shard: w.shard }] : []));
  await takeTurnIn(
    tx,
    finals.map((f) => f.shard),
  );
  await tx
    .insertInto('cycle_items')
    .values(
      items.map((w) =>
        'item' in w
          ? { cycle_id: w.cycleId, project_id: w.item.projectId, outcome: w.item.outcome as string, version, data: JSON.stringify(w.item) }
          : { cycle_id: w.cycleId, project_id: w.skipped.projectId, outcome: 'skipped', version, data: JSON.stringify(w.skipped) },
      ),
    )
    .onConflict((oc) =>
      oc
        .columns(['cycle_id', 'project_id'])
        .doUpdateSet((eb) => ({ outcome: eb.ref('excluded.outcome'), version: eb.ref('excluded.version'), data: eb.ref('excluded.data') }))
        .where('cycle_items.outcome', 'in', OPEN_OUTCOMES),
    )
    .execute();
  return settledShards(tx, finals);
}

/** A shard's slice of its cycle: positions `from` … `from + count - 1` of the cycle's target set. */
export interface ShardSlice {
  cycleId: string;
  setId: string;
  from: number;
  count: number;
}

/** What a shard's projects have recorded: the counts of final outcomes, the skipped, and how many have no final outcome yet. */
export async function shardTally(db: Records, slice: ShardSlice): Promise<CycleTally & { open: number }> {
  const ids = await readTargets(db, slice.setId, slice.from, slice.count);
  const rows = ids.length
    ? await snapshot(db, (tx) =>
        tx
          .selectFrom('cycle_items')
          .select(['outcome', (eb) => eb.fn.countAll<number>().as('n')])
          .where('cycle_id', '=', slice.cycleId)
          .where('project_id', 'in', ids)
          .groupBy('outcome')
          .execute(),
      )
    : [];
  const counts = noCounts();
  let skipped = 0;
  for (const r of rows) {
    if (r.outcome === 'skipped') skipped = r.n;
    else if (r.outcome in counts) counts[r.outcome as CycleOutcome] = r.n;
  }
  const final = CYCLE_OUTCOMES.filter((o) => !OPEN_OUTCOMES.includes(o)).reduce((n, o) => n + counts[o], 0);
  return { launched: ids.length - skipped, skipped, counts, open: ids.length - skipped - final };
}

/**
 * The slice's projects with no final outcome become `unreported`, each with `reason`: a project that never wrote its
 * row, or whose row is still `pending`. Returns the slice's tally after.
 */
export async function markUnreported(db: Records, slice: ShardSlice & { reason: string; at: string }): Promise<CycleTally & { open: number }> {
  const ids = await readTargets(db, slice.setId, slice.from, slice.count);
  if (ids.length) {
    await db.transaction().execute(async (tx) => {
      const rows = ids.map((projectId) => {
        const item: CycleItem = { projectId, outcome: 'unreported', milestoneIds: [], awaited: [], reason: slice.reason, at: slice.at };
        return { cycle_id: slice.cycleId, project_id: projectId, outcome: 'unreported', version: 0, data: JSON.stringify(item) };
      });
      await tx
        .insertInto('cycle_items')
        .values(rows)
        .onConflict((oc) =>
          oc
            .columns(['cycle_id', 'project_id'])
            // A pending row keeps what the project said (who it awaited); it gains the outcome and the reason.
            .doUpdateSet({
              outcome: 'unreported',
              data: sql`cycle_items.data || jsonb_build_object('outcome', 'unreported', 'reason', ${slice.reason}::text, 'at', ${slice.at}::text)`,
            })
            .where('cycle_items.outcome', '=', 'pending'),
        )
        .execute();
    });
  }
  return shardTally(db, slice);
}

/** Returns whether the writing shard's slice is settled (every project has a final outcome) once its skipped are in. */
export async function writeCycleRecord(db: Records, w: CycleRecordWrite): Promise<{ settled: boolean }> {
  return db.transaction().execute(async (tx) => {
    if (w.summary) {
      const s = w.summary;
      const row = {
        cycle_id: w.cycleId,
        funder_id: s.funderId,
        version: w.version,
        name: s.name,
        closes_at: s.closesAt,
        launched_by: s.launchedBy,
        status: s.status,
        total: s.total,
        updated_at: new Date().toISOString(),
        keep_until: s.keepUntil ?? null,
      };
      await tx
        .insertInto('cycles')
        .values(row)
        .onConflict((oc) =>
          oc
            .column('cycle_id')
            .doUpdateSet({ version: row.version, status: row.status, total: row.total, updated_at: row.updated_at, keep_until: row.keep_until })
            .where('cycles.version', '<', w.version),
        )
        .execute();
    }
    if (w.shard) await takeTurnIn(tx, [w.shard]);
    // Projects a shard could not ask: no project wrote their rows, so nothing is replaced.
    if (w.skipped.length) {
      await tx
        .insertInto('cycle_items')
        .values(w.skipped.map((s) => ({ cycle_id: w.cycleId, project_id: s.projectId, outcome: 'skipped', version: w.version, data: JSON.stringify(s) })))
        .onConflict((oc) => oc.columns(['cycle_id', 'project_id']).doNothing())
        .execute();
    }
    // Once per cycle, in the record store's own log: the cycle closed without every outcome.
    if (w.incomplete) {
      const detail = `cycle ${w.cycleId}: ${w.incomplete}`;
      await sql`insert into record_events (at, actor, action, detail)
        select now(), 'system', 'cycle-incomplete', ${detail}
        where not exists (select 1 from record_events where action = 'cycle-incomplete' and detail = ${detail})`.execute(tx);
    }
    return { settled: !!w.shard && (await settledShards(tx, [{ cycleId: w.cycleId, shard: w.shard }])).length > 0 };
  });
}

export type ItemOutcome = CycleOutcome | 'skipped';

interface ItemsPage {
  items: (CycleItem | SkippedProject)[];
  next?: string;
}
type ItemsQuery = { outcome?: ItemOutcome; limit: number; after?: string };

/** The cycle's items (or skipped projects) in project id order, `limit` after `after`. */
export function listCycleItems(records: Records, cycleId: string, o: ItemsQuery): Promise<ItemsPage> {
  return snapshot(records, (db) => itemsPage(db, cycleId, o));
}

async function itemsPage(db: Transaction<Database>, cycleId: string, o: ItemsQuery): Promise<ItemsPage> {
  let query = db.selectFrom('cycle_items').select(['project_id', 'data']).where('cycle_id', '=', cycleId);
  query = o.outcome ? query.where('outcome', '=', o.outcome) : query.where('outcome', '<>', 'skipped');
  if (o.after) query = query.where('project_id', '>', o.after);
  const rows = await query
    .orderBy('project_id')
    .limit(o.limit + 1)
    .execute();
  const items = rows.slice(0, o.limit).map((r) => r.data as unknown as CycleItem | SkippedProject);
  return { items, ...(rows.length > o.limit && { next: rows[o.limit - 1].project_id }) };
}

/** How many of the cycle's projects have reported someone awaited: each has its step open and mailed. */
export async function countReportedItems(records: Records, cycleId: string): Promise<number> {
  const row = await snapshot(records, (db) =>
    db
      .selectFrom('cycle_items')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('cycle_id', '=', cycleId)
      .where(sql<boolean>`jsonb_array_length(data->'awaited') > 0`)
      .executeTakeFirstOrThrow(),
  );
  return row.n;
}

/** The funder of a recorded cycle; undefined before its first write. */
export async function recordedCycleFunder(records: Records, cycleId: string): Promise<string | undefined> {
  const row = await snapshot(records, (db) => db.selectFrom('cycles').select('funder_id').where('cycle_id', '=', cycleId).executeTakeFirst());
  return row?.funder_id;
}

/**
 * The cycle as recorded, with its first `limit` items and skipped projects; undefined before its first write.
 * One snapshot: the counts and the items shown agree, however many writes land meanwhile.
 */
export function readCycleRecord(records: Records, cycleId: string, limit: number): Promise<(CycleView & { more: boolean }) | undefined> {
  return snapshot(records, async (db) => {
    const row = await db.selectFrom('cycles').selectAll().where('cycle_id', '=', cycleId).executeTakeFirst();
    if (!row) return undefined;
    const items = await itemsPage(db, cycleId, { limit });
    const skipped = await itemsPage(db, cycleId, { outcome: 'skipped', limit });
    const byOutcome = await db
      .selectFrom('cycle_items')
      .select(['outcome', (eb) => eb.fn.countAll<number>().as('n')])
      .where('cycle_id', '=', cycleId)
      .groupBy('outcome')
      .execute();
    const counts = noCounts();
    for (const r of byOutcome) if (r.outcome in counts) counts[r.outcome as CycleOutcome] = r.n;
    const summary: Omit<CycleSummary, 'launchedBy'> = {
      cycleId: row.cycle_id,
      name: row.name,
      funderId: row.funder_id,
      closesAt: row.closes_at.toISOString(),
      status: row.status as CycleView['status'],
      total: row.total,
    };
    const launched = CYCLE_OUTCOMES.reduce((n, o) => n + counts[o], 0);
    return {
      ...summary,
      launched,
      counts,
      items: items.items as CycleItem[],
      skipped: skipped.items as SkippedProject[],
      more: !!(items.next || skipped.next),
    };
  });
}

/** How many cycles closed `incomplete`, by funder, among those whose records are still kept. */
export async function countIncompleteCycles(records: Records): Promise<{ funderId: string; n: number }[]> {
  const rows = await snapshot(records, (db) =>
    db
      .selectFrom('cycles')
      .select(['funder_id', (eb) => eb.fn.countAll<number>().as('n')])
      .where('status', '=', 'incomplete')
      .groupBy('funder_id')
      .execute(),
  );
  return rows.map((r) => ({ funderId: r.funder_id, n: r.n }));
}
