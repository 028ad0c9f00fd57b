/** The calendar's events (api/calendar-events.ts) and their iCalendar file (api/calendar-ics.ts), from records-shaped input. */
import { calendarEvents, cycleEvent, licenceEvents, stepEvent, type LicenceEntry, type StepEntry } from '../../api/calendar-events';
import { foldByOctets, writeCalendar } from '../../api/calendar-ics';
import type { MonitoredLicenceView } from '../../workflows/compliance-contract';
import type { ReviewStep } from '../../workflows/definitions';
import { icalTime, parseICal } from '../helpers/ical';

const DAY = 86_400_000;
const domain = 'reviews.test';
const compliance = { renewalReminderBefore: 90 * DAY, reportDueWithin: 30 * DAY };

const step: ReviewStep = {
  workflowId: 'licence-p1--c2',
  stepId: 'c2-de-bafa',
  kind: 'issuer-review',
  party: 'de-bafa',
  partyName: 'Bundesamt für Wirtschaft und Ausfuhrkontrolle',
  reviewer: 'ausfuhr@bafa.example',
  componentId: 'c2',
  slaMs: 10 * DAY,
  question: 'Issue a licence for the FPGA board?',
  openedAt: '2027-01-04T09:00:00.000Z',
  dueAt: '2027-01-14T09:00:00.000Z',
  status: 'open',
  remindersSent: 0,
  stoppedMs: 0,
};
const entry: StepEntry = {
  projectId: 'p1',
  projectTitle: 'Plasma diagnostics',
  componentName: 'FPGA board',
  version: 7,
  step,
  modifiedAt: '2027-01-05T10:00:00.000Z',
};

describe('an open step', () => {
  test('is dated by its due time, names who is awaited, and keeps a UID made of its workflow and step ids', () => {
    const e = stepEvent(entry, domain);
    expect(e).toMatchObject({ uid: 'step/licence-p1--c2/c2-de-bafa@reviews.test', sequence: 7, start: Date.parse(step.dueAt) });
    expect(e.title).toBe(
      'Due: Issuer review — Plasma diagnostics · FPGA board (c2) · awaiting Bundesamt für Wirtschaft und Ausfuhrkontrolle (ausfuhr@bafa.example)',
    );
    expect(e.lastModified).toBe(Date.parse('2027-01-05T10:00:00.000Z'));
  });

  test('moved (a later due time, a later write): the same UID, a higher SEQUENCE', () => {
    const before = stepEvent(entry, domain);
    const after = stepEvent({ ...entry, version: 9, step: { ...step, dueAt: '2027-01-20T09:00:00.000Z' } }, domain);
    expect(after.uid).toBe(before.uid);
    expect(after.sequence).toBeGreaterThan(before.sequence);
    expect(after.start).toBe(Date.parse('2027-01-20T09:00:00.000Z'));
  });

  test("with its clock stopped, it waits for the coordinator's information, dated by when the case is returned", () => {
    const infoRequest = { question: 'Which part number?', askedAt: '2027-01-06T09:00:00.000Z', remainingMs: 8 * DAY, returnAt: '2027-02-05T09:00:00.000Z' };
    const e = stepEvent({ ...entry, step: { ...step, infoRequest } }, domain);
    expect(e.uid).toBe('step/licence-p1--c2/c2-de-bafa@reviews.test');
    expect(e.start).toBe(Date.parse(infoRequest.returnAt));
    expect(e.title).toMatch(/^Information due: .* awaiting the coordinator's information$/);
    expect(e.description).toContain('The reviewer asked: Which part number?');
  });
});

const validFrom = '2027-01-01T00:00:00.000Z';
const validUntil = '2028-01-01T00:00:00.000Z';
const granted: LicenceEntry = {
  projectId: 'p1',
  projectTitle: 'Plasma diagnostics',
  componentId: 'c2',
  componentName: 'FPGA board',
  licence: {
    status: 'approved',
    licenceId: 'DE-2027-0001',
    validFrom,
    validUntil,
    conditions: [],
    reportingPeriodMs: 120 * DAY,
    issuer: { agencyId: 'de-bafa', name: 'BAFA', regime: 'EU' },
  },
};

describe('a granted licence', () => {
  test('its expiry, the renewal reminder the policy puts before it, and every report due date, with UIDs of its ids', () => {
    const events = licenceEvents(granted, { domain, compliance });
    const byUid = Object.fromEntries(events.map((e) => [e.uid, e.start]));
    const from = Date.parse(validFrom);
    expect(byUid).toEqual({
      'licence-expiry/p1/c2/DE-2027-0001@reviews.test': Date.parse(validUntil),
      'licence-renewal/p1/c2/DE-2027-0001@reviews.test': Date.parse(validUntil) - 90 * DAY,
      // 365 days in periods of 120: three full periods and a short fourth; each report due 30 days after its period.
      'report/p1/c2/DE-2027-0001/1@reviews.test': from + 150 * DAY,
      'report/p1/c2/DE-2027-0001/2@reviews.test': from + 270 * DAY,
      'report/p1/c2/DE-2027-0001/3@reviews.test': from + 390 * DAY,
      'report/p1/c2/DE-2027-0001/4@reviews.test': Date.parse(validUntil) + 30 * DAY,
    });
    expect(events.every((e) => e.sequence === 0 && e.lastModified === from)).toBe(true);
  });

  test("once monitored: the monitor's own due date for a report it asked for; received or earlier periods are gone", () => {
    const compliance_ = {
      status: 'approved',
      period: 2,
      periods: 4,
      reports: [
        { period: 1, startsAt: validFrom, endsAt: validFrom, dueAt: validFrom, status: 'received' },
        { period: 2, startsAt: validFrom, endsAt: validFrom, dueAt: '2027-09-30T12:00:00.000Z', status: 'awaited' },
      ],
      correctiveActions: [],
      totals: { reportsReceived: 1, reportsMissed: 0, anomalies: 0, actionsOpened: 0, actionsResolved: 0 },
      monitorWorkflowId: 'monitor-p1--c2',
    } as MonitoredLicenceView['compliance'];
    const events = licenceEvents({ ...granted, licence: { ...granted.licence, compliance: compliance_ } as MonitoredLicenceView }, { domain, compliance });
    const reports = events.filter((e) => e.uid.startsWith('report/')).map((e) => [e.uid.split('/')[4], e.start]);
    expect(reports).toEqual([
      ['2@reviews.test', Date.parse('2027-09-30T12:00:00.000Z')],
      ['3@reviews.test', Date.parse(validFrom) + 390 * DAY],
      ['4@reviews.test', Date.parse(validUntil) + 30 * DAY],
    ]);
  });

  test('a revoked or expired licence has no dates ahead; an agency feed shows only the expiry; a short licence is reminded at issue', () => {
    expect(licenceEvents({ ...granted, licence: { ...granted.licence, status: 'revoked' } }, { domain, compliance })).toEqual([]);
    expect(licenceEvents({ ...granted, licence: { ...granted.licence, status: 'expired' } }, { domain, compliance })).toEqual([]);
    const agency = licenceEvents(granted, { domain, compliance, licenceDates: { renewals: false, reports: false } });
    expect(agency.map((e) => e.uid)).toEqual(['licence-expiry/p1/c2/DE-2027-0001@reviews.test']);
    const short = licenceEvents(granted, { domain, compliance: { ...compliance, renewalReminderBefore: 400 * DAY } });
    expect(short.find((e) => e.uid.startsWith('licence-renewal/'))!.start).toBe(Date.parse(validFrom));
  });
});

test("a cycle's close: its UID, its record's version as SEQUENCE, and the feed soonest first", () => {
  const cycle = { cycleId: 'q3', name: 'Q3 review', funderName: 'Horizon Europe', closesAt: '2027-01-10T00:00:00.000Z', version: 3, updatedAt: validFrom };
  expect(cycleEvent(cycle, domain)).toMatchObject({ uid: 'cycle-close/q3@reviews.test', sequence: 3, start: Date.parse(cycle.closesAt) });
  const all = calendarEvents({ steps: [entry], licences: [granted], cycles: [cycle] }, { domain, compliance });
  expect(all.map((e) => e.start)).toEqual([...all.map((e) => e.start)].sort((a, b) => a - b));
  expect(all[0].uid).toBe('cycle-close/q3@reviews.test');
});

describe('the iCalendar file', () => {
  test('parses: CRLF, lines of at most 75 octets even in long non-ASCII text, BEGIN/END balanced, every event as built', () => {
    const events = calendarEvents({ steps: [entry], licences: [granted], cycles: [] }, { domain, compliance });
    const generatedAt = Date.parse('2027-01-07T08:00:00.000Z');
    const text = writeCalendar(events, { name: 'Plasma diagnostics — licence reviews', generatedAt });
    const { calendar, events: parsed } = parseICal(text);
    expect(calendar).toMatchObject({ VERSION: '2.0', METHOD: 'PUBLISH', 'X-WR-CALNAME': 'Plasma diagnostics — licence reviews' });
    expect(parsed.map((e) => e.props.UID)).toEqual(events.map((e) => e.uid));
    const first = parsed.find((e) => e.props.UID === 'step/licence-p1--c2/c2-de-bafa@reviews.test')!.props;
    expect(first).toMatchObject({ DTSTART: '20270114T090000Z', SEQUENCE: '7', DTSTAMP: '20270107T080000Z', 'LAST-MODIFIED': '20270105T100000Z' });
    expect(first.SUMMARY).toBe(stepEvent(entry, domain).title);
    expect(icalTime(first.DTSTART)).toBe(Date.parse(step.dueAt));
    expect(text.split('\r\n').some((l) => Buffer.byteLength(l) > l.length)).toBe(true); // the file does hold multi-byte text
  });

  test('folding by octets never splits a character, and unfolds to the line it folded', () => {
    const line = `SUMMARY:${'Ausfuhrkontrolle für 🚀 Strahlungsharte Elektronik, ü ö ä '.repeat(6)}`;
    const folded = foldByOctets(`${line}\r\n`);
    for (const l of folded.split('\r\n')) expect(Buffer.byteLength(l)).toBeLessThanOrEqual(75);
    expect(folded.replace(/\r\n /g, '')).toBe(`${line}\r\n`);
    expect(folded).not.toContain('\uFFFD');
  });
});
