/**
 * `/app`: the pages for coordinators, funders and agency staff (DESIGN §8, "Pages for people who are not reviewers").
 * They sign in at /dashboard (API key or OpenID Connect); the session cookie then reads every page, and writes only
 * through a form whose CSRF token checks (./csrf.ts). Pages read and act through the JSON API, over loopback
 * (./page-api.ts), so every rule is the API's own. Each role's pages are in a file of their own.
 */
import { randomUUID } from 'node:crypto';
import express, { Router, type ErrorRequestHandler, type Request, type RequestHandler, type Response } from 'express';
import multer from 'multer';
import type { KeyRing } from '../../config/principals';
import type { Policy } from '../../domain/policy';
import type { Records } from '../../records/database';
import { identifier } from '../auth';
import type { StepActions } from '../decisions';
import type { StepDocumentsDeps } from '../step-documents';
import { toApiError } from '../errors';
import { html, type SafeHtml } from '../html';
import type { Sessions } from '../session';
import type { Csrf } from './csrf';
import { layout } from '../pages';
import { sentence, type FieldError } from './forms';
import { NAV, webPage } from './layout';
import type { PageApi } from './page-api';

export interface WebDeps {
  api: PageApi;
  /** The decide service's reads of a step and its case (api/decisions.ts): the agency's step page shows what the link's page shows. */
  steps: StepActions;
  /** A step's documents as signed links (api/step-documents.ts). */
  stepDocuments: StepDocumentsDeps;
  csrf: Csrf;
  keys: KeyRing;
  sessions: Sessions;
  records: Records;
  policy: Policy;
}

/** What a role's pages get: the API, the policy, and the page's rendering with its CSRF token. */
export interface WebContext extends WebDeps {
  /** Answers a page in the app's chrome; never cached (per person, and changing). */
  render(req: Request, res: Response, page: { title: string; body: SafeHtml; status?: number; hasErrors?: boolean; errors?: readonly FieldError[] }): void;
  /** The token for this page's forms. */
  token(req: Request, res: Response): string;
  /** A fresh key for a form, sent on as its Idempotency-Key. */
  formKey(): string;
}

export type PageRoutes = (ctx: WebContext) => Router;

/**
 * The pages' forms, read before the app's own parser (which reads flat forms): repeatable rows (`partners[0][name]`)
 * come back nested, as the API's body has them (qs, through body-parser's extended mode).
 */
export const webFormParser = express.urlencoded({ extended: true, limit: '512kb', parameterLimit: 5000 });

export function webRoutes(deps: WebDeps, pages: PageRoutes[]): Router {
  const router = Router();
  const identify = identifier(deps.keys, deps.sessions, deps.records);
  // Forms with files: parsed before the token is checked (the token is one of their fields); the API checks the files.
  const multipart = multer({
    storage: multer.memoryStorage(),
    limits: { fileSize: deps.policy.documents.maxBytes, files: deps.policy.documents.maxFiles, fields: 2000 },
  }).any();
  const ctx: WebContext = {
    ...deps,
    // A form shown with errors answers 422, its title said to be an error's (the error summary's pattern).
    render(req, res, { title, body, errors = [], status = errors.length ? 422 : 200, hasErrors = errors.length > 0 }) {
      res
        .status(status)
        .set('Cache-Control', 'no-store')
        .type('html')
        .send(webPage({ title, body, hasErrors, caller: req.caller!, path: req.baseUrl + req.path }));
    },
    token: (req, res) => deps.csrf.token(req, res),
    formKey: () => randomUUID(),
  };

  const readForm: RequestHandler = (req, res, next) => (req.is('multipart/form-data') ? multipart(req, res, next) : next());
  router.use((req, res, next) => {
    if (req.method !== 'POST') return next();
    readForm(req, res, (err?: unknown) => (err ? next(err) : deps.csrf.protect(req, res, next)));
  });
  router.use(async (req, res, next) => {
    const who = await identify(req);
    if ('caller' in who) {
      req.caller = who.caller;
      return next();
    }
    if ('error' in who) deps.sessions.end(res);
    // Not signed in (or no longer): the dashboard's sign-in leads back to the pages.
    res.set('Cache-Control', 'no-store').redirect(303, '/dashboard');
  });
  router.get('/', (req, res) => res.redirect(303, NAV[req.caller!.role][0].href));
  for (const routes of pages) router.use(routes(ctx));
  router.use((req, res) =>
    ctx.render(req, res, { status: 404, title: 'Page not found', body: html`<h1>Page not found</h1><p>There is no page at this address.</p>` }),
  );
  /** What went wrong, as a page: the form's token, a file over the policy's limits, or any other failure (logged). */
  const problems: ErrorRequestHandler = (err, req, res, _next) => {
    const send = (status: number, title: string, body: SafeHtml) => {
      if (req.caller) return ctx.render(req, res, { status, title, body });
      // Before the sign-in is read (a write's cookie counts only with a good token): the plain page, without the chrome.
      res.status(status).set('Cache-Control', 'no-store').type('html').send(layout(title, body));
    };
    if ((err as { code?: string }).code === 'EBADCSRFTOKEN')
      return send(
        403,
        'Form not sent',
        html`<h1>Your form could not be sent</h1><div class="banner warn"><p>It had expired, or it did not come from this site. Nothing was changed.</p>
<p>Go back, reload the page and send it again.</p></div>`,
      );
    if (err instanceof multer.MulterError) {
      const { maxBytes, maxFiles } = deps.policy.documents;
      const limit = err.code === 'LIMIT_FILE_SIZE' ? `A file may be at most ${maxBytes} bytes.` : `At most ${maxFiles} files go with one form.`;
      return send(
        413,
        'Form not sent',
        html`<h1>Your form could not be sent</h1><div class="banner warn"><p>${limit} Nothing was changed.</p>
<p>Go back and choose a smaller file, or fewer.</p></div>`,
      );
    }
    const apiError = toApiError(err);
    if (apiError.status >= 500) req.log?.error({ err }, 'page failed');
    const message = apiError.status >= 500 && apiError.status !== 503 ? 'The page could not be built. The error was logged.' : apiError.message;
    send(apiError.status, 'Something went wrong', html`<h1>Something went wrong</h1><div class="banner warn"><p>${sentence(message)}</p></div>`);
  };
  router.use(problems);
  return router;
}
