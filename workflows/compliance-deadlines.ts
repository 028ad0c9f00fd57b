/**
 * A compliance monitor's deadlines in one period: the report due, corrective actions due, a revocation's clock,
 * the renewal reminder, the expiry and the period's end; the earliest one next, ties in the order below.
 * Workflow-safe: pure.
 */
import { renewalReminderAt, type LicenceTerm, type ReportingWindow } from '../domain/compliance-calendar';
import type { ComplianceMonitorInput, ComplianceRecord, CorrectiveAction, ReportRequest } from './compliance-contract';
import type { SanctionPanel } from './compliance-sanctions';

export type Deadline =
  | { kind: 'report-due'; at: number; report: ReportRequest }
  | { kind: 'action-due'; at: number; action: CorrectiveAction }
  | { kind: 'revocation'; at: number; action: CorrectiveAction }
  | { kind: 'renewal-reminder'; at: number }
  | { kind: 'expiry'; at: number }
  | { kind: 'period-end'; at: number };

/** Deadlines falling due together are handled in this order: what the coordinator owed first, the calendar last. */
const ORDER: Deadline['kind'][] = ['report-due', 'action-due', 'revocation', 'renewal-reminder', 'expiry', 'period-end'];

export function nextDeadline(
  term: LicenceTerm,
  window: ReportingWindow,
  record: ComplianceRecord,
  policy: ComplianceMonitorInput['policy'],
  sanctions: SanctionPanel | undefined,
): Deadline {
  const deadlines: Deadline[] = [{ kind: 'expiry', at: term.validUntil }];
  // A pending proposal's steps live in this run: the next period starts (continues as new) once the issuer has decided.
  if (window.endsAt < term.validUntil && !sanctions?.pending(record.correctiveActions)) deadlines.push({ kind: 'period-end', at: window.endsAt });
  if (!record.renewalReminderSentAt) deadlines.push({ kind: 'renewal-reminder', at: renewalReminderAt(term, policy.renewalReminderBefore) });
  for (const report of record.reports) if (report.status === 'awaited') deadlines.push({ kind: 'report-due', at: Date.parse(report.dueAt), report });
  for (const action of record.correctiveActions) {
    if (action.status === 'open') deadlines.push({ kind: 'action-due', at: Date.parse(action.dueAt), action });
    if (action.status === 'overdue' && action.revokeAt && action.proposal?.kind !== 'revocation')
      deadlines.push({ kind: 'revocation', at: Date.parse(action.revokeAt), action });
  }
  return deadlines.sort((a, b) => a.at - b.at || ORDER.indexOf(a.kind) - ORDER.indexOf(b.kind))[0];
}
