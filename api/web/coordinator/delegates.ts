/**
 * Add a delegate: another coordinator who may act on the project. The pattern every form of the pages follows:
 * GET shows the form; POST sends it on to the API as the person signed in; a refusal shows the form again with
 * what was typed, the error summary and each error beside its field; success goes back to the project (303).
 */
import { Router, type Request, type Response } from 'express';
import { html } from '../../html';
import { errorSummary, formErrors, formKeys, textInput, type FieldError } from '../forms';
import type { WebContext } from '../routes';

const LABELS: Record<string, string> = { userId: 'User id' };
const labelOf = (key: string): string | undefined => LABELS[key];

export function delegatePages(ctx: WebContext): Router {
  const router = Router();

  function form(req: Request, res: Response, values: unknown, errors: FieldError[] = [], key = ctx.formKey()) {
    const id = req.params.id;
    ctx.render(req, res, {
      errors,
      title: 'Add a delegate',
      body: html`<p><a href="/app/projects/${id}">Back to the project</a></p>${errorSummary(errors)}
<h1>Add a delegate</h1><p class="lede">A delegate is another coordinator who may act on project ${id} as you do: answer
requests, file reports, appeal. You can remove them later.</p>
<form method="post" novalidate>${formKeys(ctx.token(req, res), key)}
${textInput({ key: 'userId', label: LABELS.userId, hint: 'Their coordinator user id, e.g. m.garcia@uni-example.es', values, errors, autocomplete: 'off' })}
<div class="actions"><button type="submit">Add the delegate</button><a href="/app/projects/${id}">Cancel</a></div></form>`,
    });
  }

  router.get('/projects/:id/delegates/new', (req, res) => form(req, res, {}));

  router.post('/projects/:id/delegates/new', async (req, res) => {
    const { userId, _key } = req.body as { userId?: string; _key?: string };
    const answer = await ctx.api.call(req, {
      method: 'POST',
      path: `/v1/projects/${encodeURIComponent(req.params.id)}/delegates`,
      json: { userId: userId ?? '' },
      idempotencyKey: _key,
    });
    if (!answer.ok) return form(req, res, req.body, formErrors(answer, labelOf), _key);
    res.redirect(303, `/app/projects/${encodeURIComponent(req.params.id)}?done=delegate-added`);
  });

  return router;
}
