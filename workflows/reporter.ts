/**
 * How a licence review or a dispute keeps the project workflow's view and
 * audit trail current: audit entries are buffered and sent, with a snapshot
 * of the reporter's steps, by the `progress` signal after each change.
 */
import { getExternalWorkflowHandle, log, workflowInfo } from '@temporalio/workflow';
import { progressSignal, type AuditEntry, type Progress } from './definitions';
import type { AuditInput } from './review-board';

export class Reporter {
  private unsent: AuditEntry[] = [];
  private sent: Promise<void> = Promise.resolve();

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
   * Reports go out one after another, so the project receives them in the order they were made.
   * One that fails (the project already closed) is logged and must not fail a reviewer's decision.
   */
  report(): Promise<void> {
    // A copy now: the steps change before a queued report is sent.
    const progress: Progress = JSON.parse(
      JSON.stringify({ source: workflowInfo().workflowId, componentId: this.componentId, audit: this.unsent, ...this.snapshot() }),
    );
    this.unsent = [];
    const project = getExternalWorkflowHandle(this.projectWorkflowId);
    this.sent = this.sent.then(() => project.signal(progressSignal, progress)).catch((err) => log.warn('progress report not delivered', { err }));
    return this.sent;
  }
}
