/**
 * Documents: what a document can be, what it can be attached to, and the policy's allowed types and size limit.
 * Pure data, so the policy (which workflows import) carries no file-type library; the rule that names a type from the
 * bytes is in domain/document-types.ts.
 */

/** What a document is; `other` for anything else. Letters and acknowledgements are generated or signed in the review. */
export const DOCUMENT_KINDS = [
  'specification',
  'end-user-undertaking',
  'end-use-statement',
  'party-document',
  'information-answer',
  'appeal',
  'compliance-report',
  'acknowledgement',
  'licence-letter',
  'refusal-letter',
  'training-certificate',
  'deliverable',
  'other',
] as const;
export type DocumentKind = (typeof DOCUMENT_KINDS)[number];

/**
 * What a document belongs to: the project itself, a component, a party (partner), an answer to an information
 * request (`<workflowId>/<stepId>`), an appeal (its step, the same way), a compliance report (`<componentId>/<period>`),
 * a licence (its component id: the letters), a person (their training certificates) or a tranche condition (its deliverable).
 */
export const ATTACHMENT_KINDS = ['project', 'component', 'party', 'info-answer', 'appeal', 'compliance-report', 'licence', 'person', 'deliverable'] as const;
export type AttachmentKind = (typeof ATTACHMENT_KINDS)[number];
export interface Attachment {
  type: AttachmentKind;
  id: string;
}

const MIB = 1024 * 1024;
/** The types the sniffing rule can name (magic bytes, plus plain text and CSV by the text rule). */
export const KNOWN_TYPES = [
  'application/pdf',
  'image/png',
  'image/jpeg',
  'image/tiff',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'application/vnd.oasis.opendocument.text',
  'application/vnd.oasis.opendocument.spreadsheet',
  'application/zip',
  'text/plain',
  'text/csv',
] as const;

export const DOCUMENT_DEFAULTS = {
  allowedTypes: [
    'application/pdf',
    'image/png',
    'image/jpeg',
    'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    'application/vnd.oasis.opendocument.text',
    'application/vnd.oasis.opendocument.spreadsheet',
    'text/plain',
    'text/csv',
  ],
  maxBytes: 25 * MIB,
  /** Files one request may carry (an answer, an appeal or a report with its annexes). */
  maxFiles: 5,
  /** How long a reviewer's signed download link works (`GET /d/:token`). */
  linkValidFor: 15 * 60_000,
};

/** The policy's `documents` section (domain/policy.ts parses it, with these defaults). */
export interface DocumentsPolicy {
  allowedTypes: string[];
  maxBytes: number;
  maxFiles: number;
  /** Milliseconds. */
  linkValidFor: number;
}
