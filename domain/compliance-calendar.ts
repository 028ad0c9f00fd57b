/**
 * The calendar of a granted licence: its reporting periods, when each
 * period's compliance report is due, when the coordinator is reminded to
 * renew. Pure and free of zod, so the compliance monitor workflow uses it.
 */

/** The policy's `compliance` section, every duration in milliseconds. */
export interface CompliancePolicy {
  /** Grace after a reporting period ends before its report counts as missed. */
  reportDueWithin: number;
  /** How long the coordinator has to resolve a corrective action before its suspension is proposed to the issuer. */
  correctiveActionWithin: number;
  /** How long a licence stays suspended for an unresolved corrective action before its revocation is proposed. */
  suspensionBeforeRevocation: number;
  /** How long the holder (the coordinator) has to answer a proposed suspension or revocation before the issuer decides. */
  holderAnswerWithin: number;
  /** When the issuer's decision on a proposed suspension or revocation is due; silent, its senior decides. */
  issuerDecisionWithin: number;
  /** How long before expiry the coordinator is reminded to renew. */
  renewalReminderBefore: number;
  /** What a missed report does: open a corrective action (the default), or only record the anomaly. */
  missedReport: 'corrective-action' | 'record-only';
}

const DAY = 86_400_000;

/** Used when the policy file has no `compliance` section (and by snapshots taken before it existed). */
export const COMPLIANCE_DEFAULTS: Readonly<CompliancePolicy> = {
  reportDueWithin: 30 * DAY,
  correctiveActionWithin: 30 * DAY,
  suspensionBeforeRevocation: 30 * DAY,
  holderAnswerWithin: 14 * DAY,
  issuerDecisionWithin: 30 * DAY,
  renewalReminderBefore: 90 * DAY,
  missedReport: 'corrective-action',
};

/** A licence's validity and its regime's reporting period, in epoch milliseconds. */
export interface LicenceTerm {
  validFrom: number;
  validUntil: number;
  reportingPeriodMs: number;
}

export interface ReportingWindow {
  period: number;
  startsAt: number;
  /** The period's end; the last period ends when the licence expires. */
  endsAt: number;
  reportDueAt: number;
}

/** How many reporting periods the licence has: the last one may be short. */
export function periodCount(term: LicenceTerm): number {
  return Math.max(1, Math.ceil((term.validUntil - term.validFrom) / term.reportingPeriodMs));
}

/** Period `n` (from 1): its bounds and when its report is due. */
export function reportingWindow(term: LicenceTerm, n: number, reportDueWithin: number): ReportingWindow {
  if (!Number.isInteger(n) || n < 1 || n > periodCount(term)) throw new RangeError(`period ${n} is outside the licence's ${periodCount(term)} periods`);
  const startsAt = term.validFrom + (n - 1) * term.reportingPeriodMs;
  const endsAt = Math.min(term.validFrom + n * term.reportingPeriodMs, term.validUntil);
  return { period: n, startsAt, endsAt, reportDueAt: endsAt + reportDueWithin };
}

/** When to remind the coordinator to renew; at once when the licence is shorter than the reminder lead time. */
export function renewalReminderAt(term: LicenceTerm, renewalReminderBefore: number): number {
  return Math.max(term.validFrom, term.validUntil - renewalReminderBefore);
}
