/**
 * A decision page's whole case, as recorded, read in the same snapshot as its step: the project's parties and
 * submission, the component's steps (every workflow's: the project's tier lowering, each licence review, each
 * dispute), its requests for information and their answers (the audit trail keeps both; the step keeps only the
 * open request) and its licence (its issuer and regime). What the reader may see of it is decided above the records
 * (api/case-file.ts); this is only what is there.
 */
import type { Project } from '../domain/project';
import type { Licence, ReviewStep } from '../workflows/definitions';
import type { PartyRecord, ProjectCore } from './contract';
import { snapshot, type Records } from './database';
import { readStepRow, stepContextOf, type StepContext } from './steps';

/** An entry of the trail that asks for information or answers it; `source` is the workflow that recorded it. */
export interface InfoExchange {
  source: string;
  stepId: string;
  action: 'info-requested' | 'info-answered';
  at: string;
  actor: string;
  detail: string;
}

export interface CaseRecords {
  core: ProjectCore;
  submission: Project | null;
  parties: PartyRecord[];
  /** The component's steps (for a project-level step: the project's own), in the order they were first recorded. */
  steps: ReviewStep[];
  /** For a component: its requests and answers; for a project-level step: those of the project's own steps. */
  exchanges: InfoExchange[];
  licence?: Licence;
}

const EXCHANGES = ['info-requested', 'info-answered'] as const;

/** The step of `workflowId`, its context and its case; undefined when no such step is recorded. */
export function readStepCase(records: Records, workflowId: string, stepId: string): Promise<{ context: StepContext; records: CaseRecords } | undefined> {
  return snapshot(records, async (db) => {
    const row = await readStepRow(db, workflowId, stepId);
    if (!row) return undefined;
    const projectId = row.project_id;
    const componentId = row.data.componentId;
    const parties = await db.selectFrom('parties').selectAll().where('project_id', '=', projectId).orderBy('role').orderBy('party_id').execute();
    let steps = db.selectFrom('steps').select('data').where('project_id', '=', projectId);
    steps = componentId ? steps.where('component_id', '=', componentId) : steps.where('component_id', 'is', null);
    const stepRows = await steps.orderBy('position').execute();
    let trail = db
      .selectFrom('audit_entries')
      .select(['source', 'step_id', 'action', 'at', 'actor', 'detail'])
      .where('project_id', '=', projectId)
      .where('action', 'in', EXCHANGES)
      .where('step_id', 'is not', null);
    trail = componentId ? trail.where('component_id', '=', componentId) : trail.where('component_id', 'is', null);
    const entries = await trail.orderBy('at').orderBy('source').orderBy('seq').execute();
    const licence = componentId
      ? (await db.selectFrom('licences').select('data').where('project_id', '=', projectId).where('component_id', '=', componentId).executeTakeFirst())?.data
      : undefined;
    return {
      context: stepContextOf(row),
      records: {
        core: row.core,
        submission: row.submission,
        parties: parties.map((p) => ({ partyId: p.party_id, role: p.role as PartyRecord['role'], name: p.name, ...(p.country && { country: p.country }) })),
        steps: stepRows.map((r) => r.data),
        exchanges: entries.map((e) => ({
          source: e.source,
          stepId: e.step_id!,
          action: e.action as InfoExchange['action'],
          at: e.at.toISOString(),
          actor: e.actor,
          detail: e.detail,
        })),
        ...(licence && { licence }),
      },
    };
  });
}
