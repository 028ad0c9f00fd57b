/**
 * A cycle's page: its state and counts, and its projects' outcomes a page at a time, as the API has them when the
 * page is read (it says when): the person follows the cycle by reloading. And its outcomes as a CSV file, every page.
 */
import { Router } from 'express';
import { html } from '../../html';
import { select } from '../forms';
import type { WebContext } from '../routes';
import type { ApiAnswer } from '../page-api';
import { csvFile } from '../../csv';
import { OUTCOME_LABELS, outcomeTag, queryText, readRefused, when, withQuery } from './shared';

interface CycleItem {
  projectId: string;
  outcome: string;
  milestoneIds?: string[];
  awaited?: string[];
  detail?: string;
  licenceDueAt?: string;
  reason?: string;
  at?: string;
}
interface CycleView {
  cycleId: string;
  name: string;
  closesAt: string;
  status: string;
  total: number;
  launched: number;
  counts: Record<string, number>;
  skipped: { projectId: string; reason: string }[];
  itemsNext?: string;
}
interface ItemsPage {
  items: CycleItem[];
  nextCursor: string | null;
}

const PAGE_SIZE = 50;
const STATUS_SAYS: Record<string, string> = {
  launching: 'Launching: the projects are being asked',
  open: 'Open: outcomes come in until the close',
  closed: 'Closed',
  incomplete: 'Closed, incomplete: some projects never reported',
};
const OUTCOME_OPTIONS = Object.entries(OUTCOME_LABELS).map(([value, label]) => ({ value, label }));
const itemsPath = (id: string, q: Record<string, string | undefined>) => withQuery(`/v1/cycles/${encodeURIComponent(id)}/items`, q);

export function cyclePages(ctx: WebContext): Router {
  const router = Router();

  // The portfolio's "open a cycle" form: the API has no list of a funder's cycles, so a cycle is reached by its id.
  router.get('/cycles', (req, res) => {
    const id = queryText(req, 'id');
    res.redirect(303, id ? `/app/cycles/${encodeURIComponent(id)}` : '/app/portfolio');
  });

  router.get('/cycles/:id', async (req, res) => {
    const id = req.params.id;
    const outcome = queryText(req, 'outcome');
    const cursor = queryText(req, 'cursor');
    const [view, page] = await Promise.all([
      ctx.api.get<CycleView>(req, `/v1/cycles/${encodeURIComponent(id)}`),
      ctx.api.get<ItemsPage>(req, itemsPath(id, { outcome, cursor, limit: String(PAGE_SIZE) })),
    ]);
    const readAt = new Date().toISOString();
    if (!view.ok) return readRefused(ctx, req, res, 'Review cycle', view);
    if (!page.ok) return readRefused(ctx, req, res, 'Review cycle', page);
    const cycle = view.body;
    const here = `/app/cycles/${encodeURIComponent(id)}`;
    const counts = Object.entries(cycle.counts ?? {});
    const rows = page.body.items.map(
      (i) => html`<tr><td class="mono">${i.projectId}</td><td>${(i.milestoneIds ?? []).join(', ')}</td><td>${outcomeTag(i.outcome)}</td>
<td>${(i.awaited ?? []).join(', ')}</td>
<td>${i.detail ?? i.reason ?? ''}${i.licenceDueAt && html`<br><span class="muted">Licence due ${when(i.licenceDueAt)}</span>`}</td>
<td>${when(i.at)}</td></tr>`,
    );
    const next = page.body.nextCursor;
    ctx.render(req, res, {
      title: `Review cycle ${cycle.name}`,
      body: html`<p><a href="/app/portfolio">Back to the portfolio</a></p>
${
  req.query.done === 'launched' &&
  html`<div class="banner" role="status">
<p>The cycle was launched. Its projects report their outcomes as they come in: reload this page to follow them.</p></div>`
}
<h1>${cycle.name}</h1>
<p class="lede">Cycle <span class="mono">${cycle.cycleId}</span>. ${STATUS_SAYS[cycle.status] ?? cycle.status}. Closes ${when(cycle.closesAt)}.</p>
<p>Read at ${when(readAt)}. <a href="${withQuery(here, { outcome, cursor })}">Reload</a>
to see the outcomes that came in since.
<a href="${here}/outcomes.csv">Download the outcomes (CSV)</a>.
<a href="${withQuery('/app/stalled', { cycleId: cycle.cycleId })}">Held and stalled in this cycle</a>.</p>
<table><caption>Projects in the cycle</caption><thead><tr><th scope="col">Asked</th><th scope="col">Skipped</th>
${counts.map(([k]) => html`<th scope="col" class="num">${OUTCOME_LABELS[k] ?? k}</th>`)}</tr></thead>
<tbody><tr><td class="num">${cycle.launched ?? 0}</td><td class="num">${cycle.skipped?.length ?? 0}</td>
${counts.map(([, n]) => html`<td class="num">${n}</td>`)}</tr></tbody></table>
<h2>Outcomes</h2>
<form method="get" action="${here}" class="filters">
${select({ key: 'outcome', label: 'Outcome', options: OUTCOME_OPTIONS, blank: 'Any outcome', values: { outcome } })}
<div class="group"><button type="submit" class="secondary">Show</button></div></form>
${
  rows.length
    ? html`<table><caption>Outcomes${outcome ? `: ${OUTCOME_LABELS[outcome] ?? outcome}` : ''}, by project id</caption><thead><tr><th scope="col">Project</th>
<th scope="col">Milestones</th><th scope="col">Outcome</th><th scope="col">Awaited</th><th scope="col">Detail</th><th scope="col">Reported</th></tr></thead>
<tbody>${rows}</tbody></table>`
    : html`<p>No outcome${outcome ? ' of this kind' : ''} yet.${cycle.status === 'launching' || cycle.status === 'open' ? ' Reload the page later.' : ''}</p>`
}
<nav aria-label="Pages of outcomes" class="actions">${cursor && html`<a href="${withQuery(here, { outcome })}">First page</a>`}
${next && html`<a href="${withQuery(here, { outcome, cursor: next })}">Next page</a>`}</nav>
${
  !outcome &&
  cycle.skipped?.length > 0 &&
  html`<h2>Skipped projects</h2><ul>${cycle.skipped.map((s) => html`<li><span class="mono">${s.projectId}</span>: ${s.reason}</li>`)}</ul>
${cycle.itemsNext && html`<p class="muted">The first ones only: choose the outcome "Skipped" to page through them all.</p>`}`
}`,
    });
  });

  router.get('/cycles/:id/outcomes.csv', async (req, res) => {
    const id = req.params.id;
    const rows: CycleItem[] = [];
    // Every page of the outcomes, then every page of the skipped projects.
    for (const outcome of [undefined, 'skipped']) {
      let cursor: string | undefined;
      do {
        const page: ApiAnswer<ItemsPage> = await ctx.api.get<ItemsPage>(req, itemsPath(id, { outcome, cursor, limit: '500' }));
        if (!page.ok) return readRefused(ctx, req, res, 'Cycle outcomes', page);
        rows.push(...page.body.items.map((i) => (outcome ? { ...i, outcome } : i)));
        cursor = page.body.nextCursor ?? undefined;
      } while (cursor);
    }
    const csv = csvFile(
      ['project', 'milestones', 'outcome', 'reported at', 'awaited', 'detail', 'licence due at', 'reason'],
      rows.map((i) => [
        i.projectId,
        (i.milestoneIds ?? []).join(' '),
        i.outcome,
        i.at ?? '',
        (i.awaited ?? []).join('; '),
        i.detail ?? '',
        i.licenceDueAt ?? '',
        i.reason ?? '',
      ]),
    );
    res
      .status(200)
      .set('Cache-Control', 'no-store')
      .attachment(`cycle-${id.replace(/[^A-Za-z0-9_-]/g, '')}-outcomes.csv`)
      .type('text/csv; charset=utf-8')
      .send(csv);
  });

  return router;
}
