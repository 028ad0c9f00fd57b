/**
 * What workflows hand to the record-writing activities. Types only: workflow code imports them
 * without pulling the database driver into the workflow bundle.
 */
import type { Project } from '../domain/project';
import type { AuditEntry, CaseClock, Licence, ProjectView, ReviewStep } from '../workflows/definitions';
import type { CycleItem, CycleView, ShardRef, SkippedProject } from '../workflows/cycle-contract';

/** The project's view without its steps: the steps are rows of their own. */
export type ProjectCore = Omit<ProjectView, 'steps' | 'openSteps'>;

export interface PartyRecord {
  partyId: string;
  /** `partner` (a submitting institution), `agency` or `funder`. */
  role: 'partner' | 'agency' | 'funder';
  name: string;
  country?: string;
}

/** Where a writer's next write continues: its version, and how many entries of its trail are recorded. */
export interface RecordPosition {
  version: number;
  auditRecorded: number;
}

/**
 * One write to a project's record by one of its workflows (`source`): the project itself, a licence review, a
 * dispute or a compliance monitor. Each writes what it owns, what changed since its previous write: its steps and
 * its audit entries, and the project also its core. Every row is keyed (project and run; step by workflow and step
 * id; audit entry by its writer and its place in the writer's trail), so a retried write changes nothing, and
 * `version` (the writer's own) orders its writes so an older one never overwrites a newer.
 */
export interface ProjectRecordWrite {
  projectId: string;
  /** The first run of the project's workflow: a project id submitted again is a new record. */
  run: string;
  /** The writing workflow's id: the owner of the steps and audit entries in this write. */
  source: string;
  version: number;
  /** The project's view without steps, when it changed (the project's writes only). */
  core?: ProjectCore;
  /** The parties and the submission as given, on the project's first write, and again when an amendment changed them. */
  parties?: PartyRecord[];
  submission?: Project;
  /** Steps whose content changed. */
  steps: ReviewStep[];
  /**
   * The writing workflow task: its run's start and the history length it started at (absent: not a workflow's
   * write). Together they only grow, so a write made again by a later attempt of a lost task is told from the lost
   * attempt's (records/record-writers.ts).
   */
  task?: { runStartedAt: number; historyLength: number };
  /** New audit entries of this writer; the first is its trail's entry number `auditFrom` (0-based). */
  auditFrom: number;
  audit: AuditEntry[];
  /** Set once the project can no longer change: its records are kept until `keepUntil`. */
  closed?: { at: string; keepUntil: string };
  /**
   * A component's licence as its owner holds it now, when it changed: the licence review while it decides, then the
   * compliance monitor (with the compliance record). The project view shows it.
   */
  licence?: { componentId: string; licence: Licence; caseClock?: CaseClock };
  /** The project's outcome in funder review cycles that changed (the project's writes only): each cycle reads them. */
  cycleItems?: CycleItemWrite[];
}

/** A project's item in a cycle: its outcome, or why it declined to be reviewed (another funder's, not active). */
export type CycleItemWrite = { cycleId: string; item: CycleItem; shard?: ShardRef } | { cycleId: string; skipped: SkippedProject };

/** What a record write found: the shards whose every project now has a final outcome (each is told to read them). */
export interface RecordWriteResult {
  settledShards: string[];
}

/** A cycle without its items (rows of their own, written by its shards) and their counts (read from them). */
export type CycleSummary = Omit<CycleView, 'items' | 'skipped' | 'launched' | 'counts'> & { launchedBy: string; keepUntil?: string };

/** One write of a cycle's record: the summary when it changed, and the projects a shard could not ask. */
export interface CycleRecordWrite {
  cycleId: string;
  version: number;
  summary?: CycleSummary;
  skipped: SkippedProject[];
  /** The shard writing `skipped`: the write says whether its slice is then settled. */
  shard?: ShardRef;
  /** Why the cycle closed `incomplete`, for the record store's event log. */
  incomplete?: string;
}
