/**
 * No double writes (DESIGN §8 "Records"): the worker is killed after a record write has committed and before the
 * activity's completion reached Temporal. The write is held on a table lock until the worker's connection to
 * Temporal is held (a relay that throws away what the worker sends), so the completion is lost for certain;
 * Temporal retries the activity on a new worker after its timeout, the retry writes again, and the record holds
 * each row once: the trail as the workflow keeps it, one decision row. On real processes and a real PostgreSQL
 * server (whose locks make the window certain).
 */
import { Client as PgClient } from 'pg';
import type { temporal } from '@temporalio/proto';
import { openRecords, snapshot, type Records } from '../../records/database';
import { readAuditTrail } from '../../records/project-reads';
import { auditQuery, projectWorkflowId } from '../../workflows/definitions';
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

/** The recordProject attempts that completed, in the order they completed: attempt number and whether an earlier one timed out. */
function recordCompletions(events: temporal.api.history.v1.IHistoryEvent[]) {
  const byId = new Map(events.map((e) => [Number(e.eventId), e]));
  return events.flatMap((e) => {
    const done = e.activityTaskCompletedEventAttributes;
    const type = done && byId.get(Number(done.scheduledEventId))?.activityTaskScheduledEventAttributes?.activityType?.name;
    const started = done && byId.get(Number(done.startedEventId))?.activityTaskStartedEventAttributes;
    return type === 'recordProject' && started ? [{ attempt: started.attempt ?? 1, afterTimeout: !!started.lastFailure?.timeoutFailureInfo }] : [];
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
  expect(await stack.runningActivities(workflowId)).toContain('recordProject');

  // Hold what the worker sends, then let the write commit: its completion never reaches Temporal. Kill the worker.
  stack.workerRelay!.hold();
  await lock.query('COMMIT');
  await lock.end();
  await stack.until('the held write committed to the record', trailLength, (n) => n > before);
  await stack.stop('worker', 'SIGKILL');
  stack.workerRelay!.release();
  await stack.startWorker();

  // Temporal times the attempt out (30 s) and runs it again on the new worker; the project goes on.
  const connection = await Connection.connect({ address: stack.temporalAddress });
  try {
    const client = new Client({ connection });
    const retried = await stack.until(
      'the record write retried after its timeout',
      async () => recordCompletions((await client.workflow.getHandle(workflowId).fetchHistory()).events ?? []),
      (c) => c.some((x) => x.afterTimeout),
      90_000,
    );
    expect(retried.filter((x) => x.afterTimeout)).toEqual([{ attempt: 2, afterTimeout: true }]);
    // The decision's answer waited for its record: 200 if the retry came within the API's 10 s, else 503 (the decision stood).
    expect([200, 503]).toContain(await answered);

    // One row each: the decision, and the trail exactly as the workflow keeps it (no entry twice).
    const trail = await stack.until(
      'the record to catch up with the workflow',
      async () => ({ workflow: await client.workflow.getHandle(workflowId).query(auditQuery), recorded: await readAuditTrail(records, project.projectId) }),
      (t) => t.recorded.length === t.workflow.length,
    );
    expect(trail.recorded).toEqual(trail.workflow);
    expect(trail.recorded.filter((e) => e.action === 'decision-recorded' && e.stepId === 'grant-funder')).toHaveLength(1);
    const decided = await snapshot(records, (tx) => tx.selectFrom('decisions').selectAll().where('project_id', '=', project.projectId).execute());
    expect(decided.map((d) => [d.step_id, d.outcome])).toEqual([['grant-funder', 'approved']]);
  } finally {
    await connection.close();
  }
}, 240_000);
