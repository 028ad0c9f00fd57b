/**
 * What a calendar feed dates (api/calendar-events.ts), read from the records in one snapshot: open steps, licences
 * and open funder cycles, for one project, one agency (the steps it owes, the licences it issued) or one funder (the
 * steps it owes, its cycles). Never from Temporal: a feed is served while Temporal or the workers are down.
 */
import { sql, type Transaction } from 'kysely';
import type { Licence, ReviewStep } from '../workflows/definitions';
import { snapshot, type Records } from './database';
import type { Database } from './schema';
import { LIST_LIMIT } from './steps';

export type CalendarScope = { projectId: string } | { agencyId: string } | { funderId: string };

export interface CalendarStepRow {
  projectId: string;
  projectTitle: string;
  componentName?: string;
  version: number;
  step: ReviewStep;
  modifiedAt?: string;
}

export interface CalendarLicenceRow {
  projectId: string;
  projectTitle: string;
  componentId: string;
  componentName?: string;
  licence: Licence;
}

export interface CalendarCycleRow {
  cycleId: string;
  name: string;
  funderId: string;
  closesAt: string;
  version: number;
  updatedAt: string;
  projects: number;
}

export interface CalendarRecords {
  steps: CalendarStepRow[];
  licences: CalendarLicenceRow[];
  cycles: CalendarCycleRow[];
  /** A list reached LIST_LIMIT rows: the feed shows the soonest. */
  truncated: boolean;
}

/** The project as access checks need it; undefined when no such project is recorded. */
export interface CalendarProject {
  projectId: string;
  title: string;
  funderId: string;
  owner: string;
  /** Owner and delegates. */
  owners: string[];
}

/** Cycles whose close is still ahead of their review. */
const OPEN_CYCLES = ['launching', 'open'];
/** Licences whose dates are still ahead. */
const LIVE_LICENCES = ['approved', 'suspended'];

type Tx = Transaction<Database>;

const componentNames = (core: { components: { id: string; name: string }[] }) => new Map(core.components.map((c) => [c.id, c.name]));

async function openSteps(tx: Tx, scope: CalendarScope): Promise<{ rows: CalendarStepRow[]; truncated: boolean }> {
  let query = tx
    .selectFrom('steps')
    .innerJoin('projects', 'projects.project_id', 'steps.project_id')
    .select(['steps.data', 'steps.version', 'projects.project_id', 'projects.title', 'projects.core'])
    // The step's latest audit entry: when what the event shows last changed.
    .select((eb) =>
      eb
        .selectFrom('audit_entries as a')
        .select((a) => a.fn.max('a.at').as('at'))
        .whereRef('a.project_id', '=', 'steps.project_id')
        .whereRef('a.source', '=', 'steps.workflow_id')
        .whereRef('a.step_id', '=', 'steps.step_id')
        .as('modified_at'),
    )
    .where('steps.status', '=', 'open');
  if ('projectId' in scope) query = query.where('steps.project_id', '=', scope.projectId);
  else query = query.where('steps.party', '=', 'agencyId' in scope ? scope.agencyId : scope.funderId).where('projects.closed_at', 'is', null);
  if ('funderId' in scope) query = query.where('projects.funder_id', '=', scope.funderId);
  const rows = await query
    .orderBy('steps.due_at')
    .orderBy('steps.workflow_id')
    .orderBy('steps.step_id')
    .limit(LIST_LIMIT + 1)
    .execute();
  return {
    truncated: rows.length > LIST_LIMIT,
    rows: rows.slice(0, LIST_LIMIT).map((r) => {
      const name = r.data.componentId ? componentNames(r.core).get(r.data.componentId) : undefined;
      const modifiedAt = r.modified_at as Date | string | null;
      return {
        projectId: r.project_id,
        projectTitle: r.title,
        ...(name && { componentName: name }),
        version: r.version,
        step: r.data,
        ...(modifiedAt && { modifiedAt: new Date(modifiedAt).toISOString() }),
      };
    }),
  };
}

async function liveLicences(tx: Tx, scope: CalendarScope): Promise<{ rows: CalendarLicenceRow[]; truncated: boolean }> {
  if ('funderId' in scope) return { rows: [], truncated: false };
  let query = tx
    .selectFrom('licences')
    .innerJoin('projects', 'projects.project_id', 'licences.project_id')
    .select(['licences.component_id', 'licences.data', 'projects.project_id', 'projects.title', 'projects.core'])
    .where('licences.status', 'in', LIVE_LICENCES);
  if ('projectId' in scope) query = query.where('licences.project_id', '=', scope.projectId);
  else query = query.where(sql<boolean>`licences.data->'issuer'->>'agencyId' = ${scope.agencyId}`);
  const rows = await query
    .orderBy('licences.valid_until')
    .orderBy('licences.project_id')
    .orderBy('licences.component_id')
    .limit(LIST_LIMIT + 1)
    .execute();
  return {
    truncated: rows.length > LIST_LIMIT,
    rows: rows.slice(0, LIST_LIMIT).map((r) => {
      const name = componentNames(r.core).get(r.component_id);
      return { projectId: r.project_id, projectTitle: r.title, componentId: r.component_id, ...(name && { componentName: name }), licence: r.data };
    }),
  };
}

async function openCycles(tx: Tx, scope: CalendarScope): Promise<{ rows: CalendarCycleRow[]; truncated: boolean }> {
  if ('agencyId' in scope) return { rows: [], truncated: false };
  let query = tx
    .selectFrom('cycles')
    .select(['cycle_id', 'name', 'funder_id', 'closes_at', 'version', 'updated_at', 'total'])
    .where('status', 'in', OPEN_CYCLES);
  if ('funderId' in scope) query = query.where('funder_id', '=', scope.funderId);
  else {
    // The cycles that review the project: it is in their list, and the cycle did not skip it (another funder's, not active).
    const { projectId } = scope;
    query = query.where(({ exists, not, selectFrom }) =>
      exists(
        selectFrom('cycle_target_sets as t')
          .select('t.set_id')
          .whereRef('t.cycle_id', '=', 'cycles.cycle_id')
          .where(sql<boolean>`${projectId} = any(t.project_ids)`),
      ).and(
        not(
          exists(
            selectFrom('cycle_items as i')
              .select('i.project_id')
              .whereRef('i.cycle_id', '=', 'cycles.cycle_id')
              .where('i.project_id', '=', projectId)
              .where('i.outcome', '=', 'skipped'),
          ),
        ),
      ),
    );
  }
  const rows = await query
    .orderBy('closes_at')
    .orderBy('cycle_id')
    .limit(LIST_LIMIT + 1)
    .execute();
  return {
    truncated: rows.length > LIST_LIMIT,
    rows: rows.slice(0, LIST_LIMIT).map((r) => ({
      cycleId: r.cycle_id,
      name: r.name,
      funderId: r.funder_id,
      closesAt: r.closes_at.toISOString(),
      version: r.version,
      updatedAt: r.updated_at.toISOString(),
      projects: 'projectId' in scope ? 1 : r.total,
    })),
  };
}

/** Everything the scope's feed dates, in one snapshot. */
export function readCalendar(records: Records, scope: CalendarScope): Promise<CalendarRecords> {
  return snapshot(records, async (tx) => {
    const steps = await openSteps(tx, scope);
    const licences = await liveLicences(tx, scope);
    const cycles = await openCycles(tx, scope);
    return { steps: steps.rows, licences: licences.rows, cycles: cycles.rows, truncated: steps.truncated || licences.truncated || cycles.truncated };
  });
}

export function readCalendarProject(records: Records, projectId: string): Promise<CalendarProject | undefined> {
  return snapshot(records, async (tx) => {
    const row = await tx
      .selectFrom('projects')
      .select(['project_id', 'title', 'funder_id', 'owner', 'owners'])
      .where('project_id', '=', projectId)
      .executeTakeFirst();
    return row && { projectId: row.project_id, title: row.title, funderId: row.funder_id, owner: row.owner, owners: row.owners };
  });
}
