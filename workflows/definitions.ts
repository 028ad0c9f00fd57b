/**
 * The contract shared by the API, the worker and the tests: workflow ids,
 * message definitions, and the types that cross the workflow boundary.
 * Workflow-safe: imports types only, plus the message constructors.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { Classification } from '../domain/classification';
import type { Policy, Tier } from '../domain/policy';
import type { Component, Project } from '../domain/project';
import type { StepKind } from '../domain/routing';

export const DEFAULT_TASK_QUEUE = 'licence-review';

export const projectWorkflowId = (projectId: string) => `project-${projectId}`;
export const licenceWorkflowId = (projectId: string, componentId: string) => `licence-${projectId}--${componentId}`;

/** Custom search attributes: the dev server registers them at start and workflows keep them current. */
export const searchAttributes = {
  projectId: defineSearchAttributeKey('ProjectId', SearchAttributeType.KEYWORD),
  funderId: defineSearchAttributeKey('FunderId', SearchAttributeType.KEYWORD),
  cycleId: defineSearchAttributeKey('CycleId', SearchAttributeType.KEYWORD),
  stage: defineSearchAttributeKey('Stage', SearchAttributeType.KEYWORD),
  awaitedParties: defineSearchAttributeKey('AwaitedParties', SearchAttributeType.KEYWORD_LIST),
  nextDueAt: defineSearchAttributeKey('NextDueAt', SearchAttributeType.DATETIME),
};

/** The same keys as `temporal server start-dev --search-attribute` wants them. */
export const searchAttributeFlags = Object.values(searchAttributes).map(
  (key) => `${key.name}=${{ KEYWORD: 'Keyword', KEYWORD_LIST: 'KeywordList', DATETIME: 'Datetime', TEXT: 'Text', INT: 'Int', DOUBLE: 'Double', BOOL: 'Bool' }[key.type]}`,
);

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
  detail: string;
}

// ---- review steps --------------------------------------------------------

export type Decision = 'approve' | 'deny' | 'request-info';
export type StepOutcome = 'approved' | 'denied' | 'info-requested';
export type StepStatus = 'open' | 'decided' | 'closed';

export interface ReviewStep {
  stepId: string;
  /** The workflow that owns the step and takes its decision Update. */
  workflowId: string;
  kind: StepKind;
  party: string;
  partyName: string;
  reviewer: string;
  componentId?: string;
  question: string;
  openedAt: string;
  dueAt: string;
  status: StepStatus;
  outcome?: StepOutcome;
  comment?: string;
  legalBasis?: string;
  decidedAt?: string;
  closedReason?: string;
}

export interface DecisionInput {
  stepId: string;
  reviewer: string;
  decision: Decision;
  comment?: string;
  legalBasis?: string;
}

export interface DecisionResult {
  recorded: true;
  stepId: string;
  decision: Decision;
  outcome: StepOutcome;
  decidedAt: string;
}

/** Failure types thrown by the decision validator; the API maps them to pages and status codes. */
export const DecisionRejection = {
  UnknownStep: 'UnknownStep',
  NotYourStep: 'NotYourStep',
  AlreadyDecided: 'AlreadyDecided',
  StepClosed: 'StepClosed',
  LegalBasisRequired: 'LegalBasisRequired',
} as const;

/** What the decision page shows: the step and what it is about. */
export interface StepContext {
  step: ReviewStep;
  projectId: string;
  projectTitle: string;
  funderId: string;
  coordinator: string;
  component?: Pick<Component, 'id' | 'name' | 'description' | 'controlCodes' | 'endUse' | 'destinations'> & {
    tier: Tier;
    tierReason: string;
    reasons: string[];
  };
}

// ---- licences ------------------------------------------------------------

export type LicenceStatus = 'cleared' | 'in-review' | 'approved' | 'denied' | 'disputed' | 'suspended' | 'revoked' | 'expired';

export interface Licence {
  status: LicenceStatus;
  licenceId?: string;
  validFrom?: string;
  validUntil?: string;
  conditions: string[];
  reportingPeriodMs?: number;
  /** For T0: the rule that cleared it; for a denial: the legal bases cited. */
  basis?: string;
}

export interface LicenceInput {
  project: Project;
  component: Component;
  classification: Classification;
  tier: Tier;
  policy: Policy;
  parentWorkflowId: string;
}

export interface LicenceProgress {
  componentId: string;
  licence: Licence;
  steps: ReviewStep[];
  audit: AuditEntry[];
}

// ---- project ---------------------------------------------------------------

export type Stage = 'scoping' | 'grant-review' | 'active' | 'rejected' | 'withdrawn' | 'closed';

export interface ProjectInput {
  project: Project;
  policy: Policy;
  submittedBy: string;
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
  milestones: (Project['milestones'][number] & { status: 'pending' })[];
  disputes: unknown[];
}

export interface WithdrawRequest {
  reason: string;
  withdrawnBy: string;
}

export interface WithdrawResult {
  stage: 'withdrawn';
  closedSteps: number;
}

export const decideUpdate = defineUpdate<DecisionResult, [DecisionInput]>('decide');
export const confirmScopingUpdate = defineUpdate<ComponentView[], [ScopingConfirmation]>('confirmScoping');
export const withdrawUpdate = defineUpdate<WithdrawResult, [WithdrawRequest]>('withdraw');
export const projectViewQuery = defineQuery<ProjectView>('projectView');
export const auditQuery = defineQuery<AuditEntry[]>('audit');
export const stepContextQuery = defineQuery<StepContext | null, [string]>('stepContext');
export const licenceProgressSignal = defineSignal<[LicenceProgress]>('licenceProgress');

/** Failure types the scoping and withdraw validators throw. */
export const ProjectRejection = {
  WrongStage: 'WrongStage',
  InvalidOverride: 'InvalidOverride',
} as const;
