/**
 * How a licence review or a dispute keeps the project workflow's view and
 * audit trail current: audit entries are buffered and sent, with the steps
 * that changed since the last report, by the `progress` signal after each change
 * (the project merges them by step id), so a report's size does not grow with
 * the steps a review has had.
 */
import { getExternalWorkflowHandle, log, patched, workflowInfo } from '@temporalio/workflow';
import { progressSignal, type AuditEntry, type Progress, type ReviewStep } from './definitions';
import { ChangeTracker } from './record-writer';
import type { AuditInput } from './review-board';

export class Reporter {
  private unsent: AuditEntry[] = [];
  private sent: Promise<void> = Promise.resolve();
  /** Reviews that started before reports carried only changed steps send every step, as they did. */
  private readonly deltas = patched('progress-step-deltas');
  private readonly stepsSent = new ChangeTracker<ReviewStep>();

  constructor(
    private readonly projectWorkflowId: string,
    private readonly componentId: string,
    private readonly snapshot: () => Omit<Progress, 'source' | 'componentId' | 'audit'>,
  ) {}

  readonly audit = (entry: AuditInput): void => {
    this.unsent.push({ at: new Date().toISOString(), componentId: this.componentId, ...entry });
    log.info(`audit: ${entry.action}`, { action: entry.action, channel: entry.channel, componentId: this.componentId, stepId: entry.stepId });
  };

  /**
   * Reports go out one after another, so the project receives them in the order they were made. A monitor's last
   * report says it is `final`: the project closes only after it.
   * One that fails (the project already closed) is logged and must not fail a reviewer's decision.
   */
  report(final?: { final: true }): Promise<void> {
    // A copy now: the steps change before a queued report is sent.
    const snapshot = this.snapshot();
    const steps = this.deltas ? this.stepsSent.changedSince(snapshot.steps.map((s) => [s.stepId, s])) : snapshot.steps;
    const progress: Progress = JSON.parse(
      JSON.stringify({ source: workflowInfo().workflowId, componentId: this.componentId, audit: this.unsent, ...snapshot, steps, ...final }),
    );
    this.unsent = [];
    const project = getExternalWorkflowHandle(this.projectWorkflowId);
    this.sent = this.sent.then(() => project.signal(progressSignal, progress)).catch((err) => log.warn('progress report not delivered', { err }));
    return this.sent;
  }
}
