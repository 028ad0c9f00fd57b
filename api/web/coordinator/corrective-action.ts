/**
 * Resolve a corrective action: what the report showed (its anomalies), by when it must be resolved and what is
 * proposed if it is not, and a note of what was done, sent to POST /v1/projects/:id/corrective-actions/:actionId/resolve.
 * A suspended licence is reinstated by the resolution; the API and the licence's monitor decide all of it.
 */
import { Router, type Request, type Response } from 'express';
import { html } from '../../html';
import type { ComponentView, ProjectView } from '../../../workflows/definitions';
import type { CorrectiveAction, MonitoredLicenceView } from '../../../workflows/compliance-contract';
import { errorSummary, formErrors, formKeys, summaryList, textArea, type FieldError } from '../forms';
import type { WebContext } from '../routes';
import { apiProjectPath, backLink, componentLabel, nothingHere, projectFor, projectHref, textOf, when } from './project-context';

const NOTE_HINT = 'What you corrected, and how it will not happen again. The issuing agency reads it.';
const LABELS: Record<string, string> = { note: 'What was done' };
const labelOf = (key: string): string | undefined => LABELS[key];

interface Found {
  view: ProjectView;
  component: ComponentView;
  action: CorrectiveAction;
}

export function correctiveActionPages(ctx: WebContext): Router {
  const router = Router();

  async function actionFor(req: Request, res: Response): Promise<Found | undefined> {
    const view = await projectFor(ctx, req, res);
    if (!view) return undefined;
    for (const component of view.components) {
      const action = (component.licence as Partial<MonitoredLicenceView>).compliance?.correctiveActions.find((a) => a.actionId === req.params.actionId);
      if (action) return { view, component, action };
    }
    const message =
      `Project ${view.projectId} has no corrective action ${req.params.actionId} ` + `(the licence's record keeps the open ones and the latest closed ones).`;
    nothingHere(ctx, req, res, { status: 404, title: 'Corrective action not found', message, projectId: view.projectId });
    return undefined;
  }

  function form(req: Request, res: Response, { view, component, action }: Found, values: unknown, errors: FieldError[] = [], key = ctx.formKey()) {
    const open = action.status === 'open' || action.status === 'overdue';
    const anomalies = action.anomalies.map(
      (a) =>
        html`<tr><td>${a.kind}</td><td>${a.subject}</td><td>${a.detail}</td>
<td>${a.shipments.length ? a.shipments.map((i) => i + 1).join(', ') : 'the report'}</td></tr>`,
    );
    ctx.render(req, res, {
      errors,
      title: `Resolve corrective action ${action.actionId}`,
      body: html`${backLink(view.projectId)}${errorSummary(errors)}
<h1>Resolve corrective action ${action.actionId}</h1><p class="lede">${view.title}: the report for period ${action.period} showed what follows.</p>
${summaryList([
  { key: 'Licence', value: html`${componentLabel(component)}: ${component.licence.licenceId ?? ''} (${component.licence.status})` },
  { key: 'Status', value: action.status },
  { key: 'Opened', value: when(action.openedAt) },
  { key: 'Resolve by', value: when(action.dueAt) },
  ...(action.proposal ? [{ key: 'Proposed sanction', value: `${action.proposal.kind} (${action.proposal.stage})` }] : []),
  ...(action.resolvedAt ? [{ key: 'Resolved', value: html`${when(action.resolvedAt)} by ${action.resolvedBy ?? ''}: ${action.note ?? ''}` }] : []),
])}
<table><caption>Anomalies found</caption><thead><tr><th scope="col">Kind</th><th scope="col">About</th><th scope="col">Detail</th>
<th scope="col">Shipments</th></tr></thead><tbody>${anomalies}</tbody></table>
${
  open
    ? html`<form method="post" novalidate>${formKeys(ctx.token(req, res), key)}
${textArea({ key: 'note', label: LABELS.note, hint: NOTE_HINT, values, errors, rows: 6 })}
<div class="actions"><button type="submit">Resolve the action</button><a href="${projectHref(view.projectId)}">Cancel</a></div></form>`
    : html`<div class="banner info"><p>This action is ${action.status}: there is nothing more to do here.</p></div>`
}`,
    });
  }

  router.get('/projects/:id/corrective-actions/:actionId', async (req, res) => {
    const found = await actionFor(req, res);
    if (found) form(req, res, found, {});
  });

  router.post('/projects/:id/corrective-actions/:actionId', async (req, res) => {
    const _key = textOf(req.body, '_key');
    const answer = await ctx.api.call(req, {
      method: 'POST',
      path: `${apiProjectPath(req.params.id)}/corrective-actions/${encodeURIComponent(req.params.actionId)}/resolve`,
      json: { note: textOf(req.body, 'note') ?? '' },
      idempotencyKey: _key,
    });
    if (answer.ok) return res.redirect(303, `${projectHref(req.params.id)}?done=action-resolved`);
    const found = await actionFor(req, res);
    if (found) form(req, res, found, req.body, formErrors(answer, labelOf), _key);
  });

  return router;
}
