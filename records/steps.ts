/**
 * Review steps as readers see them, from the records: one projection of a step for every list (the stalled list,
 * the dashboard, an agency's queue), and one step with its case for the decision page. The workflow that owns a
 * step writes its row (workflows/record-writer.ts) before it answers a decision, so these reads show what was
 * decided, and they answer while Temporal or the workers are down.
 */
import { sql, type Kysely } from 'kysely';
import type { Component, Project } from '../domain/project';
import type { Tier } from '../domain/policy';
import type { ReviewStep, StepKind } from '../workflows/definitions';
import type { ProjectCore } from './contract';
import { snapshot, type Records } from './database';
import type { Database } from './schema';

/** A step as lists show it. */
export type StepListing = Pick<ReviewStep, 'workflowId' | 'stepId' | 'kind' | 'party' | 'partyName' | 'reviewer' | 'componentId' | 'openedAt' | 'dueAt'> & {
  /** Waiting for the coordinator's information: the step's clock is stopped. */
  clockStopped: boolean;
};

export function listing(s: ReviewStep): StepListing {
  return {
    workflowId: s.workflowId,
    stepId: s.stepId,
    kind: s.kind,
    party: s.party,
    partyName: s.partyName,
    reviewer: s.reviewer,
    ...(s.componentId && { componentId: s.componentId }),
    openedAt: s.openedAt,
    dueAt: s.dueAt,
    clockStopped: !!s.infoRequest,
  };
}

/** One open step in an agency's queue (`GET /v1/steps`). */
export interface QueuedStep extends StepListing {
  /** Names the step in `POST /v1/steps/:ref/…`. */
  ref: string;
  projectId: string;
  projectTitle: string;
  overdue: boolean;
}

/** Rows read per list at most: the answer says when it was reached. */
export const LIST_LIMIT = 2000;

/**
 * The open steps an agency owes, oldest due first, optionally of one project or one kind. A step whose clock is
 * stopped waits for the coordinator, not for the agency: it is listed again once the answer comes.
 */
export function listAgencySteps(
  records: Records,
  agencyId: string,
  filters: { projectId?: string; kind?: StepKind },
  refOf: (workflowId: string, stepId: string) => string,
  now = new Date(),
): Promise<{ steps: QueuedStep[]; truncated: boolean }> {
  return snapshot(records, async (db) => {
    let query = db
      .selectFrom('steps')
      .innerJoin('projects', 'projects.project_id', 'steps.project_id')
      .select(['steps.data', 'projects.project_id', 'projects.title'])
      .where('steps.status', '=', 'open')
      .where('steps.party', '=', agencyId)
      .where(sql<boolean>`not (steps.data ? 'infoRequest')`);
    if (filters.projectId) query = query.where('steps.project_id', '=', filters.projectId);
    if (filters.kind) query = query.where('steps.kind', '=', filters.kind);
    const rows = await query
      .orderBy('steps.due_at')
      .orderBy('steps.workflow_id')
      .orderBy('steps.step_id')
      .limit(LIST_LIMIT + 1)
      .execute();
    const steps = rows.slice(0, LIST_LIMIT).map((r): QueuedStep => ({
      ...listing(r.data),
      ref: refOf(r.data.workflowId, r.data.stepId),
      projectId: r.project_id,
      projectTitle: r.title,
      overdue: Date.parse(r.data.dueAt) < now.getTime(),
    }));
    return { steps, truncated: rows.length > LIST_LIMIT };
  });
}

/** What the decision page shows: the step and what it is about. */
export interface StepContext {
  step: ReviewStep;
  projectId: string;
  projectTitle: string;
  funderId: string;
  /** `Name <e-mail>`. */
  coordinator: string;
  component?: Pick<Component, 'id' | 'name' | 'description' | 'controlCodes' | 'endUse' | 'destinations'> & {
    tier: Tier;
    tierReason: string;
    reasons: string[];
  };
}

/** The columns a step's context is made of: the step and its project. */
type StepRow = { data: ReviewStep; project_id: string; title: string; funder_id: string; core: ProjectCore; submission: Project | null };

/** The step's row and its project's, within a snapshot. */
export function readStepRow(db: Kysely<Database>, workflowId: string, stepId: string): Promise<StepRow | undefined> {
  return db
    .selectFrom('steps')
    .innerJoin('projects', 'projects.project_id', 'steps.project_id')
    .select(['steps.data', 'projects.project_id', 'projects.title', 'projects.funder_id', 'projects.core', 'projects.submission'])
    .where('steps.workflow_id', '=', workflowId)
    .where('steps.step_id', '=', stepId)
    .executeTakeFirst();
}

/** What the decision page's summary shows, from the step's row. */
export function stepContextOf(row: StepRow): StepContext {
  const step = row.data;
  const { coordinator } = row.core;
  const context: StepContext = {
    step,
    projectId: row.project_id,
    projectTitle: row.title,
    funderId: row.funder_id,
    coordinator: `${coordinator.name} <${coordinator.email}>`,
  };
  const spec = step.componentId ? row.submission?.components.find((c) => c.id === step.componentId) : undefined;
  const classified = step.componentId ? row.core.components.find((c) => c.id === step.componentId) : undefined;
  if (spec && classified?.tier) {
    const { id, name, description, controlCodes, endUse, destinations } = spec;
    context.component = {
      ...{ id, name, description, controlCodes, endUse, destinations },
      tier: step.tier ?? classified.tier,
      tierReason: classified.tierReason ?? '',
      reasons: classified.classification?.reasons ?? [],
    };
  }
  return context;
}

/** A step of `workflowId` and its case, as recorded; undefined when no such step is recorded. */
export function readStepContext(records: Records, workflowId: string, stepId: string): Promise<StepContext | undefined> {
  return snapshot(records, async (db) => {
    const row = await readStepRow(db, workflowId, stepId);
    return row && stepContextOf(row);
  });
}
