/**
 * The agency's queue (`/app/queue`): the open steps its agency owes, oldest due first, as `GET /v1/steps` lists them;
 * each row leads to the step's page, where it is decided or passed on (./decide.ts).
 */
import { Router } from 'express';
import { STEP_KINDS, type StepKind } from '../../../domain/step-kinds';
import type { QueuedStep } from '../../../records/steps';
import { html } from '../../html';
import { formatWhen } from '../../page-format';
import { formErrors, errorSummary } from '../forms';
import type { WebContext } from '../routes';

export interface QueueAnswer {
  agencyId: string;
  asOf: string;
  count: number;
  steps: QueuedStep[];
  truncated: boolean;
}

export const kindLabel = (kind: string) => STEP_KINDS[kind as StepKind]?.label ?? kind;
export const queueHref = (ref: string) => `/app/queue/${encodeURIComponent(ref)}`;

/** The banners a step's page sends the queue back with (nothing typed is echoed). */
const DONE: Record<string, string> = {
  decided: 'Your decision was recorded. The step has left the queue.',
  'info-requested': 'Your request for information was sent to the coordinator. The step comes back to the queue once they answer.',
  'passed-on': 'The step was passed on: its new reviewer has been sent a link by e-mail.',
};

export function queuePages(ctx: WebContext): Router {
  const router = Router();

  router.get('/queue', async (req, res) => {
    const answer = await ctx.api.get<QueueAnswer>(req, '/v1/steps');
    const done = typeof req.query.done === 'string' ? DONE[req.query.done] : undefined;
    if (!answer.ok) {
      const errors = formErrors(answer);
      return ctx.render(req, res, { status: answer.status, hasErrors: true, title: 'Queue', body: html`${errorSummary(errors)}<h1>Queue</h1>` });
    }
    const { steps, asOf, truncated } = answer.body;
    const rows = steps.map(
      (s) => html`<tr><td>${formatWhen(s.dueAt)}${s.overdue && html` <span class="tag late">Overdue</span>`}</td>
<td><a href="${queueHref(s.ref)}">${kindLabel(s.kind)}${s.componentId && html` – ${s.componentId}`}</a></td>
<td>${s.projectTitle} <span class="muted">(${s.projectId})</span></td><td>${s.componentId ?? html`<span class="muted">whole project</span>`}</td>
<td class="mono">${s.reviewer}</td></tr>`,
    );
    const table = steps.length
      ? html`<table><caption>${steps.length} open ${steps.length === 1 ? 'step' : 'steps'}, oldest due first</caption>
<thead><tr><th scope="col">Due</th><th scope="col">Step</th><th scope="col">Project</th><th scope="col">Component</th>
<th scope="col">Assigned to</th></tr></thead>
<tbody>${rows}</tbody></table>`
      : html`<p>Nothing is waiting for your agency. Steps that wait for a coordinator's information come back here once they answer.</p>`;
    ctx.render(req, res, {
      title: 'Queue',
      body: html`${done && html`<div class="banner" role="status"><p>${done}</p></div>`}<h1>Your agency's queue</h1>
<p class="lede">The open steps your agency owes, as of ${formatWhen(asOf)}. Open one to decide it or pass it on to a colleague.
See also <a href="/app/figures">your agency's figures</a>.</p>
<div class="panel">${table}${truncated && html`<p class="banner warn">Only the first ${steps.length} steps are shown.</p>`}</div>`,
    });
  });

  return router;
}
