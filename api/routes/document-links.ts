/**
 * `/d/:token`: a reviewer's short-lived signed download link (api/document-links.ts), shown beside the documents on
 * the decision page (api/step-documents.ts). The token is the credential; the download is in the audit trail under
 * the reader it was made for, with the document's hash.
 */
import { Router, type RequestHandler } from 'express';
import type { Records } from '../../records/database';
import { readDocument } from '../../records/documents';
import type { Documents } from '../../storage/documents';
import type { DocumentLinks } from '../document-links';
import { ApiError } from '../errors';
import type { Operation } from '../operation';
import { sendDocument } from './documents';

export interface DocumentLinkDeps {
  records: Records;
  documents: Documents;
  links: DocumentLinks;
  /** Runs before every request (the reviewer pages' rate limit). */
  limit?: RequestHandler;
}

export const documentLinkOperations: Operation[] = [
  {
    operationId: 'downloadDocumentLink',
    method: 'get',
    path: '/d/{token}',
    summary: 'A document through a signed download link from a decision page; the link works for minutes (policy documents.linkValidFor)',
    roles: {},
    anonymous: 'the signed link in the path is the credential; a reviewer follows it from their decision page',
    success: { status: 200, description: 'the bytes, with the type named from them' },
    errors: ['VALIDATION_FAILED', 'NOT_FOUND', 'GONE', 'RATE_LIMITED', 'UNAVAILABLE'],
  },
];

export function documentLinkRoutes({ records, documents, links, limit }: DocumentLinkDeps): Router {
  const router = Router();
  if (limit) router.use(limit);
  router.get('/:token', async (req, res) => {
    const check = links.verify(req.params.token);
    if (!check.ok) {
      if (check.reason === 'expired')
        throw new ApiError('GONE', 'this download link has expired: open the decision page again for a fresh one', [], 'Link expired');
      throw new ApiError('VALIDATION_FAILED', 'this download link is damaged or was not issued here', [{ path: 'path.token', message: check.reason }]);
    }
    const doc = await readDocument(records, check.claims.documentId);
    if (!doc) throw new ApiError('NOT_FOUND', 'the document of this link is no longer kept');
    const reader = { actor: check.claims.reader, channel: 'email-link' as const, ...(check.claims.stepId && { stepId: check.claims.stepId }) };
    sendDocument(res, doc, await documents.read(doc, reader));
  });
  return router;
}
