/**
 * The rules a compliance report is checked against (domain/compliance-rules.ts),
 * the licence's reporting calendar (domain/compliance-calendar.ts), and the
 * screening activity that feeds the rules the restricted-party hits.
 */
import path from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createActivities } from '../../activities';
import { LinkSigner } from '../../activities/link-tokens';
import { loadReferenceData } from '../../activities/reference-data';
import { periodCount, renewalReminderAt, reportingWindow, type LicenceTerm } from '../../domain/compliance-calendar';
import {
  endUsersToScreen,
  missedReportAnomaly,
  reportAnomalies,
  type ComplianceReport,
  type LicensedScope,
  type ScreeningHit,
} from '../../domain/compliance-rules';
import { correctiveActionId, parseCorrectiveActionId } from '../../workflows/compliance-contract';

const scope: LicensedScope = {
  destinations: ['US', 'DE'],
  recipients: [
    { name: 'Oak Ridge National Laboratory', country: 'US' },
    { name: 'Karlsruhe Institute of Technology', country: 'DE' },
  ],
};
const shipment = (destination: string, endUser: string) => ({ destination, endUser, date: '2027-03-01' });
const clean: ComplianceReport = {
  endUseConfirmed: true,
  shipments: [shipment('US', 'Oak Ridge National Laboratory'), shipment('DE', 'Karlsruhe Institute of Technology')],
};

describe('reportAnomalies', () => {
  test('a report within the licence shows no anomaly; recipient names match regardless of case and punctuation', () => {
    expect(reportAnomalies(clean, scope, [])).toEqual([]);
    expect(reportAnomalies({ endUseConfirmed: true, shipments: [shipment('US', 'oak ridge national laboratory.')] }, scope, [])).toEqual([]);
    expect(reportAnomalies({ endUseConfirmed: true, shipments: [] }, scope, [])).toEqual([]);
  });

  test('an unconfirmed end use is an anomaly of the whole report', () => {
    expect(reportAnomalies({ ...clean, endUseConfirmed: false }, scope, [])).toEqual([
      { kind: 'end-use-not-confirmed', subject: 'end use', shipments: [], detail: expect.stringContaining('does not confirm') },
    ]);
  });

  test('shipments to destinations the licence does not cover: one anomaly per country, naming its shipments', () => {
    const report: ComplianceReport = {
      endUseConfirmed: true,
      shipments: [
        shipment('CN', 'Oak Ridge National Laboratory'),
        shipment('US', 'Oak Ridge National Laboratory'),
        shipment('CN', 'Oak Ridge National Laboratory'),
        shipment('IR', 'Oak Ridge National Laboratory'),
      ],
    };
    const anomalies = reportAnomalies(report, scope, []);
    expect(anomalies.map((a) => [a.kind, a.subject, a.shipments])).toEqual([
      ['unlicensed-destination', 'CN', [0, 2]],
      ['unlicensed-destination', 'IR', [3]],
    ]);
    expect(anomalies[0].detail).toBe('2 shipments to CN, which the licence does not cover (licensed: US, DE)');
  });

  test('an end user on the restricted-party list is flagged with the listed name and list, and as not a licensed recipient', () => {
    const hits: ScreeningHit[] = [{ name: 'NPI Trading', listedName: 'Northwind Precision Instruments', list: 'Entity List (sample)', country: 'AE' }];
    const report: ComplianceReport = { endUseConfirmed: true, shipments: [shipment('US', 'NPI Trading'), shipment('US', 'npi trading ltd')] };
    const anomalies = reportAnomalies(report, scope, hits);
    expect(anomalies.map((a) => [a.kind, a.subject, a.shipments])).toEqual([
      ['restricted-end-user', 'NPI Trading', [0, 1]],
      ['unlicensed-end-user', 'NPI Trading', [0, 1]],
    ]);
    expect(anomalies[0].detail).toContain('matches "Northwind Precision Instruments" on Entity List (sample)');
  });

  test('an unlisted end user who is not named in the licence is still an anomaly: the licence binds named parties', () => {
    const anomalies = reportAnomalies({ endUseConfirmed: true, shipments: [shipment('DE', 'Max Planck Institute for Plasma Physics')] }, scope, []);
    expect(anomalies).toEqual([expect.objectContaining({ kind: 'unlicensed-end-user', subject: 'Max Planck Institute for Plasma Physics', shipments: [0] })]);
  });

  test('every rule applies to the same report', () => {
    const report: ComplianceReport = { endUseConfirmed: false, shipments: [shipment('RU', 'Volkov Applied Physics Institute')] };
    const hits: ScreeningHit[] = [
      { name: 'Volkov Applied Physics Institute', listedName: 'Volkov Applied Physics Institute', list: 'EU sanctions list (sample)', country: 'RU' },
    ];
    expect(reportAnomalies(report, scope, hits).map((a) => a.kind)).toEqual([
      'end-use-not-confirmed',
      'unlicensed-destination',
      'restricted-end-user',
      'unlicensed-end-user',
    ]);
  });
});

test('the end users to screen are the distinct names of the report, as first written', () => {
  const report: ComplianceReport = { endUseConfirmed: true, shipments: [shipment('US', 'Acme GmbH'), shipment('US', 'ACME'), shipment('DE', 'Beta Labs')] };
  expect(endUsersToScreen(report)).toEqual(['Acme GmbH', 'Beta Labs']);
});

test('a missed report is an anomaly naming its period and due time', () => {
  expect(missedReportAnomaly(3, '2028-01-31T00:00:00.000Z')).toEqual({
    kind: 'missed-report',
    subject: 'period 3',
    shipments: [],
    detail: 'no compliance report for period 3 by its due time 2028-01-31T00:00:00.000Z',
  });
});

test('a corrective action id names its component and period, and reads back even when the component id looks like one', () => {
  expect(correctiveActionId('c1', 3)).toBe('c1-ca-3');
  expect(parseCorrectiveActionId('c1-ca-3')).toEqual({ componentId: 'c1', period: 3 });
  expect(parseCorrectiveActionId(correctiveActionId('x-ca-1', 12))).toEqual({ componentId: 'x-ca-1', period: 12 });
  expect(parseCorrectiveActionId('c1-ca-0')).toBeUndefined();
  expect(parseCorrectiveActionId('ca-3')).toBeUndefined();
});

describe('reporting calendar', () => {
  const DAY = 86_400_000;
  const from = Date.parse('2027-01-01T00:00:00Z');
  const twoYears: LicenceTerm = { validFrom: from, validUntil: from + 730 * DAY, reportingPeriodMs: 365 * DAY };

  test('a licence has as many periods as its validity holds, the last one possibly short', () => {
    expect(periodCount(twoYears)).toBe(2);
    expect(periodCount({ ...twoYears, validUntil: from + 800 * DAY })).toBe(3);
    expect(periodCount({ ...twoYears, validUntil: from + 10 * DAY })).toBe(1);
  });

  test("each period's report is due its grace after the period ends; the last period ends at expiry", () => {
    const term = { ...twoYears, validUntil: from + 800 * DAY };
    expect(reportingWindow(term, 1, 30 * DAY)).toEqual({ period: 1, startsAt: from, endsAt: from + 365 * DAY, reportDueAt: from + 395 * DAY });
    expect(reportingWindow(term, 3, 30 * DAY)).toEqual({ period: 3, startsAt: from + 730 * DAY, endsAt: from + 800 * DAY, reportDueAt: from + 830 * DAY });
    expect(() => reportingWindow(term, 4, 30 * DAY)).toThrow(RangeError);
    expect(() => reportingWindow(term, 0, 30 * DAY)).toThrow(RangeError);
  });

  test('the renewal reminder goes its lead time before expiry, or at once for a licence shorter than that', () => {
    expect(renewalReminderAt(twoYears, 90 * DAY)).toBe(from + 640 * DAY);
    expect(renewalReminderAt({ ...twoYears, validUntil: from + 30 * DAY }, 90 * DAY)).toBe(from);
  });
});

test('the screening activity matches names against the shipped restricted-party list by name and alias', async () => {
  const ROOT = path.resolve(__dirname, '../..');
  const activities = createActivities({
    transport: { sendMail: async () => ({}) as never },
    mailFrom: 'test@example',
    publicUrl: 'http://test',
    signer: new LinkSigner('unit-test-link-secret-0123456789'),
    referenceData: loadReferenceData(path.join(ROOT, 'reference-data/control-list.json'), path.join(ROOT, 'reference-data/restricted-parties.json')),
  });
  const hits = await new MockActivityEnvironment().run(activities.screenParties, [
    'Oak Ridge National Laboratory',
    'NPI Trading LLC',
    'eastgate advanced materials',
  ]);
  expect(hits).toEqual([
    { name: 'NPI Trading LLC', listedName: 'Northwind Precision Instruments', list: 'Entity List (sample)', country: 'AE' },
    { name: 'eastgate advanced materials', listedName: 'Eastgate Advanced Materials', list: 'Entity List (sample)', country: 'CN' },
  ]);
});
