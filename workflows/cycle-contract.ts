/**
 * The funder review cycle's part of the contract: ids, messages and types
 * shared by the API, the cycle workflow, the project workflow and the tests.
 */
import { defineQuery, defineSignal } from '@temporalio/workflow';

export const cycleWorkflowId = (cycleId: string) => `cycle-${cycleId}`;

/** How many projects the cycle workflow signals at a time. */
export const CYCLE_BATCH_SIZE = 100;

export type CycleOutcome = 'passed' | 'held-funder' | 'held-regulator' | 'stalled' | 'pending';
export const CYCLE_OUTCOMES: CycleOutcome[] = ['passed', 'held-funder', 'held-regulator', 'stalled', 'pending'];

export interface CycleInput {
  cycleId: string;
  name: string;
  funderId: string;
  closesAt: string;
  /** The projects to review; absent = every active project of the funder. */
  projectIds?: string[];
  launchedBy: string;
}

/** What the cycle asks each project: review the milestones due by `closesAt`. */
export interface CycleReviewRequest {
  cycleId: string;
  cycleWorkflowId: string;
  name: string;
  funderId: string;
  closesAt: string;
}

/** One project's state in a cycle, as the project reports it. */
export interface CycleItem {
  projectId: string;
  outcome: CycleOutcome;
  /** Milestones under review in this cycle. */
  milestoneIds: string[];
  /** Who is awaited (party names), for pending and stalled. */
  awaited: string[];
  /** For held-regulator: the licence or check that holds it; for held-funder: the reviewer's reason. */
  detail?: string;
  /** Held at the close by a licence still in review: when its case is legally due (the cycle never moves it). */
  licenceDueAt?: string;
  at: string;
}

/** Why a cycle skips a project it was given: the same words for a missing one and another funder's, so neither is told apart. */
export const NO_RUNNING_PROJECT = 'no running project with this id';

export interface SkippedProject {
  projectId: string;
  reason: string;
}

export interface CycleView {
  cycleId: string;
  name: string;
  funderId: string;
  closesAt: string;
  status: 'launching' | 'open' | 'closed';
  total: number;
  launched: number;
  items: CycleItem[];
  skipped: SkippedProject[];
  counts: Record<CycleOutcome, number>;
}

export const cycleReviewSignal = defineSignal<[CycleReviewRequest]>('cycleReview');
export const cycleItemSignal = defineSignal<[CycleItem]>('cycleItem');
export const cycleSkipSignal = defineSignal<[SkippedProject]>('cycleSkip');
export const cycleViewQuery = defineQuery<CycleView>('cycleView');
/**
 * The licence review puts its open steps' reminders on the cycle's calendar (counting back from the close).
 * Their due times never move: a funder's calendar does not shorten a statutory deadline (DOMAIN.md).
 */
export const syncRemindersSignal = defineSignal<[{ cycleId: string; closesAt: string }]>('syncReminders');
