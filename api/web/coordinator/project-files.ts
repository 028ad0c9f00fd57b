/**
 * A project's files from its page: a document as uploaded, a licence or refusal letter, the calendar, the audit trail
 * as CSV. Each is the JSON API's own answer, fetched as the person signed in and streamed on with the headers that
 * keep a download a download (attachment, nosniff, sandbox); the browser never opens a /v1 route. A refusal is a page.
 */
import { Router, type Request, type Response } from 'express';
import type { ApiAnswer } from '../page-api';
import type { WebContext } from '../routes';
import { apiPath, readRefused } from './project-parts';

/** The API's headers a download keeps: what it is, that it is a download, its digest, and who may cache it. */
const KEPT_HEADERS = [
  'content-type',
  'content-disposition',
  'x-content-type-options',
  'content-security-policy',
  'cache-control',
  'repr-digest',
  'etag',
  'x-content-sha256',
  'x-document-id',
];

/** The error contract's body of a refusal, when it is one. */
function errorOf(text: string): ApiAnswer['error'] {
  try {
    return (JSON.parse(text) as { error?: ApiAnswer['error'] }).error;
  } catch {
    return undefined;
  }
}

export function projectFilePages(ctx: WebContext): Router {
  const router = Router();

  async function passOn(req: Request, res: Response, path: string): Promise<void> {
    const answer = await ctx.api.download(req, path);
    if (!answer.ok) {
      const text = await answer.text();
      const error = answer.headers.get('content-type')?.includes('json') ? errorOf(text) : undefined;
      return readRefused(ctx, req, res, { status: answer.status, ok: false, body: text, text, headers: answer.headers, error });
    }
    for (const name of KEPT_HEADERS) {
      const value = answer.headers.get(name);
      if (value) res.set(name, value);
    }
    if (!answer.headers.get('cache-control')) res.set('Cache-Control', 'private, no-store');
    res.status(200).send(Buffer.from(await answer.arrayBuffer()));
  }

  const seg = encodeURIComponent;
  router.get('/projects/:id/documents/:documentId', (req, res) => passOn(req, res, apiPath(req.params.id, `/documents/${seg(req.params.documentId)}`)));
  router.get('/projects/:id/components/:componentId/letter.pdf', (req, res) =>
    passOn(req, res, apiPath(req.params.id, `/components/${seg(req.params.componentId)}/letter.pdf`)),
  );
  router.get('/projects/:id/calendar.ics', (req, res) => passOn(req, res, apiPath(req.params.id, '/calendar.ics')));
  router.get('/projects/:id/audit.csv', (req, res) => passOn(req, res, apiPath(req.params.id, '/audit?format=csv')));

  return router;
}
