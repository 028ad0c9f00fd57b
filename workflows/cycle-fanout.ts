/**
 * Asking a shard's projects to review: each is signalled once, CYCLE_BATCH_SIZE at a time; one that is not
 * running is recorded as skipped. What each project then decides it records itself (its row in the cycle's items).
 */
import { getExternalWorkflowHandle } from '@temporalio/workflow';
import { CYCLE_BATCH_SIZE, cycleReviewSignal, NO_RUNNING_PROJECT, type CycleReviewRequest, type SkippedProject } from './cycle-contract';
import { projectWorkflowId } from './definitions';

/** Signals each project; returns the ones that could not be asked. */
export async function askProjects(projectIds: string[], request: CycleReviewRequest): Promise<SkippedProject[]> {
  const skipped: SkippedProject[] = [];
  for (let i = 0; i < projectIds.length; i += CYCLE_BATCH_SIZE) {
    await Promise.all(
      projectIds.slice(i, i + CYCLE_BATCH_SIZE).map((projectId) =>
        getExternalWorkflowHandle(projectWorkflowId(projectId))
          .signal(cycleReviewSignal, request)
          .catch(() => skipped.push({ projectId, reason: NO_RUNNING_PROJECT })),
      ),
    );
  }
  return skipped;
}
