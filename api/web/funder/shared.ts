/** What the funder's pages share: how they say a time, build a link with its query, and answer a read the API refused. */
import type { Request, Response } from 'express';
import { html } from '../../html';
import type { ApiAnswer } from '../page-api';
import type { WebContext } from '../routes';

export { when } from '../format';

/** A duration in days and hours: how long past due. */
export function duration(ms: number): string {
  const hours = Math.max(0, Math.floor(ms / 3_600_000));
  if (hours < 1) return `${Math.max(0, Math.floor(ms / 60_000))} min`;
  const days = Math.floor(hours / 24);
  return days ? `${days} d ${hours % 24} h` : `${hours} h`;
}

/** `path?query`, with the empty values left out. */
export function withQuery(path: string, query: Record<string, string | undefined>): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v) params.set(k, v);
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

/** A query parameter as one string (repeated or nested ones are not the pages' own: ignored). */
export const queryText = (req: Request, name: string): string | undefined => {
  const v = req.query[name];
  return typeof v === 'string' && v.trim() ? v.trim() : undefined;
};

/** The page the person sees when a read the page needs is refused: the API's own words, with its status. */
export function readRefused(ctx: WebContext, req: Request, res: Response, title: string, answer: ApiAnswer): void {
  const status = answer.status >= 400 ? answer.status : 502;
  const message = answer.error?.message ?? `the request failed (${answer.status})`;
  const details = answer.error?.details ?? [];
  ctx.render(req, res, {
    status,
    title,
    body: html`<h1>${title}</h1><div class="banner warn"><p>${message[0].toUpperCase() + message.slice(1)}.</p>
${details.length > 0 && html`<ul>${details.map((d) => html`<li>${d.path.replace(/^(query|path)\./, '')}: ${d.message}</li>`)}</ul>`}
${status === 503 && html`<p>Reload the page in a moment.</p>`}</div>`,
  });
}

/** The outcomes of a cycle's item, as people say them. */
export const OUTCOME_LABELS: Record<string, string> = {
  passed: 'Passed',
  'held-funder': 'Held by the funder',
  'held-regulator': 'Held by a regulator',
  stalled: 'Stalled',
  pending: 'Pending',
  unreported: 'Not reported',
  skipped: 'Skipped',
};

export const outcomeTag = (outcome: string) => {
  const kind = outcome === 'passed' ? 'done' : outcome === 'pending' ? 'todo' : 'bad';
  return html`<span class="tag ${kind}">${OUTCOME_LABELS[outcome] ?? outcome}</span>`;
};
