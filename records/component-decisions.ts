/**
 * What the four-eyes rule (domain/four-eyes.ts) reads before a decision: the step, and the steps already decided on
 * the same component (for a step of no component, such as a grant step: those of the same workflow with none). The
 * workflow that owns each step records its decision before it answers, so a decision answered 200 is read here.
 */
import type { ReviewStep } from '../workflows/definitions';
import { snapshot, type Records } from './database';

export function readDecidedAlongside(
  records: Records,
  at: { workflowId: string; stepId: string },
): Promise<{ step: ReviewStep; decided: ReviewStep[] } | undefined> {
  return snapshot(records, async (db) => {
    const row = await db
      .selectFrom('steps')
      .select(['project_id', 'component_id', 'data'])
      .where('workflow_id', '=', at.workflowId)
      .where('step_id', '=', at.stepId)
      .executeTakeFirst();
    if (!row) return undefined;
    let query = db.selectFrom('steps').select('data').where('project_id', '=', row.project_id).where('status', '=', 'decided');
    query =
      row.component_id === null
        ? query.where('component_id', 'is', null).where('workflow_id', '=', at.workflowId)
        : query.where('component_id', '=', row.component_id);
    const decided = (await query.orderBy('position').execute()).map((r) => r.data);
    return { step: row.data, decided };
  });
}
