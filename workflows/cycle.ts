/**
 * A funder's review cycle over its portfolio. The API answers 202 at once; this workflow fixes the projects
 * (the funder's list, which the API wrote to the records, or every active project of the funder) and fans out
 * through shard workflows of CYCLE_SHARD_SIZE projects each. Each shard asks its projects to review their
 * milestones due in the window; each project records its own outcome in the cycle's items (passed, held by the
 * funder or a regulator, stalled at the close), so no workflow takes a signal per project. The write that records
 * a shard's last final outcome wakes it (one signal); otherwise it waits for the close. It then reads its projects'
 * outcomes from the records; one still missing after a wait is recorded `unreported`
 * with why, and the cycle closes `incomplete` and says so (its record, the record store's log, the funder's mail).
 * The cycle keeps counts, never items, so its history and its result stay the same size however many projects it reviews.
 */
import { condition, proxyActivities, setHandler, sleep, startChild, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import {
  CYCLE_OUTCOMES,
  activeTargetSetId,
  CYCLE_SHARD_SIZE,
  cycleShardWorkflowId,
  shardSettledSignal,
  noCounts,
  type CycleInput,
  type CycleResult,
  type CycleShardInput,
  type CycleTally,
  type CycleView,
} from './cycle-contract';
import { askProjects } from './cycle-fanout';
import { searchAttributes } from './definitions';
import { mail, records } from './effects';
import { RecordWriter } from './record-writer';

const cycleData = proxyActivities<Pick<Activities, 'cycleTargets' | 'readCycleTargets' | 'cycleShardTally' | 'markCycleUnreported'>>({
  startToCloseTimeout: '1 minute',
  retry: { maximumInterval: '30 seconds' },
});

/**
 * How long after the close a shard still waits for its last projects' outcomes (each project records one as soon
 * as the close passes): long enough for a busy worker; a project still silent then is recorded `unreported`.
 */
const SHARD_SETTLE_MS = 5 * 60_000;
/** After the close, a shard reads its projects' outcomes this often at first, then half as often each time, up to the last. */
const FIRST_READ_AFTER_MS = 1000;
const READ_AT_MOST_EVERY_MS = 30_000;

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

const failureText = (err: unknown) => {
  const e = err as { message?: string; cause?: { message?: string } };
  return [e.message, e.cause?.message].filter(Boolean).join(': ') || String(err);
};

export async function cycleWorkflow(input: CycleInput): Promise<CycleResult> {
  const { cycleId, name, funderId, closesAt, launchedBy } = input;
  let status: CycleView['status'] = 'launching';
  let total = 0;
  let version = 0;
  let incomplete: string | undefined;
  const summary = () => ({
    ...{ cycleId, name, funderId, closesAt, status, total, launchedBy },
    ...((status === 'closed' || status === 'incomplete') &&
      input.keepForMs !== undefined && { keepUntil: new Date(Date.now() + input.keepForMs).toISOString() }),
  });
  const recorder = new RecordWriter(() =>
    records.recordCycle({ cycleId, version: ++version, summary: summary(), skipped: [], ...(incomplete && { incomplete }) }),
  );
  void recorder.run();

  const targetSet = input.targetSet ?? activeTargetSetId(cycleId);
  total = await cycleData.cycleTargets({ setId: targetSet, ...(!input.targetSet && { activeOf: funderId }) });
  // The summary row goes first: the items belong to it.
  recorder.changed();
  await recorder.flushed();

  const size = input.shardSize ?? CYCLE_SHARD_SIZE;
  const slices = Array.from({ length: Math.ceil(total / size) }, (_, n) => ({ n, from: n * size, count: size }));
  const shards = await Promise.all(
    slices.map(({ n, from, count }) =>
      startChild(cycleShardWorkflow, {
        workflowId: cycleShardWorkflowId(cycleId, n),
        args: [{ cycleId, targetSet, from, count, review: { cycleId, name, funderId, closesAt } }],
      }),
    ),
  );
  status = 'open';
  upsertSearchAttributes([{ key: searchAttributes.stage, value: 'cycle-open' }]);
  recorder.changed();

  // A shard that failed (terminated by an operator, say) collected nothing more: its projects without an outcome say why.
  const tallies = await Promise.all(
    shards.map((shard, i) =>
      shard.result().catch((err) => {
        const { from, count } = slices[i];
        const reason = `its shard ${shard.workflowId} failed before collecting it (${failureText(err)})`;
        return cycleData.markCycleUnreported({ cycleId, setId: targetSet, from, count, reason, at: new Date().toISOString() });
      }),
    ),
  );
  const tally = sum(tallies);
  const unreported = tally.counts.unreported;
  status = unreported ? 'incomplete' : 'closed';
  upsertSearchAttributes([{ key: searchAttributes.stage, value: `cycle-${status}` }]);
  if (unreported) {
    incomplete = `${unreported} of ${tally.launched} project(s) gave no outcome; each unreported item says why`;
    if (input.funderContact) {
      await mail.sendNotice({
        to: input.funderContact.email,
        key: `${workflowInfo().workflowId}.incomplete`,
        intent: { kind: 'cycle-incomplete', cycleId, cycleName: name, closesAt, funderName: input.funderContact.name, unreported, total: tally.launched },
      });
    }
  }
  recorder.changed();
  await recorder.flushed();
  return { cycleId, name, funderId, closesAt, status, total, ...tally };
}

/**
 * One shard of a cycle: asks its slice of the projects, then, once every one has a final outcome (the write that
 * records the last one wakes it) or the window has closed, reads their outcomes from the records until every one is
 * final or the wait after the close is over; whatever is still missing is `unreported`.
 */
export async function cycleShardWorkflow(input: CycleShardInput): Promise<CycleTally> {
  const slice = { cycleId: input.cycleId, setId: input.targetSet, from: input.from, count: input.count };
  const shard = { workflowId: workflowInfo().workflowId, setId: input.targetSet, from: input.from, count: input.count };
  // The record write that gives the slice's last project a final outcome says so (its project signals once).
  let settled = false;
  setHandler(shardSettledSignal, () => {
    settled = true;
  });
  const projectIds = await cycleData.readCycleTargets({ setId: input.targetSet, from: input.from, count: input.count });
  const skipped = await askProjects(projectIds, { ...input.review, shard });
  // A history recorded before writes answered has no result.
  if (skipped.length) settled ||= !!(await records.recordCycle({ cycleId: input.cycleId, version: 0, skipped, shard }))?.settled;

  const closesAt = Date.parse(input.review.closesAt);
  const giveUpAt = closesAt + SHARD_SETTLE_MS;
  await condition(() => settled, Math.max(closesAt - Date.now(), 1));
  for (let wait = FIRST_READ_AFTER_MS; ; wait = Math.min(wait * 2, READ_AT_MOST_EVERY_MS)) {
    const { open, ...tally } = await cycleData.cycleShardTally(slice);
    if (!open) return tally;
    if (Date.now() >= giveUpAt) break;
    await sleep(Math.min(wait, giveUpAt - Date.now()));
  }
  const reason = `no outcome was recorded by ${new Date(giveUpAt).toISOString()}, ${SHARD_SETTLE_MS / 60_000} minutes after the close`;
  const { open: _none, ...tally } = await cycleData.markCycleUnreported({ ...slice, reason, at: new Date().toISOString() });
  return tally;
}
