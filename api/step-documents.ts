/**
 * The documents a reviewer sees on a decision page, each with a short-lived signed download link (`/d/:token`,
 * policy `documents.linkValidFor`): for a component's step, the component's documents (its specification, the
 * answers, appeals, reports and letters attached under it) and the project's own; for a project-level step (the grant
 * review), every document of the project. Read from the records, like every other read.
 */
import type { Records } from '../records/database';
import { listDocuments, type DocumentRecord } from '../records/documents';
import type { CaseContext } from './case-file';
import type { DocumentLinks } from './document-links';

export interface StepDocument {
  documentId: string;
  filename: string;
  kind: string;
  contentType: string;
  size: number;
  sha256: string;
  componentId?: string;
  attachedTo: DocumentRecord['attachedTo'];
  uploadedBy: string;
  uploadedAt: string;
  /** The signed download link, relative to the API (`/d/<token>`): the page is served from the same origin. */
  href: string;
  /** When the link stops working (ISO 8601). */
  expiresAt: string;
}

export interface StepDocumentsDeps {
  records: Records;
  links: DocumentLinks;
  /** How long each link works, in milliseconds (the policy's `documents.linkValidFor`). */
  linkValidFor: number;
}

export async function documentsForStep(
  { records, links, linkValidFor }: StepDocumentsDeps,
  step: { projectId: string; componentId?: string; stepId?: string; reviewer: string },
  now = Date.now(),
): Promise<StepDocument[]> {
  const docs = await listDocuments(records, step.projectId, step.componentId ? { componentId: step.componentId, withProject: true } : {});
  const expiresAt = now + linkValidFor;
  return docs.map((d) => ({
    documentId: d.documentId,
    filename: d.filename,
    kind: d.kind,
    contentType: d.contentType,
    size: d.size,
    sha256: d.sha256,
    ...(d.componentId && { componentId: d.componentId }),
    attachedTo: d.attachedTo,
    uploadedBy: d.uploadedBy,
    uploadedAt: d.uploadedAt,
    href: `/d/${links.sign({ documentId: d.documentId, reader: step.reviewer, expiresAt, ...(step.stepId && { stepId: step.stepId }) })}`,
    expiresAt: new Date(expiresAt).toISOString(),
  }));
}

/** A step's case with its documents listed, each a signed link for `reader`: what a decision page shows (the link's, the agency queue's). */
export async function withDocuments(deps: StepDocumentsDeps | undefined, ctx: CaseContext, reader: string): Promise<CaseContext> {
  const step = { projectId: ctx.projectId, componentId: ctx.step.componentId, stepId: ctx.step.stepId, reviewer: reader };
  const filed = deps ? await documentsForStep(deps, step) : [];
  const listed = filed.map((d) => ({ name: d.filename, kind: d.kind, size: d.size, sha256: d.sha256, href: d.href }));
  return { ...ctx, case: { ...ctx.case, documents: listed } };
}
