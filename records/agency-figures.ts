/**
 * An agency's figures (`GET /v1/steps/figures`, the agency's figures page): per step kind and in total, the steps open
 * now and how many of them are overdue, and for the decided ones, over all time and over the last days of a window,
 * how many were decided in time (on or before their due time), how many late, and the median days to decide (calendar
 * days from the step's opening to its decision). The GAO found nobody monitored these; they come from the records,
 * like every other read. A step waiting for the coordinator's information is not counted open: the agency owes it
 * nothing until the answer comes (the queue leaves it out too). Closed steps (withdrawn, superseded) count nowhere.
 */
import { sql } from 'kysely';
import { snapshot, type Records } from './database';

/** One step as the figures read it. */
export interface FigureRow {
  kind: string;
  status: string;
  openedAt: string;
  dueAt: string;
  decidedAt?: string;
  /** Waiting for the coordinator's information: the step's clock is stopped. */
  waiting: boolean;
}

/** The decided steps of one period. */
export interface DecidedFigures {
  decided: number;
  inTime: number;
  late: number;
  /** Median calendar days from opening to decision, to one decimal; null when nothing was decided. */
  medianDays: number | null;
}

export interface KindFigures {
  /** A step kind (domain/step-kinds.ts), or 'total'. */
  kind: string;
  open: number;
  overdue: number;
  allTime: DecidedFigures;
  recent: DecidedFigures;
}

export interface AgencyFigures {
  asOf: string;
  /** The recent period: decisions at or after `since` (the last `days` days). */
  recent: { days: number; since: string };
  kinds: KindFigures[];
  total: KindFigures;
}

/** The period the recent figures cover, in days. */
export const RECENT_DAYS = 90;

const DAY = 86_400_000;

/** The median of `values` (the mean of the middle two for an even count); null for none. */
export function median(values: readonly number[]): number | null {
  if (!values.length) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** A decision in time: on or before the step's due time (the due time as last set: an answered information request moves it). */
export const decidedInTime = (row: Pick<FigureRow, 'dueAt' | 'decidedAt'>) => !!row.decidedAt && Date.parse(row.decidedAt) <= Date.parse(row.dueAt);

function decidedFigures(rows: readonly FigureRow[]): DecidedFigures {
  const decided = rows.filter((r) => r.status === 'decided' && r.decidedAt);
  const inTime = decided.filter(decidedInTime).length;
  const days = median(decided.map((r) => (Date.parse(r.decidedAt!) - Date.parse(r.openedAt)) / DAY));
  return { decided: decided.length, inTime, late: decided.length - inTime, medianDays: days === null ? null : Math.round(days * 10) / 10 };
}

function kindFigures(kind: string, rows: readonly FigureRow[], now: Date, since: number): KindFigures {
  const open = rows.filter((r) => r.status === 'open' && !r.waiting);
  return {
    kind,
    open: open.length,
    overdue: open.filter((r) => Date.parse(r.dueAt) < now.getTime()).length,
    allTime: decidedFigures(rows),
    recent: decidedFigures(rows.filter((r) => r.decidedAt && Date.parse(r.decidedAt) >= since)),
  };
}

/** The figures of an agency's steps as of `now`: one row per kind that has any, in name order, and the total. */
export function figuresOf(rows: readonly FigureRow[], now: Date, days = RECENT_DAYS): AgencyFigures {
  const since = now.getTime() - days * DAY;
  const kinds = [...new Set(rows.map((r) => r.kind))].sort();
  return {
    asOf: now.toISOString(),
    recent: { days, since: new Date(since).toISOString() },
    kinds: kinds.map((kind) =>
      kindFigures(
        kind,
        rows.filter((r) => r.kind === kind),
        now,
        since,
      ),
    ),
    total: kindFigures('total', rows, now, since),
  };
}

/** The steps an agency was asked for, as the figures read them. */
export function readAgencyFigureRows(records: Records, agencyId: string): Promise<FigureRow[]> {
  return snapshot(records, async (db) => {
    const rows = await db
      .selectFrom('steps')
      .select([
        'kind',
        'status',
        sql<string>`data->>'openedAt'`.as('openedAt'),
        sql<string>`data->>'dueAt'`.as('dueAt'),
        sql<string | null>`data->>'decidedAt'`.as('decidedAt'),
        sql<boolean>`data ? 'infoRequest'`.as('waiting'),
      ])
      .where('party', '=', agencyId)
      .where('status', '<>', 'closed')
      .execute();
    return rows.map((r) => ({ ...r, decidedAt: r.decidedAt ?? undefined }));
  });
}

export async function readAgencyFigures(records: Records, agencyId: string, now = new Date()): Promise<AgencyFigures> {
  return figuresOf(await readAgencyFigureRows(records, agencyId), now);
}
