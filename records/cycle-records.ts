/**
 * A funder review cycle's record: the summary (status, total) and one row per project, its outcome or why it
 * was skipped. The cycle writes the summary, its shards the rows; the counts are read from the rows. Read by
 * the API in pages.
 */
import { CYCLE_OUTCOMES, noCounts, type CycleItem, type CycleOutcome, type CycleView, type SkippedProject } from '../workflows/cycle-contract';
import type { CycleRecordWrite, CycleSummary } from './contract';
import { sql, type Transaction } from 'kysely';
import { snapshot, type Records } from './database';
import type { Database } from './schema';

export async function writeCycleRecord(db: Records, w: CycleRecordWrite): Promise<void> {
  await db.transaction().execute(async (tx) => {
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
    const rows = [
      ...w.items.map((i) => ({ project_id: i.projectId, outcome: i.outcome as string, data: JSON.stringify(i) })),
      ...w.skipped.map((s) => ({ project_id: s.projectId, outcome: 'skipped', data: JSON.stringify(s) })),
    ].map((r) => ({ ...r, cycle_id: w.cycleId, version: w.version }));
    if (rows.length) {
      await tx
        .insertInto('cycle_items')
        .values(rows)
        .onConflict((oc) =>
          oc
            .columns(['cycle_id', 'project_id'])
            .doUpdateSet((eb) => ({ outcome: eb.ref('excluded.outcome'), version: eb.ref('excluded.version'), data: eb.ref('excluded.data') }))
            .where('cycle_items.version', '<=', w.version),
        )
        .execute();
    }
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
