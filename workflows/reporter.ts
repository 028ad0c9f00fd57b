/**
 * What a licence review, a dispute or a compliance monitor tells the project workflow: only what the project decides
 * on (a licence's status and case clock, who a review waits on, a dispute's rulings), and only when it changed. Their
 * steps and audit entries they record themselves (record-writer.ts); the project keeps no copy of them.
 */
import { getExternalWorkflowHandle, log, workflowInfo } from '@temporalio/workflow';
import { childReportSignal, type ChildReport } from './definitions';

export type ReportState = Omit<ChildReport, 'source' | 'componentId' | 'final'>;

export class ParentReport {
  private queue: Promise<void> = Promise.resolve();

  /** `sent`: the last report an earlier run sent (a run continued as new does not repeat it). */
  constructor(
    private readonly projectWorkflowId: string,
    private readonly componentId: string,
    private readonly state: () => ReportState,
    private sent = '',
  ) {}

  /** The last report sent, for the next run to carry. */
  lastSent(): string {
    return this.sent;
  }

  /**
   * Sends the state when it changed since the last report (always with `final`). Reports go out one after another,
   * so the project receives them in the order they were made; one that fails (the project already closed) is logged:
   * it must not fail a reviewer's decision. Resolves once this report (and every one before it) is delivered.
   */
  send(final?: { final: true }): Promise<void> {
    // What was said, without who said it: the same across runs, and across replays.
    const key = JSON.stringify({ ...this.state(), ...final });
    if (key === this.sent) return this.queue;
    this.sent = key;
    const report: ChildReport = { source: workflowInfo().workflowId, componentId: this.componentId, ...JSON.parse(key) };
    const project = getExternalWorkflowHandle(this.projectWorkflowId);
    this.queue = this.queue.then(() => project.signal(childReportSignal, report)).catch((err) => log.warn('report to the project not delivered', { err }));
    return this.queue;
  }

  /** Every report sent so far is delivered. */
  delivered(): Promise<void> {
    return this.queue;
  }
}
