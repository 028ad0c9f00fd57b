/**
 * `/r/:token`: the reviewer's decision page. GET only reads, from the records (mail scanners open links, and the
 * page answers while Temporal is down); POST applies the decision through the decide service (api/decisions.ts),
 * which answers once the step's owner has recorded it.
 */
import { Router, type ErrorRequestHandler, type Request, type RequestHandler, type Response } from 'express';
import type { LinkClaims, LinkSigner } from '../../activities/link-tokens';
import type { StepContext } from '../../records/steps';
import type { CaseContext } from '../case-file';
import { rejection, type DecisionFile, type StepActions } from '../decisions';
import { ApiError, toApiError, validationError } from '../errors';
import { decisionPage, problemPage, recordedPage, stepStatePage } from '../pages';
import { link, type Operation } from '../operation';
import { decisionBody } from '../schemas';
import { tagWorkflow } from '../request-log';
import { storableText } from '../storable-text';
import { withDocuments, type StepDocumentsDeps } from '../step-documents';
import type { Uploads } from '../uploads';

export interface ReviewLinkDeps {
  steps: StepActions;
  signer: LinkSigner;
  /** Runs before every reviewer request (the rate limit); what it rejects is answered as a reviewer page. */
  limit?: RequestHandler;
  /** Told of every decision recorded (metrics). */
  onDecision?: (outcome: string) => void;
  /** Lists a step's documents with signed download links for its page (api/step-documents.ts documentsForStep). */
  documents?: StepDocumentsDeps;
  /** Reads a decision's file (multipart): an acknowledgement's signed document (api/uploads.ts). */
  uploads?: Uploads;
}

const wantsJson = (req: Request) => req.accepts(['html', 'json']) === 'json';

function answer(req: Request, res: Response, status: number, html: string, json: object) {
  res.status(status).set('Cache-Control', 'no-store');
  if (wantsJson(req)) res.json(json);
  else res.type('html').send(html);
}

/** A problem as the reviewer sees it: the error contract's JSON, or a page with its heading. */
function problem(req: Request, res: Response, err: unknown) {
  const apiError = toApiError(err);
  if (apiError.status >= 500 && apiError.code !== 'UNAVAILABLE') req.log?.error({ err }, 'review link failed');
  const title = apiError.title ?? (apiError.code === 'RATE_LIMITED' ? 'Too many requests' : 'This request could not be handled');
  answer(req, res, apiError.status, problemPage(title, apiError.message), apiError.toJSON());
}

const reviewer = 'the signed link in the path is the credential; a reviewer opens it from their e-mail';

/** The operations of the routes below, as the OpenAPI document (api/openapi.ts) describes them. */
export const reviewLinkOperations: Operation[] = [
  {
    operationId: 'openReviewLink',
    method: 'get',
    path: '/r/{token}',
    summary: "A reviewer's decision page for one step; changes nothing",
    roles: {},
    anonymous: reviewer,
    success: { status: 200, description: 'the page (or the step context as JSON with Accept: application/json)', type: 'text/html' },
    errors: link,
  },
  {
    operationId: 'decideReviewLink',
    method: 'post',
    path: '/r/{token}',
    summary:
      'The decision (a form or JSON), applied through a Workflow Update; an approval of a licence review may carry `conditions`; ' +
      'an acknowledgement may carry its signed document (multipart, one part named `file`), which one given on behalf of a ' +
      'recipient the project names no contact at must (else 400 naming `body.file`). ' +
      'The reviewer it was mailed to decides as themself: one who decided an earlier ' +
      'step of the component does not decide its senior sign-off or escalation (403)',
    roles: {},
    anonymous: reviewer,
    body: decisionBody,
    multipart: 'with-files',
    example: { decision: 'deny', legalBasis: 'EAR §742.4, national security', comment: 'end user not eligible' },
    success: { status: 200, description: '{ recorded, stepId, decision, outcome, decidedAt }' },
    errors: [...link, 'PAYLOAD_TOO_LARGE', 'UNSUPPORTED_MEDIA_TYPE'],
  },
];

export function reviewLinkRoutes({ steps, signer, limit, onDecision, documents, uploads }: ReviewLinkDeps): Router {
  const router = Router();
  if (limit) router.use(limit);
  router.use(storableText);

  /** The link's claims, once its signature holds; the request's log lines then name the workflow. */
  function verify(req: Request, res: Response): LinkClaims {
    const result = signer.verify(String(req.params.token));
    if (result.ok) {
      tagWorkflow(req, res, result.claims.workflowId);
      return result.claims;
    }
    if (result.reason === 'expired')
      throw new ApiError(
        'GONE',
        'The decision link has expired. Every reminder about this step carries a fresh link: use the latest one.',
        [],
        'This link has expired',
      );
    throw new ApiError(
      'VALIDATION_FAILED',
      'The decision link is damaged or was not issued by this system. Copy the whole link from the e-mail.',
      [{ path: 'path.token', message: 'This link is not valid' }],
      'This link is not valid',
    );
  }

  /** The step the link names, as recorded, once the link may act on it. */
  async function linkedStep(claims: LinkClaims): Promise<StepContext> {
    return checked(claims, await steps.read(claims.workflowId, claims.stepId));
  }

  /** The linked step with its whole case and documents, for its page (and its JSON, which holds no more than the page). */
  async function linkedCase(claims: LinkClaims): Promise<CaseContext> {
    return withDocuments(documents, checked(claims, await steps.readCase(claims.workflowId, claims.stepId)), claims.reviewer);
  }

  /**
   * The step read, once the link may act on it: its run, its reviewer, and the assignment it was issued for. A step
   * passed on and back (A → B → A) has the same reviewer again, but not A's first links.
   */
  function checked<C extends StepContext>(claims: LinkClaims, ctx: C): C {
    steps.check(ctx.step, { reviewer: claims.reviewer, run: claims.run });
    // A link from before links named their assignment decides only a step never passed on.
    if ((claims.assignment ?? 0) !== (ctx.step.assignments ?? 0)) throw rejection('NotYourStep', 'the step was passed on after this link was issued');
    return ctx;
  }

  const withProblems = (fn: (req: Request, res: Response) => Promise<void>) => (req: Request, res: Response) =>
    fn(req, res).catch((err: unknown) => problem(req, res, err));

  router.get(
    '/:token',
    withProblems(async (req, res) => {
      const ctx = await linkedCase(verify(req, res));
      const open = ctx.step.status === 'open';
      answer(req, res, 200, open ? decisionPage(ctx, req.originalUrl) : stepStatePage(ctx), ctx);
    }),
  );

  // One file at most: an acknowledgement's signed document, checked like every upload.
  const form: RequestHandler = uploads ? uploads.form(1) : (_req, _res, next) => next();
  router.post(
    '/:token',
    form,
    withProblems(async (req, res) => {
      const claims = verify(req, res);
      const parsed = decisionBody.safeParse(req.body ?? {});
      if (!parsed.success) {
        const ctx = await linkedCase(claims);
        const error = validationError(parsed.error, 'body');
        const messages = error.details.map((d) => `${d.path.replace(/^body\.?/, '') || 'decision'}: ${d.message}`);
        const html = ctx.step.status === 'open' ? decisionPage(ctx, req.originalUrl, messages) : problemPage('Decision not recorded', messages.join('; '));
        return answer(req, res, 400, html, error.toJSON());
      }
      // The record says whether the link still holds the step (its assignment: the workflow's validator knows only the
      // reviewer); the four-eyes rule is checked against the records in decideLinked; then the owning workflow's
      // validator checks reviewer, run and state again as it decides.
      const ctx = await linkedStep(claims);
      const file: DecisionFile | undefined = uploads && {
        projectId: ctx.projectId,
        componentId: ctx.step.componentId,
        stage: (doc) => uploads.stage(res, doc),
      };
      const result = await steps.decideLinked(claims, parsed.data, file);
      req.log?.info({ stepId: claims.stepId, decision: result.decision }, 'decision recorded');
      onDecision?.(result.outcome);
      // The owner has recorded it: the page shows the step as the record now holds it.
      const recorded = wantsJson(req) ? null : await steps.read(claims.workflowId, claims.stepId).catch(() => null);
      answer(req, res, 200, recordedPage(recorded, result.outcome, result.decidedAt), {
        recorded: true,
        stepId: result.stepId,
        decision: result.decision,
        outcome: result.outcome,
        decidedAt: result.decidedAt,
      });
    }),
  );

  // What middleware rejects before a route runs (the rate limit, a body the parser refused) gets a page too.
  const asPage: ErrorRequestHandler = (err, req, res, _next) => problem(req, res, err);
  router.use(asPage);
  return router;
}
