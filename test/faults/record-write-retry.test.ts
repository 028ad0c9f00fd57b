/**
 * No double writes (DESIGN §8 "Records"): the worker is killed after a record write has committed and before its
 * workflow task reported it to Temporal. The write (a local activity of the workflow task) is held on a table lock
 * until the worker's connection to Temporal is held (a relay that throws away what the worker sends), so the
 * task's completion is lost for certain; Temporal times the task out and a new worker runs it again, the write
 * included, and the record holds each row once: one decision row, every audit entry once. On a busy machine the
 * held write is the one before the decision's, and the next attempt's write carries other entries at the same
 * positions: it supersedes the lost attempt's (it lost the decision's entry before records/record-writers.ts). On real processes and a
 * real PostgreSQL server (whose locks make the window certain).
 */
import { Client as PgClient } from 'pg';
import type { temporal } from '@temporalio/proto';
import { openRecords, snapshot, type Records } from '../../records/database';
import { readAuditTrail } from '../../records/project-reads';
import { projectWorkflowId } from '../../workflows/definitions';
import { smallProject } from '../helpers/fixtures';
import { startPostgres, type ThrowawayPostgres } from '../../scripts/lib/postgres';
import { ProcessStack } from '../helpers/process-stack';
import { submitAndConfirm } from './fault-scenarios';
import { Client, Connection } from '@temporalio/client';

let postgres: ThrowawayPostgres;
let stack: ProcessStack;
let records: Records;
beforeAll(async () => {
  postgres = await startPostgres();
  stack = await ProcessStack.start({ databaseUrl: postgres.url, relayWorkers: true });
  records = openRecords(postgres.url, { max: 2 });
}, 240_000);
afterAll(async () => {
  await stack?.stopAll();
  await records?.destroy();
  await postgres?.stop();
}, 60_000);

/** The record writes (local activity markers of `recordProject`) and the timed-out workflow tasks, in history order. */
function writesAndTimeouts(events: temporal.api.history.v1.IHistoryEvent[]): ('write' | 'task timed out')[] {
  return events.flatMap((e): ('write' | 'task timed out')[] => {
    if (e.workflowTaskTimedOutEventAttributes) return ['task timed out'];
    const data = e.markerRecordedEventAttributes?.details?.data?.payloads?.[0]?.data;
    const marker = data ? (JSON.parse(Buffer.from(data).toString('utf8')) as { activity_type?: string }) : undefined;
    return marker?.activity_type === 'recordProject' ? ['write'] : [];
  });
}

test('a record write committed by a worker killed before it reported: the retry leaves exactly one of each row', async () => {
  const project = smallProject();
  const workflowId = projectWorkflowId(project.projectId);
  await submitAndConfirm(stack, project);
  const view = await stack.until(
    'grant steps recorded',
    () => stack.view(project.projectId),
    (v) => v.openSteps.length === 2,
  );
  const funderStep = view.openSteps.find((s) => s.stepId === 'grant-funder')!;

  // Hold every insert into the audit trail: the next record write with audit entries (the decision's, or one just
  // before it on a busy machine) waits on the lock, inside its transaction.
  const trailLength = async () =>
    (
      await snapshot(records, (tx) =>
        tx
          .selectFrom('audit_entries')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('project_id', '=', project.projectId)
          .executeTakeFirstOrThrow(),
      )
    ).n;
  const lock = new PgClient({ connectionString: postgres.url });
  await lock.connect();
  await lock.query('BEGIN; LOCK TABLE audit_entries IN SHARE MODE');
  const before = await trailLength(); // reads are not blocked
  const answered = stack.decide(funderStep).catch(() => 0); // answered once recorded; here, after the faults
  await stack.until(
    'the record write waiting on the lock',
    async () => (await lock.query(`select count(*)::int as n from pg_stat_activity where wait_event_type = 'Lock' and pid <> pg_backend_pid()`)).rows[0].n,
    (n) => n > 0,
  );

  // Hold what the worker sends, then let the write commit: its completion never reaches Temporal. Kill the worker.
  stack.workerRelay!.hold();
  await lock.query('COMMIT');
  await lock.end();
  await stack.until('the held write committed to the record', trailLength, (n) => n > before);
  await stack.stop('worker', 'SIGKILL');
  stack.workerRelay!.release();
  await stack.startWorker();

  // Temporal times the task out (10 s) and runs it again on the new worker, the write included; the project goes on.
  const connection = await Connection.connect({ address: stack.temporalAddress });
  try {
    const client = new Client({ connection });
    const history = await stack.until(
      'the task that wrote run again after its timeout',
      async () => writesAndTimeouts((await client.workflow.getHandle(workflowId).fetchHistory()).events ?? []),
      (h) => h.includes('task timed out') && h.lastIndexOf('write') > h.indexOf('task timed out'),
      90_000,
    );
    expect(history).toContain('task timed out');
    // The decision's answer waited for its record: 200 if the retry came within the API's 10 s, else 503 (the decision stood).
    expect([200, 503]).toContain(await answered);

    // One row each: the decision, and every audit entry once (the same entry written twice would be two rows alike).
    // The held write may have been the one before the decision's (a busy machine): the decision's follows it.
    const trail = await stack.until(
      'the decision in the record',
      () => readAuditTrail(records, project.projectId),
      (t) => t.some((e) => e.action === 'decision-recorded' && e.stepId === 'grant-funder'),
    );
    const entries = trail.map((e) => JSON.stringify(e));
    expect(new Set(entries).size).toBe(entries.length);
    expect(trail.filter((e) => e.action === 'decision-recorded' && e.stepId === 'grant-funder')).toHaveLength(1);
    const decided = await snapshot(records, (tx) => tx.selectFrom('decisions').selectAll().where('project_id', '=', project.projectId).execute());
    expect(decided.map((d) => [d.step_id, d.outcome])).toEqual([['grant-funder', 'approved']]);
  } finally {
    await connection.close();
  }
}, 240_000);
