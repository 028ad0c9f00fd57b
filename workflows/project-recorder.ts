/**
 * Keeps a project's record in the system of record current: after changes, one write at a time carries
 * what changed since the previous write (the core view when it changed, changed steps, new audit
 * entries). Update handlers await `flushed()` before answering, so what the API answered is what it reads.
 */
import { condition, patched, workflowInfo } from '@temporalio/workflow';
import type { PartyRecord, ProjectRecordWrite } from '../records/contract';
import type { AuditEntry, ProjectView, Stage } from './definitions';
import { records } from './effects';

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
  /** Off in histories recorded before the record store existed, so they replay as they ran (not one await more). */
  readonly enabled = patched('record-store');
  private version = 0;
  private auditRecorded = 0;
  private readonly stepsRecorded = new Map<string, string>();
  private coreRecorded = '';
  private ownersRecorded = '';
  private pending = false;
  private writing = false;

  constructor(private readonly source: RecordSource) {}

  changed(): void {
    if (this.enabled) this.pending = true;
  }

  /** Resolves once every change made before the call is in the record. */
  flushed(): Promise<void> {
    return condition(() => !this.pending && !this.writing);
  }

  /** An Update's answer, once its changes are in the record (the API reads the record); off, the answer as it was. */
  answer<T>(result: T | Promise<T>): T | Promise<T> {
    if (!this.enabled) return result;
    return (async () => {
      const value = await result;
      await this.flushed();
      return value;
    })();
  }

  /** Writes until the workflow ends; start it outside any scope that is cancelled. */
  async run(): Promise<void> {
    for (;;) {
      await condition(() => this.pending);
      this.pending = false;
      this.writing = true;
      try {
        await records.recordProject(this.nextWrite());
      } finally {
        this.writing = false;
      }
    }
  }

  private nextWrite(): ProjectRecordWrite {
    const { steps, openSteps: _open, ...core } = this.source.view();
    const coreJson = JSON.stringify(core);
    const owners = [core.owner, ...core.delegates];
    const ownersJson = JSON.stringify(owners);
    const changedSteps = steps.filter((s) => {
      const key = `${s.workflowId}/${s.stepId}`;
      const json = JSON.stringify(s);
      if (this.stepsRecorded.get(key) === json) return false;
      this.stepsRecorded.set(key, json);
      return true;
    });
    const trail = this.source.audit();
    const write: ProjectRecordWrite = {
      projectId: core.projectId,
      run: workflowInfo().firstExecutionRunId,
      version: ++this.version,
      ...(coreJson !== this.coreRecorded && { core }),
      ...(ownersJson !== this.ownersRecorded && { owners }),
      ...(this.version === 1 && { parties: this.source.parties }),
      steps: changedSteps,
      auditFrom: this.auditRecorded,
      audit: trail.slice(this.auditRecorded),
      ...(FINAL.has(core.stage) && { closed: { at: new Date().toISOString(), keepUntil: new Date(Date.now() + this.source.keepForMs).toISOString() } }),
    };
    this.coreRecorded = coreJson;
    this.ownersRecorded = ownersJson;
    this.auditRecorded = trail.length;
    return write;
  }
}
