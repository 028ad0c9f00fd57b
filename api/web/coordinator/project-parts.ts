/** What the project list, the project page, scoping and withdraw share: names, tags, and a read the API refused. */
import type { Request, Response } from 'express';
import type { Policy } from '../../../domain/policy';
import { formatWhen, STAGE_LABELS } from '../../page-format';
import type { Stage } from '../../../workflows/definitions';
import { html, type HtmlValue, type SafeHtml } from '../../html';
import type { ApiAnswer } from '../page-api';
import type { WebContext } from '../routes';
import { sentence } from '../forms';

export const projectHref = (id: string) => `/app/projects/${encodeURIComponent(id)}`;
/** A path of the JSON API under a project: ids go in as path segments, encoded. */
export const apiPath = (id: string, rest = '') => `/v1/projects/${encodeURIComponent(id)}${rest}`;

export { when } from '../format';

export const funderName = (policy: Policy, id: string) => policy.funders.find((f) => f.id === id)?.name ?? id;
export const agencyName = (policy: Policy, id: string) => policy.agencies.find((a) => a.id === id)?.name ?? id;

/** A stage as a tag: done (active, closed), refused (rejected, withdrawn), or in progress. */
export function stageTag(stage: string): SafeHtml {
  const tone = stage === 'active' || stage === 'closed' ? ' done' : stage === 'rejected' || stage === 'withdrawn' ? ' bad' : ' todo';
  return html`<span class="tag${tone}">${STAGE_LABELS[stage as Stage] ?? stage}</span>`;
}

/** A licence status as a tag. */
export function licenceTag(status: string): SafeHtml {
  const tone = ['approved', 'cleared', 'not-required'].includes(status)
    ? ' done'
    : ['denied', 'revoked', 'suspended', 'expired', 'returned'].includes(status)
      ? ' bad'
      : ' todo';
  return html`<span class="tag${tone}">${status}</span>`;
}

/** A table's head row: each heading a column's. */
export const headings = (...labels: HtmlValue[]) => html`<thead><tr>${labels.map((l) => html`<th scope="col">${l}</th>`)}</tr></thead>`;

/** A read the API refused (not found, or not this person's): the page says so in its words, with the API's status. */
export function readRefused(ctx: WebContext, req: Request, res: Response, answer: ApiAnswer): void {
  if (answer.status === 404)
    return ctx.render(req, res, {
      status: 404,
      title: 'Page not found',
      body: html`<h1>Page not found</h1><p>There is no project at this address, or it is not one of yours.</p><p><a href="/app/projects">Your projects</a></p>`,
    });
  ctx.render(req, res, {
    status: answer.status >= 400 ? answer.status : 502,
    title: 'This page could not be shown',
    body: html`<h1>This page could not be shown</h1>
<div class="banner warn"><p>${sentence(answer.error?.message ?? `the request failed (${answer.status})`)}</p></div>
<p><a href="/app/projects">Your projects</a></p>`,
  });
}
