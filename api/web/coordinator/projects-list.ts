/**
 * The projects the person signed in may see (GET /v1/projects chooses them by role): search by title or id, filters
 * by stage and funder in a GET form (no script), newest first, a page at a time with the API's cursor.
 */
import { Router, type Request } from 'express';
import { html } from '../../html';
import { errorSummary, select, sentence, textInput, type FieldError } from '../forms';
import type { ApiAnswer } from '../page-api';
import type { WebContext } from '../routes';
import { STAGE_LABELS } from '../../page-format';
import { agencyName, funderName, headings, projectHref, stageTag, when } from './project-parts';

interface ProjectRow {
  projectId: string;
  title: string;
  funderId: string;
  leadAgency: string;
  stage: string;
  submittedAt: string;
  closedAt: string | null;
}

/** The list's own filters, as the API names them. */
const FILTERS = ['q', 'stage', 'funderId'] as const;
const LABELS: Record<string, string> = { q: 'Search', stage: 'Stage', funderId: 'Funder', cursor: 'Page', limit: 'Page size' };

const STAGE_OPTIONS = Object.entries(STAGE_LABELS).map(([value, label]) => ({ value, label }));

/** The filters as typed (blank ones left out), for the API's query and the page's own links. */
function filtersOf(req: Request): Record<string, string> {
  const out: Record<string, string> = {};
  // `limit` is passed on too (the API's page size; the page's links keep it), though the form does not offer it.
  for (const key of [...FILTERS, 'limit', 'cursor'])
    if (typeof req.query[key] === 'string' && (req.query[key] as string).trim()) out[key] = (req.query[key] as string).trim();
  return out;
}

/** A refused query as the form's errors: each at its filter (`query.q` → q), said with the filter's label. */
function queryErrors(answer: ApiAnswer): FieldError[] {
  const details = answer.error?.details.filter((d) => d.path.startsWith('query.')) ?? [];
  if (!details.length) return [{ message: sentence(answer.error?.message ?? `the request failed (${answer.status})`) }];
  return details.map((d) => {
    const key = d.path.slice('query.'.length);
    return { key: (FILTERS as readonly string[]).includes(key) ? key : undefined, message: `${LABELS[key] ?? key}: ${d.message}` };
  });
}

export function projectListPages(ctx: WebContext): Router {
  const router = Router();

  router.get('/projects', async (req, res) => {
    const filters = filtersOf(req);
    const answer = await ctx.api.get<{ items: ProjectRow[]; nextCursor: string | null }>(req, `/v1/projects?${new URLSearchParams(filters)}`);
    const errors = answer.ok ? [] : queryErrors(answer);
    const items = answer.ok ? answer.body.items : [];
    const { cursor, limit, ...chosen } = filters;
    const filtered = Object.keys(chosen).length > 0;
    const kept = { ...chosen, ...(limit && { limit }) };
    const next = answer.ok && answer.body.nextCursor && `/app/projects?${new URLSearchParams({ ...kept, cursor: answer.body.nextCursor })}`;

    const funders = ctx.policy.funders.map((f) => ({ value: f.id, label: f.name }));
    const rows = items.map(
      (p) => html`<tr><td><a href="${projectHref(p.projectId)}">${p.title}</a><br><span class="mono muted">${p.projectId}</span></td>
<td>${funderName(ctx.policy, p.funderId)}</td><td>${agencyName(ctx.policy, p.leadAgency)}</td><td>${stageTag(p.stage)}</td>
<td>${when(p.submittedAt)}</td></tr>`,
    );
    const table = items.length
      ? html`<table><caption>${filtered ? 'Projects that match' : 'Your projects'}, newest first${cursor ? ' (a later page)' : ''}</caption>
${headings('Project', 'Funder', 'Lead agency', 'Stage', 'Submitted')}
<tbody>${rows}</tbody></table>`
      : answer.ok && html`<p>${filtered ? 'No project matches these filters.' : 'You have no projects yet.'}</p>`;

    ctx.render(req, res, {
      status: answer.ok ? 200 : answer.status,
      hasErrors: errors.length > 0,
      title: 'Projects',
      body: html`${errorSummary(errors)}<h1>Projects</h1>
<p class="lede">The projects you may see, newest first. <a href="/app/projects/new">Submit a project</a></p>
<form method="get" action="/app/projects" class="filters" role="search" aria-label="Search and filter projects">
${limit && html`<input type="hidden" name="limit" value="${limit}">`}
${textInput({ key: 'q', type: 'search', label: LABELS.q, hint: 'Part of the title, or the project id', values: filters, errors })}
${select({ key: 'stage', label: LABELS.stage, blank: 'Any stage', options: STAGE_OPTIONS, values: filters, errors })}
${select({ key: 'funderId', label: LABELS.funderId, blank: 'Any funder', options: funders, values: filters, errors })}
<div class="actions"><button type="submit">Apply filters</button>${filtered && html`<a href="/app/projects">Clear filters</a>`}</div></form>
${table}
${
  (cursor || next) &&
  html`<nav aria-label="Pages of projects"><p class="actions">${cursor && html`<a href="/app/projects?${String(new URLSearchParams(kept))}">First page</a>`}${
    next && html`<a href="${next}" rel="next">Next page</a>`
  }</p></nav>`
}`,
    });
  });

  return router;
}
