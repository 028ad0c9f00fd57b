/**
 * Launch a review cycle: a name, the projects (some of the funder's active ones, or every active one) and the close.
 * The form is the API's body (`name`, `projectIds`, `allActive`, `closesAt`): the page only turns a typed date into
 * the API's ISO form, and shows the API's refusal beside each field. A launch goes to its cycle's page.
 */
import { Router, type Request, type Response } from 'express';
import { html } from '../../html';
import { choices, errorSummary, formErrors, formKeys, textInput, type FieldError } from '../forms';
import type { WebContext } from '../routes';
import { readRefused } from './shared';

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

  async function form(req: Request, res: Response, values: unknown, errors: FieldError[] = [], key = ctx.formKey()) {
    const active = await ctx.api.get<{ items: { projectId: string; title: string }[]; nextCursor: string | null }>(
      req,
      `/v1/projects?stage=active&limit=${LISTED}`,
    );
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
      status: errors.length ? 422 : 200,
      hasErrors: errors.length > 0,
      title: 'Launch a review cycle',
      body: html`<p><a href="/app/portfolio">Back to the portfolio</a></p>${errorSummary(errors)}
<h1>Launch a review cycle</h1><p class="lede">Each project reviews its milestones due by the close, and reports its outcome to the cycle:
passed, held, or stalled with who is awaited. You follow the outcomes on the cycle's page.</p>
<form method="post" action="/app/cycles/new" novalidate>${formKeys(ctx.token(req, res), key)}
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
<div class="actions"><button type="submit">Launch the cycle</button><a href="/app/portfolio">Cancel</a></div></form>`,
    });
  }

  router.get('/cycles/new', (req, res) => form(req, res, { allActive: 'chosen' }));

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
