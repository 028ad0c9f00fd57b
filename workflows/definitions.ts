/**
 * The contract shared by the API, the worker and the tests: workflow ids,
 * message definitions, and the types that cross the workflow boundary.
 * Workflow-safe: imports types only, plus the message constructors.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { defineSignal, defineUpdate } from '@temporalio/workflow';
import type { Classification } from '../domain/classification';
import type { LadderLevel, Policy, Tier } from '../domain/policy';
import type { Component, Milestone, Project } from '../domain/project';
import type { Position } from '../domain/regimes';
import type { RecordPosition } from '../records/contract';
import type { AmendmentCarry } from './amendment-contract';
import type { DeliverableView, PeopleCarry, PersonView, PostProjectSummary } from './people-contract';
import type { AssignInput, AssignResult, DecisionInput, DecisionResult, InfoAnswer, ReviewStep } from './step-contract';

export const DEFAULT_TASK_QUEUE = 'licence-review';

export const projectWorkflowId = (projectId: string) => `project-${projectId}`;
/** A component's licence review; a resubmission after a return is a new review with its own id. */
export const licenceWorkflowId = (projectId: string, componentId: string, submission = 1) =>
  `licence-${projectId}--${componentId}${submission > 1 ? `--submission-${submission}` : ''}`;

/** Custom search attributes: the dev server registers them at start and workflows keep them current. */
export const searchAttributes = {
  projectId: defineSearchAttributeKey('ProjectId', SearchAttributeType.KEYWORD),
  funderId: defineSearchAttributeKey('FunderId', SearchAttributeType.KEYWORD),
  cycleId: defineSearchAttributeKey('CycleId', SearchAttributeType.KEYWORD),
  stage: defineSearchAttributeKey('Stage', SearchAttributeType.KEYWORD),
  awaitedParties: defineSearchAttributeKey('AwaitedParties', SearchAttributeType.KEYWORD_LIST),
  nextDueAt: defineSearchAttributeKey('NextDueAt', SearchAttributeType.DATETIME),
  /** Set on a licence review once its case passed the regime's legal limit undecided. */
  outOfTimeSince: defineSearchAttributeKey('OutOfTimeSince', SearchAttributeType.DATETIME),
};

const CLI_TYPE_NAMES = { KEYWORD: 'Keyword', KEYWORD_LIST: 'KeywordList', DATETIME: 'Datetime', TEXT: 'Text', INT: 'Int', DOUBLE: 'Double', BOOL: 'Bool' };

/** The same keys as `temporal server start-dev --search-attribute` wants them. */
export const searchAttributeFlags = Object.values(searchAttributes).map((key) => `${key.name}=${CLI_TYPE_NAMES[key.type]}`);

// ---- audit -----------------------------------------------------------------

/** How an action reached the system. */
export type Channel = 'api' | 'email-link' | 'email' | 'system';

export interface AuditEntry {
  at: string;
  actor: string;
  action: string;
  channel: Channel;
  componentId?: string;
  stepId?: string;
  /** An upload or a download (records/documents.ts): the document and the SHA-256 of its bytes. */
  documentId?: string;
  sha256?: string;
  detail: string;
}

// ---- review steps (workflows/step-contract.ts) ------------------------

export * from './step-contract';

// ---- licences ------------------------------------------------------------

/**
 * `returned`: closed without a decision after an information request went unanswered; the coordinator may submit the component again.
 * `not-required`: the law requires no authorisation (a dual-use delivery inside the Union, 2021/821 Art. 2(2), 3); `basis` says why.
 */
export type LicenceStatus = 'cleared' | 'not-required' | 'in-review' | 'approved' | 'denied' | 'disputed' | 'returned' | 'suspended' | 'revoked' | 'expired';

export interface Licence {
  status: LicenceStatus;
  licenceId?: string;
  validFrom?: string;
  validUntil?: string;
  conditions: string[];
  reportingPeriodMs?: number;
  /**
   * For T0: the rule that cleared it; not required: why; granted: what was issued, under which law (where the
   * regime names it); a denial: the legal bases cited.
   */
  basis?: string;
  /** Who issues it: the licensing agency of the exporter's country, under its regime. */
  issuer?: { agencyId: string; name: string; regime: string };
  /** Set when the case passed its regime's legal limit undecided (waiting time excluded). */
  outOfTimeSince?: string;
  /**
   * Conditions set by reviewers bind the licensee once it accepts them in writing: until then the licence
   * is issued but not in use (its compliance monitoring has not started, and a funder cycle holds on it).
   */
  /** The written acknowledgements its conditions require: `stepId` the first, `steps` all where there are several; `acknowledgedAt` once all are in. */
  acknowledgement?: {
    stepId: string;
    steps?: string[];
    acknowledgedAt?: string;
    acknowledgedBy?: string;
    /** Those given so far, with their signed documents: the records' read adds it from the steps (records/acknowledgements.ts). */
    given?: { stepId: string; party: string; by: string; at: string; documentId?: string; sha256?: string }[];
  };
}

export const disputeWorkflowId = (projectId: string, componentId: string, n: number) => `dispute-${projectId}--${componentId}-${n}`;

export interface LicenceInput {
  project: Project;
  component: Component;
  classification: Classification;
  tier: Tier;
  /** Why the component has its tier, when scoping changed it (a lowering and who approved it); else the classification's rule. */
  tierReason?: string | null;
  policy: Policy;
  parentWorkflowId: string;
  /** The project workflow's first run: the review writes its steps into that project's record. */
  projectRun: string;
}

/** The 90-day case clock of one component, which stops while a reviewer waits for the applicant. */
export interface CaseClock {
  startedAt: string;
  limitMs: number;
  stoppedMs: number;
  /** Set while stopped. */
  stoppedSince?: string;
}

/** When the case must be decided: its limit after the start, plus the time it was stopped (a stop still running counted to `now`). */
export function caseDueAt(clock: CaseClock, now: number): string {
  const stoppedNow = clock.stoppedSince ? now - Date.parse(clock.stoppedSince) : 0;
  return new Date(Date.parse(clock.startedAt) + clock.limitMs + clock.stoppedMs + stoppedNow).toISOString();
}

export interface Ruling {
  level: number;
  levelName: string;
  outcome: 'approved' | 'denied' | 'escalated';
  by: string;
  at: string;
  legalBasis?: string;
}

export interface DisputeView {
  disputeId: string;
  componentId: string;
  reason: 'conflict' | 'appeal';
  status: 'open' | 'final';
  level: number;
  levelName: string;
  rulings: Ruling[];
  appeals: { level: number; by: string; at: string; legalBasis: string }[];
  finalRuling?: 'approved' | 'denied';
}

/** A party's position going into a dispute. */
export type { Position };

export interface DisputeInput {
  disputeId: string;
  project: Project;
  component: Component;
  tier: Tier;
  policy: Policy;
  reason: 'conflict' | 'appeal';
  /** The issuer's regime's ladder. */
  ladder: LadderLevel[];
  positions: Position[];
  projectWorkflowId: string;
  /** The project workflow's first run: the dispute writes its steps into that project's record. */
  projectRun: string;
}

/**
 * What a licence review, a dispute or a compliance monitor tells the project workflow when it changes: what the
 * project decides on (closing, a cycle's outcome), nothing it only shows. Each records its own steps and entries.
 */
export interface ChildReport {
  /** The reporting workflow. */
  source: string;
  componentId: string;
  licence?: Licence;
  caseClock?: CaseClock;
  dispute?: DisputeView;
  /** Who the reporter waits on: its open steps' parties (`coordinator` while a step waits for information). */
  awaiting?: string[];
  /** A compliance monitor's last report: the licence has ended and the monitor reports nothing more. */
  final?: boolean;
}

// ---- project ---------------------------------------------------------------

export type Stage = 'scoping' | 'grant-review' | 'active' | 'rejected' | 'withdrawn' | 'closed';

/** An active project continues as new past this many history events, or this many bytes (Temporal's own hint also counts). */
export const PROJECT_HISTORY_EVENTS = 2000;
export const PROJECT_HISTORY_BYTES = 1024 * 1024;

export interface ProjectInput {
  project: Project;
  policy: Policy;
  submittedBy: string;
  /** When the API took the submission (it records the project then); absent, when the workflow starts. */
  submittedAt?: string;
  /** Set when a run continues as new: what the active project carries into its next run. */
  continued?: ProjectCarry;
  /** History events after which an active project continues as new (PROJECT_HISTORY_EVENTS unless set; tests set fewer). */
  continueAfterEvents?: number;
}

/**
 * What an active project carries into its next run. It continues as new only between reviews (no licence review,
 * cycle review or handler running, no open step of its own), so nothing in flight is carried: the steps, decisions
 * and audit entries of earlier runs are in the records.
 */
export interface ProjectCarry {
  submittedAt: string;
  delegates: string[];
  components: ComponentView[];
  milestones: MilestoneView[];
  disputes: DisputeView[];
  submissions: [componentId: string, submission: number][];
  resubmittableUntil: [componentId: string, until: number][];
  /** The compliance monitors started, and whether each has sent its last report. */
  monitors: MonitorRef[];
  /** Where the project's record writes continue. */
  record: RecordPosition;
  /** How many amendments were accepted, and the last one (absent before any). */
  amendments?: AmendmentCarry;
  /** Its people, their training and the deliverables received (absent before any). */
  people?: PeopleCarry;
}

export interface MonitorRef {
  componentId: string;
  workflowId: string;
  finished: boolean;
}

export interface TierOverride {
  componentId: string;
  tier: Tier;
  justification?: string;
}

export interface ScopingConfirmation {
  overrides: TierOverride[];
  confirmedBy: string;
}

export interface ComponentView {
  id: string;
  name: string;
  tier: Tier | null;
  classifiedTier: Tier | null;
  tierReason: string | null;
  /** A requested lowering awaiting the lead agency. */
  pendingTier?: Tier;
  classification: Classification | null;
  licence: Licence;
  caseClock?: CaseClock;
}

export interface MilestoneView extends Milestone {
  /** `in-review` while a funder cycle reviews it; then `passed` or `held`. */
  status: 'pending' | 'in-review' | 'passed' | 'held';
  cycleId?: string;
}

export interface ProjectView {
  projectId: string;
  title: string;
  funderId: string;
  coordinator: Project['coordinator'];
  leadAgency: string;
  policyVersion: string;
  stage: Stage;
  submittedAt: string;
  components: ComponentView[];
  openSteps: ReviewStep[];
  steps: ReviewStep[];
  milestones: MilestoneView[];
  disputes: DisputeView[];
  /** The principal who submitted the project (`coordinator:<userId>`, or `admin`): it owns the project. */
  owner: string;
  /** Coordinators the owner made delegates (`coordinator:<userId>`): they act on the project as the owner does. */
  delegates: string[];
  /** The people on the project, screened, with their training certificates (absent on projects recorded before people). */
  people?: PersonView[];
  /** The tranche deliverables received (workflows/people-contract.ts). */
  deliverables?: DeliverableView[];
  /** Set once the project closed: what its post-project review steps summarised. */
  postProjectReview?: PostProjectSummary;
}

export interface DelegateRequest {
  /** The coordinator's user id. */
  userId: string;
  addedBy: string;
}

export interface WithdrawRequest {
  reason: string;
  withdrawnBy: string;
}

export interface WithdrawResult {
  stage: 'withdrawn';
}

export const decideUpdate = defineUpdate<DecisionResult, [DecisionInput]>('decide');
export const assignUpdate = defineUpdate<AssignResult, [AssignInput]>('assign');
export const confirmScopingUpdate = defineUpdate<ComponentView[], [ScopingConfirmation]>('confirmScoping');
export const withdrawUpdate = defineUpdate<WithdrawResult, [WithdrawRequest]>('withdraw');
export const answerInfoUpdate = defineUpdate<{ stepId: string; dueAt: string }, [InfoAnswer]>('answerInfo');
export const childReportSignal = defineSignal<[ChildReport]>('childReport');

/** Failure types the scoping and withdraw validators throw. */
export interface ResubmitRequest {
  componentId: string;
  submittedBy: string;
}

/** A component returned without a decision is submitted again: a new licence review starts. */
export const resubmitUpdate = defineUpdate<{ componentId: string; workflowId: string }, [ResubmitRequest]>('resubmitComponent');
export const addDelegateUpdate = defineUpdate<{ owner: string; delegates: string[] }, [DelegateRequest]>('addDelegate');
export const removeDelegateUpdate = defineUpdate<{ owner: string; delegates: string[] }, [{ userId: string; removedBy: string }]>('removeDelegate');

export const ProjectRejection = {
  WrongStage: 'WrongStage',
  /** Only a component whose review was returned may be submitted again. */
  NotReturned: 'NotReturned',
  InvalidOverride: 'InvalidOverride',
  /** Only the project's owner (or an admin) adds delegates. */
  NotOwner: 'NotOwner',
  /** The coordinator named is not a delegate of the project. */
  NotADelegate: 'NotADelegate',
} as const;
