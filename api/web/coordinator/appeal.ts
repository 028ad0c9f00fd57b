/**
 * Appeal a denial, with its legal basis: the denial as the agency wrote it (its basis and comment), the window to
 * appeal in, and the appeal with its files sent to POST /v1/projects/:id/appeals as multipart. Whether there is a
 * denial to appeal, and whether the window is still open, is the API's to say.
 */
import { Router, type Request, type Response } from 'express';
import { html, type SafeHtml } from '../../html';
import type { ProjectView } from '../../../workflows/definitions';
import { errorSummary, formErrors, formKeys, select, summaryList, textArea, type FieldError } from '../forms';
import type { WebContext } from '../routes';
import { apiProjectPath, backLink, componentLabel, filesField, multipartOf, optionalText, projectFor, projectHref, textOf, when } from './project-context';

const BASIS_HINT = 'The rule or fact the denial overlooked, e.g. "EAR §742.4(b)(1): a licence exception applies"';
const LABELS: Record<string, string> = { componentId: 'Component', legalBasis: 'Legal basis', comment: 'Comment', file: 'Files' };
const labelOf = (key: string): string | undefined => LABELS[key];

/** The component's latest denial and its appeal step, as the project shows them. */
function denialOf(view: ProjectView, componentId: string): SafeHtml | false {
  const component = view.components.find((c) => c.id === componentId);
  if (!component) return false;
  const denial = view.steps.filter((s) => s.componentId === componentId && s.outcome === 'denied').at(-1);
  const appeal = view.steps.filter((s) => s.componentId === componentId && s.kind === 'appeal').at(-1);
  return html`<h2>The denial</h2>${summaryList([
    { key: 'Component', value: componentLabel(component) },
    { key: 'Licence', value: component.licence.status },
    ...(denial
      ? [
          { key: 'Denied by', value: html`${denial.reviewer} (${denial.party}) on ${when(denial.decidedAt)}` },
          { key: 'Their legal basis', value: denial.legalBasis ?? 'none given' },
          ...(denial.comment ? [{ key: 'Their comment', value: denial.comment }] : []),
        ]
      : []),
    ...(appeal
      ? [{ key: 'Appeal by', value: appeal.status === 'open' ? when(appeal.dueAt) : html`the window closed (${appeal.outcome ?? appeal.closedReason ?? ''})` }]
      : []),
  ])}`;
}

export function appealPages(ctx: WebContext): Router {
  const router = Router();

  function form(req: Request, res: Response, view: ProjectView, values: unknown, errors: FieldError[] = [], key = ctx.formKey()) {
    const componentId = textOf(values, 'componentId') ?? '';
    const options = view.components.map((c) => ({ value: c.id, label: `${componentLabel(c)}: ${c.licence.status}` }));
    ctx.render(req, res, {
      errors,
      title: 'Appeal a denial',
      body: html`${backLink(view.projectId)}${errorSummary(errors)}
<h1>Appeal a denial</h1><p class="lede">${view.title}: the issuing agency's appeal body rules on your appeal.</p>
${denialOf(view, componentId)}
<form method="post" enctype="multipart/form-data" novalidate>${formKeys(ctx.token(req, res), key)}
${select({ key: 'componentId', label: LABELS.componentId, values, errors, options })}
${textArea({ key: 'legalBasis', label: LABELS.legalBasis, hint: BASIS_HINT, values, errors, rows: 4 })}
${textArea({ key: 'comment', label: 'Comment (optional)', values, errors, rows: 5 })}
${filesField('Optional: the evidence your appeal relies on.', values, errors)}
<div class="actions"><button type="submit">Send the appeal</button><a href="${projectHref(view.projectId)}">Cancel</a></div></form>`,
    });
  }

  router.get('/projects/:id/appeals/new', async (req, res) => {
    const view = await projectFor(ctx, req, res);
    const asked = typeof req.query.componentId === 'string' ? req.query.componentId : undefined;
    const denied = view?.components.find((c) => c.licence.status === 'denied')?.id; // a convenience: the first denied component
    if (view) form(req, res, view, { componentId: asked ?? denied ?? view.components[0]?.id });
  });

  router.post('/projects/:id/appeals/new', async (req, res) => {
    const _key = textOf(req.body, '_key');
    const fields = {
      componentId: textOf(req.body, 'componentId') ?? '',
      legalBasis: textOf(req.body, 'legalBasis') ?? '',
      comment: optionalText(req.body, 'comment'),
    };
    const answer = await ctx.api.call(req, {
      method: 'POST',
      path: `${apiProjectPath(req.params.id)}/appeals`,
      form: multipartOf(req, fields),
      idempotencyKey: _key,
    });
    if (answer.ok) return res.redirect(303, `${projectHref(req.params.id)}?done=appealed`);
    const view = await projectFor(ctx, req, res);
    if (view) form(req, res, view, req.body, formErrors(answer, labelOf), _key);
  });

  return router;
}
