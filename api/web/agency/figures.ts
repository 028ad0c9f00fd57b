/**
 * The agency's figures (`/app/figures`), as `GET /v1/steps/figures` reads them (records/agency-figures.ts): per step
 * kind and in total, what is open and overdue now, and what was decided in time, late, and in how many days (the
 * median), over all time and over the recent period. A plain table: the figures the GAO found nobody monitored.
 */
import { Router } from 'express';
import type { AgencyFigures, DecidedFigures, KindFigures } from '../../../records/agency-figures';
import { html } from '../../html';
import { formatWhen } from '../../page-format';
import { errorSummary, formErrors } from '../forms';
import type { WebContext } from '../routes';
import { kindLabel } from './queue';

const num = (n: number) => html`<td class="num">${n}</td>`;
const days = (d: number | null) =>
  d === null ? html`<td class="num"><span class="muted">none decided</span></td>` : html`<td class="num">${d.toFixed(1)}</td>`;
const decided = (f: DecidedFigures) => html`${num(f.inTime)}${num(f.late)}${days(f.medianDays)}`;

function row(f: KindFigures, total = false) {
  const name = total ? html`<th scope="row">All steps</th>` : html`<th scope="row">${kindLabel(f.kind)}</th>`;
  return html`<tr${total && html` class="total"`}>${name}${num(f.open)}${num(f.overdue)}${decided(f.allTime)}${decided(f.recent)}</tr>`;
}

export function figuresPages(ctx: WebContext): Router {
  const router = Router();

  router.get('/figures', async (req, res) => {
    const answer = await ctx.api.get<AgencyFigures & { agencyId: string }>(req, '/v1/steps/figures');
    if (!answer.ok)
      return ctx.render(req, res, {
        status: answer.status,
        hasErrors: true,
        title: 'Figures',
        body: html`${errorSummary(formErrors(answer))}<h1>Your agency's figures</h1>`,
      });
    const f = answer.body;
    const recent = `Last ${f.recent.days} days`;
    ctx.render(req, res, {
      title: 'Figures',
      body: html`<h1>Your agency's figures</h1>
<p class="lede">The review steps asked of ${f.agencyId}, as of ${formatWhen(f.asOf)}. <strong>Open</strong> and <strong>overdue</strong> are now
(a step waiting for the coordinator's information is not counted: nothing is owed until they answer). A step is <strong>decided in time</strong> when
its decision came on or before its due time; <strong>median days</strong> are calendar days from the step's opening to its decision.
The last ${f.recent.days} days count the decisions made since ${formatWhen(f.recent.since)}.</p>
<div class="panel"><table>
<caption>Steps by kind: open now, and decided over all time and over the last ${f.recent.days} days</caption>
<thead><tr><td></td><th scope="colgroup" colspan="2">Now</th><th scope="colgroup" colspan="3">All time</th><th scope="colgroup" colspan="3">${recent}</th></tr>
<tr><th scope="col">Step kind</th><th scope="col" class="num">Open</th><th scope="col" class="num">Overdue</th>
<th scope="col" class="num">Decided in time</th><th scope="col" class="num">Decided late</th><th scope="col" class="num">Median days to decide</th>
<th scope="col" class="num">Decided in time</th><th scope="col" class="num">Decided late</th><th scope="col" class="num">Median days to decide</th></tr></thead>
<tbody>${f.kinds.map((k) => row(k))}${row(f.total, true)}</tbody></table>
<p><a href="/app/queue">See the open steps in the queue</a></p></div>`,
    });
  });

  return router;
}
