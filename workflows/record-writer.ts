/**
 * How a workflow keeps its part of the project's record current without touching the database. The workflow that
 * owns a step records it (the project, a licence review, a dispute, a compliance monitor): after changes, one write
 * at a time, each carrying what changed since the previous one, through a local activity. An Update answers once
 * its changes are written, so what the API answered is what it reads next.
 */
import { CancellationScope, condition, log, workflowInfo } from '@temporalio/workflow';
import type { ProjectRecordWrite, RecordPosition, RecordWriteResult } from '../records/contract';
import type { AuditEntry, CaseClock, Licence, ReviewStep } from './definitions';
import { mailsSettled, records } from './effects';
import { serveDecisions, type AuditInput, type ReviewBoard } from './review-board';

/** What the project's writes carry besides its steps and audit entries. */
export type ProjectExtras = Partial<Pick<ProjectRecordWrite, 'core' | 'parties' | 'submission' | 'closed' | 'cycleItems' | 'licence'>>;

export class RecordWriter {
  /** Changes made so far, and how many of them the writes that completed took in (each write takes all made before it). */
  private made = 0;
  private written = 0;
  private writing = false;

  constructor(private readonly write: () => Promise<unknown>) {}

  changed(): void {
    this.made += 1;
  }

  /** Every change made so far is in the record. */
  idle(): boolean {
    return this.written === this.made && !this.writing;
  }

  /** Resolves once every change made before the call is in the record (not waiting for later ones). */
  flushed(): Promise<void> {
    const upTo = this.made;
    return condition(() => this.written >= upTo);
  }

  /** An Update's answer, once its changes are in the record (the API reads the record); later changes do not hold it. */
  async answer<T>(result: T | Promise<T>): Promise<T> {
    const value = await result;
    await this.flushed();
    return value;
  }

  /** Writes until the workflow ends; start it in a scope that is never cancelled, so a withdrawal's closing is written too. */
  async run(): Promise<void> {
    for (;;) {
      await condition(() => this.made > this.written);
      const upTo = this.made;
      this.writing = true;
      try {
        await this.write();
        this.written = upTo;
      } finally {
        this.writing = false;
      }
    }
  }
}

/** Keeps the JSON of what was last written under each key, and says which values changed since. */
export class ChangeTracker<T> {
  private readonly written = new Map<string, string>();

  changedSince(entries: [key: string, value: T][]): T[] {
    return entries.flatMap(([key, value]) => {
      const json = JSON.stringify(value);
      if (this.written.get(key) === json) return [];
      this.written.set(key, json);
      return [value];
    });
  }
}

/**
 * One workflow's own part of the project's record: its steps and its audit trail, numbered in its own order
 * (the `source` of each entry is this workflow). `next()` builds each write; a run that continues as new carries
 * `position()` into the next run, so its writes continue where these stopped.
 */
export class OwnRecord {
  /** Entries made since the last write. */
  private unsent: AuditEntry[] = [];
  private version: number;
  /** Entries of this workflow's trail (every run) in writes so far. */
  private written: number;
  private readonly steps = new ChangeTracker<ReviewStep>();

  /**
   * `project`: the project's id and its workflow's first run (a project id submitted again is a new record);
   * `stepsOf`: the steps this workflow owns; `from`: where an earlier run's writes stopped.
   */
  constructor(
    private readonly project: { projectId: string; run: string },
    private readonly stepsOf: () => ReviewStep[],
    private readonly componentId?: string,
    from: RecordPosition = { version: 0, auditRecorded: 0 },
  ) {
    this.version = from.version;
    this.written = from.auditRecorded;
  }

  /** An audit entry, stamped now (one log line each; replays log nothing). */
  audit(entry: AuditInput): void {
    this.unsent.push({ at: new Date().toISOString(), ...(this.componentId && { componentId: this.componentId }), ...entry });
    log.info(`audit: ${entry.action}`, { action: entry.action, channel: entry.channel, componentId: entry.componentId, stepId: entry.stepId });
  }

  /** The next write: the steps that changed and the entries made since the previous one (`extra`: the project's core…). */
  next(extra: ProjectExtras = {}): ProjectRecordWrite {
    const audit = this.unsent;
    this.unsent = [];
    const write: ProjectRecordWrite = {
      ...this.project,
      source: workflowInfo().workflowId,
      version: ++this.version,
      task: { runStartedAt: workflowInfo().runStartTime.getTime(), historyLength: workflowInfo().historyLength },
      ...extra,
      steps: this.steps.changedSince(this.stepsOf().map((s) => [s.stepId, s])),
      auditFrom: this.written,
      audit,
    };
    this.written += audit.length;
    return write;
  }

  /** Where the next run's writes continue, once every change is written. */
  position(): RecordPosition {
    return { version: this.version, auditRecorded: this.written };
  }
}

/**
 * A workflow that owns part of the project's record (review steps, audit entries): it writes them itself, one
 * write at a time, and answers the Updates on its steps once they are written.
 */
export class RecordOwner {
  readonly recorder: RecordWriter;
  private readonly own: OwnRecord;
  private stepsOf: () => ReviewStep[] = () => [];
  private licenceOf?: () => { licence: Licence; caseClock?: CaseClock };
  private readonly licenceWritten = new ChangeTracker<{ licence: Licence; caseClock?: CaseClock }>();

  /**
   * `extra`: what else each write carries (the project's core); `from`: where an earlier run's writes stopped;
   * `written`: told what each write found.
   */
  constructor(
    project: { projectId: string; run: string },
    private readonly opts: {
      componentId?: string;
      from?: RecordPosition;
      extra?: () => ProjectExtras;
      written?: (result: RecordWriteResult) => void;
    } = {},
  ) {
    this.own = new OwnRecord(project, () => this.stepsOf(), opts.componentId, opts.from);
    this.recorder = new RecordWriter(async () => {
      const result = await records.recordProject(this.own.next({ ...opts.extra?.(), ...this.changedLicence() }));
      // A history recorded before writes answered has no result.
      opts.written?.(result ?? { settledShards: [] });
    });
  }

  /** The component's licence this workflow holds now (a review's with its case clock, a monitor's): written whenever it changed. */
  holdLicence(licence: () => { licence: Licence; caseClock?: CaseClock }): void {
    this.licenceOf = licence;
    this.recorder.changed();
  }

  private changedLicence(): ProjectExtras {
    const [changed] = this.licenceOf ? this.licenceWritten.changedSince([['licence', this.licenceOf()]]) : [];
    return changed ? { licence: { componentId: this.opts.componentId!, ...changed } } : {};
  }

  /** An audit entry of this workflow, written with the next write. */
  readonly audit = (entry: AuditInput): void => {
    this.own.audit(entry);
    this.recorder.changed();
  };

  /** The board whose steps this workflow records; the decisions on them answer once recorded. */
  serve(board: ReviewBoard): void {
    this.stepsOf = () => board.list();
    serveDecisions(board, this.recorder);
  }

  /** Where the next run's writes continue (continue-as-new), once everything is written. */
  position(): RecordPosition {
    return this.own.position();
  }

  /**
   * Runs the workflow's own part. Whichever way it ends (a withdrawal cancels it), what it changed is written
   * before the workflow does; on success its mails are sent first (so each send is recorded).
   */
  async run<T>(main: () => Promise<T>): Promise<T> {
    // Never cancelled: a withdrawal's closing of the steps is written too.
    void CancellationScope.nonCancellable(() => this.recorder.run());
    try {
      const result = await main();
      await mailsSettled();
      return result;
    } finally {
      await CancellationScope.nonCancellable(() => this.recorder.flushed());
    }
  }
}
