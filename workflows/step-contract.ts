/**
 * Review steps as they cross the workflow boundary: the one shape of a step (`ReviewStep`), the decide and assign
 * messages' inputs and results, the rejections the decision validator throws, and what each decision does.
 * Part of the contract `definitions.ts` re-exports. Workflow-safe: types and plain data.
 */
import type { StepPlan } from '../domain/routing';
import { STEP_KINDS, type Decision, type StepKind } from '../domain/step-kinds';
import type { Channel } from './definitions';
export type { Decision, StepKind };
/** `no-objection`: a consulted agency was silent past its window; `responded`: the applicant answered an intent to deny. */
export type StepOutcome = 'approved' | 'denied' | 'no-objection' | 'escalated' | 'appealed' | 'accepted' | 'responded' | 'acknowledged' | 'reviewed';
export type StepStatus = 'open' | 'decided' | 'closed';

/** A step as planned (domain/routing.ts), once opened: the one shape of a step, in workflows, records and pages. */
export interface ReviewStep extends StepPlan {
  /** The workflow that owns the step, records it and takes its decision Update. */
  workflowId: string;
  /**
   * That workflow's first run (it stays across continue-as-new): links are bound to it, so a project id submitted
   * again (a new run of the same workflow id) refuses the old links. Absent on steps opened before links were bound.
   */
  runId?: string;
  openedAt: string;
  dueAt: string;
  status: StepStatus;
  outcome?: StepOutcome;
  comment?: string;
  legalBasis?: string;
  /** Conditions (provisos) the approval set; they join the component's licence. */
  conditions?: string[];
  decidedAt?: string;
  /** Who decided and how: the reviewer's link, the API, or the policy's silence rule. */
  decidedVia?: Channel;
  closedReason?: string;
  remindersSent: number;
  /** Until when the reviewer may ask the coordinator for information (the policy's `sla.infoRequestWithin` after referral). */
  infoRequestUntil?: string;
  /** Set while the reviewer waits for the coordinator's information: the step's clock is stopped. */
  infoRequest?: {
    question: string;
    askedAt: string;
    remainingMs: number;
    /** Unanswered by then, the case is returned. */ returnAt?: string;
    remindersSent?: number;
  };
  /** Total time the clock was stopped. */
  stoppedMs: number;
  /** The step this one escalated to, when silence escalated it. */
  escalatedTo?: string;
  /** How often the step was passed to another reviewer of its party's pool. */
  assignments?: number;
  /** Who recorded the decision: the reviewer by link, or the agency principal through the API. */
  decidedBy?: string;
  /** The signed document an acknowledgement came with (kept by the API through storage/documents.ts). */
  signedDocument?: SignedDocument;
}

/** A document given with a decision: its id among the project's documents and the SHA-256 of its bytes. */
export interface SignedDocument {
  documentId: string;
  sha256: string;
}

/** Passes an open step to another reviewer of its party (`POST /v1/steps/:ref/assign`). */
export interface AssignInput {
  stepId: string;
  reviewer: string;
  /** The principal who passed it on or took it. */
  assignedBy: string;
}

export interface AssignResult {
  stepId: string;
  reviewer: string;
  previous: string;
}

export interface DecisionInput {
  stepId: string;
  reviewer: string;
  decision: Decision;
  comment?: string;
  legalBasis?: string;
  /** With an approval, on a step whose kind allows them (domain/step-kinds.ts). */
  conditions?: string[];
  /** `email-link` for reviewers; `api` when the coordinator appeals through the API. */
  channel?: Channel;
  /** The run the reviewer's link was issued for; another run refuses it (StaleLink). */
  run?: string;
  /** The principal deciding through the API (agency staff), recorded as the decider; by link it is the reviewer. */
  actor?: string;
  /** With an acknowledgement: the signed document, already kept by the API (required where the step says so). */
  signedDocument?: SignedDocument;
}

export interface DecisionResult {
  recorded: true;
  stepId: string;
  decision: Decision;
  /** What the decision did: an outcome, or the step stays open with its clock stopped (`info-requested`). */
  outcome: StepOutcome | 'info-requested';
  decidedAt: string;
}

/** Failure types thrown by the decision validator; the API maps them to pages and status codes. */
export const DecisionRejection = {
  UnknownStep: 'UnknownStep',
  NotYourStep: 'NotYourStep',
  AlreadyDecided: 'AlreadyDecided',
  StepClosed: 'StepClosed',
  LegalBasisRequired: 'LegalBasisRequired',
  DecisionNotOffered: 'DecisionNotOffered',
  ConditionsNotOffered: 'ConditionsNotOffered',
  NoInfoRequested: 'NoInfoRequested',
  /** A request for information is already open on the step: one at a time. */
  InfoAlreadyRequested: 'InfoAlreadyRequested',
  /** The window for asking the coordinator for information has passed. */
  InfoRequestTooLate: 'InfoRequestTooLate',
  /** The link was issued for an earlier run of this workflow id (a project submitted again). */
  StaleLink: 'StaleLink',
  /** An assignment to someone outside the step's pool of reviewers, or to the reviewer who holds it. */
  NotInPool: 'NotInPool',
  /** An acknowledgement given on a recipient's behalf comes with its signed document. */
  SignedDocumentRequired: 'SignedDocumentRequired',
  /** A signed document goes with an acknowledgement, not with another decision. */
  SignedDocumentNotOffered: 'SignedDocumentNotOffered',
} as const;

/** What each decision does to its step. */
export const decisionOutcome = {
  approve: 'approved',
  deny: 'denied',
  appeal: 'appealed',
  accept: 'accepted',
  respond: 'responded',
  acknowledge: 'acknowledged',
  review: 'reviewed',
  'request-info': 'info-requested',
} as const satisfies Record<Decision, StepOutcome | 'info-requested'>;

/** The decisions each kind of step offers (domain/step-kinds.ts). */
export function decisionsFor(kind: StepKind): readonly Decision[] {
  return STEP_KINDS[kind].decisions;
}

export interface InfoAnswer {
  stepId: string;
  answer: string;
  answeredBy: string;
}
