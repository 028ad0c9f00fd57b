/**
 * The project list: filtered, newest submission first, in pages. The cursor is the last row's position
 * (submission time, project id), so a page continues exactly after the previous one however many projects
 * are submitted meanwhile (they sort before it).
 */
import { sql } from 'kysely';
import type { Stage } from '../workflows/definitions';
import { snapshot, type Records } from './database';

export interface ProjectFilter {
  stage?: Stage;
  funderId?: string;
  /** An agency that leads the project or holds one of its steps. */
  agency?: string;
  /** Part of the title, or the exact project id. */
  q?: string;
  /** Only projects this principal owns or is a delegate of. */
  owner?: string;
}

export interface ProjectSummary {
  projectId: string;
  title: string;
  funderId: string;
  leadAgency: string;
  stage: Stage;
  owner: string;
  submittedAt: string;
  closedAt: string | null;
}

export interface Position {
  submittedAt: string;
  projectId: string;
}

export function listProjects(records: Records, filter: ProjectFilter, limit: number, after?: Position): Promise<{ items: ProjectSummary[]; next?: Position }> {
  return snapshot(records, async (db) => {
    let query = db.selectFrom('projects').select(['project_id', 'title', 'funder_id', 'lead_agency', 'stage', 'owner', 'submitted_at', 'closed_at']);
    if (filter.stage) query = query.where('stage', '=', filter.stage);
    if (filter.funderId) query = query.where('funder_id', '=', filter.funderId);
    if (filter.owner) query = query.where(sql<boolean>`owners @> ${JSON.stringify([filter.owner])}::jsonb`);
    if (filter.agency) {
      const agency = filter.agency;
      query = query.where((eb) =>
        eb.or([
          eb('lead_agency', '=', agency),
          eb.exists(eb.selectFrom('steps').select('steps.step_id').whereRef('steps.project_id', '=', 'projects.project_id').where('steps.party', '=', agency)),
        ]),
      );
    }
    if (filter.q) {
      const pattern = `%${filter.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      const q = filter.q;
      query = query.where((eb) => eb.or([eb('title', 'ilike', pattern), eb('project_id', '=', q)]));
    }
    if (after) query = query.where(sql<boolean>`(submitted_at, project_id) < (${after.submittedAt}::timestamptz, ${after.projectId})`);
    const rows = await query
      .orderBy('submitted_at', 'desc')
      .orderBy('project_id', 'desc')
      .limit(limit + 1)
      .execute();
    const items = rows.slice(0, limit).map((r) => ({
      projectId: r.project_id,
      title: r.title,
      funderId: r.funder_id,
      leadAgency: r.lead_agency,
      stage: r.stage as Stage,
      owner: r.owner,
      submittedAt: r.submitted_at.toISOString(),
      closedAt: r.closed_at?.toISOString() ?? null,
    }));
    const last = items[items.length - 1];
    return { items, ...(rows.length > limit && last && { next: { submittedAt: last.submittedAt, projectId: last.projectId } }) };
  });
}
