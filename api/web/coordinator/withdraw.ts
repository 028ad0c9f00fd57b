/**
 * Withdraw a project, with a confirmation: the page says what withdrawing does, asks for a reason, and asks "are you
 * sure" (the destructive-action pattern: a question answered yes, and a warning button). Only a yes sends
 * POST /v1/projects/:id/withdraw on; the API decides whether the project can still be withdrawn.
 */
import { Router, type Request, type Response } from 'express';
import type { ProjectView } from '../../../workflows/definitions';
import { html } from '../../html';
import { choices, errorSummary, formErrors, formKeys, textArea, type FieldError } from '../forms';
import type { WebContext } from '../routes';
import { apiPath, projectHref, readRefused, stageTag } from './project-parts';

const LABELS: Record<string, string> = { reason: 'Why you are withdrawing it', confirm: 'Are you sure you want to withdraw this project?' };
const labelOf = (key: string): string | undefined => LABELS[key];

export function withdrawPages(ctx: WebContext): Router {
  const router = Router();

  function form(req: Request, res: Response, view: ProjectView, values: unknown, errors: FieldError[] = [], key = ctx.formKey()) {
    const at = projectHref(view.projectId);
    const open = view.openSteps.length;
    ctx.render(req, res, {
      errors,
      title: 'Withdraw the project',
      body: html`<p><a href="${at}">Back to the project</a></p>${errorSummary(errors)}
<h1>Withdraw the project</h1><p class="lede">${view.title} <span class="mono">(${view.projectId})</span> · ${stageTag(view.stage)}</p>
<div class="banner warn"><p><strong>Withdrawing cannot be undone.</strong></p>
<ul><li>Every open step closes (${open === 1 ? 'one step is' : `${open} steps are`} open now), and each reviewer it waits on is told by e-mail.</li>
<li>No further licence, grant or milestone review starts for this project.</li>
<li>The project stays on record, with its decisions, documents and audit trail.</li></ul></div>
<form method="post" novalidate>${formKeys(ctx.token(req, res), key)}
${textArea({ key: 'reason', label: LABELS.reason, hint: 'Sent to the reviewers and kept in the audit trail, e.g. funding ended', rows: 3, values, errors })}
${choices({
  key: 'confirm',
  label: LABELS.confirm,
  options: [
    { value: 'yes', label: 'Yes, withdraw it' },
    { value: 'no', label: 'No, keep it' },
  ],
  values,
  errors,
})}
<div class="actions"><button type="submit" class="warning">Withdraw the project</button><a href="${at}">Cancel</a></div></form>`,
    });
  }

  async function readView(req: Request, res: Response): Promise<ProjectView | undefined> {
    const answer = await ctx.api.get<ProjectView>(req, apiPath(String(req.params.id)));
    if (answer.ok) return answer.body;
    readRefused(ctx, req, res, answer);
  }

  router.get('/projects/:id/withdraw', async (req, res) => {
    const view = await readView(req, res);
    if (view) form(req, res, view, {});
  });

  router.post('/projects/:id/withdraw', async (req, res) => {
    const { reason, confirm, _key } = req.body as { reason?: string; confirm?: string; _key?: string };
    if (confirm === 'no') return res.redirect(303, projectHref(req.params.id));
    if (confirm !== 'yes') {
      // The page's own question, not a rule of the API's: nothing is sent until it is answered.
      const view = await readView(req, res);
      return view && form(req, res, view, req.body, [{ key: 'confirm', message: 'Select yes to withdraw the project, or no to keep it' }], _key);
    }
    const answer = await ctx.api.call<{ stage: string }>(req, {
      method: 'POST',
      path: apiPath(req.params.id, '/withdraw'),
      json: reason?.trim() ? { reason } : {},
      idempotencyKey: _key,
    });
    if (answer.ok) return res.redirect(303, `${projectHref(req.params.id)}?done=${answer.status === 202 ? 'withdrawing' : 'withdrawn'}`);
    const view = await readView(req, res);
    if (view) form(req, res, view, req.body, formErrors(answer, labelOf), _key);
  });

  return router;
}
