/**
 * Submit a project (`/app/projects/new`): a task list of parts (details, partners, components, milestones), each on a
 * page of its own with "add another" and "remove" rows that need no script, then "check your answers", then
 * POST /v1/projects as the person signed in, with the form's key as its Idempotency-Key. The draft travels in the
 * forms (./draft.ts). A refusal shows every part on one page, what was typed kept, each error beside its field.
 */
import { Router, type Request, type Response } from 'express';
import type { WebContext } from '../../routes';
import { emptyDraft, emptyRow, PARTS, readDraft, submissionOf, withoutBlankRows, withPosted, type Draft, type Part } from './draft';
import { submissionErrors } from './errors';
import { checkPage, correctionPage, partPage, taskListPage } from './pages';
import { PART_TITLES, shownKeys } from './parts';

type Body = Record<string, unknown> & { _draft?: string; _part?: string; _go?: string; _add?: string; _remove?: string; _send?: string; _key?: string };

const isPart = (v: unknown): v is Part => PARTS.includes(v as Part);
const ROWS = ['partners', 'components', 'milestones'] as const;
type RowPart = (typeof ROWS)[number];
/** A button's value, however it came (a repeated name gives a list: the last one pressed is not knowable, take the first). */
const one = (v: unknown) => (Array.isArray(v) ? String(v[0] ?? '') : typeof v === 'string' ? v : '');

export function submissionPages(ctx: WebContext): Router {
  const router = Router();
  const funders = ctx.policy.funders;

  function show(req: Request, res: Response, draft: Draft, key: string, page: Part | 'tasks' | 'check', back: 'tasks' | 'check' = 'tasks') {
    const f = { token: ctx.token(req, res), key, draft };
    if (page === 'check') return ctx.render(req, res, { title: 'Check your answers', body: checkPage(f, funders) });
    if (page === 'tasks') return ctx.render(req, res, { title: 'Submit a project', body: taskListPage(f) });
    // A part of rows opens with one to fill in (left empty, it is dropped when the person leaves the page).
    if (page !== 'details' && !draft[page].length) f.draft = { ...draft, [page]: [emptyRow[page](draft)] };
    ctx.render(req, res, { title: `${PART_TITLES[page]} – Submit a project`, body: partPage(f, page, funders, back) });
  }

  function correct(req: Request, res: Response, draft: Draft, key: string, errors: ReturnType<typeof submissionErrors>) {
    const body = correctionPage({ token: ctx.token(req, res), key, draft }, errors, funders);
    ctx.render(req, res, { title: 'Correct the project', body, errors });
  }

  router.get('/projects/new', (req, res) => show(req, res, emptyDraft(), ctx.formKey(), 'tasks'));

  router.post('/projects/new', async (req, res) => {
    const body = req.body as Body;
    const key = one(body._key) || ctx.formKey();
    const from = one(body._part);
    let draft = withPosted(readDraft(one(body._draft)), from === 'all' ? PARTS : isPart(from) ? [from] : [], body);
    // Where a part's page goes back to: check your answers when its "Change" opened it.
    const backTo = from === 'check' || one(body._back) === 'check' ? 'check' : 'tasks';
    const back = (d: Draft) => (from === 'all' ? correct(req, res, d, key, []) : show(req, res, d, key, isPart(from) ? from : 'tasks', backTo));

    const add = one(body._add);
    if (ROWS.includes(add as RowPart)) {
      const part = add as RowPart;
      draft = { ...draft, [part]: [...draft[part], emptyRow[part](draft)] };
      return from === 'all' ? back(draft) : show(req, res, draft, key, part, backTo);
    }
    const remove = /^(partners|components|milestones)\.(\d+)$/.exec(one(body._remove));
    if (remove) {
      const part = remove[1] as RowPart;
      draft = { ...draft, [part]: draft[part].filter((_, i) => i !== Number(remove[2])) };
      return back(draft);
    }

    draft = withoutBlankRows(draft);
    if (one(body._send)) {
      const answer = await ctx.api.call<{ projectId: string }>(req, { method: 'POST', path: '/v1/projects', json: submissionOf(draft), idempotencyKey: key });
      if (answer.ok) return res.redirect(303, `/app/projects/${encodeURIComponent(answer.body.projectId)}?done=submitted`);
      return correct(req, res, draft, key, submissionErrors(answer, shownKeys(draft)));
    }
    const go = one(body._go);
    show(req, res, draft, key, isPart(go) || go === 'check' ? go : 'tasks', backTo);
  });

  return router;
}
