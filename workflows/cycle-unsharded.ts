/**
 * Cycles launched before shards (patch `cycle-shards`) run to their close as they started: one workflow that
 * signals every project and keeps every item. Delete with the patch once no such cycle is open.
 */
import { condition, proxyActivities, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { CycleInput, CycleView } from './cycle-contract';
import { CycleFanOut } from './cycle-fanout';
import { searchAttributes } from './definitions';
import { records } from './effects';
import { ChangeTracker, RecordWriter } from './record-writer';
import type { CycleSummary } from '../records/contract';

const lookup = proxyActivities<Pick<Activities, 'listActiveProjects'>>({ startToCloseTimeout: '1 minute', retry: { maximumInterval: '30 seconds' } });

export async function unshardedCycle(input: CycleInput, settleMs: number, setViewQuery: (view: () => CycleView) => void): Promise<CycleView> {
  let status: CycleView['status'] = 'launching';
  let total = 0;
  let version = 0;
  const summaries = new ChangeTracker<CycleSummary>();
  const fanOut = new CycleFanOut(() => recorder.changed());
  const recorder: RecordWriter = new RecordWriter(() => {
    const { cycleId, name, funderId, closesAt, launchedBy } = input;
    return records.recordCycle({
      cycleId,
      version: ++version,
      summary: summaries.changedSince([['summary', { cycleId, name, funderId, closesAt, status, total, launchedBy }]])[0],
      ...fanOut.changes(),
    });
  });
  void recorder.run();
  const view = (): CycleView => {
    const { cycleId, name, funderId, closesAt } = input;
    return { cycleId, name, funderId, closesAt, status, total, ...fanOut.tally(), items: [...fanOut.items.values()], skipped: [...fanOut.skipped.values()] };
  };
  setViewQuery(view);
  recorder.changed();

  const projectIds = input.projectIds ?? (await lookup.listActiveProjects(input.funderId));
  total = projectIds.length;
  const { cycleId, name, funderId, closesAt } = input;
  await fanOut.ask(projectIds, { cycleId, cycleWorkflowId: workflowInfo().workflowId, name, funderId, closesAt });
  status = 'open';
  upsertSearchAttributes([{ key: searchAttributes.stage, value: 'cycle-open' }]);
  recorder.changed();

  await condition(() => fanOut.settled(), Math.max(Date.parse(closesAt) + settleMs - Date.now(), 1));
  status = 'closed';
  upsertSearchAttributes([{ key: searchAttributes.stage, value: 'cycle-closed' }]);
  recorder.changed();
  if (recorder.enabled) await recorder.flushed();
  return view();
}
