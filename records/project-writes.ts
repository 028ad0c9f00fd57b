/**
 * The project record's writes, from the project workflow and from each workflow that owns steps of the project (its
 * licence reviews, disputes and monitors): one transaction per write, every row an upsert on its natural key.
 */
import { sql, type Transaction } from 'kysely';
import type { MonitoredLicenceView } from '../workflows/compliance-contract';
import type { Licence } from '../workflows/definitions';
import type { ProjectRecordWrite, RecordWriteResult } from './contract';
import { writeProjectCycleItems } from './cycle-records';
import type { Records } from './database';
import { recordWriterTurn, takeWriterTurn } from './record-writers';
import type { Database } from './schema';

export class RecordRunMismatch extends Error {}

export async function writeProjectRecord(db: Records, w: ProjectRecordWrite): Promise<RecordWriteResult> {
  return db.transaction().execute(async (tx) => {
    const now = new Date().toISOString();
    if ((await takeWriterTurn(tx, w)) === 'stale') return { settledShards: [] };
    if (w.core) {
      const owners = JSON.stringify([w.core.owner, ...w.core.delegates]);
      const row = {
        project_id: w.projectId,
        run_id: w.run,
        version: w.version,
        title: w.core.title,
        funder_id: w.core.funderId,
        lead_agency: w.core.leadAgency,
        stage: w.core.stage,
        owner: w.core.owner,
        owners,
        submitted_at: w.core.submittedAt,
        updated_at: now,
        core: JSON.stringify(w.core),
        submission: w.submission ? JSON.stringify(w.submission) : null,
      };
      await tx
        .insertInto('projects')
        .values(row)
        .onConflict((oc) =>
          oc
            .column('project_id')
            // The submission is written again only when an amendment changed it.
            .doUpdateSet({
              version: w.version,
              stage: row.stage,
              owners,
              updated_at: now,
              core: row.core,
              ...(row.submission && { submission: row.submission }),
            })
            .where('projects.run_id', '=', w.run)
            .where('projects.version', '<', w.version),
        )
        .execute();
    }
    const project = await tx.selectFrom('projects').select(['run_id', 'version']).where('project_id', '=', w.projectId).executeTakeFirst();
    // The project writes first (its core, at its start); its reviews start later.
    if (!project) throw new Error(`project ${w.projectId} has no record yet: its first write must carry its core`);
    if (project.run_id !== w.run) throw new RecordRunMismatch(`project ${w.projectId} is recorded for run ${project.run_id}, not ${w.run}`);
    await recordWriterTurn(tx, w);

    if (w.licence) await writeLicence(tx, w, w.licence);

    // Each report and corrective action of a monitored licence, as its monitor's write knows it. The view keeps only
    // the recent ones (the monitor trims its state); these rows keep every one for the record-keeping period.
    const compliance = w.licence ? complianceRows(w.projectId, [{ id: w.licence.componentId, licence: w.licence.licence }], now) : [];
    if (compliance.length) {
      await tx
        .insertInto('compliance_records')
        .values(compliance)
        .onConflict((oc) =>
          oc
            .columns(['project_id', 'component_id', 'record_key'])
            .doUpdateSet((eb) => ({ kind: eb.ref('excluded.kind'), recorded_at: eb.ref('excluded.recorded_at'), data: eb.ref('excluded.data') })),
        )
        .execute();
    }

    if (w.parties?.length) {
      await tx
        .insertInto('parties')
        .values(w.parties.map((p) => ({ project_id: w.projectId, party_id: p.partyId, role: p.role, name: p.name, country: p.country ?? null })))
        .onConflict((oc) => oc.doNothing())
        .execute();
    }

    if (w.steps.length) {
      await tx
        .insertInto('steps')
        .values(
          w.steps.map((s) => ({
            workflow_id: s.workflowId,
            step_id: s.stepId,
            project_id: w.projectId,
            version: w.version,
            kind: s.kind,
            party: s.party,
            reviewer: s.reviewer,
            component_id: s.componentId ?? null,
            status: s.status,
            outcome: s.outcome ?? null,
            opened_at: s.openedAt,
            due_at: s.dueAt,
            data: JSON.stringify(s),
          })),
        )
        .onConflict((oc) =>
          oc
            .columns(['workflow_id', 'step_id'])
            .doUpdateSet((eb) => ({
              version: eb.ref('excluded.version'),
              reviewer: eb.ref('excluded.reviewer'),
              status: eb.ref('excluded.status'),
              outcome: eb.ref('excluded.outcome'),
              due_at: eb.ref('excluded.due_at'),
              data: eb.ref('excluded.data'),
            }))
            .where('steps.version', '<=', w.version),
        )
        .execute();
      const decided = w.steps.filter((s) => s.outcome && s.decidedAt);
      if (decided.length) {
        await tx
          .insertInto('decisions')
          .values(
            decided.map((s) => ({
              workflow_id: s.workflowId,
              step_id: s.stepId,
              project_id: w.projectId,
              outcome: s.outcome!,
              decided_by: s.decidedBy ?? s.reviewer,
              decided_at: s.decidedAt!,
              channel: s.decidedVia ?? null,
              legal_basis: s.legalBasis ?? null,
              comment: s.comment ?? null,
            })),
          )
          .onConflict((oc) =>
            oc.columns(['workflow_id', 'step_id']).doUpdateSet((eb) => ({
              outcome: eb.ref('excluded.outcome'),
              decided_by: eb.ref('excluded.decided_by'),
              decided_at: eb.ref('excluded.decided_at'),
              channel: eb.ref('excluded.channel'),
              legal_basis: eb.ref('excluded.legal_basis'),
              comment: eb.ref('excluded.comment'),
            })),
          )
          .execute();
      }
    }

    if (w.audit.length) {
      await tx
        .insertInto('audit_entries')
        .values(
          w.audit.map((e, i) => ({
            project_id: w.projectId,
            run_id: w.run,
            source: w.source,
            seq: w.auditFrom + i,
            at: e.at,
            actor: e.actor,
            action: e.action,
            channel: e.channel,
            component_id: e.componentId ?? null,
            step_id: e.stepId ?? null,
            detail: e.detail,
          })),
        )
        .onConflict((oc) => oc.doNothing())
        .execute();
    }

    const settledShards = w.cycleItems?.length ? await writeProjectCycleItems(tx, w.version, w.cycleItems) : [];

    if (w.closed) {
      await tx
        .updateTable('projects')
        .set({ closed_at: sql`coalesce(closed_at, ${w.closed.at}::timestamptz)`, keep_until: w.closed.keepUntil })
        .where('project_id', '=', w.projectId)
        .execute();
    }
    return { settledShards };
  });
}

/**
 * A component's licence row, from the workflow that holds it now. Its writes are ordered by their versions; a new
 * holder (the monitor after the review, a review submitted again) starts after the previous one has finished.
 */
async function writeLicence(tx: Transaction<Database>, w: ProjectRecordWrite, held: NonNullable<ProjectRecordWrite['licence']>): Promise<void> {
  const l = held.licence;
  const row = {
    project_id: w.projectId,
    component_id: held.componentId,
    source: w.source,
    version: w.version,
    status: l.status,
    licence_id: l.licenceId ?? null,
    valid_until: l.validUntil ?? null,
    data: JSON.stringify(l),
    case_clock: held.caseClock ? JSON.stringify(held.caseClock) : null,
  };
  await tx
    .insertInto('licences')
    .values(row)
    .onConflict((oc) =>
      oc
        .columns(['project_id', 'component_id'])
        .doUpdateSet((eb) => ({
          source: eb.ref('excluded.source'),
          version: eb.ref('excluded.version'),
          status: eb.ref('excluded.status'),
          licence_id: eb.ref('excluded.licence_id'),
          valid_until: eb.ref('excluded.valid_until'),
          data: eb.ref('excluded.data'),
          // A monitor holds no case clock: the review's last one stays.
          case_clock: sql`coalesce(excluded.case_clock, licences.case_clock)`,
        }))
        .where((eb) => eb.or([eb('licences.source', '<>', w.source), eb('licences.version', '<', w.version)])),
    )
    .execute();
}

function complianceRows(projectId: string, components: { id: string; licence: Licence }[], now: string) {
  return components.flatMap(({ id, licence }) => {
    const record = (licence as Partial<MonitoredLicenceView>).compliance;
    if (!record) return [];
    return [
      ...record.reports.map((r) => ({ record_key: `report-${r.period}`, kind: 'report', data: JSON.stringify(r) })),
      ...record.correctiveActions.map((a) => ({ record_key: `action-${a.actionId}`, kind: 'corrective-action', data: JSON.stringify(a) })),
    ].map((row) => ({ ...row, project_id: projectId, component_id: id, recorded_at: now }));
  });
}
