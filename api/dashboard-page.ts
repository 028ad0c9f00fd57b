/**
 * Server-rendered HTML of the dashboard and its sign-in form. No script and no
 * style attributes (Helmet's CSP allows the one inline <style> element); built with
 * html`…` (./html), which escapes every value from a workflow. Same palette and type as the
 * reviewer pages, on a wider grid.
 */
import { formatDuration } from '../domain/durations';
import { STEP_KINDS, type StepKind } from '../domain/step-kinds';
import type { Stage } from '../workflows/definitions';
import type { Caller } from './auth';
import { STAGES, type DashboardData, type ProjectRow } from './dashboard-data';
import { html, raw, type SafeHtml } from './html';
import { formatWhen, STAGE_LABELS } from './page-format';
import type { OutOfTimeCase, StalledItem } from '../records/stalled';
import type { QueuedStep } from '../records/steps';

const STYLE = raw(`
  * { box-sizing: border-box; }
  body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1f2933; background: #f4f6f8; margin: 0; }
  a { color: #1d4ed8; text-decoration: none; } a:hover { text-decoration: underline; }
  .top { background: #fff; border-bottom: 1px solid #e4e7eb; }
  .bar { max-width: 84rem; margin: 0 auto; padding: .85rem 2rem; display: flex; align-items: center; justify-content: space-between; gap: 1rem; }
  .brand { font-weight: 700; letter-spacing: .01em; } .brand span { color: #52606d; font-weight: 400; }
  .who { display: flex; align-items: center; gap: .9rem; color: #52606d; font-size: .9rem; } .who form { margin: 0; }
  .who button { font: inherit; font-size: .85rem; padding: .3rem .85rem; border: 1px solid #cbd2d9; border-radius: 6px; background: #fff; color: #1f2933; cursor: pointer; }
  main { max-width: 84rem; margin: 1.75rem auto 3rem; padding: 0 2rem; }
  h1 { font-size: 1.5rem; margin: 0; } .sub { color: #52606d; margin: .2rem 0 1.5rem; }
  .cards { display: grid; grid-template-columns: repeat(6, minmax(0, 1fr)); gap: .85rem; margin: 0 0 1.75rem; padding: 0; list-style: none; }
  .card { background: #fff; border-radius: 8px; box-shadow: 0 1px 3px rgba(0,0,0,.12); padding: .85rem 1.1rem 1rem; border-top: 4px solid #cbd2d9; }
  .card .n { display: block; font-size: 2rem; font-weight: 700; line-height: 1.15; font-variant-numeric: tabular-nums; } .card .l { color: #52606d; font-size: .9rem; }
  .card.zero .n { color: #9aa5b1; }
  .card.scoping { border-top-color: #64748b; } .card.grant-review { border-top-color: #d97706; } .card.active { border-top-color: #16a34a; }
  .card.rejected { border-top-color: #dc2626; } .card.withdrawn { border-top-color: #9ca3af; } .card.closed { border-top-color: #334155; }
  .panel { background: #fff; border-radius: 8px; box-shadow: 0 1px 3px rgba(0,0,0,.12); padding: 1.25rem 1.5rem 1rem; margin: 0 0 1.5rem; }
  h2 { font-size: 1.15rem; margin: 0; display: flex; align-items: center; gap: .6rem; } .panel > .hint { color: #52606d; font-size: .9rem; margin: .15rem 0 .9rem; }
  .pill { display: inline-block; border-radius: 999px; padding: 0 .6rem; font-size: .8rem; font-weight: 600; background: #e4e7eb; color: #323f4b; }
  .pill.alert { background: #fee2e2; color: #b91c1c; }
  table { width: 100%; border-collapse: collapse; font-size: .92rem; }
  th { text-align: left; font-size: .75rem; font-weight: 600; text-transform: uppercase; letter-spacing: .04em; color: #616e7c; border-bottom: 2px solid #e4e7eb; padding: .45rem .65rem; white-space: nowrap; }
  td { border-bottom: 1px solid #eef1f4; padding: .6rem .65rem; vertical-align: top; } tbody tr:last-child td { border-bottom: 0; }
  tbody tr:hover td { background: #f8fafc; }
  table.fixed { table-layout: fixed; } td { overflow-wrap: break-word; }
  #stalled .c-project { width: 19%; } #stalled .c-step { width: 15%; } #stalled .c-party { width: 20%; } #stalled .c-due { width: 11%; }
  #stalled .c-overdue { width: 10.5%; } #stalled .c-open { width: 9%; } #stalled .c-links { width: 15.5%; }
  #projects .c-project { width: 24%; } #projects .c-funder { width: 16%; } #projects .c-stage { width: 11%; } #projects .c-party { width: 33.5%; } #projects .c-links { width: 15.5%; }
  #stalled td:first-child, #out-of-time td:first-child { box-shadow: inset 4px 0 0 #dc2626; }
  #out-of-time { margin-bottom: 1.1rem; } #out-of-time .c-project { width: 22%; } #out-of-time .c-component { width: 12%; } #out-of-time .c-issuer { width: 20%; }
  #out-of-time .c-since { width: 12%; } #out-of-time .c-party { width: 18.5%; } #out-of-time .c-links { width: 15.5%; }
  #queue .c-project { width: 24%; } #queue .c-step { width: 22%; } #queue .c-holder { width: 20%; } #queue .c-due { width: 16%; } #queue .c-ref { width: 18%; }
  h3 { font-size: .95rem; margin: .3rem 0 .4rem; color: #991b1b; }
  .flag { display: inline-block; margin-top: .2rem; padding: 0 .45rem; border-radius: 4px; font-size: .75rem; font-weight: 700; background: #fee2e2; color: #991b1b; white-space: nowrap; }
  .title { font-weight: 600; } .id { display: block; font: .8rem/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; color: #616e7c; }
  .line { display: block; } .muted { color: #616e7c; } .small { font-size: .82rem; }
  .overdue { color: #b91c1c; font-weight: 700; }
  .stage { display: inline-block; padding: .05rem .55rem; border-radius: 999px; font-size: .8rem; font-weight: 600; white-space: nowrap; }
  .stage.scoping { background: #e2e8f0; color: #334155; } .stage.grant-review { background: #fef3c7; color: #92400e; } .stage.active { background: #dcfce7; color: #166534; }
  .stage.rejected { background: #fee2e2; color: #991b1b; } .stage.withdrawn { background: #f3f4f6; color: #4b5563; } .stage.closed { background: #e5e7eb; color: #1f2937; }
  ul.awaited { list-style: none; margin: 0; padding: 0; } ul.awaited li { margin: 0 0 .2rem; padding-left: 1rem; text-indent: -1rem; }
  ul.awaited li::before { content: "●"; color: #9aa5b1; margin-right: .4rem; font-size: .7rem; vertical-align: .1rem; } ul.awaited li.late::before { color: #dc2626; }
  ul.awaited .when { display: block; text-indent: 0; }
  td.links { white-space: nowrap; overflow-wrap: normal; } .links a + a { margin-left: .7rem; }
  .empty { margin: .25rem 0 .5rem; padding: .9rem 1.1rem; border-radius: 6px; background: #dcfce7; color: #14532d; }
  .empty.neutral { background: #f1f5f9; color: #334155; }
  .notice { padding: .8rem 1rem; border-radius: 6px; background: #fef3c7; color: #78350f; margin: 0 0 1.25rem; }
  .notice.bad { background: #fee2e2; color: #991b1b; }
  .signin { max-width: 26rem; margin: 5rem auto; background: #fff; border-radius: 8px; padding: 2rem 2.25rem; box-shadow: 0 1px 3px rgba(0,0,0,.12); }
  .signin h1 { font-size: 1.35rem; margin-bottom: .35rem; } .signin label { display: block; font-weight: 600; margin: 1.25rem 0 .35rem; }
  .signin input { width: 100%; font: inherit; padding: .55rem .7rem; border: 1px solid #cbd2d9; border-radius: 6px; }
  .signin button { margin-top: 1.1rem; width: 100%; font: inherit; font-weight: 600; padding: .6rem 1.4rem; border: 0; border-radius: 6px; background: #1d4ed8; color: #fff; cursor: pointer; }
  .signin .notice { margin: 1rem 0 0; }
  .signin a.button { display: block; margin-top: 1.1rem; text-align: center; font-weight: 600; padding: .6rem 1.4rem; border-radius: 6px; background: #1d4ed8; color: #fff; }
  @media (max-width: 60rem) { .cards { grid-template-columns: repeat(3, minmax(0, 1fr)); } .bar, main { padding-left: 1rem; padding-right: 1rem; } }`);

function page(title: string, body: SafeHtml): string {
  return String(html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow"><link rel="icon" href="data:,"><title>${title}</title><style>${STYLE}</style></head>
<body>${body}</body></html>`);
}

export interface SignInOptions {
  /** Shown in red above the form: a wrong key, an expired sign-in. */
  error?: string;
  /** Offers sign-in through the organisation's identity provider (OIDC_ISSUER). */
  oidc?: boolean;
  /** Offers the API key form (default; off in production when OpenID Connect is set up). */
  keys?: boolean;
}

export function signInPage({ error, oidc = false, keys = true }: SignInOptions = {}): string {
  const withProvider = oidc && html`<p><a class="button" id="oidc" href="/dashboard/oidc/start">Sign in with your organisation</a></p>`;
  const withKey =
    keys &&
    html`<form method="post" action="/dashboard/sign-in">
  <label for="key">${oidc ? 'Or with an API key' : 'API key'}</label>
  <input id="key" name="key" type="password" autocomplete="current-password" required${!oidc && html` autofocus`} maxlength="512">
  <button type="submit">Sign in</button>
</form>`;
  return page(
    'Sign in — Licence reviews dashboard',
    html`<div class="signin"><h1>Licence reviews dashboard</h1>
<p class="muted">${oidc ? 'Sign in with your organisation’s account' : 'Sign in'}${keys ? `${oidc ? ', or ' : ' '}with the API key you were given` : ''}. This browser keeps a sign-in for 8 hours, never a key or a password.</p>
${error && html`<p class="notice bad" role="alert">${error}</p>`}
${withProvider}${withKey}</div>`,
  );
}

export function dashboardUnavailablePage(message: string): string {
  return page(
    'Dashboard unavailable',
    html`<div class="signin"><h1>Dashboard unavailable</h1><p class="notice bad">${message}</p><p class="muted">Reload the page in a moment.</p></div>`,
  );
}

export interface DashboardPageOptions {
  caller: Caller;
  /** The funder's name when a funder is signed in: the page covers its projects only. */
  funderName?: string;
  /** Shows the sign-out button (a Bearer caller has nothing to sign out of). */
  signedIn: boolean;
  temporalUiUrl: string;
  namespace: string;
}

function temporalLink(opts: DashboardPageOptions, workflowId: string): string {
  return `${opts.temporalUiUrl.replace(/\/+$/, '')}/namespaces/${encodeURIComponent(opts.namespace)}/workflows/${encodeURIComponent(workflowId)}`;
}

/** The project's audit trail (JSON, CSV) and a workflow in the Temporal UI, as one table cell. */
function linksCell(opts: DashboardPageOptions, projectId: string, workflowId: string): SafeHtml {
  const audit = `/v1/projects/${encodeURIComponent(projectId)}/audit`;
  return html`<td class="links"><a href="${audit}" title="Audit trail (JSON)">Audit</a><a href="${audit}?format=csv" title="Audit trail as CSV">CSV</a><a href="${temporalLink(opts, workflowId)}" title="The workflow in the Temporal UI" target="_blank" rel="noopener noreferrer">Temporal ↗</a></td>`;
}

function projectCell(title: string, projectId: string): SafeHtml {
  return html`<span class="title">${title || projectId}</span><span class="id">${projectId}</span>`;
}

function stepCell(kind: StepKind, stepId: string, componentId?: string): SafeHtml {
  const what = `${STEP_KINDS[kind]?.label ?? kind}${componentId ? ` · component ${componentId}` : ''}`;
  return html`${what}<span class="id">${stepId}</span>`;
}

const OUT_OF_TIME_FLAG = html`<span class="flag" title="The licence case passed its legal limit undecided">Out of time</span>`;

/** Licence cases past their regime's legal limit: the issuer's decision is owed by law, not only by the policy. */
function outOfTimeTable(cases: OutOfTimeCase[], opts: DashboardPageOptions, now: number): SafeHtml | false {
  if (!cases.length) return false;
  const rows = cases.map(
    (c) => html`<tr>
  <td>${projectCell(c.projectTitle, c.projectId)}</td>
  <td>${c.componentId}</td>
  <td>${c.issuer.name}</td>
  <td>${formatWhen(c.since)}<span class="line overdue small">${formatDuration(now - Date.parse(c.since))} ago</span></td>
  <td>${c.awaiting.join('; ') || 'a dispute or a notice period'}</td>
  ${linksCell(opts, c.projectId, c.workflowId)}
</tr>`,
  );
  return html`<h3 id="out-of-time-h">Out of time: past the legal limit, undecided</h3>
<table id="out-of-time" class="fixed" aria-labelledby="out-of-time-h"><thead><tr><th class="c-project">Project</th><th class="c-component">Component</th><th class="c-issuer">Issuer</th><th class="c-since">Out of time since</th><th class="c-party">Waiting on</th><th class="c-links">Links</th></tr></thead>
<tbody>${rows}</tbody></table>`;
}

function stalledTable(items: StalledItem[], opts: DashboardPageOptions): SafeHtml {
  if (!items.length) return html`<p class="empty">Nothing is stalled: every open step is within its deadline.</p>`;
  const rows = items.map(
    (s) => html`<tr>
  <td>${projectCell(s.projectTitle, s.projectId)}</td>
  <td>${stepCell(s.kind, s.stepId, s.componentId)}${s.outOfTimeSince && html` ${OUT_OF_TIME_FLAG}`}</td>
  <td>${s.partyName}<span class="line muted small">${s.reviewer}</span></td>
  <td>${formatWhen(s.dueAt)}</td>
  <td class="overdue">${formatDuration(s.overdueMs)}</td>
  <td>${formatDuration(s.openForMs)}</td>
  ${linksCell(opts, s.projectId, s.workflowId)}
</tr>`,
  );
  return html`<table id="stalled" class="fixed"><thead><tr><th class="c-project">Project</th><th class="c-step">Step</th><th class="c-party">Awaiting</th><th class="c-due">Was due</th><th class="c-overdue">Overdue by</th><th class="c-open">Open for</th><th class="c-links">Links</th></tr></thead>
<tbody>${rows}</tbody></table>`;
}

/** Who the project waits for, one line per open step; a stopped clock waits for the coordinator. */
function awaitedCell(row: ProjectRow, now: number): SafeHtml {
  if (!row.openSteps.length) {
    if (row.stage === 'scoping') return html`<span>Coordinator</span> <span class="muted small">to confirm scoping</span>`;
    return html`<span class="muted">${['rejected', 'withdrawn', 'closed'].includes(row.stage) ? 'Nobody (ended)' : 'Nobody right now'}</span>`;
  }
  const items = row.openSteps.map((s) => {
    if (s.clockStopped) return html`<li>Coordinator <span class="when muted small">information for ${s.partyName}; clock stopped</span></li>`;
    const late = Date.parse(s.dueAt) < now;
    const when = late
      ? html`<span class="when overdue small">overdue ${formatDuration(now - Date.parse(s.dueAt))}</span>`
      : html`<span class="when muted small">due ${formatWhen(s.dueAt)}</span>`;
    return html`<li${late && html` class="late"`}>${s.partyName} ${when}</li>`;
  });
  return html`<ul class="awaited">${items}</ul>`;
}

function projectsTable(rows: ProjectRow[], opts: DashboardPageOptions, now: number): SafeHtml {
  if (!rows.length) return html`<p class="empty neutral">No projects yet.</p>`;
  const showFunder = opts.caller.role !== 'funder';
  const body = rows.map(
    (p) => html`<tr>
  <td>${projectCell(p.title, p.projectId)}</td>
  ${showFunder && html`<td>${p.funderName}</td>`}
  <td><span class="stage ${p.stage}">${STAGE_LABELS[p.stage as Stage] ?? p.stage}</span>${
    p.outOfTime.length > 0 && html`<span class="line">${OUT_OF_TIME_FLAG} <span class="muted small">${p.outOfTime.join(', ')}</span></span>`
  }</td>
  <td>${awaitedCell(p, now)}</td>
  ${linksCell(opts, p.projectId, p.workflowId)}
</tr>`,
  );
  return html`<table id="projects" class="fixed"><thead><tr><th class="c-project">Project</th>${showFunder && html`<th class="c-funder">Funder</th>`}<th class="c-stage">Stage</th><th class="c-party">Waiting on</th><th class="c-links">Links</th></tr></thead>
<tbody>${body}</tbody></table>`;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

function stalledSummary(data: DashboardData): string {
  const n = data.stalled.length;
  const late = data.outOfTime.length ? `${plural(data.outOfTime.length, 'licence case')} past the legal limit. ` : '';
  if (!n) return late;
  const projects = new Set(data.stalled.map((i) => i.projectId)).size;
  return `${late}${plural(n, 'step')} past the deadline in ${plural(projects, 'project')}, oldest first.`;
}

function header(opts: DashboardPageOptions): SafeHtml {
  const signOut =
    opts.signedIn &&
    html`<form method="post" action="/dashboard/sign-out"><button type="submit">Sign out</button></form>
<form method="post" action="/dashboard/sign-out-everywhere"><button type="submit">Sign out everywhere</button></form>`;
  return html`<header class="top"><div class="bar"><div class="brand">Licence reviews <span>· dashboard</span></div>
<div class="who"><span>Signed in as <strong>${opts.caller.actor}</strong></span>${opts.signedIn && html`<a href="/app">Open the app</a>`}${signOut}</div></div></header>`;
}

/** Agency staff's page: the steps their agency owes, oldest due first, with the ref that `/v1/steps/:ref/…` takes. */
export function agencyQueuePage(queue: { agencyName: string; asOf: Date; steps: QueuedStep[]; truncated: boolean }, opts: DashboardPageOptions): string {
  const now = queue.asOf.getTime();
  const rows = queue.steps.map(
    (s) => html`<tr>
  <td>${projectCell(s.projectTitle, s.projectId)}</td>
  <td>${stepCell(s.kind, s.stepId, s.componentId)}</td>
  <td>${s.reviewer}</td>
  <td>${formatWhen(s.dueAt)}${s.overdue && html`<span class="line overdue small">overdue ${formatDuration(now - Date.parse(s.dueAt))}</span>`}</td>
  <td><span class="id">${s.ref}</span></td>
</tr>`,
  );
  const table = rows.length
    ? html`<table id="queue" class="fixed"><thead><tr><th class="c-project">Project</th><th class="c-step">Step</th><th class="c-holder">Held by</th><th class="c-due">Due</th><th class="c-ref">Ref</th></tr></thead>
<tbody>${rows}</tbody></table>`
    : html`<p class="empty">Nothing is waiting for ${queue.agencyName}.</p>`;
  return page(
    'Queue — Licence reviews',
    html`${header(opts)}
<main>
<h1>${queue.agencyName}: open steps</h1>
<p class="sub">As of ${formatWhen(queue.asOf.toISOString())}. Reload for the latest state.</p>
${queue.truncated && html`<p class="notice">There are more workflows than one page reads; the list below is partial.</p>`}
<section class="panel" aria-labelledby="queue-h">
<h2 id="queue-h">Queue <span class="pill${queue.steps.some((s) => s.overdue) && html` alert`}">${queue.steps.length}</span></h2>
<p class="hint">Oldest due first. Decide from the reviewer's e-mailed link, or through the API: <code>POST /v1/steps/{ref}/decision</code>; pass a step to a colleague of the pool with <code>POST /v1/steps/{ref}/assign</code>. Steps waiting for the coordinator's information come back when it is answered.</p>
${table}
</section>
</main>`,
  );
}

export function dashboardPage(data: DashboardData, opts: DashboardPageOptions): string {
  const now = data.asOf.getTime();
  const cards = STAGES.map((s) => {
    const n = data.stageCounts[s];
    return html`<li class="card ${s}${!n && html` zero`}" data-stage="${s}"><span class="n">${n}</span><span class="l">${STAGE_LABELS[s]}</span></li>`;
  });
  const scope = opts.funderName ? `Projects funded by ${opts.funderName}` : 'All projects';
  const stalledCount = data.stalled.length;
  return page(
    'Dashboard — Licence reviews',
    html`${header(opts)}
<main>
<h1>${scope}</h1>
<p class="sub">As of ${formatWhen(data.asOf.toISOString())}. Reload for the latest state.</p>
${data.truncated && html`<p class="notice">There are more workflows than one page reads; counts and lists below are partial.</p>`}
<ul class="cards" aria-label="Projects by stage">${cards}</ul>
<section class="panel" aria-labelledby="stalled-h">
<h2 id="stalled-h">Stalled <span class="pill${(stalledCount > 0 || data.outOfTime.length > 0) && html` alert`}">${stalledCount}</span></h2>
<p class="hint">${stalledSummary(data)} A step waiting for the coordinator's information has its clock stopped and is not stalled.</p>
${outOfTimeTable(data.outOfTime, opts, now)}
${stalledTable(data.stalled, opts)}
</section>
<section class="panel" aria-labelledby="projects-h">
<h2 id="projects-h">Projects <span class="pill">${data.projects.length}</span></h2>
<p class="hint">Who each project is waiting on, including its licence reviews and disputes. Projects in flight first, the soonest due on top.</p>
${projectsTable(data.projects, opts, now)}
</section>
</main>`,
  );
}
