/**
 * The component licence reviews a project workflow runs, by component, so that an amendment can end the one that
 * stands (a review still running, or the compliance monitoring of a licence issued for the old facts) and hand
 * whoever waited on it the review that replaces it (nothing of that runs for a project never amended); and the start
 * of a granted licence's compliance monitor.
 */
import { condition, getExternalWorkflowHandle, isCancellation, log, ParentClosePolicy, startChild, type ChildWorkflowHandle } from '@temporalio/workflow';
import { complianceMonitorWorkflow } from './compliance';
import type { complianceMonitorStart } from './compliance-contract';
import { reviewSupersededSignal } from './amendment-contract';
import type { Licence, MonitorRef } from './definitions';
import type { licenceWorkflow } from './licence';

interface Run {
  workflowId: string;
  /** Its licence is in and the project is acting on it (a granted one's monitor starting): it ends once released. */
  finishing?: boolean;
  settled?: boolean;
  /** Set once an amendment replaced the review: the replacement's licence. */
  replaced?: Promise<Licence>;
}

export type ReviewOutcome = { licence: Licence } | { replaced: Promise<Licence> };

export class ReviewRuns {
  private readonly running = new Map<string, Run>();
  /** Reviews and monitors an amendment ended: what they still report no longer counts. */
  private readonly ended = new Set<string>();

  /** One review's licence (release it once acted on), or, once an amendment replaced it, the promise of the replacement's. */
  async outcome(componentId: string, handle: ChildWorkflowHandle<typeof licenceWorkflow>): Promise<ReviewOutcome> {
    const run: Run = { workflowId: handle.workflowId };
    this.running.set(componentId, run);
    let licence: Licence;
    try {
      licence = await handle.result();
    } catch (err) {
      this.release(componentId, run.workflowId);
      if (run.replaced && isCancellation(err)) return { replaced: run.replaced };
      throw err;
    }
    if (!run.replaced) {
      run.finishing = true;
      return { licence };
    }
    this.release(componentId, run.workflowId);
    return { replaced: run.replaced };
  }

  /** The review's licence is acted on (its monitor started): an amendment now ends the licence, not the review. */
  release(componentId: string, workflowId: string): void {
    const run = this.running.get(componentId);
    if (run?.workflowId !== workflowId) return;
    this.running.delete(componentId);
    run.settled = true;
  }

  isEnded(workflowId: string): boolean {
    return this.ended.has(workflowId);
  }

  /**
   * Ends what stands for the component, then starts its new review (`start`): a running review is told why and
   * cancelled (its open steps close, their reviewers told), and those waiting on it wait on the new one; a licence
   * already issued no longer stands, so its compliance monitor is cancelled. Returns the new review (its licence).
   */
  async replace(componentId: string, reason: string, monitors: MonitorRef[], start: () => Promise<Licence>): Promise<{ next: Promise<Licence> }> {
    const finishing = this.running.get(componentId);
    if (finishing?.finishing) await condition(() => !!finishing.settled);
    const run = this.running.get(componentId);
    if (run) {
      let handOver!: (next: Promise<Licence>) => void;
      run.replaced = new Promise<Licence>((resolve) => (handOver = resolve));
      this.ended.add(run.workflowId);
      const review = getExternalWorkflowHandle(run.workflowId);
      // A review that ended meanwhile can be neither told nor cancelled: its result is then ignored (outcome above).
      await review.signal(reviewSupersededSignal, reason).catch(() => undefined);
      await review.cancel().catch(() => undefined);
      await condition(() => !!run.settled);
      const next = start();
      handOver(next);
      return { next };
    }
    for (const m of monitors.filter((r) => r.componentId === componentId && !r.finished)) {
      this.ended.add(m.workflowId);
      m.finished = true;
      await getExternalWorkflowHandle(m.workflowId)
        .cancel()
        .catch((err) => log.warn('compliance monitor not cancelled', { componentId, err }));
    }
    return { next: start() };
  }
}

/**
 * A granted licence's compliance monitor. It outlives the run that started it (the project continues as new): it is
 * left running when the run closes. A withdrawal cancels it with this run's scope, and those of earlier runs by their
 * workflow ids; an amendment of its component cancels it by its id (ReviewRuns.replace).
 */
export async function startMonitor(
  componentId: string,
  start: ReturnType<typeof complianceMonitorStart>,
  refs: MonitorRef[],
  settled: Promise<void>[],
): Promise<void> {
  const monitor = await startChild(complianceMonitorWorkflow, { ...start, parentClosePolicy: ParentClosePolicy.ABANDON });
  refs.push({ componentId, workflowId: start.workflowId, finished: false });
  // Settled either way, and at once: an unobserved failure (a monitor terminated by an operator) would fail this workflow's task.
  settled.push(
    monitor.result().then(
      () => undefined,
      (err) => log.warn('compliance monitor did not complete', { componentId, err }),
    ),
  );
}
