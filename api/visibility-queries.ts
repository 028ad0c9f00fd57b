/**
 * Stalled work and projects by stage, answered from Temporal visibility
 * (search attributes and memos), never by querying each workflow.
 */
import type { Client } from '@temporalio/client';
import { searchAttributes } from '../workflows/definitions';
import type { OpenStepMemo, OutOfTimeMemo, VisibilityMemo } from '../workflows/visibility';

export interface StalledFilters {
  funderId?: string;
  cycleId?: string;
  agency?: string;
  /** A coordinator sees only the projects they own or are a delegate of. */
  owner?: string;
}

export interface StalledItem extends OpenStepMemo {
  projectId: string;
  projectTitle: string;
  funderId: string;
  workflowId: string;
  /** How long past due, and how long open, at `asOf`. */
  overdueMs: number;
  openForMs: number;
  /** The step's licence case passed its legal limit undecided at this time. */
  outOfTimeSince?: string;
}

/** A licence case past its regime's legal limit, undecided: who issues it, since when, and who it still waits for. */
export interface OutOfTimeCase extends OutOfTimeMemo {
  projectId: string;
  projectTitle: string;
  funderId: string;
  workflowId: string;
  /** The open steps' parties; empty while the case waits on a dispute or a notice period. */
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

/** Upper bound on workflows read per request: the answer says when it was reached. */
export const VISIBILITY_LIMIT = 2000;

// Filter values are validated slugs, so quoting them is enough.
const clause = (name: string, value?: string) => (value ? ` AND ${name} = '${value}'` : '');

export async function listStalled(client: Client, filters: StalledFilters, now = new Date()): Promise<StalledList> {
  const asOf = now.toISOString();
  const query =
    `ExecutionStatus = 'Running' AND (${searchAttributes.nextDueAt.name} < '${asOf}' OR ${searchAttributes.outOfTimeSince.name} < '${asOf}')` +
    clause(searchAttributes.funderId.name, filters.funderId) +
    clause(searchAttributes.cycleId.name, filters.cycleId) +
    clause(searchAttributes.awaitedParties.name, filters.agency);
  const items: StalledItem[] = [];
  const outOfTime: OutOfTimeCase[] = [];
  const done = (truncated: boolean): StalledList => ({
    asOf,
    items: items.sort((a, b) => a.dueAt.localeCompare(b.dueAt) || a.stepId.localeCompare(b.stepId)),
    outOfTime: outOfTime.sort((a, b) => a.since.localeCompare(b.since) || a.workflowId.localeCompare(b.workflowId)),
    truncated,
  });
  let read = 0;
  for await (const wf of client.workflow.list({ query })) {
    if (++read > VISIBILITY_LIMIT) return done(true);
    const memo = wf.memo as Partial<VisibilityMemo> | undefined;
    const workflow = {
      projectId: wf.typedSearchAttributes.get(searchAttributes.projectId) ?? '',
      projectTitle: memo?.projectTitle ?? '',
      funderId: wf.typedSearchAttributes.get(searchAttributes.funderId) ?? '',
      workflowId: wf.workflowId,
    };
    const openSteps = memo?.openSteps ?? [];
    if (memo?.outOfTime) outOfTime.push({ ...memo.outOfTime, ...workflow, awaiting: openSteps.map((s) => (s.clockStopped ? 'coordinator' : s.partyName)) });
    for (const step of openSteps) {
      const due = Date.parse(step.dueAt);
      if (step.clockStopped || due >= now.getTime() || (filters.agency && step.party !== filters.agency)) continue;
      items.push({
        ...step,
        ...workflow,
        overdueMs: now.getTime() - due,
        openForMs: now.getTime() - Date.parse(step.openedAt),
        ...(memo?.outOfTime && { outOfTimeSince: memo.outOfTime.since }),
      });
    }
  }
  if (filters.owner) {
    const mine = await projectsOwnedBy(client, filters.owner, [...new Set([...items, ...outOfTime].map((i) => i.projectId))]);
    items.splice(0, items.length, ...items.filter((i) => mine.has(i.projectId)));
    outOfTime.splice(0, outOfTime.length, ...outOfTime.filter((c) => mine.has(c.projectId)));
  }
  return done(false);
}

/** Which of `projectIds` `owner` may see as a coordinator, from the project workflows' memos (200 ids a query). */
async function projectsOwnedBy(client: Client, owner: string, projectIds: string[]): Promise<Set<string>> {
  const mine = new Set<string>();
  for (let i = 0; i < projectIds.length; i += 200) {
    const ids = projectIds
      .slice(i, i + 200)
      .map((id) => `'${id}'`)
      .join(', ');
    const query = `WorkflowType = 'projectWorkflow' AND ${searchAttributes.projectId.name} IN (${ids})`;
    for await (const wf of client.workflow.list({ query })) {
      if ((wf.memo as Partial<VisibilityMemo> | undefined)?.owners?.includes(owner)) mine.add(wf.typedSearchAttributes.get(searchAttributes.projectId) ?? '');
    }
  }
  return mine;
}

export interface ProjectSummary {
  projectId: string;
  title: string;
  funderId: string;
  stage: string;
  awaited: string[];
  nextDueAt?: string;
  workflowId: string;
}

/** Every project (running or ended), newest first, optionally of one funder, or those a coordinator owns or is a delegate of. */
export async function listProjects(client: Client, funderId?: string, owner?: string): Promise<{ projects: ProjectSummary[]; truncated: boolean }> {
  const query = `WorkflowType = 'projectWorkflow'` + clause(searchAttributes.funderId.name, funderId);
  const projects: ProjectSummary[] = [];
  let read = 0;
  for await (const wf of client.workflow.list({ query })) {
    if (++read > VISIBILITY_LIMIT) return { projects, truncated: true };
    const memo = wf.memo as Partial<VisibilityMemo> | undefined;
    if (owner && !memo?.owners?.includes(owner)) continue;
    projects.push({
      projectId: wf.typedSearchAttributes.get(searchAttributes.projectId) ?? wf.workflowId,
      title: memo?.projectTitle ?? '',
      funderId: wf.typedSearchAttributes.get(searchAttributes.funderId) ?? '',
      stage: wf.typedSearchAttributes.get(searchAttributes.stage) ?? 'scoping',
      awaited: wf.typedSearchAttributes.get(searchAttributes.awaitedParties) ?? [],
      nextDueAt: wf.typedSearchAttributes.get(searchAttributes.nextDueAt)?.toISOString(),
      workflowId: wf.workflowId,
    });
  }
  return { projects, truncated: false };
}

export interface ProjectOpenStep extends OpenStepMemo {
  /** The workflow that holds the step: the project, one of its licence reviews, or a dispute. */
  workflowId: string;
}

/**
 * The open steps of every running workflow (project, licence reviews and
 * disputes alike), by project, optionally of one funder: who each project
 * awaits, from the memos, including the steps of its child workflows.
 */
export async function listOpenSteps(client: Client, funderId?: string): Promise<{ byProject: Map<string, ProjectOpenStep[]>; truncated: boolean }> {
  const query = `ExecutionStatus = 'Running'` + clause(searchAttributes.funderId.name, funderId);
  const byProject = new Map<string, ProjectOpenStep[]>();
  let read = 0;
  for await (const wf of client.workflow.list({ query })) {
    if (++read > VISIBILITY_LIMIT) return { byProject, truncated: true };
    const projectId = wf.typedSearchAttributes.get(searchAttributes.projectId);
    const steps = (wf.memo as Partial<VisibilityMemo> | undefined)?.openSteps ?? [];
    if (!projectId || !steps.length) continue;
    const list = byProject.get(projectId) ?? [];
    list.push(...steps.map((s) => ({ ...s, workflowId: wf.workflowId })));
    byProject.set(projectId, list);
  }
  return { byProject, truncated: false };
}

/** One open step in an agency's queue (`GET /v1/steps`). */
export interface QueuedStep extends OpenStepMemo {
  /** Names the step in `POST /v1/steps/:ref/…`. */
  ref: string;
  projectId: string;
  projectTitle: string;
  workflowId: string;
  overdue: boolean;
}

/**
 * An agency's open steps, oldest due first, from the workflows' memos: those awaiting it (a step whose clock is
 * stopped waits for the coordinator, and shows when the answer comes). Optionally of one project, or of one kind.
 */
export async function listAgencySteps(
  client: Client,
  agencyId: string,
  filters: { projectId?: string; kind?: string },
  refOf: (workflowId: string, stepId: string) => string,
  now = new Date(),
): Promise<{ steps: QueuedStep[]; truncated: boolean }> {
  const query =
    `ExecutionStatus = 'Running' AND ${searchAttributes.awaitedParties.name} = '${agencyId}'` + clause(searchAttributes.projectId.name, filters.projectId);
  const steps: QueuedStep[] = [];
  let read = 0;
  let truncated = false;
  for await (const wf of client.workflow.list({ query })) {
    if (++read > VISIBILITY_LIMIT) {
      truncated = true;
      break;
    }
    const memo = wf.memo as Partial<VisibilityMemo> | undefined;
    for (const step of memo?.openSteps ?? []) {
      if (step.party !== agencyId || step.clockStopped || (filters.kind && step.kind !== filters.kind)) continue;
      steps.push({
        ...step,
        ref: refOf(wf.workflowId, step.stepId),
        projectId: wf.typedSearchAttributes.get(searchAttributes.projectId) ?? '',
        projectTitle: memo?.projectTitle ?? '',
        workflowId: wf.workflowId,
        overdue: Date.parse(step.dueAt) < now.getTime(),
      });
    }
  }
  steps.sort((a, b) => a.dueAt.localeCompare(b.dueAt) || a.ref.localeCompare(b.ref));
  return { steps, truncated };
}
