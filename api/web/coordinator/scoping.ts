/**
 * Confirm scoping: each component with the tier its classification proposes and why; the coordinator may keep it,
 * raise it, or lower it with a justification (the lead agency then decides). The form sends only the components whose
 * tier was changed, as POST /v1/projects/:id/scoping's overrides; the API's refusal of one lands beside its own fields.
 */
import { Router, type Request, type Response } from 'express';
import type { ComponentView, ProjectView } from '../../../workflows/definitions';
import { html } from '../../html';
import { errorSummary, formErrors, formKeys, select, textArea, type FieldError } from '../forms';
import type { ApiAnswer } from '../page-api';
import type { WebContext } from '../routes';
import { apiPath, projectHref, readRefused, stageTag } from './project-parts';

/** The tiers, as DESIGN §2 describes them (the hint of each option). */
const TIERS = [
  { value: 'T0', label: 'T0 civilian: cleared, no review' },
  { value: 'T1', label: 'T1 low-risk dual-use: the lead agency reviews' },
  { value: 'T2', label: 'T2 dual-use: every agency involved reviews' },
  { value: 'T3', label: 'T3 defence-related: a defence review and a senior sign-off too' },
];

interface OverrideRow {
  componentId?: string;
  tier?: string;
  justification?: string;
}

/** The rows as typed, by their index on the form (qs gives an array, or an object past its array limit). */
function rowsOf(body: unknown): [string, OverrideRow][] {
  const overrides = (body as { overrides?: unknown })?.overrides;
  return overrides && typeof overrides === 'object' ? (Object.entries(overrides) as [string, OverrideRow][]) : [];
}

/**
 * An error's path on the form: the API's override i is the form's row `sent[i]`; a component id refused (the hidden
 * field, changed) is shown at its tier.
 */
const atFormRow = (path: string, sent: readonly string[]) =>
  path.replace(/^body\.overrides\.(\d+)/, (_m, i: string) => `body.overrides.${sent[+i] ?? i}`).replace(/\.componentId$/, '.tier');

export function scopingPages(ctx: WebContext): Router {
  const router = Router();

  function form(req: Request, res: Response, view: ProjectView, values: unknown, errors: FieldError[] = [], key = ctx.formKey()) {
    const unclassified = view.components.some((c) => c.classifiedTier === null);
    const at = projectHref(view.projectId);
    const rows = view.components.map((c: ComponentView, i) => {
      const proposed = c.classifiedTier ?? c.tier;
      const reason = c.tierReason ?? c.classification?.rule.text;
      const codes = c.classification?.matchedEntries.map((e) => `${e.code} (${e.description})`).join('; ');
      return html`<fieldset class="rows"><legend>${c.name} <span class="mono">(${c.id})</span></legend>
<p>Proposed tier: <strong>${proposed ?? 'not yet classified'}</strong>${reason && html`. ${reason}`}</p>
${codes && html`<p class="muted">Listed: ${codes}</p>`}
<input type="hidden" name="overrides[${i}][componentId]" value="${c.id}">
${select({
  key: `overrides.${i}.tier`,
  label: html`Tier for ${c.name}`,
  blank: proposed ? `Keep ${proposed} (as classified)` : 'Keep the tier classified',
  options: TIERS,
  values,
  errors,
})}
${textArea({
  key: `overrides.${i}.justification`,
  label: html`Justification for ${c.name}`,
  hint: 'Needed to lower a tier (the lead agency then decides); optional to raise one',
  rows: 3,
  values,
  errors,
})}</fieldset>`;
    });
    ctx.render(req, res, {
      errors,
      title: 'Confirm scoping',
      body: html`<p><a href="${at}">Back to the project</a></p>${errorSummary(errors)}
<h1>Confirm scoping</h1><p class="lede">${view.title} <span class="mono">(${view.projectId})</span> · ${stageTag(view.stage)}</p>
<p>Each component’s tier decides who reviews its licence. Keep the tier the classification proposes, raise it, or lower it:
a lowering needs a written justification, and the lead agency decides it.</p>
${unclassified && html`<div class="banner info"><p>Classification is still running for some components. Reload this page in a moment.</p></div>`}
<form method="post" novalidate>${formKeys(ctx.token(req, res), key)}
${rows}
<div class="actions"><button type="submit">Confirm scoping</button><a href="${at}">Cancel</a></div></form>`,
    });
  }

  async function readView(req: Request, res: Response): Promise<ProjectView | undefined> {
    const answer = await ctx.api.get<ProjectView>(req, apiPath(String(req.params.id)));
    if (answer.ok) return answer.body;
    readRefused(ctx, req, res, answer);
  }

  router.get('/projects/:id/scoping', async (req, res) => {
    const view = await readView(req, res);
    if (view) form(req, res, view, {});
  });

  router.post('/projects/:id/scoping', async (req, res) => {
    const { _key } = req.body as { _key?: string };
    // Only the rows whose tier was changed are sent; `sent[i]` is the form's row of the API's override i.
    const sent: string[] = [];
    const overrides = rowsOf(req.body).flatMap(([row, o]) => {
      if (!o?.tier) return [];
      sent.push(row);
      return [{ componentId: o.componentId ?? '', tier: o.tier, ...(o.justification?.trim() && { justification: o.justification }) }];
    });
    const answer = await ctx.api.call(req, { method: 'POST', path: apiPath(req.params.id, '/scoping'), json: { overrides }, idempotencyKey: _key });
    if (answer.ok) return res.redirect(303, `${projectHref(req.params.id)}?done=scoping-confirmed`);
    const view = await readView(req, res);
    if (!view) return;
    const refused: ApiAnswer = answer.error
      ? {
          ...answer,
          error: {
            ...answer.error,
            details: answer.error.details.map((d) => ({ ...d, path: atFormRow(d.path, sent) })),
          },
        }
      : answer;
    const label = (key: string) => {
      const m = /^overrides\.(\d+)\.(tier|justification)$/.exec(key);
      const c = m && view.components[+m[1]];
      return c ? `${m[2] === 'justification' ? 'Justification' : 'Tier'} for ${c.name}` : undefined;
    };
    form(req, res, view, req.body, formErrors(refused, label), _key);
  });

  return router;
}
