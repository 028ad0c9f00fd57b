/**
 * Stalled work, and the dashboard's projects and open steps, read from the records: open steps past their due
 * time, licence cases past their legal limit, and who each project waits on. The same answers Temporal
 * visibility gave, for as long as the records are kept, and while Temporal is down.
 */
import { sql } from 'kysely';
import { licenceWorkflowId, type Stage } from '../workflows/definitions';
import { snapshot, type Records } from './database';
import { LIST_LIMIT, listing, type StepListing } from './steps';

export interface StalledFilters {
  funderId?: string;
  /** The cycle whose milestone reviews to list. */
  cycleId?: string;
  agency?: string;
  /** A coordinator sees only the projects they own or are a delegate of. */
  owner?: string;
}

export interface StalledItem extends StepListing {
  projectId: string;
  projectTitle: string;
  funderId: string;
  /** How long past due, and how long open, at `asOf`. */
  overdueMs: number;
  openForMs: number;
  /** The step's licence case passed its legal limit undecided at this time. */
  outOfTimeSince?: string;
}

/** A licence case past its regime's legal limit, undecided: who issues it, since when, and who it still waits for. */
export interface OutOfTimeCase {
  componentId: string;
  since: string;
  issuer: { agencyId: string; name: string };
  projectId: string;
  projectTitle: string;
  funderId: string;
  /** The licence review's workflow. */
  workflowId: string;
  /** The open steps' parties (`coordinator` while a step waits for information); empty while the case waits on a dispute or a notice period. */
  awaiting: string[];
}

export interface StalledList {
  asOf: string;
  /** Open steps past their due time, oldest first. */
  items: StalledItem[];
  /** Licence cases past their legal limit, longest first (whether or not a step is past due). */
  outOfTime: OutOfTimeCase[];
  truncated: boolean;
}

/** Licence states of a case still undecided. */
const UNDECIDED = ['in-review', 'disputed'];

export function listStalled(records: Records, filters: StalledFilters, now = new Date()): Promise<StalledList> {
  const asOf = now.toISOString();
  return snapshot(records, async (db) => {
    let steps = db
      .selectFrom('steps')
      .innerJoin('projects', 'projects.project_id', 'steps.project_id')
      .select(['steps.workflow_id', 'steps.data', 'projects.project_id', 'projects.title', 'projects.funder_id'])
      .where('steps.status', '=', 'open')
      .where('steps.due_at', '<', sql<Date>`${asOf}::timestamptz`)
      .where('projects.closed_at', 'is', null)
      .where(sql<boolean>`not (steps.data ? 'infoRequest')`);
    let cases = db
      .selectFrom('licences')
      .innerJoin('projects', 'projects.project_id', 'licences.project_id')
      .select(['licences.component_id', 'licences.data', 'projects.project_id', 'projects.title', 'projects.funder_id'])
      .where('licences.status', 'in', UNDECIDED)
      .where(sql<boolean>`licences.data ? 'outOfTimeSince'`)
      .where('projects.closed_at', 'is', null);
    if (filters.funderId) {
      steps = steps.where('projects.funder_id', '=', filters.funderId);
      cases = cases.where('projects.funder_id', '=', filters.funderId);
    }
    if (filters.owner) {
      const owner = sql<boolean>`projects.owners @> ${JSON.stringify([filters.owner])}::jsonb`;
      steps = steps.where(owner);
      cases = cases.where(owner);
    }
    if (filters.agency) {
      steps = steps.where('steps.party', '=', filters.agency);
      cases = cases.where(sql<boolean>`licences.data->'issuer'->>'agencyId' = ${filters.agency}`);
    }
    if (filters.cycleId) {
      // The cycle's own milestone reviews, each `<milestone>-<cycle>` in a project that put the milestone in that cycle.
      const cycleId = filters.cycleId;
      steps = steps.where('steps.kind', '=', 'milestone-review').where(
        sql<boolean>`exists (select 1 from jsonb_array_elements(projects.core->'milestones') m
            where m->>'cycleId' = ${cycleId} and steps.step_id = (m->>'id') || '-' || ${cycleId})`,
      );
      cases = cases.where(sql<boolean>`false`);
    }
    const [stepRows, caseRows] = await Promise.all([
      steps
        .orderBy('steps.due_at')
        .limit(LIST_LIMIT + 1)
        .execute(),
      cases.limit(LIST_LIMIT + 1).execute(),
    ]);
    const truncated = stepRows.length > LIST_LIMIT || caseRows.length > LIST_LIMIT;

    // Each case's licence review: its workflow (the latest submission's), and its open steps' parties.
    const shownCases = caseRows.slice(0, LIST_LIMIT);
    const reviewSteps = shownCases.length
      ? await db
          .selectFrom('steps')
          .select(['project_id', 'component_id', 'workflow_id', 'status', 'data'])
          .where((eb) =>
            eb(
              eb.refTuple('project_id', 'component_id'),
              'in',
              shownCases.map((r) => eb.tuple(r.project_id, r.component_id)),
            ),
          )
          .where('workflow_id', 'like', 'licence-%')
          .orderBy('position')
          .execute()
      : [];
    const outOfTimeOf = new Map<string, string>();
    const outOfTime = shownCases.map((r): OutOfTimeCase => {
      const licence = r.data;
      outOfTimeOf.set(`${r.project_id}/${r.component_id}`, licence.outOfTimeSince!);
      const steps = reviewSteps.filter((s) => s.project_id === r.project_id && s.component_id === r.component_id);
      const workflowId = steps.at(-1)?.workflow_id ?? licenceWorkflowId(r.project_id, r.component_id);
      return {
        componentId: r.component_id,
        since: licence.outOfTimeSince!,
        issuer: { agencyId: licence.issuer?.agencyId ?? '', name: licence.issuer?.name ?? '' },
        projectId: r.project_id,
        projectTitle: r.title,
        funderId: r.funder_id,
        workflowId,
        awaiting: steps.filter((s) => s.status === 'open' && s.workflow_id === workflowId).map(({ data: s }) => (s.infoRequest ? 'coordinator' : s.partyName)),
      };
    });
    const items = stepRows.slice(0, LIST_LIMIT).map((r): StalledItem => {
      const step = listing(r.data);
      const since = step.componentId && outOfTimeOf.get(`${r.project_id}/${step.componentId}`);
      return {
        ...step,
        projectId: r.project_id,
        projectTitle: r.title,
        funderId: r.funder_id,
        overdueMs: now.getTime() - Date.parse(step.dueAt),
        openForMs: now.getTime() - Date.parse(step.openedAt),
        ...(since && { outOfTimeSince: since }),
      };
    });
    return {
      asOf,
      items: items.sort((a, b) => a.dueAt.localeCompare(b.dueAt) || a.stepId.localeCompare(b.stepId)),
      outOfTime: outOfTime.sort(
        (a, b) => a.since.localeCompare(b.since) || a.projectId.localeCompare(b.projectId) || a.componentId.localeCompare(b.componentId),
      ),
      truncated,
    };
  });
}

/** A project as the dashboard lists it. */
export interface DashboardProject {
  projectId: string;
  title: string;
  funderId: string;
  stage: Stage;
  submittedAt: string;
  /** Its open steps and those of its licence reviews and disputes, soonest due first. */
  openSteps: StepListing[];
}

/** Every recorded project, newest first, optionally of one funder, or those a coordinator owns or is a delegate of; with their open steps. */
export function dashboardProjects(
  records: Records,
  scope: { funderId?: string; owner?: string },
): Promise<{ projects: DashboardProject[]; truncated: boolean }> {
  return snapshot(records, async (db) => {
    let query = db.selectFrom('projects').select(['project_id', 'title', 'funder_id', 'stage', 'submitted_at']);
    if (scope.funderId) query = query.where('funder_id', '=', scope.funderId);
    if (scope.owner) query = query.where(sql<boolean>`owners @> ${JSON.stringify([scope.owner])}::jsonb`);
    const rows = await query
      .orderBy('submitted_at', 'desc')
      .orderBy('project_id', 'desc')
      .limit(LIST_LIMIT + 1)
      .execute();
    const shown = rows.slice(0, LIST_LIMIT);
    const ids = shown.map((r) => r.project_id);
    const open = ids.length
      ? await db
          .selectFrom('steps')
          .select(['project_id', 'workflow_id', 'data'])
          .where('project_id', 'in', ids)
          .where('status', '=', 'open')
          .orderBy('due_at')
          .execute()
      : [];
    const byProject = new Map<string, StepListing[]>();
    for (const s of open) byProject.set(s.project_id, [...(byProject.get(s.project_id) ?? []), listing(s.data)]);
    return {
      projects: shown.map((r) => ({
        projectId: r.project_id,
        title: r.title,
        funderId: r.funder_id,
        stage: r.stage as Stage,
        submittedAt: r.submitted_at.toISOString(),
        openSteps: byProject.get(r.project_id) ?? [],
      })),
      truncated: rows.length > LIST_LIMIT,
    };
  });
}
