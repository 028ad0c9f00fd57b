/**
 * Documents as records: each document's row (written once, when its bytes are stored and scanned: from then on it is
 * visible) and the events of the audit trail that name it, every upload and download with its hash. The API writes
 * these itself (not a workflow): they are its own table, merged into the trail by records/project-reads.ts.
 */
import type { Transaction } from 'kysely';
import type { Attachment, AttachmentKind } from '../domain/documents';
import type { Channel } from '../workflows/definitions';
import { snapshot, type Records } from './database';
import type { Database } from './schema';

export interface DocumentRecord {
  documentId: string;
  projectId: string;
  componentId?: string;
  kind: string;
  attachedTo: Attachment;
  filename: string;
  contentType: string;
  size: number;
  sha256: string;
  storageKey: string;
  uploadedBy: string;
  uploadedAt: string;
}

/** An upload or a download, as the audit trail shows it. */
export interface DocumentEvent {
  projectId: string;
  documentId: string;
  at: string;
  actor: string;
  action: 'document-uploaded' | 'document-downloaded';
  channel: Channel;
  componentId?: string;
  stepId?: string;
  sha256: string;
  detail: string;
}

function fromRow(r: Awaited<ReturnType<typeof selectDocuments>>[number]): DocumentRecord {
  return {
    documentId: r.document_id,
    projectId: r.project_id,
    ...(r.component_id !== null && { componentId: r.component_id }),
    kind: r.kind,
    attachedTo: { type: r.attached_type as AttachmentKind, id: r.attached_id },
    filename: r.filename,
    contentType: r.content_type,
    size: Number(r.size),
    sha256: r.sha256,
    storageKey: r.storage_key,
    uploadedBy: r.uploaded_by,
    uploadedAt: r.uploaded_at.toISOString(),
  };
}

const selectDocuments = (tx: Transaction<Database>, projectId: string) =>
  tx.selectFrom('documents').selectAll().where('project_id', '=', projectId).orderBy('position').execute();

const eventRow = (e: DocumentEvent) => ({
  project_id: e.projectId,
  document_id: e.documentId,
  at: e.at,
  actor: e.actor,
  action: e.action,
  channel: e.channel,
  component_id: e.componentId ?? null,
  step_id: e.stepId ?? null,
  sha256: e.sha256,
  detail: e.detail,
});

/** The document's row and its upload event, in one transaction: a document is visible exactly when its upload is audited. */
export async function insertDocument(records: Records, doc: DocumentRecord, uploaded: DocumentEvent): Promise<void> {
  await records.transaction().execute(async (tx) => {
    await tx
      .insertInto('documents')
      .values({
        document_id: doc.documentId,
        project_id: doc.projectId,
        component_id: doc.componentId ?? null,
        kind: doc.kind,
        attached_type: doc.attachedTo.type,
        attached_id: doc.attachedTo.id,
        filename: doc.filename,
        content_type: doc.contentType,
        size: doc.size,
        sha256: doc.sha256,
        storage_key: doc.storageKey,
        uploaded_by: doc.uploadedBy,
        uploaded_at: doc.uploadedAt,
      })
      .execute();
    await tx.insertInto('document_events').values(eventRow(uploaded)).execute();
  });
}

export async function recordDocumentEvent(records: Records, event: DocumentEvent): Promise<void> {
  await records.transaction().execute((tx) => tx.insertInto('document_events').values(eventRow(event)).execute());
}

/** The project's documents in upload order, optionally only a component's (with the project's own, `withProject`) or one attachment's. */
export async function listDocuments(
  records: Records,
  projectId: string,
  filter: { componentId?: string; withProject?: boolean; attachedTo?: Attachment } = {},
): Promise<DocumentRecord[]> {
  const rows = await snapshot(records, (tx) => selectDocuments(tx, projectId));
  return rows.map(fromRow).filter((d) => {
    if (filter.attachedTo && (d.attachedTo.type !== filter.attachedTo.type || d.attachedTo.id !== filter.attachedTo.id)) return false;
    if (filter.componentId !== undefined) return d.componentId === filter.componentId || (!!filter.withProject && d.componentId === undefined);
    return true;
  });
}

/** One document by id; with `projectId`, only if it is that project's. */
export async function readDocument(records: Records, documentId: string, projectId?: string): Promise<DocumentRecord | undefined> {
  const row = await snapshot(records, (tx) => {
    let q = tx.selectFrom('documents').selectAll().where('document_id', '=', documentId);
    if (projectId !== undefined) q = q.where('project_id', '=', projectId);
    return q.executeTakeFirst();
  });
  return row && fromRow(row);
}

/** Whether any document's record names these bytes (content-addressed: several documents may share them). */
export async function storageKeyInUse(records: Records, storageKey: string): Promise<boolean> {
  const row = await snapshot(records, (tx) => tx.selectFrom('documents').select('document_id').where('storage_key', '=', storageKey).executeTakeFirst());
  return !!row;
}

/** Whether the project names `partyId` among its partners (a party document is attached to one). */
export async function isProjectPartner(records: Records, projectId: string, partyId: string): Promise<boolean> {
  const row = await snapshot(records, (tx) =>
    tx
      .selectFrom('parties')
      .select('party_id')
      .where('project_id', '=', projectId)
      .where('role', '=', 'partner')
      .where('party_id', '=', partyId)
      .executeTakeFirst(),
  );
  return !!row;
}
