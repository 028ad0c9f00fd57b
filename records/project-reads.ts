/**
 * The project record as the API serves it: the view and the audit trail. The view is the project's core, with each
 * licence as the workflow that holds it wrote it, and every step as the workflow that owns it wrote it.
 */
import type { Project } from '../domain/project';
import type { AuditEntry, Channel, ProjectView } from '../workflows/definitions';
import { withAcknowledgementsGiven } from './acknowledgements';
import { snapshot, type Records } from './database';

export interface ProjectRecord {
  view: ProjectView;
  /** The submission as the coordinator gave it (partners, components' codes, destinations, recipients): the letters read it. */
  submission?: Project;
  /** Owner, then delegates. */
  owners: string[];
  run: string;
  closedAt?: string;
  keepUntil?: string;
}

export function readProjectRecord(records: Records, projectId: string): Promise<ProjectRecord | undefined> {
  return snapshot(records, async (db) => {
    const row = await db
      .selectFrom('projects')
      .select(['core', 'owners', 'run_id', 'closed_at', 'keep_until', 'submission'])
      .where('project_id', '=', projectId)
      .executeTakeFirst();
    if (!row) return undefined;
    const steps = (await db.selectFrom('steps').select('data').where('project_id', '=', projectId).orderBy('position').execute()).map((r) => r.data);
    const licences = new Map(
      (await db.selectFrom('licences').select(['component_id', 'data', 'case_clock']).where('project_id', '=', projectId).execute()).map((r) => [
        r.component_id,
        r,
      ]),
    );
    const components = row.core.components.map((c) => {
      const held = licences.get(c.id);
      if (!held) return c;
      const own = steps.filter((s) => s.componentId === c.id);
      return { ...c, licence: withAcknowledgementsGiven(held.data, own), ...(held.case_clock && { caseClock: held.case_clock }) };
    });
    return {
      view: { ...row.core, components, steps, openSteps: steps.filter((s) => s.status === 'open') },
      ...(row.submission && { submission: row.submission }),
      owners: row.owners,
      run: row.run_id,
      ...(row.closed_at && { closedAt: row.closed_at.toISOString() }),
      ...(row.keep_until && { keepUntil: row.keep_until.toISOString() }),
    };
  });
}

/** Whether the project has a record, and until when it is kept (once closed). */
export function recordedProject(records: Records, projectId: string): Promise<{ keepUntil?: string } | undefined> {
  return snapshot(records, async (db) => {
    const row = await db.selectFrom('projects').select('keep_until').where('project_id', '=', projectId).executeTakeFirst();
    return row && (row.keep_until ? { keepUntil: row.keep_until.toISOString() } : {});
  });
}

/**
 * The trail in time order, from every workflow of the project and the API's document events (uploads and downloads,
 * each with its hash: records/documents.ts). Entries one workflow made in the same millisecond keep the order it made
 * them in; at the same millisecond, different workflows' entries are ordered by workflow, and document events follow.
 */
export async function readAuditTrail(records: Records, projectId: string): Promise<AuditEntry[]> {
  const [rows, events] = await snapshot(
    records,
    async (db) =>
      [
        await db.selectFrom('audit_entries').selectAll().where('project_id', '=', projectId).orderBy('at').orderBy('source').orderBy('seq').execute(),
        await db.selectFrom('document_events').selectAll().where('project_id', '=', projectId).orderBy('at').orderBy('id').execute(),
      ] as const,
  );
  const entries = rows.map((r) => ({
    at: r.at,
    entry: {
      at: r.at.toISOString(),
      actor: r.actor,
      action: r.action,
      channel: r.channel as Channel,
      ...(r.component_id !== null && { componentId: r.component_id }),
      ...(r.step_id !== null && { stepId: r.step_id }),
      detail: r.detail,
    } as AuditEntry,
  }));
  const documentEntries = events.map((e) => ({
    at: e.at,
    entry: {
      at: e.at.toISOString(),
      actor: e.actor,
      action: e.action,
      channel: e.channel as Channel,
      ...(e.component_id !== null && { componentId: e.component_id }),
      ...(e.step_id !== null && { stepId: e.step_id }),
      documentId: e.document_id,
      sha256: e.sha256,
      detail: e.detail,
    } as AuditEntry,
  }));
  // Both lists are in time order: merged stably, workflows' entries first at the same millisecond.
  const merged: AuditEntry[] = [];
  let i = 0;
  let j = 0;
  while (i < entries.length || j < documentEntries.length) {
    if (j >= documentEntries.length || (i < entries.length && entries[i].at.getTime() <= documentEntries[j].at.getTime())) merged.push(entries[i++].entry);
    else merged.push(documentEntries[j++].entry);
  }
  return merged;
}

/** Every compliance report and corrective action recorded for the project's licences, by component and key. */
export async function readComplianceRecords(
  records: Records,
  projectId: string,
): Promise<{ componentId: string; key: string; kind: string; data: Record<string, unknown> }[]> {
  const rows = await snapshot(records, (db) =>
    db.selectFrom('compliance_records').selectAll().where('project_id', '=', projectId).orderBy('component_id').orderBy('record_key').execute(),
  );
  return rows.map((r) => ({ componentId: r.component_id, key: r.record_key, kind: r.kind, data: r.data }));
}
