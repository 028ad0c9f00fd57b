/**
 * A project's record writes: each carries what changed since the previous one (the core view when it changed,
 * changed steps, new audit entries). The project workflow sends them one at a time through a RecordWriter.
 */
import { workflowInfo } from '@temporalio/workflow';
import type { PartyRecord, ProjectCore, ProjectRecordWrite } from '../records/contract';
import type { AuditEntry, ProjectView, ReviewStep, Stage } from './definitions';
import { ChangeTracker } from './record-writer';

/** Stages after which the project cannot change: its record is kept for the record-keeping period from then. */
const FINAL: ReadonlySet<Stage> = new Set(['rejected', 'withdrawn', 'closed']);

export interface RecordSource {
  view(): ProjectView;
  /** The whole trail, in the order entries were made (append-only). */
  audit(): AuditEntry[];
  parties: PartyRecord[];
  /** How long records are kept after the project closes (the policy's longest record-keeping period). */
  keepForMs: number;
}

/** Builds each write of a project's record: what changed since the previous write. */
export class ProjectWrites {
  private version = 0;
  private auditRecorded = 0;
  private readonly steps = new ChangeTracker<ReviewStep>();
  private readonly core = new ChangeTracker<ProjectCore>();

  constructor(private readonly source: RecordSource) {}

  next(): ProjectRecordWrite {
    const { steps, openSteps: _open, ...core } = this.source.view();
    const trail = this.source.audit();
    const write: ProjectRecordWrite = {
      projectId: core.projectId,
      run: workflowInfo().firstExecutionRunId,
      version: ++this.version,
      ...(this.core.changedSince([['core', core]]).length && { core }),
      ...(this.version === 1 && { parties: this.source.parties }),
      steps: this.steps.changedSince(steps.map((s) => [`${s.workflowId}/${s.stepId}`, s])),
      auditFrom: this.auditRecorded,
      audit: trail.slice(this.auditRecorded),
      ...(FINAL.has(core.stage) && { closed: { at: new Date().toISOString(), keepUntil: new Date(Date.now() + this.source.keepForMs).toISOString() } }),
    };
    this.auditRecorded = trail.length;
    return write;
  }
}
