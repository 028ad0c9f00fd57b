/**
 * Keeping documents: the one path by which bytes become a document (stored content-addressed, scanned, then recorded
 * with its upload in the audit trail) and by which a document's bytes are read back (checked against its hash, the
 * download audited). The API's uploads, and whatever generates documents (letters), go through `add`.
 */
import { randomBytes } from 'node:crypto';
import type { Attachment } from '../domain/documents';
import type { Records } from '../records/database';
import { insertDocument, recordDocumentEvent, storageKeyInUse, type DocumentRecord } from '../records/documents';
import type { Channel } from '../workflows/definitions';
import { contentKey, sha256Hex, type DocumentStore } from './document-store';
import { noVirusScan, type VirusScan } from './virus-scan';

export interface NewDocument {
  projectId: string;
  componentId?: string;
  kind: string;
  attachedTo: Attachment;
  filename: string;
  /** Named from the bytes by the caller (domain/document-types.ts sniffType for uploads). */
  contentType: string;
  bytes: Buffer;
  /** Who: a principal id, a reviewer's e-mail, or the workflow that generated it. */
  uploadedBy: string;
  channel: Channel;
  stepId?: string;
}

/** Who reads a document, for the audit trail. */
export interface Reader {
  actor: string;
  channel: Channel;
  stepId?: string;
}

/** A document stored and scanned, not yet recorded (Documents.stage). */
export interface StagedDocument {
  record: DocumentRecord;
  /** Records it with its upload in the audit trail: from then on it is visible. */
  keep(): Promise<DocumentRecord>;
  /** Leaves no trace: its bytes go unless another document's record names them. */
  discard(): Promise<void>;
}

export class DocumentRefused extends Error {}
/** A record whose bytes are missing from the store, or whose bytes no longer have its hash. */
export class DocumentDamaged extends Error {}

/** A document's id: 96 random bits, so no one guesses another's. */
export const newDocumentId = (): string => `doc-${randomBytes(12).toString('hex')}`;

/** A filename as the client gave it, reduced to its last path segment and printable characters (it goes into headers and pages). */
export function cleanFilename(name: string | undefined): string {
  const last = (name ?? '').split(/[\\/]/).pop() ?? '';
  const clean = last
    .replace(/[\u0000-\u001f\u007f"]/g, '')
    .trim()
    .slice(0, 200);
  return clean && clean !== '.' && clean !== '..' ? clean : 'document';
}

const describe = (d: Pick<DocumentRecord, 'filename' | 'contentType' | 'size' | 'sha256' | 'kind'>) =>
  `${d.filename} (${d.kind}, ${d.contentType}, ${d.size} bytes, sha256 ${d.sha256})`;

export class Documents {
  constructor(
    readonly store: DocumentStore,
    private readonly records: Records,
    private readonly scan: VirusScan = noVirusScan,
  ) {}

  async add(doc: NewDocument): Promise<DocumentRecord> {
    return (await this.stage(doc)).keep();
  }

  /**
   * Stores and scans the bytes and names the document (its id and hash), without recording it yet: an act that must
   * cite the document (a signed acknowledgement) is sent first, then `keep` records it, or `discard` leaves no trace.
   */
  async stage(doc: NewDocument): Promise<StagedDocument> {
    const sha256 = sha256Hex(doc.bytes);
    const storageKey = contentKey(sha256);
    await this.store.put(storageKey, doc.bytes, doc.contentType);
    const verdict = await this.scan({ bytes: doc.bytes, sha256, contentType: doc.contentType, filename: doc.filename, projectId: doc.projectId, storageKey });
    const unlessInUse = async () => {
      if (!(await storageKeyInUse(this.records, storageKey))) await this.store.remove(storageKey);
    };
    if (!verdict.clean) {
      await unlessInUse();
      throw new DocumentRefused(`${doc.filename} was refused by the virus scan: ${verdict.reason}`);
    }
    const record: DocumentRecord = {
      documentId: newDocumentId(),
      projectId: doc.projectId,
      ...(doc.componentId && { componentId: doc.componentId }),
      kind: doc.kind,
      attachedTo: doc.attachedTo,
      filename: doc.filename,
      contentType: doc.contentType,
      size: doc.bytes.length,
      sha256,
      storageKey,
      uploadedBy: doc.uploadedBy,
      uploadedAt: new Date().toISOString(),
    };
    const attached = doc.attachedTo.type === 'project' ? '' : ` to ${doc.attachedTo.type} ${doc.attachedTo.id}`;
    const keep = async () => {
      await insertDocument(this.records, record, {
        projectId: doc.projectId,
        documentId: record.documentId,
        at: record.uploadedAt,
        actor: doc.uploadedBy,
        action: 'document-uploaded',
        channel: doc.channel,
        ...(doc.componentId && { componentId: doc.componentId }),
        ...(doc.stepId && { stepId: doc.stepId }),
        sha256,
        detail: `${record.documentId}: ${describe(record)} attached${attached || ' to the project'}`,
      });
      return record;
    };
    return { record, keep, discard: unlessInUse };
  }

  /** The document's bytes, checked against its hash; the download is in the audit trail before the bytes are given. */
  async read(doc: DocumentRecord, reader: Reader): Promise<Buffer> {
    const bytes = await this.store.get(doc.storageKey);
    if (!bytes) throw new DocumentDamaged(`the bytes of ${doc.documentId} (${doc.storageKey}) are missing from the store (${this.store.description})`);
    if (sha256Hex(bytes) !== doc.sha256) throw new DocumentDamaged(`the bytes of ${doc.documentId} no longer have its SHA-256 ${doc.sha256}`);
    await recordDocumentEvent(this.records, {
      projectId: doc.projectId,
      documentId: doc.documentId,
      at: new Date().toISOString(),
      actor: reader.actor,
      action: 'document-downloaded',
      channel: reader.channel,
      ...(doc.componentId && { componentId: doc.componentId }),
      ...(reader.stepId && { stepId: reader.stepId }),
      sha256: doc.sha256,
      detail: `${doc.documentId}: ${describe(doc)}`,
    });
    return bytes;
  }
}
