/**
 * A step of the agency's queue (`/app/queue/:ref`): decide it, as the e-mail link's page does (the same choices, legal
 * basis, conditions and comment: api/pages.ts `decisionFields`), or pass it on to a colleague. Both are sent on to the
 * API's seat (`POST /v1/steps/:ref/decision` and `/assign`): the one decide service, its four-eyes rule, its
 * validation. A refusal shows the page again with what was typed, the error summary and each error beside its field.
 *
 * The step is found in the agency's queue as the API lists it (so only the caller's agency's open steps have a page);
 * its case is read as the link's page reads it (the one decide service's readCase), with its documents as signed links.
 * The seat takes no file, and no agency step is an acknowledgement (those are the licensee's), so the signed-document
 * box is never offered here.
 */
import { Router, type Request, type Response } from 'express';
import type { CaseContext } from '../../case-file';
import { withDocuments } from '../../step-documents';
import { CASE_STYLE } from '../../case-sections';
import { html, raw, type SafeHtml } from '../../html';
import { formatWhen } from '../../page-format';
import { DECISION_HINTS, decisionFields, stepSummary } from '../../pages';
import { choices, errorSummary, formErrors, formKeys, textArea, textInput, type FieldError } from '../forms';
import type { WebContext } from '../routes';
import { kindLabel, type QueueAnswer } from './queue';

const LABELS: Record<string, string> = {
  decision: 'Your decision',
  legalBasis: 'Legal basis',
  conditions: 'Conditions',
  comment: 'Comment',
  reviewer: 'Reviewer',
};
const labelOf = (key: string): string | undefined => LABELS[key];

/** The summary's grid, and the case sections' own styles (api/case-sections.ts), on this page only. */
const SUMMARY_STYLE = raw(`
  .step-case dl { display: grid; grid-template-columns: 11rem 1fr; gap: .35rem 1rem; margin: 0 0 1rem; } .step-case dt { color: #52606d; }
  .step-case dd { margin: 0; } .tier { display: inline-block; padding: 0 .5rem; border-radius: 4px; font-weight: 600; background: #e4e7eb; }
  ${String(CASE_STYLE)}`);

const PASS_ON_HINT = "The e-mail address of a reviewer of your agency's pool for this step: they are sent a link, and the current one stops working";

type Queued = QueueAnswer['steps'][number];

export function decidePages(ctx: WebContext): Router {
  const router = Router();

  /** The step of the caller's agency's queue the ref names, with its case; undefined when the queue holds no such step. */
  async function queued(req: Request): Promise<{ step: Queued; context: CaseContext } | undefined> {
    const answer = await ctx.api.get<QueueAnswer>(req, '/v1/steps');
    const step = answer.ok ? answer.body.steps.find((s) => s.ref === req.params.ref) : undefined;
    if (!step) return undefined;
    // The case as the link's page shows it; its documents are signed links for the person signed in.
    const read = await ctx.steps.readCase(step.workflowId, step.stepId).catch(() => undefined);
    if (!read) return undefined;
    return { step, context: await withDocuments(ctx.stepDocuments, read, req.caller!.email ?? req.caller!.actor) };
  }

  /** No page for the step: not (or no longer) in the queue; after a refused act, the API's words say why. */
  function missing(req: Request, res: Response, refused?: FieldError[]) {
    ctx.render(req, res, {
      status: refused ? 422 : 404,
      hasErrors: !!refused,
      title: 'Step not in your queue',
      body: html`${refused && errorSummary(refused)}<h1>This step is not in your queue</h1>
<p>It may have been decided already, or be waiting for the coordinator's information.</p>
<p><a href="/app/queue">Back to the queue</a></p>`,
    });
  }

  interface Shown {
    values?: unknown;
    errors?: FieldError[];
    decideKey?: string;
    passKey?: string;
  }

  function page(req: Request, res: Response, { step, context }: { step: Queued; context: CaseContext }, shown: Shown = {}) {
    const { values = {}, errors = [] } = shown;
    const fields = decisionFields(context);
    const token = ctx.token(req, res);
    const action = `/app/queue/${encodeURIComponent(step.ref)}`;
    const decideForm = html`<form method="post" action="${action}" novalidate>${formKeys(token, shown.decideKey ?? ctx.formKey())}
${choices({ key: 'decision', label: LABELS.decision, options: fields.decisions, values, errors })}
${fields.note && html`<p class="hint">${fields.note}</p>`}
${fields.basisVerbs && textArea({ key: 'legalBasis', label: LABELS.legalBasis, hint: DECISION_HINTS.basis(fields.basisVerbs), values, errors, rows: 3 })}
${fields.conditionsMax !== undefined && textArea({ key: 'conditions', label: LABELS.conditions, hint: DECISION_HINTS.conditions, values, errors, rows: 4 })}
${textArea({ key: 'comment', label: LABELS.comment, hint: DECISION_HINTS.comment, values, errors, rows: 4 })}
<div class="actions"><button type="submit">Record the decision</button><a href="/app/queue">Back to the queue</a></div></form>`;
    const passForm = html`<form method="post" action="${action}/assign" novalidate>${formKeys(token, shown.passKey ?? ctx.formKey())}
${textInput({ key: 'reviewer', label: LABELS.reviewer, hint: PASS_ON_HINT, values, errors, type: 'email', autocomplete: 'off' })}
<div class="actions"><button type="submit" class="secondary">Pass it on</button></div></form>`;
    const title = `${kindLabel(step.kind)}: ${context.projectTitle}`;
    const body: SafeHtml = html`<style>${SUMMARY_STYLE}</style><p><a href="/app/queue">Back to the queue</a></p>${errorSummary(errors)}
<h1>${context.step.question}</h1>
<p class="lede">${kindLabel(step.kind)}, due ${formatWhen(step.dueAt)}${step.overdue && html` <span class="tag late">Overdue</span>`}; assigned to
<span class="mono">${step.reviewer}</span>. The decision is recorded in your name, only when you press its button.</p>
<div class="panel"><h2>Decide</h2>${decideForm}</div>
<div class="panel"><h2>Pass it on to a colleague</h2>${passForm}</div>
<div class="panel step-case"><h2>The case</h2>${stepSummary(context)}</div>`;
    ctx.render(req, res, { errors, title, body });
  }

  router.get('/queue/:ref', async (req, res) => {
    const found = await queued(req);
    if (!found) return missing(req, res);
    page(req, res, found);
  });

  router.post('/queue/:ref', async (req, res) => {
    const form = req.body as { decision?: string; legalBasis?: string; conditions?: string; comment?: string; _key?: string };
    const answer = await ctx.api.call<{ outcome: string }>(req, {
      method: 'POST',
      path: `/v1/steps/${encodeURIComponent(req.params.ref)}/decision`,
      json: {
        decision: form.decision,
        legalBasis: form.legalBasis,
        comment: form.comment,
        ...(form.conditions !== undefined && { conditions: form.conditions }),
      },
      idempotencyKey: form._key,
    });
    if (answer.ok) return res.redirect(303, `/app/queue?done=${answer.body.outcome === 'info-requested' ? 'info-requested' : 'decided'}`);
    const errors = formErrors(answer, labelOf);
    const found = await queued(req);
    if (!found) return missing(req, res, errors);
    page(req, res, found, { values: req.body, errors, decideKey: form._key });
  });

  router.post('/queue/:ref/assign', async (req, res) => {
    const form = req.body as { reviewer?: string; _key?: string };
    const answer = await ctx.api.call(req, {
      method: 'POST',
      path: `/v1/steps/${encodeURIComponent(req.params.ref)}/assign`,
      json: { reviewer: form.reviewer ?? '' },
      idempotencyKey: form._key,
    });
    if (answer.ok) return res.redirect(303, '/app/queue?done=passed-on');
    const errors = formErrors(answer, labelOf);
    const found = await queued(req);
    if (!found) return missing(req, res, errors);
    page(req, res, found, { values: req.body, errors, passKey: form._key });
  });

  return router;
}
