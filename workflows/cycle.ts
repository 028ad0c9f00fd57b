/**
 * A funder's review cycle over its portfolio. The API answers 202 at once; this workflow fixes the projects
 * (the funder's list, which the API wrote to the records, or every active project of the funder) and fans out
 * through shard workflows of CYCLE_SHARD_SIZE projects each. Each shard asks its projects to review their
 * milestones due in the window and records what each reports: passed, held by the funder or a regulator,
 * stalled at the close, or pending. The cycle itself keeps counts, never items, so its history and its result
 * stay the same size however many projects it reviews.
 */
import { condition, proxyActivities, setHandler, startChild, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import {
  CYCLE_OUTCOMES,
  activeTargetSetId,
  CYCLE_SHARD_SIZE,
  cycleShardWorkflowId,
  cycleViewQuery,
  noCounts,
  type CycleInput,
  type CycleResult,
  type CycleShardInput,
  type CycleTally,
  type CycleView,
} from './cycle-contract';
import { CycleFanOut } from './cycle-fanout';
import { searchAttributes } from './definitions';
import { records } from './effects';
import { RecordWriter } from './record-writer';

const targets = proxyActivities<Pick<Activities, 'cycleTargets' | 'readCycleTargets'>>({
  startToCloseTimeout: '1 minute',
  retry: { maximumInterval: '30 seconds' },
});

/**
 * How long after the close a shard still waits for its last projects' reports (each project reports as soon as
 * the close passes): long enough for a busy worker, after which a silent project's item is recorded `pending`.
 */
const SHARD_SETTLE_MS = 5 * 60_000;

const noTally = (): CycleTally => ({ launched: 0, skipped: 0, counts: noCounts() });

function sum(tallies: CycleTally[]): CycleTally {
  const total = noTally();
  for (const t of tallies) {
    total.launched += t.launched;
    total.skipped += t.skipped;
    for (const o of CYCLE_OUTCOMES) total.counts[o] += t.counts[o];
  }
  return total;
}

export async function cycleWorkflow(input: CycleInput): Promise<CycleResult> {
  const { cycleId, name, funderId, closesAt, launchedBy } = input;
  let status: CycleView['status'] = 'launching';
  let total = 0;
  let version = 0;
  const summary = () => ({
    ...{ cycleId, name, funderId, closesAt, status, total, launchedBy },
    ...(status === 'closed' && input.keepForMs !== undefined && { keepUntil: new Date(Date.now() + input.keepForMs).toISOString() }),
  });
  const recorder = new RecordWriter(() => records.recordCycle({ cycleId, version: ++version, summary: summary(), items: [], skipped: [] }));
  void recorder.run();
  // Read from the workflow only until the first record write lands; the API reads the records after that.
  setHandler(cycleViewQuery, () => ({ cycleId, name, funderId, closesAt, status, total, ...noTally(), items: [], skipped: [] }));

  const targetSet = input.targetSet ?? activeTargetSetId(cycleId);
  total = await targets.cycleTargets({ setId: targetSet, ...(!input.targetSet && { activeOf: funderId }) });
  // The summary row goes first: the shards' items belong to it.
  recorder.changed();
  await recorder.flushed();

  const size = input.shardSize ?? CYCLE_SHARD_SIZE;
  const shards = await Promise.all(
    Array.from({ length: Math.ceil(total / size) }, (_, n) =>
      startChild(cycleShardWorkflow, {
        workflowId: cycleShardWorkflowId(cycleId, n),
        args: [{ cycleId, targetSet, from: n * size, count: size, review: { cycleId, name, funderId, closesAt } }],
      }),
    ),
  );
  status = 'open';
  upsertSearchAttributes([{ key: searchAttributes.stage, value: 'cycle-open' }]);
  recorder.changed();

  const tally = sum(await Promise.all(shards.map((s) => s.result())));
  status = 'closed';
  upsertSearchAttributes([{ key: searchAttributes.stage, value: 'cycle-closed' }]);
  recorder.changed();
  await recorder.flushed();
  return { cycleId, name, funderId, closesAt, status, total, ...tally };
}

/** One shard of a cycle: asks its slice of the projects, records their reports, and closes when all are final or the window has. */
export async function cycleShardWorkflow(input: CycleShardInput): Promise<CycleTally> {
  let version = 0;
  const fanOut = new CycleFanOut(() => recorder.changed());
  const recorder: RecordWriter = new RecordWriter(() => records.recordCycle({ cycleId: input.cycleId, version: ++version, ...fanOut.changes() }));
  void recorder.run();

  const projectIds = await targets.readCycleTargets({ setId: input.targetSet, from: input.from, count: input.count });
  await fanOut.ask(projectIds, { ...input.review, cycleWorkflowId: workflowInfo().workflowId });
  await condition(() => fanOut.settled(), Math.max(Date.parse(input.review.closesAt) + SHARD_SETTLE_MS - Date.now(), 1));
  await recorder.flushed();
  return fanOut.tally();
}
