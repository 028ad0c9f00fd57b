/**
 * The record store's migrations, in order. Listed here (not read from a folder) so they run the same
 * from TypeScript sources, the compiled build and tests. A migration, once released, never changes:
 * add the next one.
 */
import { sql, type Kysely, type Migration } from 'kysely';

export const migrations: Record<string, Migration> = {
  '0001-records': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('projects')
        .addColumn('project_id', 'text', (c) => c.primaryKey())
        .addColumn('run_id', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('title', 'text', (c) => c.notNull())
        .addColumn('funder_id', 'text', (c) => c.notNull())
        .addColumn('lead_agency', 'text', (c) => c.notNull())
        .addColumn('stage', 'text', (c) => c.notNull())
        .addColumn('owner', 'text', (c) => c.notNull())
        .addColumn('owners', 'jsonb', (c) => c.notNull())
        .addColumn('submitted_at', 'timestamptz', (c) => c.notNull())
        .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
        .addColumn('closed_at', 'timestamptz')
        .addColumn('keep_until', 'timestamptz')
        .addColumn('core', 'jsonb', (c) => c.notNull())
        .execute();
      // The list's filters, newest first, and its cursor (submitted_at, project_id).
      await db.schema.createIndex('projects_by_submission').on('projects').columns(['submitted_at desc', 'project_id desc']).execute();
      await db.schema.createIndex('projects_by_funder').on('projects').columns(['funder_id', 'submitted_at desc']).execute();
      await db.schema.createIndex('projects_by_keep_until').on('projects').column('keep_until').execute();

      await db.schema
        .createTable('parties')
        .addColumn('project_id', 'text', (c) => c.notNull().references('projects.project_id').onDelete('cascade'))
        .addColumn('party_id', 'text', (c) => c.notNull())
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('country', 'text')
        .addPrimaryKeyConstraint('parties_pk', ['project_id', 'role', 'party_id'])
        .execute();

      await db.schema
        .createTable('steps')
        .addColumn('workflow_id', 'text', (c) => c.notNull())
        .addColumn('step_id', 'text', (c) => c.notNull())
        .addColumn('project_id', 'text', (c) => c.notNull().references('projects.project_id').onDelete('cascade'))
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('position', 'bigserial', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('party', 'text', (c) => c.notNull())
        .addColumn('reviewer', 'text', (c) => c.notNull())
        .addColumn('component_id', 'text')
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('outcome', 'text')
        .addColumn('opened_at', 'timestamptz', (c) => c.notNull())
        .addColumn('due_at', 'timestamptz', (c) => c.notNull())
        .addColumn('data', 'jsonb', (c) => c.notNull())
        .addPrimaryKeyConstraint('steps_pk', ['workflow_id', 'step_id'])
        .execute();
      await db.schema.createIndex('steps_by_project').on('steps').columns(['project_id', 'position']).execute();
      await db.schema.createIndex('steps_open_by_party').on('steps').columns(['party', 'due_at']).where(sql.ref('status'), '=', 'open').execute();

      await db.schema
        .createTable('decisions')
        .addColumn('workflow_id', 'text', (c) => c.notNull())
        .addColumn('step_id', 'text', (c) => c.notNull())
        .addColumn('project_id', 'text', (c) => c.notNull().references('projects.project_id').onDelete('cascade'))
        .addColumn('outcome', 'text', (c) => c.notNull())
        .addColumn('decided_by', 'text', (c) => c.notNull())
        .addColumn('decided_at', 'timestamptz', (c) => c.notNull())
        .addColumn('channel', 'text')
        .addColumn('legal_basis', 'text')
        .addColumn('comment', 'text')
        .addPrimaryKeyConstraint('decisions_pk', ['workflow_id', 'step_id'])
        .execute();
      await db.schema.createIndex('decisions_by_project').on('decisions').column('project_id').execute();

      await db.schema
        .createTable('audit_entries')
        .addColumn('project_id', 'text', (c) => c.notNull().references('projects.project_id').onDelete('cascade'))
        .addColumn('run_id', 'text', (c) => c.notNull())
        .addColumn('seq', 'integer', (c) => c.notNull())
        .addColumn('at', 'timestamptz', (c) => c.notNull())
        .addColumn('actor', 'text', (c) => c.notNull())
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('channel', 'text', (c) => c.notNull())
        .addColumn('component_id', 'text')
        .addColumn('step_id', 'text')
        .addColumn('detail', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('audit_entries_pk', ['project_id', 'run_id', 'seq'])
        .execute();

      await db.schema
        .createTable('licences')
        .addColumn('project_id', 'text', (c) => c.notNull().references('projects.project_id').onDelete('cascade'))
        .addColumn('component_id', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('licence_id', 'text')
        .addColumn('valid_until', 'timestamptz')
        .addColumn('data', 'jsonb', (c) => c.notNull())
        .addPrimaryKeyConstraint('licences_pk', ['project_id', 'component_id'])
        .execute();

      await db.schema
        .createTable('compliance_records')
        .addColumn('project_id', 'text', (c) => c.notNull().references('projects.project_id').onDelete('cascade'))
        .addColumn('component_id', 'text', (c) => c.notNull())
        .addColumn('record_key', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('recorded_at', 'timestamptz', (c) => c.notNull())
        .addColumn('data', 'jsonb', (c) => c.notNull())
        .addPrimaryKeyConstraint('compliance_records_pk', ['project_id', 'component_id', 'record_key'])
        .execute();

      await db.schema
        .createTable('cycles')
        .addColumn('cycle_id', 'text', (c) => c.primaryKey())
        .addColumn('funder_id', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('closes_at', 'timestamptz', (c) => c.notNull())
        .addColumn('launched_by', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('total', 'integer', (c) => c.notNull())
        .addColumn('launched', 'integer', (c) => c.notNull())
        .addColumn('counts', 'jsonb', (c) => c.notNull())
        .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('cycle_items')
        .addColumn('cycle_id', 'text', (c) => c.notNull().references('cycles.cycle_id').onDelete('cascade'))
        .addColumn('project_id', 'text', (c) => c.notNull())
        .addColumn('outcome', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('data', 'jsonb', (c) => c.notNull())
        .addPrimaryKeyConstraint('cycle_items_pk', ['cycle_id', 'project_id'])
        .execute();
      await db.schema.createIndex('cycle_items_by_outcome').on('cycle_items').columns(['cycle_id', 'outcome', 'project_id']).execute();

      await db.schema
        .createTable('record_events')
        .addColumn('id', 'bigserial', (c) => c.primaryKey())
        .addColumn('at', 'timestamptz', (c) => c.notNull())
        .addColumn('actor', 'text', (c) => c.notNull())
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('detail', 'text', (c) => c.notNull())
        .execute();
    },
  },
  /**
   * Cycles fan out through shards: the projects a cycle reviews are a target set in the records, which each
   * shard reads its slice of, so no workflow input carries the list. Counts are read from the items.
   */
  '0002-cycle-targets': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('cycle_target_sets')
        .addColumn('set_id', 'text', (c) => c.primaryKey())
        .addColumn('total', 'integer', (c) => c.notNull())
        // One array, not a row per project: a 10,000-project list is written in one row, and a shard reads its slice.
        .addColumn('project_ids', sql`text[]`, (c) => c.notNull())
        .addColumn('created_at', 'timestamptz', (c) => c.notNull())
        .execute();
      await db.schema.alterTable('cycles').dropColumn('counts').execute();
      await db.schema.alterTable('cycles').dropColumn('launched').execute();
    },
  },
  /** A closed cycle's record is kept for the policy's record-keeping period, then purged like a project's. */
  '0003-cycle-retention': {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('cycles').addColumn('keep_until', 'timestamptz').execute();
      await db.schema.createIndex('cycles_by_keep_until').on('cycles').column('keep_until').execute();
    },
  },
  /**
   * The workflow that owns a step records it: a licence review, a dispute and a compliance monitor write their own
   * audit entries, each numbered in its own trail (`source`, the writing workflow). The submission is kept with the
   * project, so a decision page shows the case from the records.
   */
  '0004-record-owners': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .alterTable('audit_entries')
        .addColumn('source', 'text', (c) => c.notNull().defaultTo(''))
        .execute();
      await db.schema.alterTable('audit_entries').dropConstraint('audit_entries_pk').execute();
      await db.schema.alterTable('audit_entries').addPrimaryKeyConstraint('audit_entries_pk', ['project_id', 'source', 'seq']).execute();
      await db.schema.createIndex('audit_entries_by_time').on('audit_entries').columns(['project_id', 'at']).execute();
      await db.schema.alterTable('projects').addColumn('submission', 'jsonb').execute();
      // A licence's row is written by the workflow that holds it now (its review, then its monitor): `version` is that one's.
      await db.schema
        .alterTable('licences')
        .addColumn('source', 'text', (c) => c.notNull().defaultTo(''))
        .execute();
      await db.schema.alterTable('licences').addColumn('case_clock', 'jsonb').execute();
    },
  },
  /** Each writer's last write applied, so a write from a lost workflow task is told from its task's next attempt. */
  '0005-record-writers': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('record_writers')
        .addColumn('project_id', 'text', (c) => c.notNull().references('projects.project_id').onDelete('cascade'))
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        // Milliseconds since the epoch: exact in a double, and read back as a number.
        .addColumn('run_started_at', 'double precision', (c) => c.notNull())
        .addColumn('history_length', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('record_writers_pk', ['project_id', 'source'])
        .execute();
    },
  },
  /** The mails SMTP accepted, so a send retried in another worker (its completion lost with a frontend) is not sent twice. */
  '0006-sent-mails': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('sent_mails')
        .addColumn('message_id', 'text', (c) => c.primaryKey())
        .addColumn('workflow_id', 'text', (c) => c.notNull())
        .addColumn('sent_at', 'timestamptz', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('sent_mails_by_time').on('sent_mails').column('sent_at').execute();
    },
  },
  /**
   * What is bound to a principal of API_KEYS or PRINCIPALS_FILE (api/oidc.ts, api/session-revocations.ts): the
   * account at the identity provider (`iss`, `sub`) it first signed in with, which a later sign-in by the same
   * e-mail must match; and when its sessions were last revoked (sign-out everywhere).
   */
  '0007-principal-bindings': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('principal_bindings')
        .addColumn('principal_id', 'text', (c) => c.primaryKey())
        .addColumn('issuer', 'text', (c) => c.notNull())
        .addColumn('subject', 'text', (c) => c.notNull())
        .addColumn('email', 'text', (c) => c.notNull())
        .addColumn('bound_at', 'timestamptz', (c) => c.notNull())
        .addUniqueConstraint('principal_bindings_account', ['issuer', 'subject'])
        .execute();
      await db.schema
        .createTable('session_revocations')
        .addColumn('principal_id', 'text', (c) => c.primaryKey())
        .addColumn('revoked_at', 'timestamptz', (c) => c.notNull())
        .addColumn('revoked_by', 'text', (c) => c.notNull())
        .execute();
    },
  },
  /**
   * A target set names the funder who wrote it, and the cycle that was started with it once one was: a list filed
   * under a cycle id that turned out to be taken belongs to no cycle, and is purged like any set no cycle uses.
   * Sets written before this migration take the funder and the id of the cycle their id names, if there is one.
   */
  '0008-target-set-funder': {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('cycle_target_sets').addColumn('funder_id', 'text').addColumn('cycle_id', 'text').execute();
      await sql`update cycle_target_sets s set funder_id = c.funder_id, cycle_id = c.cycle_id
                from cycles c where c.cycle_id = split_part(s.set_id, ':', 1)`.execute(db);
      await db.schema.createIndex('cycle_target_sets_by_cycle').on('cycle_target_sets').column('cycle_id').execute();
    },
  },
  /**
   * Documents: each upload's record (what it is, what it is attached to, its hash and where its bytes are: the
   * storage key, content-addressed), and each upload and download as an event of the project's audit trail. The
   * events are the API's own table: the audit entries are written by the workflows that own them, each numbering its
   * own trail, and the API writes into none of them; records/project-reads.ts merges both into one trail.
   */
  '0009-documents': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('documents')
        .addColumn('document_id', 'text', (c) => c.primaryKey())
        .addColumn('project_id', 'text', (c) => c.notNull().references('projects.project_id').onDelete('cascade'))
        .addColumn('component_id', 'text')
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('attached_type', 'text', (c) => c.notNull())
        .addColumn('attached_id', 'text', (c) => c.notNull())
        .addColumn('filename', 'text', (c) => c.notNull())
        .addColumn('content_type', 'text', (c) => c.notNull())
        .addColumn('size', 'bigint', (c) => c.notNull())
        .addColumn('sha256', 'text', (c) => c.notNull())
        .addColumn('storage_key', 'text', (c) => c.notNull())
        .addColumn('uploaded_by', 'text', (c) => c.notNull())
        .addColumn('uploaded_at', 'timestamptz', (c) => c.notNull())
        .addColumn('position', 'bigserial', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('documents_by_project').on('documents').columns(['project_id', 'position']).execute();
      await db.schema.createIndex('documents_by_attachment').on('documents').columns(['project_id', 'attached_type', 'attached_id']).execute();
      await db.schema.createIndex('documents_by_storage_key').on('documents').column('storage_key').execute();
      await db.schema
        .createTable('document_events')
        .addColumn('id', 'bigserial', (c) => c.primaryKey())
        .addColumn('project_id', 'text', (c) => c.notNull().references('projects.project_id').onDelete('cascade'))
        .addColumn('document_id', 'text', (c) => c.notNull())
        .addColumn('at', 'timestamptz', (c) => c.notNull())
        .addColumn('actor', 'text', (c) => c.notNull())
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('channel', 'text', (c) => c.notNull())
        .addColumn('component_id', 'text')
        .addColumn('step_id', 'text')
        .addColumn('sha256', 'text', (c) => c.notNull())
        .addColumn('detail', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('document_events_by_project').on('document_events').columns(['project_id', 'at']).execute();
    },
  },
};
