/**
 * Launch a review cycle: a name, the projects (some of the funder's active ones, or every active one) and the close.
 * The form is the API's body (`name`, `projectIds`, `allActive`, `closesAt`): the page only turns a typed date into
 * the API's ISO form, and shows the API's refusal beside each field. A launch goes to its cycle's page.
 */
import { Router, type Request, type Response } from 'express';
import { html } from '../../html';
import { choices, errorSummary, formErrors, formKeys, summaryList, textInput, type FieldError } from '../forms';
import type { WebContext } from '../routes';
import { readRefused, when } from './shared';

const LABELS: Record<string, string> = {
  name: 'Name of the cycle',
  allActive: 'Projects to review',
  projectIds: 'Projects',
  closesAt: 'Close date',
};
/** The active projects a form lists at most; "every active project" reaches the rest. */
const LISTED = 100;

/**
 * A close date as typed, in the API's form: a day alone closes at its end, a time without a zone is UTC (the hint says
 * so). Anything else goes on as typed, for the API to refuse beside the field.
 */
export function closeDateOf(typed: string): string {
  const s = typed.trim();
  if (/^\d{4}-\d{2}-\d{2}$/.test(s)) return `${s}T23:59:59Z`;
  const m = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}(:\d{2})?)$/.exec(s);
  if (m) return `${m[1]}T${m[2]}${m[3] ? '' : ':00'}Z`;
  return s;
}

/** The form's fields as the API's body. */
function launchBody(form: Record<string, unknown>): Record<string, unknown> {
  const chosen = Array.isArray(form.projectIds) ? form.projectIds.map(String) : typeof form.projectIds === 'string' ? [form.projectIds] : [];
  return {
    name: typeof form.name === 'string' ? form.name : '',
    closesAt: closeDateOf(typeof form.closesAt === 'string' ? form.closesAt : ''),
    ...(form.allActive === 'true' ? { allActive: true } : { projectIds: chosen }),
  };
}

export function launchPages(ctx: WebContext): Router {
  const router = Router();

  const activeProjects = (req: Request) =>
    ctx.api.get<{ items: { projectId: string; title: string }[]; nextCursor: string | null }>(req, `/v1/projects?stage=active&limit=${LISTED}`);

  async function form(req: Request, res: Response, values: unknown, errors: FieldError[] = [], key = ctx.formKey()) {
    const active = await activeProjects(req);
    if (!active.ok) return readRefused(ctx, req, res, 'Launch a review cycle', active);
    const projects = active.body.items;
    const more = active.body.nextCursor;
    const projectChoice = projects.length
      ? choices({
          key: 'projectIds',
          type: 'checkbox',
          label: LABELS.projectIds,
          hint: more ? `Your ${LISTED} newest active projects; review every active project to reach the others.` : 'Your active projects.',
          options: projects.map((p) => ({ value: p.projectId, label: p.title, hint: p.projectId })),
          values,
          errors,
        })
      : html`<p class="muted" id="projectIds" tabindex="-1">You have no active project to choose.</p>`;
    ctx.render(req, res, {
      errors,
      title: 'Launch a review cycle',
      body: html`<p><a href="/app/portfolio">Back to the portfolio</a></p>${errorSummary(errors)}
<h1>Launch a review cycle</h1><p class="lede">Each project reviews its milestones due by the close, and reports its outcome to the cycle:
passed, held, or stalled with who is awaited. You follow the outcomes on the cycle's page.</p>
<form method="post" action="/app/cycles/new/check" novalidate>${formKeys(ctx.token(req, res), key)}
${textInput({ key: 'name', label: LABELS.name, hint: 'For example, Spring 2027 milestone review', values, errors })}
${choices({
  key: 'allActive',
  label: LABELS.allActive,
  options: [
    { value: 'true', label: 'All active projects', hint: 'Every project of yours that is active when the cycle starts' },
    { value: 'chosen', label: 'The projects I choose below' },
  ],
  values,
  errors,
})}
${projectChoice}
${textInput({
  key: 'closesAt',
  label: LABELS.closesAt,
  hint: 'In UTC: a day (2027-03-31, closes at its end), or a day and time (2027-03-31 17:00). It must be in the future.',
  values,
  errors,
  short: false,
  autocomplete: 'off',
})}
<div class="actions"><button type="submit">Continue</button><a href="/app/portfolio">Cancel</a></div></form>`,
    });
  }

  /**
   * "Check your answers": what will be sent, carried in hidden fields, with the launch and a way back to change them.
   * The API checks them only when the cycle is launched (the page keeps no copy of its rules): a refusal comes back
   * as the form with each error beside its field.
   */
  async function check(req: Request, res: Response) {
    const typed = req.body as Record<string, unknown>;
    const key = typeof typed._key === 'string' ? typed._key : ctx.formKey();
    const body = launchBody(typed);
    const active = await activeProjects(req);
    if (!active.ok) return readRefused(ctx, req, res, 'Check your answers', active);
    const titles = new Map(active.body.items.map((p) => [p.projectId, p.title]));
    const chosen = (body.projectIds as string[] | undefined) ?? [];
    const closes = Number.isNaN(Date.parse(String(body.closesAt))) ? String(typed.closesAt ?? '') : when(String(body.closesAt));
    const hidden = (name: string, value: unknown) => html`<input type="hidden" name="${name}" value="${String(value ?? '')}">`;
    ctx.render(req, res, {
      title: 'Check your answers',
      body: html`<h1>Check your answers before launching the cycle</h1>
${summaryList([
  { key: LABELS.name, value: String(body.name) },
  {
    key: LABELS.allActive,
    value: body.allActive
      ? 'All active projects'
      : chosen.length
        ? html`<ul class="plain">${chosen.map((id) => html`<li>${titles.get(id) ?? id} <span class="mono">${id}</span></li>`)}</ul>`
        : 'None chosen',
  },
  { key: LABELS.closesAt, value: closes },
])}
<p>Each project is asked at once, and the cycle's page shows the outcomes as they come in.</p>
<form method="post" action="/app/cycles/new" novalidate>${formKeys(ctx.token(req, res), key)}
${hidden('name', typed.name)}${hidden('allActive', typed.allActive)}${hidden('closesAt', typed.closesAt)}${chosen.map((id) => hidden('projectIds[]', id))}
<div class="actions"><button type="submit">Launch the cycle</button>
<button type="submit" class="secondary" formaction="/app/cycles/new/change">Change your answers</button></div></form>`,
    });
  }

  router.get('/cycles/new', (req, res) => form(req, res, { allActive: 'chosen' }));
  router.post('/cycles/new/check', check);
  router.post('/cycles/new/change', (req, res) => form(req, res, req.body, [], typeof req.body._key === 'string' ? req.body._key : undefined));

  router.post('/cycles/new', async (req, res) => {
    const typed = req.body as Record<string, unknown>;
    const key = typeof typed._key === 'string' ? typed._key : undefined;
    const answer = await ctx.api.call<{ cycleId: string }>(req, { method: 'POST', path: '/v1/cycles', json: launchBody(typed), idempotencyKey: key });
    if (!answer.ok) {
      // A project's own error (projectIds.2) is said beside the list it was chosen from.
      const errors = formErrors(answer, (k) => LABELS[k.replace(/\.\d+$/, '')]).map((e) => ({ ...e, key: e.key?.replace(/^projectIds\.\d+$/, 'projectIds') }));
      return form(req, res, typed, errors, key);
    }
    res.redirect(303, `/app/cycles/${encodeURIComponent(answer.body.cycleId)}?done=launched`);
  });

  return router;
}
