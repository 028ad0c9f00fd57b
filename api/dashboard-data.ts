/**
 * What the dashboard shows, read from the records in two snapshots (projects with their open steps, and the
 * stalled list), never by querying each workflow: the page stays cheap however many projects there are, and
 * answers while Temporal is down.
 */
import type { Policy } from '../domain/policy';
import type { Records } from '../records/database';
import { dashboardProjects, listStalled, type DashboardProject, type OutOfTimeCase, type StalledItem } from '../records/stalled';
import { projectWorkflowId, type Stage } from '../workflows/definitions';

/** In the order a project moves through them. */
export const STAGES = ['scoping', 'grant-review', 'active', 'rejected', 'withdrawn', 'closed'] as const satisfies readonly Stage[];
const IN_FLIGHT: readonly string[] = ['scoping', 'grant-review', 'active'];

export interface ProjectRow extends DashboardProject {
  funderName: string;
  /** The project's workflow, for the link to the Temporal UI. */
  workflowId: string;
  /** The components whose licence case is past its legal limit. */
  outOfTime: string[];
}

export interface DashboardData {
  asOf: Date;
  stageCounts: Record<Stage, number>;
  stalled: StalledItem[];
  /** Licence cases past their legal limit, longest first. */
  outOfTime: OutOfTimeCase[];
  projects: ProjectRow[];
  /** A list hit its limit: the page says the numbers are partial. */
  truncated: boolean;
}

/** Whose dashboard: a funder's projects, a coordinator's own and delegated ones, or (neither) all of them. */
export interface DashboardScope {
  funderId?: string;
  owner?: string;
}

export async function loadDashboard(records: Records, policy: Policy, { funderId, owner }: DashboardScope, now = new Date()): Promise<DashboardData> {
  const [projects, stalled] = await Promise.all([dashboardProjects(records, { funderId, owner }), listStalled(records, { funderId, owner }, now)]);
  const stageCounts = Object.fromEntries(STAGES.map((s) => [s, 0])) as Record<Stage, number>;
  for (const p of projects.projects) if (p.stage in stageCounts) stageCounts[p.stage as Stage]++;
  const funderNames = new Map(policy.funders.map((f) => [f.id, f.name]));

  const rows: ProjectRow[] = projects.projects.map((p) => ({
    ...p,
    funderName: funderNames.get(p.funderId) ?? p.funderId,
    workflowId: projectWorkflowId(p.projectId),
    outOfTime: stalled.outOfTime.filter((c) => c.projectId === p.projectId).map((c) => c.componentId),
  }));
  // Projects still moving come first, the one whose next step falls due soonest on top; ended ones after, newest first.
  const nextDue = (r: ProjectRow) => r.openSteps.find((s) => !s.clockStopped)?.dueAt ?? '\uffff';
  const inFlight = (r: ProjectRow) => (IN_FLIGHT.includes(r.stage) ? 0 : 1);
  rows.sort((a, b) => inFlight(a) - inFlight(b) || (inFlight(a) === 0 ? nextDue(a).localeCompare(nextDue(b)) : 0));

  return {
    asOf: now,
    stageCounts,
    stalled: stalled.items,
    outOfTime: stalled.outOfTime,
    projects: rows,
    truncated: projects.truncated || stalled.truncated,
  };
}
