/**
 * Held and stalled milestones, with who is awaited: the steps past their due time and the licence cases past their
 * legal limit (GET /v1/milestones/stalled, which answers a funder with its own projects), filtered by cycle or agency;
 * for a cycle, also its projects held at the close (its items, held by the funder or by a regulator).
 */
import { Router } from 'express';
import { html } from '../../html';
import { select, textInput } from '../forms';
import type { WebContext } from '../routes';
import { duration, outcomeTag, queryText, readRefused, when, withQuery } from './shared';

interface StalledStep {
  projectId: string;
  projectTitle: string;
  stepId: string;
  kind: string;
  party: string;
  partyName: string;
  componentId?: string;
  dueAt: string;
  overdueMs: number;
  clockStopped: boolean;
  outOfTimeSince?: string;
}
interface OutOfTimeCase {
  projectId: string;
  projectTitle: string;
  componentId: string;
  since: string;
  issuer: { name: string };
  awaiting: string[];
}
interface StalledAnswer {
  asOf: string;
  items: StalledStep[];
  outOfTime: OutOfTimeCase[];
  truncated: boolean;
}
interface HeldItem {
  projectId: string;
  outcome: string;
  milestoneIds: string[];
  awaited: string[];
  detail?: string;
  licenceDueAt?: string;
}

const HELD = ['held-funder', 'held-regulator'];

export function stalledPages(ctx: WebContext): Router {
  const router = Router();

  router.get('/stalled', async (req, res) => {
    const cycleId = queryText(req, 'cycleId');
    const agency = queryText(req, 'agency');
    const stalled = await ctx.api.get<StalledAnswer>(req, withQuery('/v1/milestones/stalled', { cycleId, agency }));
    if (!stalled.ok) return readRefused(ctx, req, res, 'Held and stalled milestones', stalled);
    const held: HeldItem[] = [];
    if (cycleId)
      for (const outcome of HELD) {
        const page = await ctx.api.get<{ items: HeldItem[] }>(req, `/v1/cycles/${encodeURIComponent(cycleId)}/items?outcome=${outcome}&limit=500`);
        if (!page.ok) return readRefused(ctx, req, res, 'Held and stalled milestones', page);
        held.push(...page.body.items);
      }
    const { items, outOfTime, asOf, truncated } = stalled.body;
    const values = { cycleId: cycleId ?? '', agency: agency ?? '' };
    const agencies = ctx.policy.agencies.map((a) => ({ value: a.id, label: a.name }));
    ctx.render(req, res, {
      title: 'Held and stalled milestones',
      body: html`<h1>Held and stalled milestones</h1>
<p class="lede">The reviews of your projects past their due time, oldest first, and who each one waits on. Read at ${when(asOf)}:
<a href="${withQuery('/app/stalled', { cycleId, agency })}">reload</a> for the latest.</p>
<form method="get" action="/app/stalled" class="filters" aria-label="Filters">
${textInput({ key: 'cycleId', label: 'Cycle id', hint: 'Its milestone reviews only', values })}
${select({ key: 'agency', label: 'Awaited agency', options: agencies, blank: 'Any agency', values })}
<div class="group"><button type="submit">Show</button></div></form>
${truncated && html`<div class="banner warn"><p>The list is long: only its first part is shown. Filter by cycle or agency.</p></div>`}
${
  cycleId &&
  html`<h2>Held in cycle ${cycleId}</h2>${
    held.length
      ? html`<table><caption>Held milestones (<a href="/app/cycles/${encodeURIComponent(cycleId)}">the cycle</a>)</caption>
<thead><tr><th scope="col">Project</th><th scope="col">Milestones</th><th scope="col">Outcome</th><th scope="col">Why, and who is awaited</th></tr></thead>
<tbody>${held.map(
          (h) => html`<tr><td class="mono">${h.projectId}</td><td>${h.milestoneIds.join(', ')}</td><td>${outcomeTag(h.outcome)}</td>
<td>${h.detail ?? ''}${h.awaited.length > 0 && html`<br>Awaited: ${h.awaited.join(', ')}`}
${h.licenceDueAt && html`<br><span class="muted">Licence due ${when(h.licenceDueAt)}</span>`}</td></tr>`,
        )}</tbody></table>`
      : html`<p>No milestone of this cycle is held.</p>`
  }`
}
<h2>Past their due time</h2>
${
  items.length
    ? html`<table><caption>${items.length} review${items.length === 1 ? '' : 's'} past due</caption>
<thead><tr><th scope="col">Project</th><th scope="col">Review</th><th scope="col">Awaited</th>
<th scope="col">Due</th><th scope="col" class="num">Overdue by</th></tr></thead>
<tbody>${items.map(
        (s) => html`<tr><td>${s.projectTitle}<br><span class="mono">${s.projectId}</span></td>
<td>${s.kind}${s.componentId && html` of ${s.componentId}`}<br><span class="mono">${s.stepId}</span></td>
<td>${s.partyName}${s.clockStopped && html`<br><span class="muted">Waiting for the coordinator's information</span>`}${
          s.outOfTimeSince && html`<br><span class="tag bad">Case past its legal limit</span>`
        }</td><td>${when(s.dueAt)}</td><td class="num">${duration(s.overdueMs)}</td></tr>`,
      )}</tbody></table>`
    : html`<p>Nothing is past its due time.</p>`
}
<h2>Licence cases past their legal limit</h2>
${
  outOfTime.length
    ? html`<table><caption>Undecided past the limit, longest first</caption>
<thead><tr><th scope="col">Project</th><th scope="col">Component</th><th scope="col">Issuer</th>
<th scope="col">Since</th><th scope="col">Awaited</th></tr></thead>
<tbody>${outOfTime.map(
        (c) => html`<tr><td>${c.projectTitle}<br><span class="mono">${c.projectId}</span></td><td>${c.componentId}</td><td>${c.issuer.name}</td>
<td>${when(c.since)}</td><td>${c.awaiting.length ? c.awaiting.join(', ') : html`<span class="muted">A dispute or a notice period</span>`}</td></tr>`,
      )}</tbody></table>`
    : html`<p>No licence case is past its legal limit.</p>`
}`,
    });
  });

  return router;
}
