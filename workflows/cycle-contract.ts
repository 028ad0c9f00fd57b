/**
 * The funder review cycle's part of the contract: ids, messages and types
 * shared by the API, the cycle workflow, the project workflow and the tests.
 */
import { defineSignal } from '@temporalio/workflow';

export const cycleWorkflowId = (cycleId: string) => `cycle-${cycleId}`;
/** A shard's id: "/" is not in a cycle id, so no cycle's id is another's shard. */
export const cycleShardWorkflowId = (cycleId: string, shard: number) => `cycle-${cycleId}/shard-${shard}`;

/** The records' target set of a cycle over every active project of its funder (":" is not in a cycle id). */
export const activeTargetSetId = (cycleId: string) => `${cycleId}:active`;

/**
 * How many projects a shard signals at a time: a shard of the default size in one go (each signal waits for its
 * delivery, so smaller batches wait for each other; the server allows 2,000 signals in flight from one workflow).
 */
export const CYCLE_BATCH_SIZE = 1000;

/**
 * Projects per shard workflow, unless CYCLE_SHARD_SIZE says otherwise. A shard takes no signal per project (each
 * project records its own outcome, and the shard reads them from the records; the last one wakes it), and writes about two history events per
 * project it asks: 500 keeps it far below the server's 51,200 events, and a cycle of 10,000 in 20 shards.
 */
export const CYCLE_SHARD_SIZE = 500;

/**
 * `unreported`: the project gave no outcome by the close and the shard's wait after it (or its shard failed):
 * the item says why, and the cycle is `incomplete`.
 */
export type CycleOutcome = 'passed' | 'held-funder' | 'held-regulator' | 'stalled' | 'pending' | 'unreported';
export const CYCLE_OUTCOMES: CycleOutcome[] = ['passed', 'held-funder', 'held-regulator', 'stalled', 'pending', 'unreported'];

export interface CycleInput {
  cycleId: string;
  name: string;
  funderId: string;
  closesAt: string;
  /** The records' target set of the projects to review (the API writes a funder's list there); absent = every active project. */
  targetSet?: string;
  /** Projects per shard (CYCLE_SHARD_SIZE unless set). */
  shardSize?: number;
  /** How long the cycle's records are kept once it closes (the policy's record keeping; the API sets it). */
  keepForMs?: number;
  launchedBy: string;
  /** Who is told when the cycle cannot collect every outcome: the funder's programme officer. */
  funderContact?: { name: string; email: string };
}

/** What one shard reviews: positions `from` … `from + count - 1` of the cycle's target set. */
export interface CycleShardInput {
  cycleId: string;
  targetSet: string;
  from: number;
  count: number;
  review: CycleReviewRequest;
}

/** What the cycle asks each project: review the milestones due by `closesAt`, and record the outcome in the cycle's items. */
export interface CycleReviewRequest {
  cycleId: string;
  name: string;
  funderId: string;
  closesAt: string;
  /** The shard that asked: the write that records its slice's last final outcome wakes it, so it closes before the close. */
  shard?: ShardRef;
}

/** A shard's slice of its cycle (positions `from` … `from + count - 1` of the target set) and its workflow. */
export interface ShardRef {
  workflowId: string;
  setId: string;
  from: number;
  count: number;
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
  /** Why an item is `unreported`. */
  reason?: string;
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
  /** `incomplete`: closed, with some project's outcome never collected (its item is `unreported` and says why). */
  status: 'launching' | 'open' | 'closed' | 'incomplete';
  total: number;
  launched: number;
  items: CycleItem[];
  skipped: SkippedProject[];
  counts: Record<CycleOutcome, number>;
}

/** What a shard returns, and the cycle (summed): counts, never the items, which are in the records. */
export interface CycleTally {
  launched: number;
  skipped: number;
  counts: Record<CycleOutcome, number>;
}

/** Counts of every outcome, all zero: a cycle, a shard or a read adds to them. */
export const noCounts = (): CycleTally['counts'] => Object.fromEntries(CYCLE_OUTCOMES.map((o) => [o, 0])) as CycleTally['counts'];

export type CycleResult = Omit<CycleView, 'items' | 'skipped' | 'launched' | 'counts'> & CycleTally;

export const cycleReviewSignal = defineSignal<[CycleReviewRequest]>('cycleReview');
/**
 * The licence review puts its open steps' reminders on the cycle's calendar (counting back from the close).
 * Their due times never move: a funder's calendar does not shorten a statutory deadline (DOMAIN.md).
 */
/** To a shard: every project of its slice has a final outcome in the records (read them now, not at the close). */
export const shardSettledSignal = defineSignal('shardSettled');
export const syncRemindersSignal = defineSignal<[{ cycleId: string; closesAt: string }]>('syncReminders');
