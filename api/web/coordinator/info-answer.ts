/**
 * Answer an agency's request for information, with files: the question as the reviewer asked it, when it was asked
 * and when an unanswered case is returned; the answer and its files go to POST /v1/projects/:id/info as multipart,
 * and the step's stopped clock resumes. A refused file (its type, its size) shows beside the file field.
 */
import { Router, type Request, type Response } from 'express';
import { html } from '../../html';
import type { ProjectView, ReviewStep } from '../../../workflows/definitions';
import { errorSummary, formErrors, formKeys, summaryList, textArea, type FieldError } from '../forms';
import type { WebContext } from '../routes';
import { apiProjectPath, backLink, filesField, multipartOf, nothingHere, projectFor, projectHref, stepSubject, textOf, when } from './project-context';

const LABELS: Record<string, string> = { answer: 'Your answer', file: 'Files' };
const labelOf = (key: string): string | undefined => LABELS[key];

export function infoAnswerPages(ctx: WebContext): Router {
  const router = Router();

  /** The step asking, or a page saying there is none (or that it waits for nothing). */
  async function askingStep(req: Request, res: Response): Promise<{ view: ProjectView; step: ReviewStep } | undefined> {
    const view = await projectFor(ctx, req, res);
    if (!view) return undefined;
    const step = view.steps.find((s) => s.stepId === req.params.stepId);
    const projectId = view.projectId;
    if (!step) {
      nothingHere(ctx, req, res, { status: 404, title: 'Step not found', message: `Project ${projectId} has no step ${req.params.stepId}.`, projectId });
      return undefined;
    }
    if (!step.infoRequest) {
      const message = `The reviewer of ${stepSubject(view, step)} is not waiting for information from you: there is nothing to answer.`;
      nothingHere(ctx, req, res, { status: 200, title: 'Nothing to answer', message, projectId });
      return undefined;
    }
    return { view, step };
  }

  function form(
    req: Request,
    res: Response,
    { view, step }: { view: ProjectView; step: ReviewStep },
    values: unknown,
    errors: FieldError[] = [],
    key = ctx.formKey(),
  ) {
    const asked = step.infoRequest!;
    ctx.render(req, res, {
      errors,
      title: 'Answer a request for information',
      body: html`${backLink(view.projectId)}${errorSummary(errors)}
<h1>Answer a request for information</h1>
<p class="lede">${view.title}: the reviewer's clock is stopped until you answer.</p>
${summaryList([
  { key: 'About', value: stepSubject(view, step) },
  { key: 'Asked by', value: html`${step.reviewer} (${step.party})` },
  { key: 'Asked on', value: when(asked.askedAt) },
  { key: 'Answer by', value: asked.returnAt ? html`${when(asked.returnAt)}: unanswered, the case is returned to you` : 'no date set' },
])}
<h2>The question</h2><div class="panel"><p>${asked.question}</p></div>
<form method="post" enctype="multipart/form-data" novalidate>${formKeys(ctx.token(req, res), key)}
${textArea({ key: 'answer', label: LABELS.answer, hint: 'The reviewer receives it by e-mail, with your files.', values, errors, rows: 8 })}
${filesField('Optional: datasheets, letters, certificates (PDF, image, text or CSV).', values, errors)}
<div class="actions"><button type="submit">Send the answer</button><a href="${projectHref(view.projectId)}">Cancel</a></div></form>`,
    });
  }

  router.get('/projects/:id/info/:stepId', async (req, res) => {
    const asking = await askingStep(req, res);
    if (asking) form(req, res, asking, {});
  });

  router.post('/projects/:id/info/:stepId', async (req, res) => {
    const _key = textOf(req.body, '_key');
    const answer = await ctx.api.call(req, {
      method: 'POST',
      path: `${apiProjectPath(req.params.id)}/info`,
      form: multipartOf(req, { stepId: req.params.stepId, answer: textOf(req.body, 'answer') ?? '' }),
      idempotencyKey: _key,
    });
    if (answer.ok) return res.redirect(303, `${projectHref(req.params.id)}?done=info-answered`);
    const asking = await askingStep(req, res);
    if (asking) form(req, res, asking, req.body, formErrors(answer, labelOf), _key);
  });

  return router;
}
