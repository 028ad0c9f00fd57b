/**
 * A funder's review cycle over its portfolio. The API answers 202 at once;
 * this workflow resolves the projects (given, or every active project of the
 * funder), asks each to review its milestones due in the window, in batches,
 * and collects what each project reports: passed, held by the funder or a
 * regulator, stalled at the close, or pending.
 */
import { condition, getExternalWorkflowHandle, proxyActivities, setHandler, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import {
  CYCLE_BATCH_SIZE,
  CYCLE_OUTCOMES,
  cycleItemSignal,
  cycleReviewSignal,
  cycleSkipSignal,
  cycleViewQuery,
  NO_RUNNING_PROJECT,
  type CycleInput,
  type CycleItem,
  type CycleView,
  type SkippedProject,
} from './cycle-contract';
import { projectWorkflowId, searchAttributes } from './definitions';
import { records } from './effects';
import { ChangeTracker, RecordWriter } from './record-writer';
import type { CycleSummary } from '../records/contract';

const lookup = proxyActivities<Pick<Activities, 'listActiveProjects'>>({ startToCloseTimeout: '1 minute', retry: { maximumInterval: '30 seconds' } });

/** Time after the close for the last projects' reports to arrive before the cycle closes. */
const SETTLE_MS = 60_000;

export async function cycleWorkflow(input: CycleInput): Promise<CycleView> {
  const items = new Map<string, CycleItem>();
  const skipped = new Map<string, SkippedProject>();
  let status: CycleView['status'] = 'launching';
  let total = 0;
  let launched = 0;

  const view = (): CycleView => {
    const counts = Object.fromEntries(CYCLE_OUTCOMES.map((o) => [o, 0])) as CycleView['counts'];
    for (const item of items.values()) counts[item.outcome] += 1;
    const { cycleId, name, funderId, closesAt } = input;
    return { cycleId, name, funderId, closesAt, status, total, launched, items: [...items.values()], skipped: [...skipped.values()], counts };
  };

  // The record: the summary when it changed, and the items and skips that changed since the last write.
  let version = 0;
  const summaries = new ChangeTracker<CycleSummary>();
  const itemsWritten = new ChangeTracker<CycleItem>();
  const skipsWritten = new ChangeTracker<SkippedProject>();
  const recorder = new RecordWriter(() => {
    const { items: all, skipped: skips, ...summary } = { ...view(), launchedBy: input.launchedBy };
    return records.recordCycle({
      cycleId: input.cycleId,
      version: ++version,
      summary: summaries.changedSince([['summary', summary]])[0],
      items: itemsWritten.changedSince(all.map((i) => [i.projectId, i])),
      skipped: skipsWritten.changedSince(skips.map((s) => [s.projectId, s])),
    });
  });
  void recorder.run();

  setHandler(cycleViewQuery, view);
  setHandler(cycleItemSignal, (item) => {
    items.set(item.projectId, item);
    recorder.changed();
  });
  setHandler(cycleSkipSignal, (skip) => {
    // A project that took the signal and then declined (another funder's, or not active) is not counted as launched.
    if (items.delete(skip.projectId)) launched -= 1;
    skipped.set(skip.projectId, skip);
    recorder.changed();
  });
  recorder.changed();

  const projectIds = input.projectIds ?? (await lookup.listActiveProjects(input.funderId));
  total = projectIds.length;
  const request = { cycleId: input.cycleId, cycleWorkflowId: workflowInfo().workflowId, name: input.name, funderId: input.funderId, closesAt: input.closesAt };
  for (let i = 0; i < projectIds.length; i += CYCLE_BATCH_SIZE) {
    await Promise.all(
      projectIds.slice(i, i + CYCLE_BATCH_SIZE).map(async (projectId) => {
        try {
          await getExternalWorkflowHandle(projectWorkflowId(projectId)).signal(cycleReviewSignal, request);
          // The project may already have declined (its skip can arrive before this send completes).
          if (!skipped.has(projectId)) {
            launched += 1;
            if (!items.has(projectId)) items.set(projectId, { projectId, outcome: 'pending', milestoneIds: [], awaited: [], at: new Date().toISOString() });
          }
        } catch {
          skipped.set(projectId, { projectId, reason: NO_RUNNING_PROJECT });
        }
      }),
    );
    recorder.changed();
  }
  status = 'open';
  upsertSearchAttributes([{ key: searchAttributes.stage, value: 'cycle-open' }]);
  recorder.changed();

  // Open until every project has a final outcome, or the window has closed and the last reports had time to arrive.
  const settled = () => [...items.values()].every((i) => i.outcome !== 'pending');
  const closeBy = Date.parse(input.closesAt) + SETTLE_MS;
  await condition(settled, Math.max(closeBy - Date.now(), 1));
  status = 'closed';
  upsertSearchAttributes([{ key: searchAttributes.stage, value: 'cycle-closed' }]);
  recorder.changed();
  if (recorder.enabled) await recorder.flushed();
  return view();
}
