/**
 * Purging expired records (records/purge.ts and `npm run purge-records`), on both databases: only projects past
 * their record-keeping period go, with every row that belongs to them; the purge is recorded with who did it;
 * a dry run deletes nothing; the command refuses to run without naming who purges.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { snapshot } from '../../records/database';
import { readAuditTrail, recordedProject } from '../../records/project-reads';
import { writeProjectRecord } from '../../records/project-writes';
import { listCycleItems, readCycleRecord, writeCycleRecord, writeProjectCycleItems } from '../../records/cycle-records';
import { claimTargetSet, givenTargetSetId, targetSetSize, writeTargetSet } from '../../records/cycle-targets';
import { purgeExpiredRecords } from '../../records/purge';
import { uniqueId } from '../helpers/fixtures';
import { firstWrite, licenceWrite, STORES, useRecordStore } from '../helpers/record-stores';

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '../..');

describe.each(STORES)('%s', (_name, start) => {
  const s = useRecordStore(start);

  /** A project closed at `closedAt`, kept until `keepUntil` (or still open). */
  async function project(keepUntil?: string): Promise<string> {
    const id = uniqueId('purge');
    await writeProjectRecord(s.db, firstWrite(id));
    await writeProjectRecord(s.db, licenceWrite(id));
    if (keepUntil)
      await writeProjectRecord(s.db, {
        ...firstWrite(id),
        version: 2,
        steps: [],
        audit: [],
        auditFrom: 2,
        closed: { at: '2020-01-01T00:00:00.000Z', keepUntil },
      });
    return id;
  }
  const rows = (id: string) =>
    snapshot(s.db, async (tx) =>
      Promise.all(
        (['projects', 'steps', 'decisions', 'audit_entries', 'licences', 'parties'] as const).map(
          async (t) =>
            (
              await tx
                .selectFrom(t)
                .select((eb) => eb.fn.countAll<number>().as('n'))
                .where('project_id', '=', id)
                .executeTakeFirstOrThrow()
            ).n,
        ),
      ),
    );

  test('only projects past their keeping period go, with all their rows; the purge names who did it', async () => {
    const expired = await project('2025-01-01T00:00:00.000Z');
    const kept = await project('2031-01-01T00:00:00.000Z');
    const open = await project();
    const now = new Date('2026-12-01T00:00:00.000Z');

    const dry = await purgeExpiredRecords(s.db, { now, actor: 'records officer', dryRun: true });
    expect(dry.purged.map((p) => p.projectId)).toContain(expired);
    expect(await rows(expired)).toEqual([1, 2, 0, 2, 1, 2]);

    const done = await purgeExpiredRecords(s.db, { now, actor: 'records officer' });
    expect(done.purged).toContainEqual({ projectId: expired, keepUntil: '2025-01-01T00:00:00.000Z' });
    expect(done.purged.map((p) => p.projectId)).not.toEqual(expect.arrayContaining([kept]));
    expect(await rows(expired)).toEqual([0, 0, 0, 0, 0, 0]);
    expect(await recordedProject(s.db, kept)).toEqual({ keepUntil: '2031-01-01T00:00:00.000Z' });
    expect(await recordedProject(s.db, open)).toEqual({});
    expect((await readAuditTrail(s.db, kept)).length).toBe(2);
    const event = await snapshot(s.db, (tx) => tx.selectFrom('record_events').selectAll().orderBy('id', 'desc').executeTakeFirstOrThrow());
    expect(event).toMatchObject({ actor: 'records officer', action: 'records-purged', detail: expect.stringContaining(`${expired} (kept until 2025-01-01`) });
  });

  test('npm run purge-records: a dry run lists what would go; without --actor it refuses, naming the flag', async () => {
    const expired = await project('2025-06-01T00:00:00.000Z');
    const script = path.join(ROOT, 'scripts/purge-records.ts');
    const env = { ...process.env, DATABASE_URL: s.url };
    const { stdout } = await run(process.execPath, ['--import', 'tsx', script, '--actor', 'ops', '--dry-run'], { env, cwd: ROOT });
    expect(stdout).toContain(`would purge ${expired} (kept until 2025-06-01T00:00:00.000Z)`);
    expect(await rows(expired)).toEqual([1, 2, 0, 2, 1, 2]);
    await expect(run(process.execPath, ['--import', 'tsx', script], { env, cwd: ROOT })).rejects.toMatchObject({ stderr: expect.stringContaining('--actor') });
    const purged = await run(process.execPath, ['--import', 'tsx', script, '--actor', 'ops'], { env, cwd: ROOT });
    expect(purged.stdout).toContain(`purged ${expired}`);
    expect(await rows(expired)).toEqual([0, 0, 0, 0, 0, 0]);
  }, 60_000);

  test("a closed cycle past its keeping period goes with its items and its projects' list; a list no cycle was started with goes after a day", async () => {
    const setOf = (cycleId: string, projectIds = ['p1']) => givenTargetSetId(cycleId, 'horizon-eu', projectIds);
    const cycle = async (keepUntil?: string) => {
      const cycleId = uniqueId('cy');
      const summary = { cycleId, name: 'Q2', funderId: 'horizon-eu', closesAt: '2025-01-01T00:00:00.000Z', status: 'closed' as const, total: 1 };
      await writeCycleRecord(s.db, { cycleId, version: 1, summary: { ...summary, launchedBy: 'funder:horizon-eu', keepUntil }, skipped: [] });
      const item = { projectId: 'p1', outcome: 'passed' as const, milestoneIds: ['m1'], awaited: [], at: '2025-01-01T00:00:00.000Z' };
      await s.db.transaction().execute((tx) => writeProjectCycleItems(tx, 1, [{ cycleId, item }]));
      await writeTargetSet(s.db, setOf(cycleId), 'horizon-eu', ['p1']);
      await claimTargetSet(s.db, setOf(cycleId)); // the cycle was started with it
      return cycleId;
    };
    const expired = await cycle('2025-06-01T00:00:00.000Z');
    const kept = await cycle('2031-01-01T00:00:00.000Z');
    const open = await cycle();
    const unused = setOf(uniqueId('refused'));
    const fresh = setOf(uniqueId('launching'));
    // Another list filed under a cycle id that was taken (the launch refused): no cycle uses it, whatever the
    // cycle of that id does; it goes a day after it was written, not years later with that cycle.
    const underTaken = setOf(kept, ['p1', 'p2']);
    for (const set of [unused, fresh, underTaken]) await writeTargetSet(s.db, set, 'horizon-eu', ['p1']);
    await snapshot(s.db, (tx) =>
      tx.updateTable('cycle_target_sets').set({ created_at: '2026-01-01T00:00:00.000Z' }).where('set_id', 'in', [unused, underTaken]).execute(),
    );

    const done = await purgeExpiredRecords(s.db, { now: new Date('2026-12-01T00:00:00.000Z'), actor: 'records officer' });
    expect(done.cycles).toContainEqual({ cycleId: expired, keepUntil: '2025-06-01T00:00:00.000Z' });
    expect((await readCycleRecord(s.db, expired, 10)) ?? null).toBeNull();
    expect((await listCycleItems(s.db, expired, { limit: 10 })).items).toEqual([]);
    for (const id of [kept, open]) expect(await readCycleRecord(s.db, id, 10)).toMatchObject({ cycleId: id, counts: { passed: 1 } });
    expect(done.targetSets).toBeGreaterThanOrEqual(3);
    expect(await targetSetSize(s.db, setOf(expired))).toBeUndefined();
    expect(await targetSetSize(s.db, setOf(kept))).toBe(1);
    expect(await targetSetSize(s.db, setOf(open))).toBe(1);
    expect(await targetSetSize(s.db, unused)).toBeUndefined();
    expect(await targetSetSize(s.db, underTaken)).toBeUndefined();
    expect(await targetSetSize(s.db, fresh)).toBe(1);
    const event = await snapshot(s.db, (tx) => tx.selectFrom('record_events').selectAll().orderBy('id', 'desc').executeTakeFirstOrThrow());
    expect(event.detail).toContain(`${expired} (kept until 2025-06-01`);
  });
});
