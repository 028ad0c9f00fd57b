/**
 * `/r/:token`: the reviewer's decision page. GET only reads (mail scanners
 * open links); POST applies the decision through the workflow's `decide`
 * Update, whose validator refuses a closed, foreign or decided step.
 */
import { Router, type ErrorRequestHandler, type Request, type RequestHandler, type Response } from 'express';
import { WorkflowUpdateStage, type Client } from '@temporalio/client';
import type { LinkClaims, LinkSigner } from '../../activities/link-tokens';
import { DecisionRejection, decideUpdate, decisionOutcome, stepContextQuery, type DecisionResult, type StepContext } from '../../workflows/definitions';
import { isTemporalUnreachable, isWorkflowGone, toApiError, updateRejection, validationError } from '../errors';
import { decisionPage, problemPage, recordedPage, stepStatePage } from '../pages';
import { decisionBody } from '../schemas';
import { bounded, resultWithin } from '../temporal-calls';
import { tagWorkflow } from '../request-log';

export interface ReviewLinkDeps {
  client: Client;
  signer: LinkSigner;
  temporalTimeoutMs: number;
  /** Runs before every reviewer request (the rate limit); what it rejects is answered as a reviewer page. */
  limit?: RequestHandler;
  /** Told of every decision recorded (metrics). */
  onDecision?: (outcome: string) => void;
}

class LinkProblem extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    message: string,
    /** The part of the request at fault, named in the JSON answer's details. */
    readonly path?: string,
  ) {
    super(message);
  }
}

const wantsJson = (req: Request) => req.accepts(['html', 'json']) === 'json';

function answer(req: Request, res: Response, status: number, html: string, json: object) {
  res.status(status).set('Cache-Control', 'no-store');
  if (wantsJson(req)) res.json(json);
  else res.type('html').send(html);
}

/** A link issued for an earlier submission of the same project id: that review is over, whatever this one's step is called. */
const staleLink = () =>
  new LinkProblem(
    410,
    'This link belongs to an earlier submission',
    'The project this link was issued for was submitted again under the same id, and this link does not apply to the new submission. ' +
      'Nothing was changed. Use the link in the most recent e-mail about it.',
  );

function problem(req: Request, res: Response, p: LinkProblem) {
  const code = { 400: 'VALIDATION_FAILED', 403: 'FORBIDDEN', 404: 'NOT_FOUND', 409: 'CONFLICT', 410: 'NOT_FOUND', 503: 'UNAVAILABLE' }[p.status] ?? 'INTERNAL';
  const details = p.path ? [{ path: p.path, message: p.title }] : [];
  answer(req, res, p.status, problemPage(p.title, p.message), { error: { code, message: p.message, details } });
}

export function reviewLinkRoutes({ client, signer, temporalTimeoutMs, limit, onDecision }: ReviewLinkDeps): Router {
  const router = Router();
  if (limit) router.use(limit);
  const deadline = bounded(client, temporalTimeoutMs);

  /** The link's claims, once its signature holds; the request's log lines then name the workflow. */
  function verify(req: Request, res: Response): LinkClaims {
    const result = signer.verify(String(req.params.token));
    if (result.ok) {
      tagWorkflow(req, res, result.claims.workflowId);
      return result.claims;
    }
    if (result.reason === 'expired')
      throw new LinkProblem(
        410,
        'This link has expired',
        'The decision link has expired. Every reminder about this step carries a fresh link: use the latest one.',
      );
    throw new LinkProblem(
      400,
      'This link is not valid',
      'The decision link is damaged or was not issued by this system. Copy the whole link from the e-mail.',
      'path.token',
    );
  }

  async function loadStep(claims: LinkClaims): Promise<StepContext> {
    let ctx: StepContext | null;
    try {
      ctx = await deadline(() => client.workflow.getHandle(claims.workflowId).query(stepContextQuery, claims.stepId));
    } catch (err) {
      if (isWorkflowGone(err)) throw new LinkProblem(404, 'This review no longer exists', 'The review this link belongs to cannot be found.');
      throw err;
    }
    if (!ctx) throw new LinkProblem(404, 'Unknown review step', 'This link names a step that is not part of the review.');
    if (claims.run && ctx.step.runId && claims.run !== ctx.step.runId) throw staleLink();
    if (ctx.step.reviewer !== claims.reviewer) throw new LinkProblem(403, 'This link is for someone else', 'This link was issued to another reviewer.');
    return ctx;
  }

  async function withProblems(req: Request, res: Response, fn: () => Promise<void>) {
    try {
      await fn();
    } catch (err) {
      if (err instanceof LinkProblem) return problem(req, res, err);
      const apiError = toApiError(err);
      if (apiError.status >= 500) req.log?.error({ err }, 'review link failed');
      problem(
        req,
        res,
        new LinkProblem(apiError.status, apiError.code === 'UNAVAILABLE' ? 'Temporarily unavailable' : 'Something went wrong', apiError.message),
      );
    }
  }

  router.get('/:token', (req, res) =>
    withProblems(req, res, async () => {
      const ctx = await loadStep(verify(req, res));
      const open = ctx.step.status === 'open';
      answer(req, res, 200, open ? decisionPage(ctx, req.originalUrl) : stepStatePage(ctx), ctx);
    }),
  );

  router.post('/:token', (req, res) =>
    withProblems(req, res, async () => {
      const claims = verify(req, res);
      const parsed = decisionBody.safeParse(req.body ?? {});
      if (!parsed.success) {
        const error = validationError(parsed.error, 'body');
        const messages = error.details.map((d) => `${d.path.replace(/^body\.?/, '') || 'decision'}: ${d.message}`);
        const ctx = wantsJson(req) ? null : await loadStep(claims);
        const html =
          ctx && ctx.step.status === 'open' ? decisionPage(ctx, req.originalUrl, messages) : problemPage('Decision not recorded', messages.join('; '));
        return answer(req, res, 400, html, error.toJSON());
      }
      const decision = parsed.data;
      let result: DecisionResult;
      try {
        const handle = client.workflow.getHandle(claims.workflowId);
        // Once the Update is accepted the decision is in history; the handler may still be mailing.
        const update = await deadline(() =>
          handle.startUpdate(decideUpdate, {
            args: [{ stepId: claims.stepId, reviewer: claims.reviewer, ...decision, ...(claims.run && { run: claims.run }) }],
            waitForStage: WorkflowUpdateStage.ACCEPTED,
          }),
        );
        const finished = await resultWithin(update, temporalTimeoutMs);
        result = finished ?? {
          recorded: true,
          stepId: claims.stepId,
          decision: decision.decision,
          outcome: decisionOutcome[decision.decision],
          decidedAt: new Date().toISOString(),
        };
      } catch (err) {
        const rejection = updateRejection(err);
        if (rejection?.type === DecisionRejection.AlreadyDecided || rejection?.type === DecisionRejection.StepClosed) {
          throw new LinkProblem(
            409,
            rejection.type === DecisionRejection.AlreadyDecided ? 'Already decided' : 'This step is closed',
            `${rejection.message}. Nothing was changed.`,
          );
        }
        if (rejection?.type === DecisionRejection.StaleLink) throw staleLink();
        if (rejection?.type === DecisionRejection.NotYourStep) throw new LinkProblem(403, 'This link is for someone else', rejection.message);
        if (rejection?.type === DecisionRejection.UnknownStep) throw new LinkProblem(404, 'Unknown review step', rejection.message);
        if (rejection?.type === DecisionRejection.LegalBasisRequired) throw new LinkProblem(400, 'Decision not recorded', rejection.message, 'body.legalBasis');
        if (rejection?.type === DecisionRejection.DecisionNotOffered) throw new LinkProblem(400, 'Decision not recorded', rejection.message, 'body.decision');
        if (rejection?.type === DecisionRejection.InfoAlreadyRequested)
          throw new LinkProblem(409, 'Information already requested', `${rejection.message}. Nothing was changed.`);
        if (rejection?.type === DecisionRejection.InfoRequestTooLate) throw new LinkProblem(400, 'Decision not recorded', rejection.message, 'body.decision');
        if (rejection?.type === DecisionRejection.ConditionsNotOffered)
          throw new LinkProblem(400, 'Decision not recorded', rejection.message, 'body.conditions');
        if (isTemporalUnreachable(err)) {
          // The Update may still be applied once a worker takes it; reopening the link shows whether it was.
          throw new LinkProblem(
            503,
            'Not confirmed yet',
            'Your decision could not be confirmed in time: the review service is busy or restarting. It may still be recorded. ' +
              'Open this link again in a few minutes to see whether it was, and decide again only if the form is still there.',
          );
        }
        if (isWorkflowGone(err)) {
          // Finished and never-started workflows fail alike here; a finished one can still be read.
          await loadStep(claims); // 404 if the review or step never existed
          throw new LinkProblem(409, 'This step is closed', 'The review this step belonged to has finished. Nothing was changed.');
        }
        throw err;
      }
      req.log?.info({ stepId: claims.stepId, decision: result.decision }, 'decision recorded');
      onDecision?.(result.outcome);
      const ctx = wantsJson(req) ? null : await loadStep(claims).catch(() => null);
      answer(req, res, 200, recordedPage(ctx, result.outcome, result.decidedAt), {
        recorded: true,
        stepId: result.stepId,
        decision: result.decision,
        outcome: result.outcome,
        decidedAt: result.decidedAt,
      });
    }),
  );

  // What middleware rejects before a route runs (the rate limit, a body the parser refused) gets a page too.
  const asPage: ErrorRequestHandler = (err, req, res, _next) => {
    const apiError = toApiError(err);
    const title = apiError.code === 'RATE_LIMITED' ? 'Too many requests' : 'This request could not be handled';
    answer(req, res, apiError.status, problemPage(title, apiError.message), apiError.toJSON());
  };
  router.use(asPage);
  return router;
}
