/**
 * A decision letter kept as a document: each distinct letter of a component (the licence as issued, then as its
 * acknowledgements come in; the refusal) is stored once through the documents path, content-addressed, with its
 * SHA-256, and listed with the project's documents. The same record gives the same bytes, so a letter already kept is
 * found by its hash and not stored again.
 */
import type { Records } from '../records/database';
import { listDocuments, type DocumentRecord } from '../records/documents';
import type { Documents } from '../storage/documents';
import type { Letter } from './letter';

const kindOf = (letter: Letter) => (letter.kind === 'licence' ? 'licence-letter' : 'refusal-letter');

/** The document that holds `letter`: found by its hash among the component's letters, else stored now. */
export async function keepLetter(documents: Documents, records: Records, projectId: string, componentId: string, letter: Letter): Promise<DocumentRecord> {
  const kept = await listDocuments(records, projectId, { attachedTo: { type: 'licence', id: componentId } });
  const same = kept.find((d) => d.kind === kindOf(letter) && d.sha256 === letter.sha256);
  if (same) return same;
  return documents.add({
    projectId,
    componentId,
    kind: kindOf(letter),
    attachedTo: { type: 'licence', id: componentId },
    filename: letter.filename,
    contentType: letter.contentType,
    bytes: letter.bytes,
    uploadedBy: 'system',
    channel: 'system',
  });
}
