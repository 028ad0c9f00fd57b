/**
 * Keeps a project's record in the system of record current: after changes, one write at a time carries
 * what changed since the previous write (the core view when it changed, changed steps, new audit
 * entries). Update handlers await `flushed()` before answering, so what the API answered is what it reads.
 */
import { workflowInfo } from '@temporalio/workflow';
import type { PartyRecord, ProjectCore, ProjectRecordWrite } from '../records/contract';
import type { AuditEntry, ProjectView, ReviewStep, Stage } from './definitions';
import { records } from './effects';
import { ChangeTracker, RecordWriter } from './record-writer';

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

export class ProjectRecorder {
  private readonly writer = new RecordWriter(() => records.recordProject(this.nextWrite()));
  readonly enabled = this.writer.enabled;
  private version = 0;
  private auditRecorded = 0;
  private readonly steps = new ChangeTracker<ReviewStep>();
  private readonly rest = new ChangeTracker<ProjectCore | string[]>();

  constructor(private readonly source: RecordSource) {}

  changed(): void {
    this.writer.changed();
  }

  flushed(): Promise<void> {
    return this.writer.flushed();
  }

  answer<T>(result: T | Promise<T>): T | Promise<T> {
    return this.writer.answer(result);
  }

  run(): Promise<void> {
    return this.writer.run();
  }

  private nextWrite(): ProjectRecordWrite {
    const { steps, openSteps: _open, ...core } = this.source.view();
    const owners = [core.owner, ...core.delegates];
    const trail = this.source.audit();
    const [coreChanged, ownersChanged] = [this.rest.changedSince([['core', core]]), this.rest.changedSince([['owners', owners]])];
    const write: ProjectRecordWrite = {
      projectId: core.projectId,
      run: workflowInfo().firstExecutionRunId,
      version: ++this.version,
      ...(coreChanged.length && { core }),
      ...(ownersChanged.length && { owners }),
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
