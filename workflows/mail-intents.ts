/**
 * E-mail intents: what a workflow wants said, as a kind plus the facts the text needs.
 * Workflows send intents; activities/mail renders every one of them, so the wording can
 * change without touching workflow code or its recorded histories. Types only.
 */
import type { CorrectiveAction, ReportRequest } from './compliance-contract';
import type { LicenceStatus, ReviewStep } from './definitions';

/** The case an e-mail is about. */
export interface MailContext {
  projectId: string;
  projectTitle: string;
  componentName?: string;
  tier?: string;
  tierReason?: string;
}

/** A granted licence under compliance monitoring, as its notices name it. */
export interface MailLicence {
  projectId: string;
  projectTitle: string;
  coordinatorName: string;
  componentId: string;
  componentName: string;
  licenceId: string;
  validUntil: string;
  destinations: string[];
  recipients: string[];
}

/** Review steps (workflows/review-board.ts): to the reviewer or the coordinator who owes something. */
/**
 * `linkUntil`: the mail carries a fresh decision link for the step, valid until then (the activity signs it; a workflow
 * holds no secret). Reminders and answered questions carry one, so a reviewer who lost the first link still decides.
 */
type StepNotice =
  | { kind: 'step-reminder'; context: MailContext; step: ReviewStep; n: number; openFor: string; waiting: string[]; linkUntil?: string }
  | { kind: 'step-escalated'; context: MailContext; step: ReviewStep; coordinatorName: string; what: string }
  | { kind: 'info-requested'; context: MailContext; step: ReviewStep; coordinatorName: string; question: string }
  | { kind: 'info-reminder'; context: MailContext; step: ReviewStep; coordinatorName: string; n: number; question: string; askedAt: string; returnAt?: string }
  | { kind: 'info-answered'; context: MailContext; step: ReviewStep; question: string; answer: string; linkUntil?: string }
  | { kind: 'step-reassigned'; context: MailContext; step: ReviewStep; previous: string; by: string };

/** Licence reviews (workflows/licence.ts). */
type LicenceNotice =
  | { kind: 'licence-returned'; context: MailContext; componentId: string; coordinatorName: string; issuerName: string; basis: string }
  | { kind: 'out-of-time'; context: MailContext; issuerName: string; limitPassedAt: string; stillOpen: string[] };

/** Projects and funder cycles (workflows/project.ts, workflows/cycle-review.ts). */
type ProjectNotice =
  | { kind: 'scoping-ready'; context: MailContext; coordinatorName: string; tiers: { componentName: string; tier: string; rule: string }[] }
  | { kind: 'grant-rejected'; context: MailContext; coordinatorName: string; refusals: { partyName: string; legalBasis?: string; comment?: string }[] }
  | {
      kind: 'licensing-complete';
      context: MailContext;
      coordinatorName: string;
      licences: { componentName: string; status: LicenceStatus; validUntil?: string }[];
    }
  | { kind: 'project-closed'; context: MailContext; coordinatorName: string; ended: string }
  | { kind: 'project-withdrawn'; context: MailContext; coordinatorName: string; reason: string }
  | { kind: 'amendment-applied'; context: MailContext; coordinatorName: string; amendmentId: string; changes: string[]; reviewedAgain: string[] }
  | { kind: 'tranche-releasable'; context: MailContext; cycleName: string; milestones: string[] }
  | { kind: 'cycle-incomplete'; cycleId: string; cycleName: string; closesAt: string; funderName: string; unreported: number; total: number };

/** Post-licence compliance (workflows/compliance-monitor.ts): all to the coordinator. */
type ComplianceNotice =
  | { kind: 'report-request'; licence: MailLicence; request: ReportRequest }
  | { kind: 'corrective-action'; licence: MailLicence; action: CorrectiveAction }
  | { kind: 'licence-suspended'; licence: MailLicence; action: CorrectiveAction; alreadySuspended: boolean }
  | { kind: 'licence-reinstated'; licence: MailLicence; action: CorrectiveAction }
  | { kind: 'licence-revoked'; licence: MailLicence; action: CorrectiveAction }
  | { kind: 'renewal-reminder'; licence: MailLicence }
  | { kind: 'licence-expired'; licence: MailLicence; stillOpen: string[] };

export type NoticeIntent = StepNotice | LicenceNotice | ProjectNotice | ComplianceNotice;
export type NoticeKind = NoticeIntent['kind'];

export interface NoticeInput {
  to: string;
  /** Unique per notice; becomes the Message-ID, so a retried send is recognisable as the same mail. */
  key: string;
  intent: NoticeIntent;
}
