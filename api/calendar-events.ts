/**
 * The calendar's events (DESIGN §8 "calendar"), built from what the records hold: pure, so a unit test pins every
 * rule. Each event has a UID derived from the ids of what it dates, so it is the same event in every feed and from
 * one read to the next: a subscribed calendar updates it in place when its time moves.
 *
 * - An open step: when it is due, and who is awaited. While its clock is stopped for the coordinator's information
 *   it is dated by when the case is returned unanswered, awaiting the coordinator. SEQUENCE is the step row's
 *   version (its owner's write that last changed it: it only grows); LAST-MODIFIED its latest audit entry.
 * - A step decided or closed leaves the feed. A subscription re-reads the whole feed and drops what is gone (RFC 5545
 *   a published feed, METHOD:PUBLISH, as Google, Apple and Outlook subscribe to it); STATUS:CANCELLED is iTIP's (METHOD:CANCEL)
 *   and many subscribed clients still show such an event as a deadline, which a decided step no longer is.
 * - A granted licence: its expiry, the renewal reminder the policy puts before it (`compliance.renewalReminderBefore`),
 *   and the due date of each reporting period's report not yet received, missed or closed (the monitor's own date
 *   when it has asked for the report, else the policy's `compliance.reportDueWithin` after the period ends, as the
 *   monitor will compute it). A licence's dates are fixed when it is issued (a new licence is a new licence id, so
 *   new UIDs): SEQUENCE 0.
 * - A funder review cycle still open: its close. SEQUENCE is the cycle record's version.
 */
import { periodCount, reportingWindow, type CompliancePolicy } from '../domain/compliance-calendar';
import { STEP_KINDS } from '../domain/step-kinds';
import type { MonitoredLicenceView, ReportRequest } from '../workflows/compliance-contract';
import type { Licence, ReviewStep } from '../workflows/definitions';

/** One event, ready for the iCalendar writer (api/calendar-ics.ts). Times are epoch milliseconds. */
export interface CalendarEvent {
  uid: string;
  sequence: number;
  start: number;
  title: string;
  description: string;
  categories: string[];
  /** When what the event dates last changed, when the records tell. */
  lastModified?: number;
}

export interface StepEntry {
  projectId: string;
  projectTitle: string;
  componentName?: string;
  /** The step row's version. */
  version: number;
  step: ReviewStep;
  /** The step's latest audit entry (ISO). */
  modifiedAt?: string;
}

export interface LicenceEntry {
  projectId: string;
  projectTitle: string;
  componentId: string;
  componentName?: string;
  /** As its holder wrote it: the monitor's carries its compliance record. */
  licence: Licence | MonitoredLicenceView;
}

export interface CycleEntry {
  cycleId: string;
  name: string;
  funderName: string;
  closesAt: string;
  version: number;
  updatedAt: string;
  /** How many of the projects it reviews the feed's reader may see (a project feed: 1). */
  projects?: number;
}

export interface CalendarInput {
  steps: StepEntry[];
  licences: LicenceEntry[];
  cycles: CycleEntry[];
}

export interface CalendarOptions {
  /** The right-hand side of every UID: the API's host. */
  domain: string;
  compliance: Pick<CompliancePolicy, 'renewalReminderBefore' | 'reportDueWithin'>;
  /** Which licence dates the feed shows: an agency's feed shows only the expiries of the licences it issued. */
  licenceDates?: { renewals: boolean; reports: boolean };
}

/** Licence states whose term runs (its expiry and renewal are ahead, its reports are due). */
const LIVE = new Set(['approved', 'suspended']);
/** Report requests that need nothing more. */
const SETTLED: ReadonlySet<ReportRequest['status']> = new Set(['received', 'missed', 'closed']);

const ms = (iso: string | undefined) => (iso === undefined ? undefined : Date.parse(iso));
const lines = (...parts: (string | false | undefined)[]) => parts.filter(Boolean).join('\n');
const componentLabel = (id: string | undefined, name: string | undefined) => (id ? (name ? `${name} (${id})` : id) : undefined);

export function stepEvent(e: StepEntry, domain: string): CalendarEvent {
  const { step } = e;
  const kind = STEP_KINDS[step.kind]?.label ?? step.kind;
  const component = componentLabel(step.componentId, e.componentName);
  const waitingOnCoordinator = !!step.infoRequest;
  const returnAt = ms(step.infoRequest?.returnAt);
  const start = waitingOnCoordinator && returnAt !== undefined ? returnAt : Date.parse(step.dueAt);
  const awaited = waitingOnCoordinator ? "the coordinator's information" : `${step.partyName} (${step.reviewer})`;
  return {
    uid: `step/${step.workflowId}/${step.stepId}@${domain}`,
    sequence: e.version,
    start,
    title: `${waitingOnCoordinator ? 'Information due' : 'Due'}: ${kind} — ${e.projectTitle}${component ? ` · ${component}` : ''} · awaiting ${awaited}`,
    description: lines(
      `Project: ${e.projectTitle} (${e.projectId})`,
      component && `Component: ${component}`,
      `Step: ${kind} (${step.stepId})`,
      `Awaiting: ${awaited}`,
      waitingOnCoordinator &&
        `The reviewer asked: ${step.infoRequest!.question}\nThe step's clock is stopped until the coordinator answers${
          returnAt !== undefined ? '; unanswered by then, the case is returned' : ''
        }.`,
      `Question: ${step.question}`,
      `Opened: ${step.openedAt}`,
      `Due: ${step.dueAt}`,
    ),
    categories: ['review step', step.kind],
    ...(e.modifiedAt && { lastModified: Date.parse(e.modifiedAt) }),
  };
}

/** The reporting periods whose report is still awaited, each with its due date. */
function awaitedReports(licence: Licence | MonitoredLicenceView, reportDueWithin: number): { period: number; dueAt: number }[] {
  const from = ms(licence.validFrom);
  const until = ms(licence.validUntil);
  if (from === undefined || until === undefined || !licence.reportingPeriodMs) return [];
  const term = { validFrom: from, validUntil: until, reportingPeriodMs: licence.reportingPeriodMs };
  const record = 'compliance' in licence ? licence.compliance : undefined;
  // The monitor keeps only its recent reports: periods before its current one that it no longer holds are behind it.
  const current = record?.period ?? 1;
  const known = new Map((record?.reports ?? []).map((r) => [r.period, r]));
  const due: { period: number; dueAt: number }[] = [];
  for (let period = 1; period <= periodCount(term); period++) {
    const request = known.get(period);
    if (request ? SETTLED.has(request.status) : period < current) continue;
    due.push({ period, dueAt: request ? Date.parse(request.dueAt) : reportingWindow(term, period, reportDueWithin).reportDueAt });
  }
  return due;
}

export function licenceEvents(e: LicenceEntry, options: CalendarOptions): CalendarEvent[] {
  const { licence } = e;
  const until = ms(licence.validUntil);
  if (!LIVE.has(licence.status) || !licence.licenceId || until === undefined) return [];
  const dates = options.licenceDates ?? { renewals: true, reports: true };
  const id = `${e.projectId}/${e.componentId}/${licence.licenceId}`;
  const component = componentLabel(e.componentId, e.componentName);
  const about = lines(
    `Project: ${e.projectTitle} (${e.projectId})`,
    `Component: ${component}`,
    `Licence: ${licence.licenceId}${licence.issuer ? `, issued by ${licence.issuer.name}` : ''}`,
    `Valid: ${licence.validFrom ?? '?'} to ${licence.validUntil}`,
  );
  const issued = ms(licence.validFrom);
  const common = { sequence: 0, ...(issued !== undefined && { lastModified: issued }) };
  const events: CalendarEvent[] = [
    {
      ...common,
      uid: `licence-expiry/${id}@${options.domain}`,
      start: until,
      title: `Licence expires: ${licence.licenceId} — ${e.projectTitle} · ${component}`,
      description: about,
      categories: ['licence expiry'],
    },
  ];
  if (dates.renewals) {
    const from = issued ?? until;
    events.push({
      ...common,
      uid: `licence-renewal/${id}@${options.domain}`,
      start: Math.max(from, until - options.compliance.renewalReminderBefore),
      title: `Renew licence ${licence.licenceId} (expires ${licence.validUntil}) — ${e.projectTitle} · ${component}`,
      description: lines(about, `The coordinator is reminded to renew: the licence expires on ${licence.validUntil}.`),
      categories: ['licence renewal'],
    });
  }
  if (dates.reports) {
    for (const { period, dueAt } of awaitedReports(licence, options.compliance.reportDueWithin)) {
      events.push({
        ...common,
        uid: `report/${id}/${period}@${options.domain}`,
        start: dueAt,
        title: `Compliance report due: period ${period} — ${e.projectTitle} · ${component}`,
        description: lines(about, `Report for period ${period}, due from the coordinator (POST /v1/projects/${e.projectId}/reports).`),
        categories: ['compliance report'],
      });
    }
  }
  return events;
}

export function cycleEvent(e: CycleEntry, domain: string): CalendarEvent {
  return {
    uid: `cycle-close/${e.cycleId}@${domain}`,
    sequence: e.version,
    start: Date.parse(e.closesAt),
    title: `Review cycle closes: ${e.name} — ${e.funderName}`,
    description: lines(
      `Cycle: ${e.name} (${e.cycleId}) of ${e.funderName}`,
      e.projects !== undefined && `Projects reviewed: ${e.projects}`,
      `Closes: ${e.closesAt}`,
    ),
    categories: ['review cycle'],
    lastModified: Date.parse(e.updatedAt),
  };
}

/** Every event of a feed, soonest first (then by UID, so the same records always give the same feed). */
export function calendarEvents(input: CalendarInput, options: CalendarOptions): CalendarEvent[] {
  const events = [
    ...input.steps.map((s) => stepEvent(s, options.domain)),
    ...input.licences.flatMap((l) => licenceEvents(l, options)),
    ...input.cycles.map((c) => cycleEvent(c, options.domain)),
  ];
  return events.sort((a, b) => a.start - b.start || a.uid.localeCompare(b.uid));
}
