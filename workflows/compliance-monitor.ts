/**
 * The state and the rules of one licence's compliance monitor, for one
 * reporting period (one workflow run): the report request, the deadlines
 * (missed report, corrective action, proposed suspension and revocation,
 * renewal reminder, expiry) and the two Updates the coordinator sends. The
 * issuer decides what it proposes (compliance-sanctions.ts). The workflow
 * function in compliance.ts only wires the handlers, runs the period and
 * continues as new. It records its own audit entries, and tells the project
 * workflow the licence's state (with its compliance record) when it changes.
 */
import { allHandlersFinished, ApplicationFailure, CancellationScope, condition, workflowInfo } from '@temporalio/workflow';
import { periodCount, reportingWindow, type LicenceTerm, type ReportingWindow } from '../domain/compliance-calendar';
import { endUsersToScreen, missedReportAnomaly, reportAnomalies, type Anomaly } from '../domain/compliance-rules';
import { formatDuration } from '../domain/durations';
import {
  type SanctionProposal,
  ComplianceRejection,
  correctiveActionId,
  type ComplianceMonitorInput,
  type ComplianceRecord,
  type CorrectiveAction,
  type CorrectiveActionResolution,
  type MonitoredLicenceView,
  type ReportRequest,
  type ReportResult,
  type ReportSubmission,
  type ResolutionResult,
} from './compliance-contract';
import type { Channel } from './definitions';
import { SanctionPanel } from './compliance-sanctions';
import { isPatched } from './patches';
import type { AuditInput } from './review-board';
import { mail, screening } from './effects';
import type { MailLicence, NoticeIntent } from './mail-intents';
import { RecordOwner } from './record-writer';
import { nextDeadline, type Deadline } from './compliance-deadlines';
import { mailLicence, monitoredLicenceView, publishMonitorVisibility } from './compliance-views';
import { ParentReport } from './reporter';

/** Closed reports and corrective actions kept in the carried state (and the project view); older ones live on in the audit trail. */
const KEEP_CLOSED = 12;

/** What ends a run: the next period (continue-as-new), or the end of the licence. */
export type PeriodOutcome = 'next-period' | 'revoked' | 'expired';

const iso = (ms: number) => new Date(ms).toISOString();
function reject(message: string, type: string): never {
  throw ApplicationFailure.nonRetryable(message, type);
}

export class LicenceMonitor {
  readonly record: ComplianceRecord;
  private readonly term: LicenceTerm;
  private readonly window: ReportingWindow;
  private readonly reporter: ParentReport;
  readonly owner: RecordOwner;
  private lastReport: Promise<void> = Promise.resolve();
  /** Audit entries not yet reported to the project. */
  private unsent = false;
  /** Set by the Update handlers and by every audit entry: the main loop recomputes its deadlines and reports what is new. */
  private changed = false;
  /** Where the issuer decides proposed sanctions; absent on monitors started before release 0.4.0 (no issuer in their input). */
  private readonly sanctions?: SanctionPanel;
  /** Set once the issuer's revocation took effect: the run ends. */
  private ended?: PeriodOutcome;

  constructor(private readonly input: ComplianceMonitorInput) {
    const { licence } = input;
    this.term = { validFrom: Date.parse(licence.validFrom), validUntil: Date.parse(licence.validUntil), reportingPeriodMs: licence.reportingPeriodMs };
    this.record = input.record ?? {
      status: 'approved',
      period: 1,
      periods: periodCount(this.term),
      reports: [],
      correctiveActions: [],
      totals: { reportsReceived: 0, reportsMissed: 0, anomalies: 0, actionsOpened: 0, actionsResolved: 0 },
    };
    this.record.period = input.period ?? 1;
    this.window = reportingWindow(this.term, this.record.period, input.policy.reportDueWithin);
    // The project decides on the licence's standing (closing, a cycle's hold), not on its reports: it hears of a change of
    // status, not of every period. The compliance record goes to the records with the monitor's own writes.
    this.reporter = new ParentReport(
      input.project.projectWorkflowId,
      input.componentId,
      () => {
        const { compliance: _kept, ...licence } = this.licenceView();
        return { licence };
      },
      input.reported,
    );
    this.owner = new RecordOwner({ projectId: input.project.projectId, run: input.project.run }, { componentId: input.componentId, from: input.recorded });
    this.owner.holdLicence(() => ({ licence: this.licenceView() }));
    // Never cancelled: a withdrawal's last entries are written too.
    void CancellationScope.nonCancellable(() => this.owner.recorder.run());
    if (input.issuer && input.review) this.sanctions = new SanctionPanel(this.sanctionHost(), input.issuer, input.review);
  }

  /** Runs this period until it ends (continue-as-new) or the licence does. */
  async runPeriod(): Promise<PeriodOutcome> {
    const { policy, licence } = this.input;
    if (!this.input.record) {
      this.audit(
        'compliance-monitoring-started',
        `${licence.licenceId}: ${this.record.periods} reporting period(s) of ${formatDuration(licence.reportingPeriodMs)}, ` +
          `each report due ${formatDuration(policy.reportDueWithin)} after its period; valid until ${licence.validUntil}`,
      );
    }
    if (!this.record.reports.some((r) => r.period === this.window.period)) await this.requestReport();
    for (;;) {
      if (this.ended) return this.ended;
      const next = this.nextDeadline();
      if (next.at <= Date.now()) {
        const outcome = await this.onDeadline(next);
        if (outcome) return outcome;
        continue;
      }
      // Routine entries (requests, reminders) go to the project in one report before the monitor waits: fewer signals, shorter histories.
      if (this.unsent) {
        await this.publish();
        continue;
      }
      this.changed = false;
      await condition(() => this.changed, next.at - Date.now());
    }
  }

  // ---- the coordinator's Updates ---------------------------------------------------

  /** The submitReport validator: rejects before anything is written to history. */
  validateSubmission(s: ReportSubmission): void {
    this.assertInForce();
    const request = this.record.reports.find((r) => r.period === s.period);
    if (!request) {
      if (s.period > this.record.period)
        reject(
          `period ${s.period} has not started: the current reporting period is ${this.record.period} of ${this.record.periods}`,
          ComplianceRejection.WrongPeriod,
        );
      reject(`the report for period ${s.period} is closed; the current reporting period is ${this.record.period}`, ComplianceRejection.WrongPeriod);
    }
    if (request.status === 'received')
      reject(`the report for period ${s.period} was already received at ${request.receivedAt}`, ComplianceRejection.AlreadySubmitted);
    if (request.status === 'missed') {
      const instead = this.input.policy.missedReport === 'corrective-action' ? '; resolve its corrective action instead' : '';
      reject(`the report for period ${s.period} was due at ${request.dueAt} and is recorded as missed${instead}`, ComplianceRejection.WrongPeriod);
    }
    if (request.status === 'closed') reject(`the report for period ${s.period} is closed`, ComplianceRejection.WrongPeriod);
  }

  async submit(s: ReportSubmission): Promise<ReportResult> {
    // Checked again: an earlier Update in the same activation may have taken this period.
    this.validateSubmission(s);
    const request = this.record.reports.find((r) => r.period === s.period)!;
    const receivedAt = new Date().toISOString();
    const shipped = {
      shipments: s.shipments.length,
      quantity: s.shipments.reduce((n, x) => n + (x.quantity ?? 0), 0),
      destinations: [...new Set(s.shipments.map((x) => x.destination))],
    };
    Object.assign(request, { status: 'received', receivedAt, submittedBy: s.submittedBy, shipped });
    this.record.totals.reportsReceived += 1;
    this.changed = true;
    const channel: Channel = s.channel ?? 'api';
    this.audit(
      'report-received',
      `period ${s.period}: end use ${s.endUseConfirmed ? 'confirmed' : 'NOT confirmed'}; ${s.shipments.length} shipment(s)` +
        (s.notes ? `; notes: ${s.notes}` : ''),
      { actor: s.submittedBy, channel },
    );

    const names = endUsersToScreen(s);
    const hits = names.length ? await screening.screenParties(names) : [];
    this.audit(
      'parties-screened',
      `${names.length} end user(s) of period ${s.period} screened against the restricted-party list: ` +
        (hits.length ? hits.map((h) => `"${h.name}" matches "${h.listedName}" (${h.list})`).join('; ') : 'no match'),
    );
    const anomalies = reportAnomalies(s, this.input.licence, hits);
    request.anomalies = anomalies;
    this.record.totals.anomalies += anomalies.length;
    for (const a of anomalies) this.audit('anomaly-found', `period ${s.period}, ${a.kind}: ${a.detail}`);

    // The licence may have ended while the names were screened: then there is nothing left to correct.
    const action = anomalies.length && this.inForce() ? await this.openCorrectiveAction(s.period, anomalies) : undefined;
    if (!action) await this.publish();
    this.changed = true;
    return {
      period: s.period,
      receivedAt,
      anomalies,
      correctiveAction: action && { actionId: action.actionId, dueAt: action.dueAt },
      licenceStatus: this.record.status,
    };
  }

  /** The resolveCorrectiveAction validator. */
  validateResolution(r: CorrectiveActionResolution): void {
    this.assertInForce();
    const action = this.record.correctiveActions.find((a) => a.actionId === r.actionId);
    if (!action) reject(`no corrective action ${r.actionId} on licence ${this.input.licence.licenceId}`, ComplianceRejection.UnknownCorrectiveAction);
    if (action.status === 'resolved')
      reject(`corrective action ${r.actionId} was already resolved at ${action.resolvedAt} by ${action.resolvedBy}`, ComplianceRejection.AlreadyResolved);
  }

  async resolve(r: CorrectiveActionResolution): Promise<ResolutionResult> {
    this.validateResolution(r);
    const action = this.record.correctiveActions.find((a) => a.actionId === r.actionId)!;
    const resolvedAt = new Date().toISOString();
    Object.assign(action, { status: 'resolved', resolvedAt, resolvedBy: r.resolvedBy, note: r.note });
    this.record.totals.actionsResolved += 1;
    this.changed = true;
    this.audit('corrective-action-resolved', `${action.actionId} (period ${action.period}): ${r.note}`, { actor: r.resolvedBy, channel: r.channel ?? 'api' });
    // A suspension lasts while any corrective action is overdue; the last one resolved reinstates the licence.
    const reinstated = this.record.status === 'suspended' && !this.record.correctiveActions.some((a) => a.status === 'overdue');
    if (reinstated) {
      Object.assign(this.record, { status: 'approved', suspendedAt: undefined, basis: undefined });
      this.audit('licence-reinstated', `${this.input.licence.licenceId} in force again: ${action.actionId} resolved`);
    }
    // The proposal is withdrawn at once; its closing notices go out after the project hears of the resolution.
    const withdrawn = this.sanctions?.withdraw(action, `corrective action ${action.actionId} was resolved: ${r.note}`);
    await this.publish();
    // Awaited only when there is one: a monitor without an issuer keeps the exact order of its history.
    if (withdrawn) await withdrawn;
    if (reinstated)
      await this.notify(`${action.actionId}.reinstated`, { kind: 'licence-reinstated', licence: this.mailLicence(), action }, 'reinstatement notice');
    return { actionId: action.actionId, resolvedAt, licenceStatus: this.record.status };
  }

  // ---- continue-as-new ------------------------------------------------------------------

  /**
   * Everything reported to the project before the run ends. An Update may land while a report is
   * in flight, so the check is made again after every await until nothing runs and nothing is unsent.
   */
  async flush(): Promise<void> {
    for (;;) {
      await condition(allHandlersFinished);
      if (this.unsent) {
        await this.publish();
        continue;
      }
      await this.lastReport;
      await this.owner.recorder.flushed();
      if (!this.unsent && allHandlersFinished() && this.owner.recorder.idle()) return;
    }
  }

  /** The next run's input: the next period, and the state trimmed to what is still open plus the most recent closed items. */
  nextRun(): ComplianceMonitorInput {
    const keep = <T>(items: T[], open: (t: T) => boolean) => {
      const closed = items.filter((t) => !open(t)).slice(-KEEP_CLOSED);
      return items.filter((t) => open(t) || closed.includes(t));
    };
    const record: ComplianceRecord = {
      ...this.record,
      reports: keep(this.record.reports, (r) => r.status === 'awaited'),
      correctiveActions: keep(this.record.correctiveActions, (a) => a.status === 'open' || a.status === 'overdue'),
    };
    return { ...this.input, period: this.record.period + 1, record, recorded: this.owner.position(), reported: this.reporter.lastSent() };
  }

  /** The project was withdrawn: say so in its trail before the monitor is cancelled. */
  async stop(reason: string): Promise<void> {
    this.audit('compliance-monitoring-stopped', reason);
    await this.flush();
  }

  // ---- deadlines ---------------------------------------------------------------------

  private nextDeadline(): Deadline {
    return nextDeadline(this.term, this.window, this.record, this.input.policy, this.sanctions);
  }

  private async onDeadline(d: Deadline): Promise<PeriodOutcome | undefined> {
    switch (d.kind) {
      case 'report-due':
        await this.reportMissed(d.report);
        return undefined;
      case 'action-due':
        // Suspension is the issuer's act, after the holder is heard: the monitor proposes it.
        if (isPatched('sanctions-by-issuer') && this.sanctions) await this.proposeSuspension(d.action);
        else await this.suspend(d.action);
        return undefined;
      case 'revocation':
        if (isPatched('sanctions-by-issuer') && this.sanctions) {
          this.sanctions.propose(
            d.action,
            'revocation',
            `corrective action ${d.action.actionId} unresolved through the suspension (since ${d.action.overdueAt})`,
          );
          await this.publish();
          return undefined;
        }
        await this.revoke(d.action);
        return 'revoked';
      case 'renewal-reminder':
        await this.remindToRenew();
        return undefined;
      case 'expiry':
        await this.expire();
        return 'expired';
      case 'period-end':
        return 'next-period';
    }
  }

  private async requestReport(): Promise<void> {
    const w = this.window;
    const request: ReportRequest = { period: w.period, startsAt: iso(w.startsAt), endsAt: iso(w.endsAt), dueAt: iso(w.reportDueAt), status: 'awaited' };
    this.record.reports.push(request);
    this.audit('report-requested', `period ${w.period} of ${this.record.periods} (${request.startsAt} to ${request.endsAt}); due ${request.dueAt}`);
    await this.notify(`report-${w.period}.request`, { kind: 'report-request', licence: this.mailLicence(), request }, 'report request');
  }

  private async reportMissed(report: ReportRequest): Promise<void> {
    const anomaly = missedReportAnomaly(report.period, report.dueAt);
    Object.assign(report, { status: 'missed', anomalies: [anomaly] });
    this.record.totals.reportsMissed += 1;
    this.record.totals.anomalies += 1;
    this.audit('report-missed', anomaly.detail);
    // Otherwise the policy only records it.
    if (this.input.policy.missedReport === 'corrective-action') await this.openCorrectiveAction(report.period, [anomaly]);
  }

  private async openCorrectiveAction(period: number, anomalies: Anomaly[]): Promise<CorrectiveAction> {
    const now = Date.now();
    const action: CorrectiveAction = {
      actionId: correctiveActionId(this.input.componentId, period),
      period,
      anomalies,
      openedAt: iso(now),
      dueAt: iso(now + this.input.policy.correctiveActionWithin),
      status: 'open',
    };
    this.record.correctiveActions.push(action);
    this.record.totals.actionsOpened += 1;
    this.changed = true;
    this.audit('corrective-action-opened', `${action.actionId} for period ${period}, due ${action.dueAt}: ${anomalies.map((a) => a.kind).join(', ')}`);
    // A change of standing is reported before its e-mail: an SMTP outage delays the mail, never the project view.
    await this.publish();
    await this.notify(`${action.actionId}.opened`, { kind: 'corrective-action', licence: this.mailLicence(), action }, 'corrective action notice');
    return action;
  }

  private async suspend(action: CorrectiveAction): Promise<void> {
    const now = Date.now();
    const alreadySuspended = this.record.status === 'suspended';
    Object.assign(action, { status: 'overdue', overdueAt: iso(now), revokeAt: iso(now + this.input.policy.suspensionBeforeRevocation) });
    Object.assign(this.record, {
      status: 'suspended',
      suspendedAt: this.record.suspendedAt ?? iso(now),
      basis: `corrective action ${action.actionId} unresolved since ${action.dueAt}`,
    });
    this.audit(
      alreadySuspended ? 'corrective-action-overdue' : 'licence-suspended',
      `${action.actionId} not resolved by ${action.dueAt}` +
        (alreadySuspended ? '; the licence stays suspended' : `: ${this.input.licence.licenceId} suspended`) +
        `; revoked at ${action.revokeAt} unless resolved`,
    );
    await this.publish();
    await this.notify(
      `${action.actionId}.suspended`,
      { kind: 'licence-suspended', licence: this.mailLicence(), action, alreadySuspended },
      'suspension notice',
    );
  }

  /** The action is overdue: its suspension is proposed, unless the licence is suspended already (then its revocation clock starts). */
  private async proposeSuspension(action: CorrectiveAction): Promise<void> {
    const now = Date.now();
    Object.assign(action, { status: 'overdue', overdueAt: iso(now) });
    if (this.record.status === 'suspended') {
      action.revokeAt = iso(now + this.input.policy.suspensionBeforeRevocation);
      this.audit(
        'corrective-action-overdue',
        `${action.actionId} not resolved by ${action.dueAt}; the licence stays suspended; revocation proposed at ${action.revokeAt} unless resolved`,
      );
    } else {
      this.sanctions!.propose(action, 'suspension', `corrective action ${action.actionId} unresolved since ${action.dueAt}`);
    }
    await this.publish();
  }

  /** The issuer approved a proposed sanction: the licence is suspended (its revocation clock starts) or revoked, and the run ends. */
  private async impose(action: CorrectiveAction, p: SanctionProposal): Promise<void> {
    const by = `${this.input.issuer!.name} (${p.decidedBy}) on ${p.decidedAt}; basis: ${p.basis}`;
    if (p.kind === 'revocation') {
      await this.revoke(action, `revoked by ${by}; corrective action ${action.actionId} unresolved through the suspension (since ${action.overdueAt})`);
      this.ended = 'revoked';
      this.changed = true;
      return;
    }
    const now = Date.now();
    const alreadySuspended = this.record.status === 'suspended';
    action.revokeAt = iso(now + this.input.policy.suspensionBeforeRevocation);
    Object.assign(this.record, {
      status: 'suspended',
      suspendedAt: this.record.suspendedAt ?? iso(now),
      basis: `suspended by ${by}; corrective action ${action.actionId} unresolved since ${action.dueAt}`,
    });
    this.audit(
      'licence-suspended',
      `${this.input.licence.licenceId} suspended by ${by}; revocation proposed at ${action.revokeAt} unless ${action.actionId} is resolved`,
    );
    await this.publish();
    await this.notify(
      `${action.actionId}.suspended`,
      { kind: 'licence-suspended', licence: this.mailLicence(), action, alreadySuspended },
      'suspension notice',
    );
  }

  private sanctionHost() {
    return {
      input: this.input,
      owner: this.owner,
      audit: (entry: AuditInput) => {
        this.owner.audit(entry);
        this.unsent = true;
        this.changed = true;
      },
      changed: () => {
        this.changed = true;
        this.owner.recorder.changed();
      },
      impose: (action: CorrectiveAction, p: SanctionProposal) => this.impose(action, p),
    };
  }

  private async revoke(action: CorrectiveAction, basis?: string): Promise<void> {
    const now = iso(Date.now());
    Object.assign(this.record, {
      status: 'revoked',
      revokedAt: now,
      basis: basis ?? `corrective action ${action.actionId} unresolved through the suspension (since ${action.overdueAt})`,
    });
    if (this.sanctions) await this.closeProposals(action, 'the licence was revoked');
    this.closeOutstanding('the licence was revoked');
    this.audit('licence-revoked', `${this.input.licence.licenceId} revoked: ${this.record.basis}`);
    await this.publish();
    await this.notify(`${action.actionId}.revoked`, { kind: 'licence-revoked', licence: this.mailLicence(), action }, 'revocation notice');
  }

  private async remindToRenew(): Promise<void> {
    this.record.renewalReminderSentAt = iso(Date.now());
    this.audit(
      'renewal-reminder',
      `${this.input.licence.licenceId} expires ${this.input.licence.validUntil} (in ${formatDuration(this.term.validUntil - Date.now())})`,
    );
    await this.notify('renewal-reminder', { kind: 'renewal-reminder', licence: this.mailLicence() }, 'renewal reminder');
  }

  private async expire(): Promise<void> {
    this.record.status = 'expired';
    this.record.expiredAt = iso(Date.now());
    if (this.sanctions) await this.closeProposals(undefined, 'the licence expired');
    const stillOpen = this.closeOutstanding('the licence expired');
    this.audit(
      'licence-expired',
      `${this.input.licence.licenceId} expired at ${this.input.licence.validUntil}` +
        (stillOpen.length ? `; closed without an outcome: ${stillOpen.join('; ')}` : ''),
    );
    await this.publish();
    await this.notify('expired', { kind: 'licence-expired', licence: this.mailLicence(), stillOpen }, 'expiry notice');
  }

  /**
   * The licence ended: proposals still pending (other than the one that ended it) close, with their steps. Called only
   * where there is an issuer, so a monitor started before release 0.4.0 issues its commands in the order it always did.
   */
  private async closeProposals(except: CorrectiveAction | undefined, reason: string): Promise<void> {
    for (const a of this.record.correctiveActions) if (a !== except) await this.sanctions?.withdraw(a, reason, 'closed');
  }

  /** Closes what was still awaited when the licence ended; returns what was closed, for the audit trail and the notice. */
  private closeOutstanding(reason: string): string[] {
    const closed: string[] = [];
    for (const r of this.record.reports.filter((x) => x.status === 'awaited')) {
      r.status = 'closed';
      closed.push(`report for period ${r.period} (due ${r.dueAt})`);
    }
    for (const a of this.record.correctiveActions.filter((x) => x.status === 'open' || x.status === 'overdue')) {
      Object.assign(a, { status: 'closed', closedReason: reason });
      closed.push(`corrective action ${a.actionId}`);
    }
    return closed;
  }

  // ---- what the monitor tells others -----------------------------------------------------

  private inForce(): boolean {
    return this.record.status === 'approved' || this.record.status === 'suspended';
  }

  private assertInForce(): void {
    if (!this.inForce()) {
      const when = this.record.status === 'revoked' ? this.record.revokedAt : this.record.expiredAt;
      reject(
        `licence ${this.input.licence.licenceId} ${this.record.status === 'revoked' ? 'was revoked' : 'expired'} at ${when}: ` +
          'it takes no more reports or resolutions',
        ComplianceRejection.LicenceNotActive,
      );
    }
  }

  private audit(action: string, detail: string, by: { actor: string; channel: Channel } = { actor: 'system', channel: 'system' }): void {
    this.owner.audit({ ...by, action, detail });
    this.unsent = true;
    this.changed = true; // wakes the main loop, which reports it
  }

  /** Mails the coordinator; the audit entry is reported with the next report (at the latest before the monitor waits or the run ends). */
  private async notify(key: string, intent: NoticeIntent, what: string): Promise<void> {
    const receipt = await mail.sendNotice({ to: this.input.project.coordinator.email, key: `${workflowInfo().workflowId}.${key}`, intent });
    this.audit('email-sent', `${what} to ${receipt.to}: "${receipt.subject}"`, { actor: 'system', channel: 'email' });
  }

  /** The licence as its notices name it. */
  private mailLicence(): MailLicence {
    return mailLicence(this.input);
  }

  /** The monitor's last report, once its licence has ended and everything else is recorded: the project may close. */
  async reportFinal(): Promise<void> {
    await this.owner.recorder.flushed();
    this.lastReport = this.reporter.send({ final: true });
    return this.lastReport;
  }

  /** Reports the licence to the project when it changed, and refreshes the search attributes (the entries are written meanwhile). */
  private publish(): Promise<void> {
    this.unsent = false;
    this.publishVisibility();
    this.lastReport = this.reporter.send();
    return this.lastReport;
  }

  private licenceView(): MonitoredLicenceView {
    return monitoredLicenceView(this.input, this.record);
  }

  /** Stage, awaited party and next due time, upserted only when they change (search attributes carry over to the next run). */
  private publishVisibility(): void {
    publishMonitorVisibility(this.record, this.inForce(), this.sanctions?.open() ?? []);
  }
}
