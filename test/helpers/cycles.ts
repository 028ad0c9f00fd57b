/** Launching a funder review cycle as the API does (the list in the records, the workflow given its set), and reading its record. */
import type { Client } from '@temporalio/client';
import { readCycleRecord } from '../../records/cycle-records';
import { givenTargetSetId, writeTargetSet } from '../../records/cycle-targets';
import type { cycleWorkflow } from '../../workflows/cycle';
import { cycleWorkflowId, type CycleInput, type CycleView } from '../../workflows/cycle-contract';
import { testRecords } from './records';

type Launch = Omit<CycleInput, 'targetSet' | 'projectIds' | 'launchedBy'> & { projectIds: string[] };

export async function startCycle(client: Client, taskQueue: string, { projectIds, ...input }: Launch) {
  const targetSet = givenTargetSetId(input.cycleId, input.funderId, projectIds);
  await writeTargetSet(testRecords(), targetSet, input.funderId, projectIds);
  return client.workflow.start<typeof cycleWorkflow>('cycleWorkflow', {
    workflowId: cycleWorkflowId(input.cycleId),
    taskQueue,
    args: [{ ...input, targetSet, launchedBy: 'funder#test' }],
  });
}

/** Polls the cycle's record (its first `limit` items) until `ready`. */
export async function waitForCycle(cycleId: string, ready: (v: CycleView) => boolean, what: string, timeoutMs = 60_000, limit = 1000): Promise<CycleView> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const view = await readCycleRecord(testRecords(), cycleId, limit);
    if (view && ready(view)) return view;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(view)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
