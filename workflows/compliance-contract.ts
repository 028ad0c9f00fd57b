/**
 * The contract of the post-licence compliance monitor, shared by the project
 * workflow (which starts one per granted licence), the API and the tests:
 * its id, input, the state it carries from period to period, and its
 * Updates and query. Workflow-safe: types, message constructors and pure helpers.
 */
import type { SearchAttributePair } from '@temporalio/common';
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import { COMPLIANCE_DEFAULTS, type CompliancePolicy } from '../domain/compliance-calendar';
import type { Anomaly, ComplianceReport } from '../domain/compliance-rules';
import type { Agency, Policy } from '../domain/policy';
import type { Component, Project } from '../domain/project';
import type { RecordPosition } from '../records/contract';
import { searchAttributes, type Channel, type Licence } from './definitions';

export const complianceMonitorWorkflowId = (projectId: string, componentId: string) => `monitor-${projectId}--${componentId}`;

/** Corrective actions are named by component and period, so an id is unique within its project and names its licence. */
export const correctiveActionId = (componentId: string, period: number) => `${componentId}-ca-${period}`;
/** The component and period of a corrective action id, or undefined when it is not one. */
export function parseCorrectiveActionId(actionId: string): { componentId: string; period: number } | undefined {
  const m = /^(.+)-ca-([1-9][0-9]*)$/.exec(actionId);
  return m ? { componentId: m[1], period: Number(m[2]) } : undefined;
}

/** The Stage search attribute every monitor run publishes. */
export const COMPLIANCE_STAGE = 'compliance';

/** The project as the monitor needs it: whom to mail, which workflow decides on the licence's state, and which record it writes to. */
export interface MonitoredProject {
  projectId: string;
  title: string;
  funderId: string;
  coordinator: { name: string; email: string };
  projectWorkflowId: string;
  /** The project workflow's first run. */
  run: string;
}

/** The granted licence and what it covers. */
export interface MonitoredLicence {
  licenceId: string;
  validFrom: string;
  validUntil: string;
  conditions: string[];
  /** From the issuer's regime, fixed when the licence was granted. */
  reportingPeriodMs: number;
  /** Who issued it (kept in the project view while the licence is monitored). */
  issuer?: Licence['issuer'];
  /** The licensee's written acknowledgement of the reviewers' conditions, where they set any. */
  acknowledgement?: Licence['acknowledgement'];
  /** The component's destinations. */
  destinations: string[];
  /** The partners named as the component's recipients. */
  recipients: { partnerId: string; name: string; country: string }[];
}

export type MonitoredStatus = 'approved' | 'suspended' | 'revoked' | 'expired';

/** One period's compliance report, from the request to its receipt (or its absence). */
export interface ReportRequest {
  period: number;
  startsAt: string;
  endsAt: string;
  dueAt: string;
  /** `closed`: the licence ended (revoked or expired) while the report was still awaited. */
  status: 'awaited' | 'received' | 'missed' | 'closed';
  receivedAt?: string;
  submittedBy?: string;
  anomalies?: Anomaly[];
  /** What a received report declared shipped in its period (absent on reports received before it was kept). */
  shipped?: ShippedInPeriod;
}

/** A report's shipments, summed: how many, how many items, and where to. */
export interface ShippedInPeriod {
  shipments: number;
  quantity: number;
  destinations: string[];
}

export interface CorrectiveAction {
  actionId: string;
  period: number;
  anomalies: Anomaly[];
  openedAt: string;
  dueAt: string;
  /**
   * `overdue`: the deadline passed unresolved (its suspension is proposed to the issuer; on monitors started before
   * release 0.4.0 the licence was suspended at once); `closed`: the licence ended first.
   */
  status: 'open' | 'overdue' | 'resolved' | 'closed';
  overdueAt?: string;
  /** When the licence's revocation is proposed (before release 0.4.0: when it is revoked) unless this action is resolved first; set once it is suspended. */
  revokeAt?: string;
  /** The sanction proposed for this action, the latest one (its story is in the audit trail). */
  proposal?: SanctionProposal;
  resolvedAt?: string;
  resolvedBy?: string;
  note?: string;
  closedReason?: string;
}

export type SanctionKind = 'suspension' | 'revocation';

/**
 * A suspension or revocation the monitor proposed: the holder is heard, then the issuer decides (DOMAIN.md
 * "Suspension and revocation"). `withdrawn`: the action was resolved first; `closed`: the licence ended first.
 */
export interface SanctionProposal {
  kind: SanctionKind;
  proposedAt: string;
  stage: 'hearing' | 'decision' | 'approved' | 'denied' | 'withdrawn' | 'closed';
  hearingStepId: string;
  decisionStepId?: string;
  decidedAt?: string;
  /** Who decided it: the issuer's reviewer, or its senior in a silent reviewer's place. */
  decidedBy?: string;
  /** The issuer's basis for imposing or refusing it. */
  basis?: string;
}

/** The review settings the issuer's and the holder's steps run on (reminders, links, requests for information). */
export type MonitorReviewSettings = Pick<Policy, 'links' | 'reminders'> & { sla: Pick<Policy['sla'], 'infoRequestWithin' | 'returnUnansweredAfter'> };

/**
 * Everything the monitor carries from one period (one run) to the next. Bounded: besides
 * the items still open it keeps only the most recent closed ones; the full story is in
 * the project's audit trail.
 */
export interface ComplianceRecord {
  status: MonitoredStatus;
  /** The current reporting period (from 1) and how many the licence has. */
  period: number;
  periods: number;
  reports: ReportRequest[];
  correctiveActions: CorrectiveAction[];
  renewalReminderSentAt?: string;
  suspendedAt?: string;
  revokedAt?: string;
  expiredAt?: string;
  /** Why the licence is suspended or revoked. */
  basis?: string;
  totals: { reportsReceived: number; reportsMissed: number; anomalies: number; actionsOpened: number; actionsResolved: number };
}

export interface ComplianceMonitorInput {
  project: MonitoredProject;
  componentId: string;
  componentName: string;
  licence: MonitoredLicence;
  policy: CompliancePolicy;
  /**
   * The licence's issuer with its reviewers, who decides a proposed suspension or revocation, and the settings its steps
   * run on. Absent on monitors started before release 0.4.0 (they suspend and revoke by their deadlines, as they began).
   */
  issuer?: Agency;
  review?: MonitorReviewSettings;
  /** Set by continue-as-new: the period this run monitors and the state carried over. Absent on the first run. */
  period?: number;
  record?: ComplianceRecord;
  /** Set by continue-as-new: where the monitor's own record writes continue, and what it last told the project. */
  recorded?: RecordPosition;
  reported?: string;
}

/** What the licence looks like in the project view once a monitor reports it: the licence plus its compliance record. */
export interface MonitoredLicenceView extends Licence {
  status: MonitoredStatus;
  compliance: ComplianceRecord & { monitorWorkflowId: string };
}

export interface ComplianceOutcome {
  status: 'revoked' | 'expired';
  licenceId: string;
  /** The period the monitor ended in. */
  period: number;
}

// ---- messages ------------------------------------------------------------------

export interface ReportSubmission extends ComplianceReport {
  period: number;
  submittedBy: string;
  channel?: Channel;
}

export interface ReportResult {
  period: number;
  receivedAt: string;
  anomalies: Anomaly[];
  /** Opened when the report shows anomalies. */
  correctiveAction?: { actionId: string; dueAt: string };
  licenceStatus: MonitoredStatus;
}

export interface CorrectiveActionResolution {
  actionId: string;
  note: string;
  resolvedBy: string;
  channel?: Channel;
}

export interface ResolutionResult {
  actionId: string;
  resolvedAt: string;
  /** `approved` again when this was the last overdue action of a suspended licence. */
  licenceStatus: MonitoredStatus;
}

export const submitReportUpdate = defineUpdate<ReportResult, [ReportSubmission]>('submitComplianceReport');
export const resolveCorrectiveActionUpdate = defineUpdate<ResolutionResult, [CorrectiveActionResolution]>('resolveCorrectiveAction');
export const complianceRecordQuery = defineQuery<ComplianceRecord>('complianceRecord');

/** Failure types the monitor's Update validators throw; the API maps them to 404 and 409. */
export const ComplianceRejection = {
  /** The period has not started, or its report is closed (missed). */
  WrongPeriod: 'WrongPeriod',
  AlreadySubmitted: 'AlreadySubmitted',
  /** The licence was revoked or has expired. */
  LicenceNotActive: 'LicenceNotActive',
  UnknownCorrectiveAction: 'UnknownCorrectiveAction',
  AlreadyResolved: 'AlreadyResolved',
} as const;

/** The issuer's agency and the review settings, when the policy names them (a snapshot without them: timers only, as before). */
function issuerSeat({ policy, licence }: MonitorStartParams): Pick<ComplianceMonitorInput, 'issuer' | 'review'> {
  const issuer = policy.agencies?.find((a) => a.id === licence.issuer?.agencyId);
  if (!issuer || !policy.links || !policy.reminders || !policy.sla) return {};
  const { infoRequestWithin, returnUnansweredAfter } = policy.sla;
  return { issuer, review: { links: policy.links, reminders: policy.reminders, sla: { infoRequestWithin, returnUnansweredAfter } } };
}

// ---- starting a monitor -----------------------------------------------------------

export interface MonitorStartParams {
  project: Project;
  component: Component;
  /** The licence as the licence review returned it: status `approved`. */
  licence: Licence;
  /** `agencies`, `links`, `reminders` and `sla` give the issuer's seat for proposed sanctions (the project passes its whole policy). */
  policy: Pick<Policy, 'compliance'> & Partial<Pick<Policy, 'agencies' | 'links' | 'reminders' | 'sla'>>;
  projectWorkflowId: string;
  /** The project workflow's first run. */
  projectRun: string;
}

/**
 * The options to start a component's monitor with, from what the project workflow holds:
 * `startChild(complianceMonitorWorkflow, complianceMonitorStart({...}))`; tests add a task queue
 * and use `client.workflow.start`.
 */
export function complianceMonitorStart(p: MonitorStartParams): {
  workflowId: string;
  args: [ComplianceMonitorInput];
  typedSearchAttributes: SearchAttributePair[];
} {
  const { project, component, licence } = p;
  if (licence.status !== 'approved' || !licence.licenceId || !licence.validFrom || !licence.validUntil || !licence.reportingPeriodMs) {
    throw new Error(`licence of ${component.id} is ${licence.status} without full terms: only a granted licence is monitored`);
  }
  const input: ComplianceMonitorInput = {
    project: {
      projectId: project.projectId,
      title: project.title,
      funderId: project.funderId,
      coordinator: { name: project.coordinator.name, email: project.coordinator.email },
      projectWorkflowId: p.projectWorkflowId,
      run: p.projectRun,
    },
    componentId: component.id,
    componentName: component.name,
    licence: {
      licenceId: licence.licenceId,
      validFrom: licence.validFrom,
      validUntil: licence.validUntil,
      conditions: licence.conditions,
      reportingPeriodMs: licence.reportingPeriodMs,
      issuer: licence.issuer,
      ...(licence.acknowledgement && { acknowledgement: licence.acknowledgement }),
      destinations: component.destinations,
      recipients: project.partners.filter((x) => component.recipients.includes(x.id)).map((x) => ({ partnerId: x.id, name: x.name, country: x.country })),
    },
    // A policy snapshot taken before the `compliance` section existed has none.
    policy: { ...COMPLIANCE_DEFAULTS, ...p.policy.compliance },
    ...issuerSeat(p),
  };
  return {
    workflowId: complianceMonitorWorkflowId(project.projectId, component.id),
    args: [input],
    typedSearchAttributes: [
      { key: searchAttributes.projectId, value: project.projectId },
      { key: searchAttributes.funderId, value: project.funderId },
      { key: searchAttributes.stage, value: COMPLIANCE_STAGE },
    ],
  };
}
