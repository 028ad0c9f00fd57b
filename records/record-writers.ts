/**
 * Record writes are local activities, run inside the workflow task that made the change. A worker that dies after
 * a write committed and before its task reached Temporal leaves a write that no history knows of; the task runs again
 * on another worker, with whatever arrived meanwhile (a decision's Update, say), so the same write version can carry
 * other entries. Each write names its task (its run's start, then the history length the task started at), which
 * only grows:
 * - a later task's write whose version was already applied supersedes the lost one: the writer's audit entries from
 *   its position on go, and its rows' versions step back so this write's apply;
 * - an earlier task's write (a lost worker that carried on and committed late) is refused;
 * - the same task's again (a retried activity) applies again, each row an upsert.
 */
import type { Transaction } from 'kysely';
import type { ProjectRecordWrite } from './contract';
import type { Database } from './schema';

export type WriterTurn = 'apply' | 'stale';

/** Decides whether `w` applies, and clears what a lost attempt of its task wrote. Locks the writer's row to the end. */
export async function takeWriterTurn(tx: Transaction<Database>, w: ProjectRecordWrite): Promise<WriterTurn> {
  if (!w.task) return 'apply';
  const last = await tx
    .selectFrom('record_writers')
    .select(['version', 'run_started_at', 'history_length'])
    .where('project_id', '=', w.projectId)
    .where('source', '=', w.source)
    .forUpdate()
    .executeTakeFirst();
  if (!last) return 'apply';
  const order = compareTasks(w.task, { runStartedAt: last.run_started_at, historyLength: last.history_length });
  if (order < 0) return 'stale';
  if (order > 0 && w.version <= last.version) await supersede(tx, w);
  return 'apply';
}

/** Once the write has applied (the project's row exists): it is the writer's last. */
export async function recordWriterTurn(tx: Transaction<Database>, w: ProjectRecordWrite): Promise<void> {
  if (!w.task) return;
  const row = { project_id: w.projectId, source: w.source, version: w.version, run_started_at: w.task.runStartedAt, history_length: w.task.historyLength };
  await tx
    .insertInto('record_writers')
    .values(row)
    .onConflict((oc) =>
      oc.columns(['project_id', 'source']).doUpdateSet({ version: row.version, run_started_at: row.run_started_at, history_length: row.history_length }),
    )
    .execute();
}

type Task = NonNullable<ProjectRecordWrite['task']>;
const compareTasks = (a: Task, b: Task): number => a.runStartedAt - b.runStartedAt || a.historyLength - b.historyLength;

async function supersede(tx: Transaction<Database>, w: ProjectRecordWrite): Promise<void> {
  const before = w.version - 1;
  await tx.deleteFrom('audit_entries').where('project_id', '=', w.projectId).where('source', '=', w.source).where('seq', '>=', w.auditFrom).execute();
  await tx
    .updateTable('steps')
    .set({ version: before })
    .where('project_id', '=', w.projectId)
    .where('workflow_id', '=', w.source)
    .where('version', '>=', w.version)
    .execute();
  await tx
    .updateTable('licences')
    .set({ version: before })
    .where('project_id', '=', w.projectId)
    .where('source', '=', w.source)
    .where('version', '>=', w.version)
    .execute();
  // The project's core is written by the project workflow alone.
  if (w.core) await tx.updateTable('projects').set({ version: before }).where('project_id', '=', w.projectId).where('version', '>=', w.version).execute();
}
