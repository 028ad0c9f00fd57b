/**
 * What workflows hand to the record-writing activities. Types only: workflow code imports them
 * without pulling the database driver into the workflow bundle.
 */
import type { AuditEntry, ProjectView, ReviewStep } from '../workflows/definitions';
import type { CycleItem, CycleView, SkippedProject } from '../workflows/cycle-contract';

/** The project's view without its steps: the steps are rows of their own. */
export type ProjectCore = Omit<ProjectView, 'steps' | 'openSteps'>;

export interface PartyRecord {
  partyId: string;
  /** `partner` (a submitting institution), `agency` or `funder`. */
  role: 'partner' | 'agency' | 'funder';
  name: string;
  country?: string;
}

/**
 * One write of a project's record: what changed since the previous write. Every row is keyed
 * (project and run; step by workflow and step id; audit entry by its position in the trail), so a
 * retried write changes nothing, and `version` orders writes so an older one never overwrites a newer.
 */
export interface ProjectRecordWrite {
  projectId: string;
  /** The first run of the project's workflow: a project id submitted again is a new record. */
  run: string;
  version: number;
  /** The project's view without steps, when it changed. */
  core?: ProjectCore;
  /** The parties, on the first write. */
  parties?: PartyRecord[];
  /** Steps whose content changed. */
  steps: ReviewStep[];
  /** New audit entries; the first is the trail's entry number `auditFrom` (0-based). */
  auditFrom: number;
  audit: AuditEntry[];
  /** Set once the project can no longer change: its records are kept until `keepUntil`. */
  closed?: { at: string; keepUntil: string };
}

/** A cycle without its items (rows of their own, written by its shards) and their counts (read from them). */
export type CycleSummary = Omit<CycleView, 'items' | 'skipped' | 'launched' | 'counts'> & { launchedBy: string; keepUntil?: string };

/** One write of a cycle's record: the summary when it changed, and the items (or skips) that changed. */
export interface CycleRecordWrite {
  cycleId: string;
  version: number;
  summary?: CycleSummary;
  items: CycleItem[];
  skipped: SkippedProject[];
}
