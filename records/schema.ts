/** The tables of the system of record, as Kysely sees them (migrations.ts creates them). */
import type { ColumnType, Generated, JSONColumnType } from 'kysely';
import type { Project } from '../domain/project';
import type { CaseClock, Licence, ReviewStep } from '../workflows/definitions';
import type { ProjectCore } from './contract';

/** Timestamps go in as ISO strings and come out as Dates. */
type Timestamp = ColumnType<Date, string, string>;
type OptionalTimestamp = ColumnType<Date | null, string | null | undefined, string | null>;

export interface ProjectsTable {
  project_id: string;
  run_id: string;
  version: number;
  title: string;
  funder_id: string;
  lead_agency: string;
  stage: string;
  owner: string;
  /** Owner and delegates: who may read and act on the project as a coordinator. */
  owners: JSONColumnType<string[]>;
  submitted_at: Timestamp;
  updated_at: Timestamp;
  closed_at: OptionalTimestamp;
  /** Kept until then (the policy's record-keeping period after closing); null while open. */
  keep_until: OptionalTimestamp;
  core: JSONColumnType<ProjectCore>;
  /** The submission as the coordinator gave it (with the first write), or as its last amendment left it. */
  submission: JSONColumnType<Project | null, string | null | undefined, string | null>;
}

export interface PartiesTable {
  project_id: string;
  party_id: string;
  role: string;
  name: string;
  country: string | null;
}

export interface StepsTable {
  workflow_id: string;
  step_id: string;
  project_id: string;
  version: number;
  /** Order of first recording (the view lists a project's steps in it). */
  position: Generated<number>;
  kind: string;
  party: string;
  reviewer: string;
  component_id: string | null;
  status: string;
  outcome: string | null;
  opened_at: Timestamp;
  due_at: Timestamp;
  data: JSONColumnType<ReviewStep>;
}

export interface DecisionsTable {
  workflow_id: string;
  step_id: string;
  project_id: string;
  outcome: string;
  decided_by: string;
  decided_at: Timestamp;
  channel: string | null;
  legal_basis: string | null;
  comment: string | null;
}

export interface AuditEntriesTable {
  project_id: string;
  run_id: string;
  /** The workflow that wrote the entry; `seq` numbers its own trail. */
  source: string;
  seq: number;
  at: Timestamp;
  actor: string;
  action: string;
  channel: string;
  component_id: string | null;
  step_id: string | null;
  detail: string;
}

export interface LicencesTable {
  project_id: string;
  component_id: string;
  /** The workflow that wrote it (the licence review, then the compliance monitor); `version` is its write's. */
  source: string;
  version: number;
  status: string;
  licence_id: string | null;
  valid_until: OptionalTimestamp;
  data: JSONColumnType<Licence>;
  /** The review's case clock (the legal limit, stopped while the applicant is asked for information). */
  case_clock: JSONColumnType<CaseClock | null, string | null, string | null>;
}

export interface ComplianceRecordsTable {
  project_id: string;
  component_id: string;
  record_key: string;
  kind: string;
  recorded_at: Timestamp;
  data: JSONColumnType<Record<string, unknown>>;
}

export interface CyclesTable {
  cycle_id: string;
  funder_id: string;
  version: number;
  name: string;
  closes_at: Timestamp;
  launched_by: string;
  status: string;
  total: number;
  updated_at: Timestamp;
  /** Set once the cycle has closed: its records are purged after then. */
  keep_until: OptionalTimestamp;
}

/** The projects a cycle reviews, in order: given by the funder, or every active project of theirs at the launch. */
export interface CycleTargetSetsTable {
  set_id: string;
  total: number;
  project_ids: string[];
  created_at: Timestamp;
  /** The funder whose list it is (null only for a set of no cycle written before 0008). */
  funder_id: string | null;
  /** The cycle started with it; null until one is (a launch refused or still in flight). */
  cycle_id: string | null;
}

export interface CycleItemsTable {
  cycle_id: string;
  project_id: string;
  /** A cycle outcome, or `skipped` (the project could not be asked). */
  outcome: string;
  version: number;
  /** The CycleItem, or the SkippedProject. */
  data: JSONColumnType<Record<string, unknown>>;
}

/** Admin actions on the records themselves (a purge), which no project's trail can hold once the project is gone. */
export interface RecordEventsTable {
  id: Generated<number>;
  at: Timestamp;
  actor: string;
  action: string;
  detail: string;
}

export interface Database {
  projects: ProjectsTable;
  parties: PartiesTable;
  steps: StepsTable;
  decisions: DecisionsTable;
  audit_entries: AuditEntriesTable;
  licences: LicencesTable;
  compliance_records: ComplianceRecordsTable;
  cycles: CyclesTable;
  cycle_items: CycleItemsTable;
  cycle_target_sets: CycleTargetSetsTable;
  record_events: RecordEventsTable;
  record_writers: RecordWritersTable;
  sent_mails: SentMailsTable;
  principal_bindings: PrincipalBindingsTable;
  session_revocations: SessionRevocationsTable;
  documents: DocumentsTable;
  document_events: DocumentEventsTable;
}

/** A document's record (records/documents.ts): what it is, what it belongs to, its hash, and the key of its bytes in the store. */
export interface DocumentsTable {
  document_id: string;
  project_id: string;
  component_id: string | null;
  kind: string;
  /** What it is attached to (domain/documents.ts ATTACHMENT_KINDS) and that thing's id. */
  attached_type: string;
  attached_id: string;
  filename: string;
  /** Named from the bytes (domain/document-types.ts). */
  content_type: string;
  size: number;
  sha256: string;
  storage_key: string;
  /** The principal (or reviewer) who uploaded it, or the workflow that generated it. */
  uploaded_by: string;
  uploaded_at: Timestamp;
  position: Generated<number>;
}

/** Each upload and download of a document, merged into the project's audit trail (records/project-reads.ts). */
export interface DocumentEventsTable {
  id: Generated<number>;
  project_id: string;
  document_id: string;
  at: Timestamp;
  actor: string;
  action: string;
  channel: string;
  component_id: string | null;
  step_id: string | null;
  sha256: string;
  detail: string;
}

/** A principal's account at the OpenID provider, bound at its first sign-in (api/oidc.ts). */
export interface PrincipalBindingsTable {
  principal_id: string;
  issuer: string;
  subject: string;
  /** The e-mail it signed in with then. */
  email: string;
  bound_at: Timestamp;
}

/** Sign-out everywhere: every session of the principal issued before `revoked_at` is refused (api/session-revocations.ts). */
export interface SessionRevocationsTable {
  principal_id: string;
  revoked_at: Timestamp;
  revoked_by: string;
}

/** Each mail SMTP accepted, by Message-ID, so a retried send in any worker does not send it again (records/sent-mails.ts). */
export interface SentMailsTable {
  message_id: string;
  workflow_id: string;
  sent_at: Timestamp;
}

/** The last write applied from each workflow that writes a project's record (records/record-writers.ts). */
export interface RecordWritersTable {
  project_id: string;
  source: string;
  version: number;
  run_started_at: number;
  history_length: number;
}
