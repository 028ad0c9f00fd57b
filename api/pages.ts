/** Server-rendered HTML for the reviewer pages. No script: the form submits only when the reviewer presses its button. */
import { CONDITION_LIMITS, STEP_KINDS } from '../domain/step-kinds';
import type { StepContext } from '../records/steps';
import type { Decision } from '../workflows/definitions';
import type { CaseContext } from './case-file';
import { CASE_STYLE, caseSections } from './case-sections';
import { html, raw, type HtmlValue, type SafeHtml } from './html';
import { formatWhen } from './page-format';

const CHOICE_LABELS: Record<Decision, string> = {
  approve: 'Approve',
  deny: 'Deny (cite the legal basis below)',
  'request-info': 'Request information from the coordinator (the clock stops until they answer)',
  appeal: 'Appeal to the next level (state the legal basis below)',
  accept: 'Accept (no appeal, no response)',
  respond: 'Respond to the intent to deny (state your grounds below)',
  acknowledge: 'Acknowledge the conditions: the licensee will comply with each of them (your comment is kept with the acknowledgement)',
  review: 'Record your review (your comment below: what went well, what did not, lessons)',
};

const CHOICE_VERBS: Record<Decision, string> = {
  approve: 'approve',
  deny: 'deny',
  'request-info': 'request information',
  appeal: 'appeal',
  accept: 'accept',
  respond: 'respond',
  acknowledge: 'acknowledge the conditions',
  review: 'record the review',
};

const CONDITIONS_TAIL = html`they become conditions of the licence, in your agency's name`;

/** The hints of a decision form's fields, shared by every page that renders one (the link page, the agency's queue). */
export const DECISION_HINTS = {
  conditions: html`approve with conditions: one per line, e.g. "No re-export without prior written consent"; ${CONDITIONS_TAIL}`,
  basis: (verbs: string) => html`required to ${verbs}, e.g. "EAR §742.4, national security"`,
  signedDocument: html`a PDF or a scan; its SHA-256 is kept on the licence`,
  comment: html`reasons, or the information you need`,
};

const STYLE = raw(`
  body { font: 16px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1f2933; background: #f4f6f8; margin: 0; }
  main { max-width: 52rem; margin: 2rem auto; background: #fff; border-radius: 8px; padding: 2rem 2.5rem; box-shadow: 0 1px 3px rgba(0,0,0,.12); }
  h1 { font-size: 1.4rem; margin: 0 0 .25rem; } .sub { color: #52606d; margin: 0 0 1.5rem; }
  dl { display: grid; grid-template-columns: 11rem 1fr; gap: .35rem 1rem; margin: 0 0 1.5rem; } dt { color: #52606d; } dd { margin: 0; }
  .tier { display: inline-block; padding: 0 .5rem; border-radius: 4px; font-weight: 600; background: #e4e7eb; }
  .tier.T2 { background: #fde68a; } .tier.T3 { background: #fca5a5; } .tier.T1 { background: #bfdbfe; }
  fieldset { border: 1px solid #cbd2d9; border-radius: 6px; margin: 0 0 1rem; } legend { font-weight: 600; padding: 0 .25rem; }
  label.choice { display: block; padding: .35rem 0; } textarea { width: 100%; min-height: 5rem; font: inherit; box-sizing: border-box; }
  .hint { color: #52606d; font-size: .9rem; }
  button { font: inherit; padding: .6rem 1.4rem; border: 0; border-radius: 6px; background: #1d4ed8; color: #fff; cursor: pointer; }
  .notice { padding: 1rem 1.25rem; border-radius: 6px; background: #e0f2fe; } .notice.bad { background: #fee2e2; } .notice.ok { background: #dcfce7; }
  .errors { color: #b91c1c; }`);

/** The page names an empty icon: a browser would otherwise ask for /favicon.ico, which nothing serves (a 404 in its console). */
export function layout(title: string, body: SafeHtml): string {
  return String(html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow"><link rel="icon" href="data:,"><title>${title}</title><style>${STYLE}${CASE_STYLE}</style></head>
<body><main>${body}</main></body></html>`);
}

/** A page's context: the step's own, and on the pages that show it, its whole case. */
type PageContext = StepContext | CaseContext;
const caseOf = (ctx: PageContext) => ('case' in ctx ? ctx.case : undefined);

export function stepSummary(ctx: PageContext): SafeHtml {
  const { step, component } = ctx;
  const rows: [string, HtmlValue][] = [
    ['Project', html`${ctx.projectTitle} (${ctx.projectId})`],
    ['Funder', caseOf(ctx)?.funderName || ctx.funderId],
    ['Coordinator', ctx.coordinator],
    ['Asked of', html`${step.partyName} — ${step.reviewer}`],
    ['Due', formatWhen(step.dueAt)],
  ];
  if (component) {
    rows.push(
      ['Component', component.description ? `${component.name}: ${component.description}` : component.name],
      ['Risk tier', html`<span class="tier ${component.tier}">${component.tier}</span> ${component.tierReason}`],
      ['Control codes', component.controlCodes.join(', ') || 'none declared'],
      ['Reasons for control', component.reasons.join(', ') || 'none'],
      ['End use', component.endUse],
      ['Destinations', component.destinations.join(', ')],
    );
  }
  const file = caseOf(ctx);
  return html`<dl>${rows.map(([k, v]) => html`<dt>${k}</dt><dd>${v}</dd>`)}</dl>${file && caseSections(file)}`;
}

/** The conditions box, on the steps whose approval may set licence conditions. */
const conditionsField = (max: number) => html`
  <p><label for="conditions"><strong>Conditions</strong> <span class="hint">(${DECISION_HINTS.conditions})</span></label>
  <textarea id="conditions" name="conditions" maxlength="${max}"></textarea></p>`;

/** The decisions the page offers now: a request for information only while none is open and its window lasts. */
function offered(step: StepContext['step'], now: number): { decisions: readonly Decision[]; note?: string } {
  const { decisions } = STEP_KINDS[step.kind];
  if (!decisions.includes('request-info')) return { decisions };
  const without = decisions.filter((d) => d !== 'request-info');
  if (step.infoRequest)
    return {
      decisions: without,
      note:
        `You asked the coordinator on ${formatWhen(step.infoRequest.askedAt)}: "${step.infoRequest.question}". ` +
        'The clock is stopped until they answer; you may decide now.',
    };
  if (step.infoRequestUntil && now > Date.parse(step.infoRequestUntil))
    return { decisions: without, note: `Information could be requested until ${formatWhen(step.infoRequestUntil)}; decide on what the file holds.` };
  return { decisions };
}

/** The legal-basis box, on steps where some decision must cite one (an acknowledgement cites none). */
const basisField = (verbs: string) => html`
  <p><label for="legalBasis"><strong>Legal basis</strong> <span class="hint">(${DECISION_HINTS.basis(verbs)})</span></label>
  <textarea id="legalBasis" name="legalBasis" maxlength="2000"></textarea></p>`;

/** The signed document's box, on steps where the decision is an acknowledgement (the step's question says when it is required). */
const signedDocumentField = () => html`
  <p><label for="file"><strong>Signed acknowledgement</strong> <span class="hint">(${DECISION_HINTS.signedDocument})</span></label>
  <input type="file" id="file" name="file"></p>`;

/** What a decision form offers for a step, whichever page renders it: the link page below, the agency's queue (api/web/agency). */
export interface DecisionFields {
  /** The decisions offered now, with their labels. */
  decisions: { value: Decision; label: string }[];
  /** Why a request for information is not offered, when it is not. */
  note?: string;
  /** The decisions that must cite a legal basis, as verbs ("deny or appeal"); '' when none does. */
  basisVerbs: string;
  /** The conditions box's length limit, on the steps whose approval may set licence conditions. */
  conditionsMax?: number;
  /** The decision is an acknowledgement, which may carry a signed document. */
  signedDocument: boolean;
}

export function decisionFields(ctx: StepContext, now = Date.now()): DecisionFields {
  const { step } = ctx;
  const kind = STEP_KINDS[step.kind];
  const choices = offered(step, now);
  return {
    decisions: choices.decisions.map((d) => ({ value: d, label: CHOICE_LABELS[d] })),
    ...(choices.note && { note: choices.note }),
    basisVerbs: kind.basisRequired.map((d) => CHOICE_VERBS[d]).join(' or '),
    ...(kind.conditions && step.componentId && { conditionsMax: CONDITION_LIMITS.count * (CONDITION_LIMITS.length + 1) }),
    signedDocument: kind.decisions.includes('acknowledge'),
  };
}

export function decisionPage(ctx: PageContext, action: string, errors: string[] = [], now = Date.now()): string {
  const { step } = ctx;
  const fields = decisionFields(ctx, now);
  const { basisVerbs } = fields;
  const signed = fields.signedDocument && signedDocumentField();
  const errorList = errors.length > 0 && html`<ul class="errors">${errors.map((e) => html`<li>${e}</li>`)}</ul>`;
  const radios = fields.decisions.map(
    (d, i) => html`    <label class="choice"><input type="radio" name="decision" value="${d.value}"${i === 0 && html` required`}> ${d.label}</label>\n`,
  );
  const note = fields.note && html`\n  <p class="hint">${fields.note}</p>`;
  const conditions = fields.conditionsMax !== undefined && conditionsField(fields.conditionsMax);
  return layout(
    `Decision: ${step.question}`,
    html`<h1>${step.question}</h1><p class="sub">Your decision is recorded only when you press the button below.</p>
${stepSummary(ctx)}${errorList}
<form method="post" action="${action}"${signed && html` enctype="multipart/form-data"`}>
  <fieldset><legend>Your decision</legend>
${radios}  </fieldset>${note}${basisVerbs && basisField(basisVerbs)}${conditions}${signed}
  <p><label for="comment"><strong>Comment</strong> <span class="hint">(${DECISION_HINTS.comment})</span></label>
  <textarea id="comment" name="comment" maxlength="4000"></textarea></p>
  <button type="submit">Record my decision</button>
</form>`,
  );
}

export function stepStatePage(ctx: PageContext): string {
  const { step } = ctx;
  const state =
    step.status === 'decided'
      ? html`<p class="notice">This step was already decided: <strong>${step.outcome}</strong> on ${formatWhen(step.decidedAt)}. Nothing more is needed.</p>`
      : html`<p class="notice">This step is closed (${step.closedReason}). No decision is needed.</p>`;
  return layout(`Review: ${step.question}`, html`<h1>${step.question}</h1>${state}${stepSummary(ctx)}`);
}

export function recordedPage(ctx: StepContext | null, outcome: string, decidedAt: string): string {
  const what =
    outcome === 'info-requested'
      ? 'Your request for information was sent to the coordinator. Decide from the same link once you have it.'
      : html`Your decision was recorded: <strong>${outcome}</strong>.`;
  return layout(
    'Decision recorded',
    html`<h1>Thank you</h1><p class="notice ok">${what}</p><p class="sub">Recorded on ${formatWhen(decidedAt)}.</p>${ctx && stepSummary(ctx)}`,
  );
}

const NOTHING_CHANGED = 'Nothing was changed. If you think this is wrong, reply to the e-mail that brought you here.';

export function problemPage(title: string, message: string): string {
  return layout(title, html`<h1>${title}</h1><p class="notice bad">${message}</p><p class="sub">${NOTHING_CHANGED}</p>`);
}
