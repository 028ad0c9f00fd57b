/**
 * The record store on both databases it runs on: PGlite served over the wire protocol (what `npm start` runs)
 * and a real PostgreSQL server (the machine's). Migrations, the project record's writes and reads, and the
 * properties the workflows rely on: a retried write changes nothing, an older write never overwrites a newer,
 * and a project id owned by another run is refused.
 */
import type { ProjectCore, ProjectRecordWrite } from '../../records/contract';
import { migrateRecords, openRecords, snapshot } from '../../records/database';
import { readAuditTrail, readProjectRecord, recordedProject } from '../../records/project-reads';
import { RecordRunMismatch, writeProjectRecord } from '../../records/project-writes';
import { writeCycleRecord } from '../../records/cycle-records';
import type { CycleOutcome } from '../../workflows/cycle-contract';
import {
  claimTargetSet,
  ForeignTargetSet,
  givenTargetSetId,
  readTargets,
  selectActiveTargets,
  targetSetSize,
  writeTargetSet,
} from '../../records/cycle-targets';
import { uniqueId } from '../helpers/fixtures';
import { firstWrite, licenceWrite, step, STORES, useRecordStore } from '../helpers/record-stores';

const decidedWrite = (projectId: string): ProjectRecordWrite => ({
  projectId,
  run: 'run-1',
  source: `project-${projectId}`,
  version: 2,
  steps: [
    step(projectId, 'grant-funder', {
      status: 'decided',
      outcome: 'approved',
      decidedAt: '2026-12-01T11:00:00.000Z',
      decidedBy: 'funder:horizon-eu',
      decidedVia: 'email-link',
    }),
  ],
  auditFrom: 2,
  audit: [
    {
      at: '2026-12-01T11:00:00.000Z',
      actor: 'reviewer@funder.example',
      action: 'decision-recorded',
      channel: 'email-link',
      stepId: 'grant-funder',
      detail: 'approved',
    },
  ],
});

describe.each(STORES)('%s', (_name, start) => {
  const s = useRecordStore(start, { migrate: false });

  const count = async (table: 'projects' | 'steps' | 'decisions' | 'audit_entries' | 'licences' | 'parties', projectId: string) =>
    (
      await snapshot(s.db, (tx) =>
        tx
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('project_id', '=', projectId)
          .executeTakeFirstOrThrow(),
      )
    ).n;

  test('migrations run once on a fresh database, then find nothing to do', async () => {
    expect(await migrateRecords(s.db)).toEqual([
      '0001-records',
      '0002-cycle-targets',
      '0003-cycle-retention',
      '0004-record-owners',
      '0005-record-writers',
      '0006-sent-mails',
      '0007-principal-bindings',
      '0008-target-set-funder',
      '0009-documents',
    ]);
    expect(await migrateRecords(s.db)).toEqual([]);
    // Two processes starting together (worker and API) migrate safely: the second waits and finds nothing to do.
    const other = openRecords(s.url, { max: 1 });
    try {
      expect(await Promise.all([migrateRecords(s.db), migrateRecords(other)])).toEqual([[], []]);
    } finally {
      await other.destroy();
    }
  });

  test('a project record reads back as the view and trail the workflow wrote; every write repeated leaves one row of each', async () => {
    const id = uniqueId('rec');
    const writes = [firstWrite(id), decidedWrite(id), licenceWrite(id)];
    for (const w of [...writes, ...writes]) await writeProjectRecord(s.db, w); // the second round: retries

    const record = (await readProjectRecord(s.db, id))!;
    expect(record.owners).toEqual(['coordinator:a.weber']);
    expect(record.view.stage).toBe('grant-review');
    expect(record.view.steps.map((s) => [s.stepId, s.status, s.outcome])).toEqual([
      ['grant-funder', 'decided', 'approved'],
      ['grant-agency', 'open', undefined],
    ]);
    expect(record.view.openSteps.map((s) => s.stepId)).toEqual(['grant-agency']);
    expect(record.view.components[0].licence).toEqual({ status: 'in-review', conditions: [] });
    expect(await readAuditTrail(s.db, id)).toEqual([...writes[0].audit, ...writes[1].audit]);
    expect({
      projects: await count('projects', id),
      parties: await count('parties', id),
      steps: await count('steps', id),
      decisions: await count('decisions', id),
      audit: await count('audit_entries', id),
      licences: await count('licences', id),
    }).toEqual({ projects: 1, parties: 2, steps: 2, decisions: 1, audit: 3, licences: 1 });
    const decision = await snapshot(s.db, (tx) => tx.selectFrom('decisions').selectAll().where('project_id', '=', id).executeTakeFirstOrThrow());
    expect({ by: decision.decided_by, outcome: decision.outcome, channel: decision.channel }).toEqual({
      by: 'funder:horizon-eu',
      outcome: 'approved',
      channel: 'email-link',
    });
  });

  test('an older write arriving after a newer one changes nothing that the newer one wrote', async () => {
    const id = uniqueId('rec');
    await writeProjectRecord(s.db, firstWrite(id));
    const closed = { ...firstWrite(id), version: 3, core: { ...firstWrite(id).core!, stage: 'withdrawn' as const }, steps: [], audit: [], auditFrom: 2 };
    await writeProjectRecord(s.db, { ...closed, closed: { at: '2026-12-01T12:00:00.000Z', keepUntil: '2031-12-01T12:00:00.000Z' } });
    await writeProjectRecord(s.db, firstWrite(id)); // version 1 again, late
    const record = (await readProjectRecord(s.db, id))!;
    expect(record.view.stage).toBe('withdrawn');
    expect(record.keepUntil).toBe('2031-12-01T12:00:00.000Z');
    expect(await recordedProject(s.db, id)).toEqual({ keepUntil: '2031-12-01T12:00:00.000Z' });
  });

  test('a write from another run of the same project id is refused and writes nothing', async () => {
    const id = uniqueId('rec');
    await writeProjectRecord(s.db, firstWrite(id));
    const intruder = { ...firstWrite(id, 'run-2'), version: 9, audit: [{ ...firstWrite(id).audit[0], detail: 'other run' }] };
    await expect(writeProjectRecord(s.db, intruder)).rejects.toThrow(RecordRunMismatch);
    expect((await readAuditTrail(s.db, id)).map((e) => e.detail)).toEqual(['submitted', 'scoping → grant-review']);
    expect((await readProjectRecord(s.db, id))!.run).toBe('run-1');
  });

  test('an unknown project has no record', async () => {
    expect(await readProjectRecord(s.db, 'no-such-project')).toBeUndefined();
    expect(await readAuditTrail(s.db, 'no-such-project')).toEqual([]);
  });

  test("a cycle's target set is written once, and read in slices", async () => {
    const ids = Array.from({ length: 1203 }, (_, i) => `p-${String(i).padStart(4, '0')}`);
    const setId = givenTargetSetId(uniqueId('cy'), 'horizon-eu', ids);
    expect(await writeTargetSet(s.db, setId, 'horizon-eu', ids)).toBe(1203);
    // A retried write changes nothing, even one with another list under the same id.
    expect(await writeTargetSet(s.db, setId, 'horizon-eu', ids.slice(0, 5))).toBe(1203);
    expect(await targetSetSize(s.db, setId)).toBe(1203);
    const slices = await Promise.all([0, 500, 1000].map((from) => readTargets(s.db, setId, from, 500)));
    expect(slices.map((s) => s.length)).toEqual([500, 500, 203]);
    expect(slices.flat()).toEqual(ids);
    expect(await readTargets(s.db, setId, 1500, 500)).toEqual([]);
    expect(await targetSetSize(s.db, 'no-such-set')).toBeUndefined();
  });

  test(
    "a target set is its funder's: another funder's list for the same cycle " + 'and projects is another set, and a set is never given to another funder',
    async () => {
      const cycleId = uniqueId('cy');
      const ids = [uniqueId('p'), uniqueId('p')];
      const mine = givenTargetSetId(cycleId, 'horizon-eu', ids);
      const theirs = givenTargetSetId(cycleId, 'nsf', ids);
      expect(theirs).not.toBe(mine);
      expect(await writeTargetSet(s.db, mine, 'horizon-eu', ids)).toBe(2);
      await expect(writeTargetSet(s.db, mine, 'nsf', ids)).rejects.toThrow(`the target set ${mine} is not nsf's`);
      await expect(selectActiveTargets(s.db, mine, 'nsf')).rejects.toBeInstanceOf(ForeignTargetSet);
      const row = await snapshot(s.db, (tx) => tx.selectFrom('cycle_target_sets').selectAll().where('set_id', '=', mine).executeTakeFirstOrThrow());
      expect({ funder: row.funder_id, cycle: row.cycle_id, projects: row.project_ids }).toEqual({ funder: 'horizon-eu', cycle: null, projects: ids });
      // The cycle started with it claims it: from then on it lives as long as that cycle.
      await claimTargetSet(s.db, mine);
      await claimTargetSet(s.db, mine);
      const claimed = await snapshot(s.db, (tx) => tx.selectFrom('cycle_target_sets').select('cycle_id').where('set_id', '=', mine).executeTakeFirstOrThrow());
      expect(claimed.cycle_id).toBe(cycleId);
    },
  );

  test("every active project of a funder, as recorded, makes a cycle's set; made again, it stays as first made", async () => {
    const funderId = uniqueId('funder');
    const record = (projectId: string, stage: ProjectCore['stage'], version: number) =>
      writeProjectRecord(s.db, { ...firstWrite(projectId), version, core: { ...firstWrite(projectId).core!, funderId, stage } });
    const [b, a, c] = [uniqueId('b'), uniqueId('a'), uniqueId('c')];
    await record(b, 'active', 1);
    await record(a, 'active', 1);
    await record(c, 'scoping', 1);
    const setId = `${uniqueId('cy')}:active`;
    expect(await selectActiveTargets(s.db, setId, funderId)).toBe(2);
    await record(c, 'active', 2);
    expect(await selectActiveTargets(s.db, setId, funderId)).toBe(2);
    expect(await readTargets(s.db, setId, 0, 10)).toEqual([a, b].sort());
    expect(await selectActiveTargets(s.db, `${uniqueId('cy')}:active`, uniqueId('no-projects'))).toBe(0);
  });

  test('a write from a lost workflow task is superseded by its next attempt, and refused when it commits late', async () => {
    const id = uniqueId('rec');
    await writeProjectRecord(s.db, firstWrite(id));
    const entry = (action: string) => ({ at: '2026-12-06T10:00:00.000Z', actor: 'system', action, channel: 'system' as const, detail: action });
    const write = (version: number, historyLength: number, actions: string[]): ProjectRecordWrite => ({
      ...{ projectId: id, run: 'run-1', source: 'licence-x', version, steps: [], auditFrom: 0, audit: actions.map(entry) },
      task: { runStartedAt: 1_000, historyLength },
    });
    const actions = async () => (await readAuditTrail(s.db, id)).filter((e) => e.detail !== 'project-submitted').map((e) => e.action);
    const before = await actions();
    // The lost attempt (history 10) wrote a reminder; the task's next attempt (history 14) has the decision too.
    await writeProjectRecord(s.db, write(1, 10, ['reminder-sent']));
    await writeProjectRecord(s.db, write(1, 14, ['decision-recorded', 'reminder-sent']));
    expect(await actions()).toEqual([...before, 'decision-recorded', 'reminder-sent']);
    // The lost worker carried on: its next write, committed late, is refused; the same attempt's write again applies.
    await writeProjectRecord(s.db, { ...write(2, 10, ['ghost']), auditFrom: 2 });
    await writeProjectRecord(s.db, write(1, 14, ['decision-recorded', 'reminder-sent']));
    expect(await actions()).toEqual([...before, 'decision-recorded', 'reminder-sent']);
    // A later task's write goes on from there; a new run (continued as new) starts its history again, and applies.
    await writeProjectRecord(s.db, { ...write(2, 20, ['licence-granted']), auditFrom: 2 });
    await writeProjectRecord(s.db, { ...write(3, 3, ['report-received']), auditFrom: 3, task: { runStartedAt: 2_000, historyLength: 3 } });
    expect(await actions()).toEqual([...before, 'decision-recorded', 'reminder-sent', 'licence-granted', 'report-received']);
  });

  test("the write that records a shard's last final outcome, and only that one, finds the shard settled", async () => {
    const cycleId = uniqueId('cy');
    const ids = Array.from({ length: 5 }, () => uniqueId('p'));
    const setId = givenTargetSetId(cycleId, 'horizon-eu', ids);
    await writeTargetSet(s.db, setId, 'horizon-eu', ids);
    const summary = { cycleId, name: 'Q4', funderId: 'horizon-eu', closesAt: '2026-12-31T00:00:00.000Z', status: 'open' as const, total: 5, launchedBy: 'f' };
    await writeCycleRecord(s.db, { cycleId, version: 1, summary, skipped: [] });
    for (const id of ids) await writeProjectRecord(s.db, firstWrite(id));
    // The first four are this shard's; the fifth is another shard's, and never answers.
    const shard = { workflowId: `cycle-${cycleId}/shard-0`, setId, from: 0, count: 4 };
    const outcome = (projectId: string, version: number, o: CycleOutcome): ProjectRecordWrite => ({
      ...{ projectId, run: 'run-1', source: `project-${projectId}`, version, steps: [], auditFrom: 1, audit: [] },
      cycleItems: [{ cycleId, shard, item: { projectId, outcome: o, milestoneIds: ['m1'], awaited: [], at: '2026-12-06T10:00:00.000Z' } }],
    });
    const settled = async (write: ProjectRecordWrite) => (await writeProjectRecord(s.db, write)).settledShards;

    expect(await settled(outcome(ids[0], 2, 'pending'))).toEqual([]);
    expect(await settled(outcome(ids[0], 3, 'passed'))).toEqual([]);
    // A project the shard could not ask counts as answered once the shard writes it.
    expect(await writeCycleRecord(s.db, { cycleId, version: 0, skipped: [{ projectId: ids[1], reason: 'not running' }], shard })).toEqual({
      settled: false,
    });
    expect(await settled(outcome(ids[2], 2, 'pending'))).toEqual([]);
    // The last two at once: they take turns, so exactly one of them sees the other's outcome.
    const last = await Promise.all([settled(outcome(ids[2], 3, 'held-funder')), settled(outcome(ids[3], 2, 'stalled'))]);
    expect(last.flat()).toEqual([shard.workflowId]);
    // A write repeated (a retried activity) wakes it again, harmlessly; a pending one never replaces a final one.
    expect(await settled(outcome(ids[3], 2, 'stalled'))).toEqual([shard.workflowId]);
    expect(await settled(outcome(ids[3], 4, 'pending'))).toEqual([]);
  });
});
