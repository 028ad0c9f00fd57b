/**
 * What the dashboard shows, gathered from Temporal visibility in three list
 * queries (projects, stalled steps, open steps), never by querying each
 * workflow: the page stays cheap however many projects there are.
 */
import type { Client } from '@temporalio/client';
import type { Policy } from '../domain/policy';
import type { Stage } from '../workflows/definitions';
import {
  listOpenSteps,
  listProjects,
  listStalled,
  type OutOfTimeCase,
  type ProjectOpenStep,
  type ProjectSummary,
  type StalledItem,
} from './visibility-queries';

/** In the order a project moves through them. */
export const STAGES = ['scoping', 'grant-review', 'active', 'rejected', 'withdrawn', 'closed'] as const satisfies readonly Stage[];
const IN_FLIGHT: readonly string[] = ['scoping', 'grant-review', 'active'];

export interface ProjectRow extends ProjectSummary {
  funderName: string;
  /** Open steps of the project and of its licence reviews and disputes, soonest due first. */
  openSteps: ProjectOpenStep[];
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
  /** A visibility listing hit its limit: the page says the numbers are partial. */
  truncated: boolean;
}

/** Whose dashboard: a funder's projects, a coordinator's own and delegated ones, or (neither) all of them. */
export interface DashboardScope {
  funderId?: string;
  owner?: string;
}

export async function loadDashboard(client: Client, policy: Policy, { funderId, owner }: DashboardScope, now = new Date()): Promise<DashboardData> {
  const [projects, stalled, open] = await Promise.all([
    listProjects(client, funderId, owner),
    listStalled(client, { funderId, owner }, now),
    listOpenSteps(client, funderId),
  ]);
  const stageCounts = Object.fromEntries(STAGES.map((s) => [s, 0])) as Record<Stage, number>;
  for (const p of projects.projects) if (p.stage in stageCounts) stageCounts[p.stage as Stage]++;
  const funderNames = new Map(policy.funders.map((f) => [f.id, f.name]));

  const rows: ProjectRow[] = projects.projects.map((p) => ({
    ...p,
    funderName: funderNames.get(p.funderId) ?? p.funderId,
    openSteps: [...(open.byProject.get(p.projectId) ?? [])].sort((a, b) => a.dueAt.localeCompare(b.dueAt)),
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
    truncated: projects.truncated || stalled.truncated || open.truncated,
  };
}
