/**
 * The rules a compliance report is checked against: shipments only to the
 * licensed destinations, only to the licensed recipients, none to a party on
 * the restricted-party list, the end use confirmed; and a report that never
 * came is an anomaly too. Pure and free of zod: the compliance monitor runs
 * them inside the workflow (the restricted-party screening itself is an activity).
 */
import { partyNameKey } from './party-names';

export interface Shipment {
  /** ISO 3166 alpha-2 country code. */
  destination: string;
  /** Who received the item: an institution or company name. */
  endUser: string;
  quantity?: number;
  /** ISO date, `2027-03-01`. */
  date: string;
}

export interface ComplianceReport {
  endUseConfirmed: boolean;
  shipments: Shipment[];
  notes?: string;
}

/** What the licence covers: the component's destinations and the partners named as its recipients. */
export interface LicensedScope {
  destinations: string[];
  recipients: { name: string; country: string }[];
}

/** A submitted end-user name that matches the restricted-party list. */
export interface ScreeningHit {
  name: string;
  listedName: string;
  list: string;
  country: string;
}

export type AnomalyKind = 'unlicensed-destination' | 'unlicensed-end-user' | 'restricted-end-user' | 'end-use-not-confirmed' | 'missed-report';

export interface Anomaly {
  kind: AnomalyKind;
  /** What the anomaly is about: a country, an end user, a period. */
  subject: string;
  /** The report's shipments (0-based) that show it; empty when it is about the report as a whole. */
  shipments: number[];
  detail: string;
}

/** The distinct end users of a report, as submitted: what the restricted-party screening is asked about. */
export function endUsersToScreen(report: ComplianceReport): string[] {
  const byKey = new Map<string, string>();
  for (const s of report.shipments) if (!byKey.has(partyNameKey(s.endUser))) byKey.set(partyNameKey(s.endUser), s.endUser);
  return [...byKey.values()];
}

/** Shipment indexes grouped by a key, in first-seen order: one anomaly per distinct country or party, not per shipment. */
function groupShipments(shipments: Shipment[], keyOf: (s: Shipment) => string, include: (s: Shipment) => boolean): Map<string, number[]> {
  const groups = new Map<string, number[]>();
  shipments.forEach((s, i) => {
    if (!include(s)) return;
    const key = keyOf(s);
    groups.set(key, [...(groups.get(key) ?? []), i]);
  });
  return groups;
}

const count = (n: number) => `${n} shipment${n === 1 ? '' : 's'}`;

/** Every anomaly in one report, given the licence's scope and the screening hits for the report's end users. */
export function reportAnomalies(report: ComplianceReport, scope: LicensedScope, hits: ScreeningHit[]): Anomaly[] {
  const anomalies: Anomaly[] = [];
  if (!report.endUseConfirmed) {
    anomalies.push({
      kind: 'end-use-not-confirmed',
      subject: 'end use',
      shipments: [],
      detail: 'the report does not confirm that the items were used only for the licensed end use',
    });
  }

  const licensed = new Set(scope.destinations);
  for (const [country, idx] of groupShipments(
    report.shipments,
    (s) => s.destination,
    (s) => !licensed.has(s.destination),
  )) {
    anomalies.push({
      kind: 'unlicensed-destination',
      subject: country,
      shipments: idx,
      detail: `${count(idx.length)} to ${country}, which the licence does not cover (licensed: ${scope.destinations.join(', ')})`,
    });
  }

  const hitByKey = new Map(hits.map((h) => [partyNameKey(h.name), h]));
  const restricted = groupShipments(
    report.shipments,
    (s) => partyNameKey(s.endUser),
    (s) => hitByKey.has(partyNameKey(s.endUser)),
  );
  for (const [key, idx] of restricted) {
    const hit = hitByKey.get(key)!;
    anomalies.push({
      kind: 'restricted-end-user',
      subject: report.shipments[idx[0]].endUser,
      shipments: idx,
      detail: `${count(idx.length)} to "${report.shipments[idx[0]].endUser}", which matches "${hit.listedName}" on ${hit.list}`,
    });
  }

  // The licence binds named parties: an end user who is not a licensed recipient is reported even when unlisted.
  const recipients = new Set(scope.recipients.map((r) => partyNameKey(r.name)));
  for (const [, idx] of groupShipments(
    report.shipments,
    (s) => partyNameKey(s.endUser),
    (s) => !recipients.has(partyNameKey(s.endUser)),
  )) {
    const name = report.shipments[idx[0]].endUser;
    anomalies.push({
      kind: 'unlicensed-end-user',
      subject: name,
      shipments: idx,
      detail: `${count(idx.length)} to "${name}", who is not a recipient named in the licence (${scope.recipients.map((r) => r.name).join(', ')})`,
    });
  }
  return anomalies;
}

/** The anomaly a report that never arrived is. */
export function missedReportAnomaly(period: number, dueAt: string): Anomaly {
  return { kind: 'missed-report', subject: `period ${period}`, shipments: [], detail: `no compliance report for period ${period} by its due time ${dueAt}` };
}
