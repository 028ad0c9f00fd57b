/**
 * `GET /v1/projects/:id/components/:componentId/letter.pdf`: the component's decision letter (letters/), generated
 * from the records on request: the licence once issued, the refusal once refused. Each distinct letter is kept as a
 * document with its hash (letters/kept-letter.ts) before it is served. Mounted after the project routes,
 * whose check of who may see the project has already run (a project the caller may not see is 404).
 */
import { Router } from 'express';
import type { Policy } from '../../domain/policy';
import type { Records } from '../../records/database';
import { keepLetter } from '../../letters/kept-letter';
import { readLetter } from '../../letters/letter';
import type { Documents } from '../../storage/documents';
import { ApiError, parse } from '../errors';
import { read, type Operation } from '../operation';
import { componentParam, projectIdParam } from '../schemas';
import { projectReaders } from './projects';

export interface LetterRoutesDeps {
  records: Records;
  /** Names the issuing authority's appeal body in a refusal. */
  policy: Policy;
  /** Where each letter served is kept as a document. */
  documents: Documents;
}

/** The operation of the route below, as the OpenAPI document (api/openapi.ts) describes it. */
export const letterOperations: Operation[] = [
  {
    operationId: 'getComponentLetter',
    method: 'get',
    path: '/v1/projects/{id}/components/{componentId}/letter.pdf',
    summary:
      "The component's decision letter (PDF): the licence once issued, or the refusal with its legal basis, appeal route and deadline. " +
      'ETag and X-Content-SHA256 carry the SHA-256 of the bytes; each distinct letter is kept as a document (X-Document-Id); ' +
      '404 while there is no decision yet.',
    roles: projectReaders,
    success: { status: 200, description: 'the letter, application/pdf', type: 'application/pdf' },
    errors: read,
  },
];

export function letterRoutes({ records, policy, documents }: LetterRoutesDeps): Router {
  const router = Router();
  router.get('/:id/components/:componentId/letter.pdf', async (req, res) => {
    const { id } = parse(projectIdParam, { id: req.params.id }, 'path');
    const { componentId } = parse(componentParam, { componentId: req.params.componentId }, 'path');
    const letter = await readLetter(records, policy, id, componentId);
    if (!letter)
      throw new ApiError('NOT_FOUND', `project ${id} has no component ${componentId}`, [
        { path: 'path.componentId', message: 'is not a component of this project' },
      ]);
    if (letter.kind === 'none')
      throw new ApiError('NOT_FOUND', `component ${componentId} has no decision letter: its licence is ${letter.status}, neither issued nor refused`, [
        { path: 'path.componentId', message: `no decision letter yet (licence ${letter.status})` },
      ]);
    const kept = await keepLetter(documents, records, id, componentId, letter);
    res
      .status(200)
      .type('application/pdf')
      .set({ ETag: `"${letter.sha256}"`, 'X-Content-SHA256': letter.sha256, 'X-Document-Id': kept.documentId, 'Cache-Control': 'private, no-cache' })
      .attachment(letter.filename)
      .send(letter.bytes);
  });
  return router;
}
