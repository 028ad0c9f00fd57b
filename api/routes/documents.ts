/**
 * `/v1/projects/:id/documents`: upload (multipart: `file`, optional `componentId` or `partyId`, `kind`), list and
 * download. The type is named from the bytes and checked against the policy (api/uploads.ts); each upload and
 * download is in the project's audit trail with the document's SHA-256.
 */
import { Router, type RequestHandler, type Response } from 'express';
import { z } from 'zod';
import { DOCUMENT_KINDS, type Attachment } from '../../domain/documents';
import { slug } from '../../domain/primitives';
import type { Records } from '../../records/database';
import { isProjectPartner, listDocuments, readDocument, type DocumentRecord } from '../../records/documents';
import { readProjectRecord } from '../../records/project-reads';
import { projectWorkflowId, type ProjectView } from '../../workflows/definitions';
import { assertMayReadCase, requireRole } from '../auth';
import { ApiError, parse } from '../errors';
import { read, withFiles, type Operation } from '../operation';
import { tagWorkflowOfParam } from '../request-log';
import { projectIdParam } from '../schemas';
import { documentSummary, uploadsOf, type Uploads } from '../uploads';

export interface DocumentRoutesDeps {
  records: Records;
  uploads: Uploads;
}

export const documentIdParam = z.object({ documentId: z.string().regex(/^doc-[0-9a-f]{24}$/, 'a document id: doc- and 24 hex digits') });
const uploadFields = z.strictObject({
  componentId: slug.optional(),
  partyId: slug.optional(),
  kind: z.enum(DOCUMENT_KINDS).default('other'),
});
const listQuery = z.strictObject({ componentId: slug.optional() });

const readers = {
  admin: 'any project',
  coordinator: 'a project they own or are a delegate of',
  funder: 'its own projects',
  agency: 'a project with a step of its agency',
};

/** The form of an upload, as the OpenAPI document shows it. */
const uploadForm = {
  type: 'object',
  required: ['file'],
  properties: {
    file: { type: 'string', format: 'binary', description: 'the document; its type is named from its bytes' },
    componentId: { type: 'string', description: 'the component it belongs to' },
    partyId: { type: 'string', description: 'the partner it belongs to (a party document)' },
    kind: { type: 'string', enum: [...DOCUMENT_KINDS], default: 'other' },
  },
};

export const documentOperations: Operation[] = [
  {
    operationId: 'uploadDocument',
    method: 'post',
    path: '/v1/projects/{id}/documents',
    summary: 'Upload a document (multipart: file, optional componentId or partyId, kind); its type is named from its bytes',
    roles: { coordinator: 'a project they own or are a delegate of' },
    multipart: uploadForm,
    success: { status: 201, description: '{ documentId, sha256, contentType, size, filename, kind }' },
    errors: withFiles,
  },
  {
    operationId: 'listDocuments',
    method: 'get',
    path: '/v1/projects/{id}/documents',
    summary: "The project's documents in upload order (componentId: one component's)",
    roles: readers,
    query: listQuery,
    success: {
      status: 200,
      description: '{ projectId, items: [{ documentId, filename, kind, contentType, size, sha256, componentId, attachedTo, uploadedBy, uploadedAt }] }',
    },
    errors: read,
  },
  {
    operationId: 'downloadDocument',
    method: 'get',
    path: '/v1/projects/{id}/documents/{documentId}',
    summary: "A document's bytes, as uploaded (Content-Disposition: attachment with its filename; Repr-Digest: its SHA-256)",
    roles: readers,
    success: { status: 200, description: 'the bytes, with the type named from them' },
    errors: read,
  },
];

export const listedDocument = (d: DocumentRecord) => ({
  ...documentSummary(d),
  ...(d.componentId && { componentId: d.componentId }),
  attachedTo: d.attachedTo,
  uploadedBy: d.uploadedBy,
  uploadedAt: d.uploadedAt,
});

/** Sends a document's bytes as a download: never rendered in place, never sniffed, never cached by another. */
export function sendDocument(res: Response, doc: DocumentRecord, bytes: Buffer): void {
  res.attachment(doc.filename); // before the type: attachment() would set one from the filename's extension
  res
    .type(doc.contentType)
    .set({
      'X-Content-Type-Options': 'nosniff',
      'Content-Security-Policy': "sandbox; default-src 'none'",
      'Cache-Control': 'private, no-store',
      'Repr-Digest': `sha-256=:${Buffer.from(doc.sha256, 'hex').toString('base64')}:`,
    })
    .send(bytes);
}

export function documentRoutes({ records, uploads }: DocumentRoutesDeps): Router {
  const router = Router();
  router.param('id', tagWorkflowOfParam(projectWorkflowId));
  /** Who may read the case, before anything else (the body is not read for a caller who may not). */
  const access: RequestHandler = async (req, res, next) => {
    const record = await readProjectRecord(records, parse(projectIdParam, req.params, 'path').id);
    if (!record) throw new ApiError('NOT_FOUND', 'not found');
    assertMayReadCase(req.caller!, record.view);
    res.locals.projectView = record.view;
    next();
  };

  router.post('/:id/documents', access, requireRole('coordinator'), uploads.form(1), async (req, res) => {
    const view = res.locals.projectView as ProjectView;
    const [upload] = uploadsOf(res);
    if (!upload)
      throw new ApiError('VALIDATION_FAILED', 'send the document as multipart/form-data, in a part named "file"', [{ path: 'body.file', message: 'missing' }]);
    const { componentId, partyId, kind } = parse(uploadFields, req.body ?? {}, 'body');
    if (componentId && !view.components.some((c) => c.id === componentId))
      throw new ApiError('VALIDATION_FAILED', `project ${view.projectId} has no component ${componentId}`, [
        { path: 'body.componentId', message: 'is not a component of this project' },
      ]);
    if (partyId && !(await isProjectPartner(records, view.projectId, partyId)))
      throw new ApiError('VALIDATION_FAILED', `project ${view.projectId} has no partner ${partyId}`, [
        { path: 'body.partyId', message: 'is not a partner of this project' },
      ]);
    const attachedTo: Attachment = partyId
      ? { type: 'party', id: partyId }
      : componentId
        ? { type: 'component', id: componentId }
        : { type: 'project', id: view.projectId };
    const [doc] = await uploads.keep(res, { projectId: view.projectId, componentId, kind, attachedTo, uploadedBy: req.caller!.actor, channel: 'api' });
    res.status(201).location(`/v1/projects/${view.projectId}/documents/${doc.documentId}`).json(documentSummary(doc));
  });

  router.get('/:id/documents', access, async (req, res) => {
    const view = res.locals.projectView as ProjectView;
    const { componentId } = parse(listQuery, req.query, 'query');
    const docs = await listDocuments(records, view.projectId, componentId ? { componentId } : {});
    res.json({ projectId: view.projectId, items: docs.map(listedDocument) });
  });

  router.get('/:id/documents/:documentId', access, async (req, res) => {
    const view = res.locals.projectView as ProjectView;
    const { documentId } = parse(documentIdParam, { documentId: req.params.documentId }, 'path');
    const doc = await readDocument(records, documentId, view.projectId);
    if (!doc) throw new ApiError('NOT_FOUND', `project ${view.projectId} has no document ${documentId}`);
    sendDocument(res, doc, await uploads.documents.read(doc, { actor: req.caller!.actor, channel: 'api' }));
  });

  return router;
}
