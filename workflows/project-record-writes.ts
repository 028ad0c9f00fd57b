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
  /** This run's trail, in the order entries were made (append-only); earlier runs' entries are in the record. */
  audit(): AuditEntry[];
  parties: PartyRecord[];
  /** How long records are kept after the project closes (the policy's longest record-keeping period). */
  keepForMs: number;
}

/** Builds each write of a project's record: what changed since the previous write. */
export class ProjectWrites {
  private version: number;
  /** Entries of the whole trail (all runs) recorded so far. */
  private auditRecorded: number;
  /** Entries recorded by earlier runs: this run's entry i is the trail's entry `base + i`. */
  private readonly base: number;
  private readonly steps = new ChangeTracker<ReviewStep>();
  private readonly core = new ChangeTracker<ProjectCore>();

  /** `from`: where an earlier run's writes stopped (a run continued as new). */
  constructor(
    private readonly source: RecordSource,
    from: { version: number; auditRecorded: number } = { version: 0, auditRecorded: 0 },
  ) {
    this.version = from.version;
    this.auditRecorded = this.base = from.auditRecorded;
  }

  /** Where the next run's writes continue, once every change is written. */
  carry(): { version: number; auditRecorded: number } {
    return { version: this.version, auditRecorded: this.auditRecorded };
  }

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
      audit: trail.slice(this.auditRecorded - this.base),
      ...(FINAL.has(core.stage) && { closed: { at: new Date().toISOString(), keepUntil: new Date(Date.now() + this.source.keepForMs).toISOString() } }),
    };
    this.auditRecorded = this.base + trail.length;
    return write;
  }
}
