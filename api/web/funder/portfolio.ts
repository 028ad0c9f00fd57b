/**
 * The funder's portfolio: its projects (the API answers a funder with its own only), searched and filtered, a page at a
 * time, each with its stage, its components' licences and who it waits on. Read from the JSON API: the list, then each
 * listed project's view (the list has no licences or steps).
 */
import { Router } from 'express';
import { html } from '../../html';
import { select, textInput } from '../forms';
import type { WebContext } from '../routes';
import { queryText, readRefused, when, withQuery } from './shared';

const STAGES = ['scoping', 'grant-review', 'active', 'rejected', 'withdrawn', 'closed'];
const PAGE_SIZE = 20;

interface ListedProject {
  projectId: string;
  title: string;
  funderId: string;
  stage: string;
  submittedAt: string;
}
interface ProjectDetail {
  components: { id: string; name: string; licence: { status: string } }[];
  openSteps: { partyName: string; infoRequest?: unknown }[];
}

/** Who a project waits on: its open steps' parties (the coordinator, while a step waits for their information). */
export const awaitedOf = (view: ProjectDetail | undefined): string[] =>
  [...new Set((view?.openSteps ?? []).map((s) => (s.infoRequest ? 'the coordinator' : s.partyName)))].sort();

const LICENCE_TAG: Record<string, string> = { approved: 'done', cleared: 'done', 'not-required': 'done', 'in-review': 'todo' };

export function portfolioPages(ctx: WebContext): Router {
  const router = Router();

  router.get('/portfolio', async (req, res) => {
    const q = queryText(req, 'q');
    const stage = queryText(req, 'stage');
    const cursor = queryText(req, 'cursor');
    const list = await ctx.api.get<{ items: ListedProject[]; nextCursor: string | null }>(
      req,
      withQuery('/v1/projects', { q, stage, cursor, limit: String(PAGE_SIZE) }),
    );
    if (!list.ok) return readRefused(ctx, req, res, 'Portfolio', list);
    const details = await Promise.all(
      list.body.items.map(async (p) => {
        const view = await ctx.api.get<ProjectDetail>(req, `/v1/projects/${encodeURIComponent(p.projectId)}`);
        return view.ok ? view.body : undefined;
      }),
    );
    const rows = list.body.items.map((p, i) => {
      const view = details[i];
      const licences = view
        ? html`<ul class="plain">${view.components.map(
            (c) => html`<li>${c.name} <span class="tag ${LICENCE_TAG[c.licence.status] ?? 'bad'}">${c.licence.status}</span></li>`,
          )}</ul>`
        : html`<span class="muted">Not read: reload the page</span>`;
      const awaited = awaitedOf(view);
      return html`<tr><td><strong>${p.title}</strong><br><span class="mono">${p.projectId}</span></td><td>${p.stage}</td>
<td>${licences}</td><td>${awaited.length ? awaited.join(', ') : html`<span class="muted">Nobody</span>`}</td><td>${when(p.submittedAt)}</td></tr>`;
    });
    const values = { q: q ?? '', stage: stage ?? '' };
    const next = list.body.nextCursor;
    ctx.render(req, res, {
      title: 'Portfolio',
      body: html`<h1>Portfolio</h1><p class="lede">Your projects, newest first: their stage, their components' licences, and who each one waits on.</p>
<p><a class="button" href="/app/cycles/new">Launch a review cycle</a> <a href="/app/stalled">Held and stalled milestones</a></p>
<form method="get" action="/app/portfolio" class="filters" role="search" aria-label="Projects">
${textInput({ key: 'q', label: 'Search', hint: 'Title or project id', type: 'search', values })}
${select({ key: 'stage', label: 'Stage', options: STAGES.map((s) => ({ value: s, label: s })), blank: 'Any stage', values })}
<div class="group"><button type="submit">Show projects</button></div></form>
${
  rows.length
    ? html`<table><caption>${rows.length} project${rows.length === 1 ? '' : 's'}${cursor ? ' on this page' : ''}</caption>
<thead><tr><th scope="col">Project</th><th scope="col">Stage</th><th scope="col">Components' licences</th><th scope="col">Awaited</th>
<th scope="col">Submitted</th></tr></thead><tbody>${rows}</tbody></table>`
    : html`<p>No projects match.</p>`
}
<nav aria-label="Pages of projects" class="actions">${cursor && html`<a href="${withQuery('/app/portfolio', { q, stage })}">First page</a>`}
${next && html`<a href="${withQuery('/app/portfolio', { q, stage, cursor: next })}">Next page</a>`}</nav>
<h2>Open a review cycle</h2>
<form method="get" action="/app/cycles" class="filters">${textInput({ key: 'id', label: 'Cycle id', hint: 'As its launch gave it, e.g. cy-…', values: {} })}
<div class="group"><button type="submit" class="secondary">Open the cycle</button></div></form>`,
    });
  });

  return router;
}
