/**
 * An agency's queue of open steps, answered from Temporal visibility (search attributes and memos), never by
 * querying each workflow. Stalled work, the dashboard and the metrics read the records (records/stalled.ts).
 */
import type { Client } from '@temporalio/client';
import { searchAttributes } from '../workflows/definitions';
import type { OpenStepMemo, VisibilityMemo } from '../workflows/visibility';

/** Upper bound on workflows read per request: the answer says when it was reached. */
export const VISIBILITY_LIMIT = 2000;

// Filter values are validated slugs, so quoting them is enough.
const clause = (name: string, value?: string) => (value ? ` AND ${name} = '${value}'` : '');

/** One open step in an agency's queue (`GET /v1/steps`). */
export interface QueuedStep extends OpenStepMemo {
  /** Names the step in `POST /v1/steps/:ref/…`. */
  ref: string;
  projectId: string;
  projectTitle: string;
  workflowId: string;
  overdue: boolean;
}

/**
 * An agency's open steps, oldest due first, from the workflows' memos: those awaiting it (a step whose clock is
 * stopped waits for the coordinator, and shows when the answer comes). Optionally of one project, or of one kind.
 */
export async function listAgencySteps(
  client: Client,
  agencyId: string,
  filters: { projectId?: string; kind?: string },
  refOf: (workflowId: string, stepId: string) => string,
  now = new Date(),
): Promise<{ steps: QueuedStep[]; truncated: boolean }> {
  const query =
    `ExecutionStatus = 'Running' AND ${searchAttributes.awaitedParties.name} = '${agencyId}'` + clause(searchAttributes.projectId.name, filters.projectId);
  const steps: QueuedStep[] = [];
  let read = 0;
  let truncated = false;
  for await (const wf of client.workflow.list({ query })) {
    if (++read > VISIBILITY_LIMIT) {
      truncated = true;
      break;
    }
    const memo = wf.memo as Partial<VisibilityMemo> | undefined;
    for (const step of memo?.openSteps ?? []) {
      if (step.party !== agencyId || step.clockStopped || (filters.kind && step.kind !== filters.kind)) continue;
      steps.push({
        ...step,
        ref: refOf(wf.workflowId, step.stepId),
        projectId: wf.typedSearchAttributes.get(searchAttributes.projectId) ?? '',
        projectTitle: memo?.projectTitle ?? '',
        workflowId: wf.workflowId,
        overdue: Date.parse(step.dueAt) < now.getTime(),
      });
    }
  }
  steps.sort((a, b) => a.dueAt.localeCompare(b.dueAt) || a.ref.localeCompare(b.ref));
  return { steps, truncated };
}
