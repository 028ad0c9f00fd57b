/**
 * The case sections of a decision page (api/case-file.ts says what they hold): the scope on a project-level step,
 * the parties and positions on a component's, then the questions and answers and the documents. Server-rendered
 * through html`…` (every value escaped), no script, no inline style attribute: the page's CSP holds.
 */
import type { CaseDocument, CaseFile, CasePosition, ScopedComponent } from './case-file';
import { html, raw, type SafeHtml } from './html';
import { formatWhen } from './page-format';

/** Styles for these sections, added to the page's one style sheet. */
export const CASE_STYLE = raw(`
  section.case { margin: 0 0 1.5rem; } section.case h2 { font-size: 1.1rem; margin: 1.25rem 0 .5rem; }
  table.case { border-collapse: collapse; width: 100%; margin: 0 0 .75rem; font-size: .95rem; }
  table.case th, table.case td { text-align: left; vertical-align: top; padding: .3rem .5rem; border-bottom: 1px solid #e4e7eb; }
  table.case th { color: #52606d; font-weight: 600; } .listed { color: #b91c1c; font-weight: 600; } .withheld { color: #52606d; font-style: italic; }
  ul.plain { margin: 0; padding-left: 1.1rem; } .empty { color: #52606d; }`);

const country = (c: string | undefined) => c && html` (${c})`;
const list = (items: readonly (string | SafeHtml)[]) => html`<ul class="plain">${items.map((i) => html`<li>${i}</li>`)}</ul>`;

function tierCell(c: ScopedComponent): SafeHtml {
  if (!c.tier) return html`not classified yet`;
  const changed = c.classifiedTier && html` (classified ${c.classifiedTier})`;
  const pending = c.pendingTier && html`; lowering to ${c.pendingTier} requested`;
  return html`<span class="tier ${c.tier}">${c.tier}</span>${changed}${pending}`;
}

function scopeSection(scope: NonNullable<CaseFile['scope']>): SafeHtml {
  const partners = scope.partners.map((p) => html`<tr><td>${p.name}</td><td>${p.country ?? ''}</td><td>${p.roles.join('; ')}</td></tr>`);
  const components = scope.components.map(
    (c) => html`<tr><td>${c.name}</td><td>${tierCell(c)}</td><td>${c.tierReason}</td><td>${c.routedTo.length ? list(c.routedTo) : c.routingNote}</td></tr>`,
  );
  return html`<section class="case" id="scope"><h2>Partners</h2>
<table class="case"><thead><tr><th>Partner</th><th>Country</th><th>Role</th></tr></thead><tbody>${partners}</tbody></table>
<h2>Components</h2>
<table class="case"><thead><tr><th>Component</th><th>Tier</th><th>Why this tier</th><th>Routed to</th></tr></thead><tbody>${components}</tbody></table>
${scope.routingNote && html`<p class="hint">${scope.routingNote}</p>`}</section>`;
}

function positionRow(p: CasePosition): SafeHtml {
  if (!p.shared) return html`<tr><td>${p.partyName}</td><td>${p.as}</td><td>${p.status}</td><td class="withheld">Not shared: ${p.withheld}</td></tr>`;
  const details = [...p.conditions.map((c) => html`Condition: ${c}`), ...(p.legalBasis ? [html`Legal basis: ${p.legalBasis}`] : [])];
  const cell = details.length ? list(details) : html`<span class="empty">none</span>`;
  return html`<tr><td>${p.partyName}</td><td>${p.as}</td><td>${p.status}</td><td>${cell}</td></tr>`;
}

function componentSection(c: NonNullable<CaseFile['component']>): SafeHtml {
  const recipients = c.recipients.map((r) => html`<tr><td>${r.name}${country(r.country)}</td><td${r.listed && html` class="listed"`}>${r.screening}</td></tr>`);
  const positions = c.positions.length
    ? html`<table class="case"><thead><tr><th>Party</th><th>As</th><th>Position</th><th>Conditions and basis</th></tr></thead>
<tbody>${c.positions.map(positionRow)}</tbody></table>`
    : html`<p class="empty">No other party reviews this component.</p>`;
  return html`<section class="case" id="parties"><h2>Parties</h2><dl>
<dt>Exporter</dt><dd>${c.exporter ? html`${c.exporter.name}${country(c.exporter.country)}` : 'not recorded'}</dd>
${c.issuer && html`<dt>Issuing authority</dt><dd>${c.issuer}</dd>`}</dl>
<table class="case"><thead><tr><th>Recipient</th><th>Restricted-party screening</th></tr></thead><tbody>${recipients}</tbody></table></section>
<section class="case" id="positions"><h2>Other parties' positions so far</h2>${positions}</section>`;
}

function questionsSection(questions: CaseFile['questions']): SafeHtml {
  const items = questions.map(
    (q) =>
      html`<li><strong>${q.askedBy}</strong> asked on ${formatWhen(q.askedAt)}: "${q.question}"<br>${
        q.answer !== undefined ? html`Answer (${formatWhen(q.answeredAt)}): "${q.answer}"` : html`<span class="empty">Not answered yet.</span>`
      }</li>`,
  );
  return html`<section class="case" id="questions"><h2>Questions and answers</h2>${
    questions.length ? html`<ul class="plain">${items}</ul>` : html`<p class="empty">No questions asked so far.</p>`
  }</section>`;
}

/** The documents filed on the case: the slot the document store fills (each `href` a short-lived signed link). */
export function documentsSection(documents: readonly CaseDocument[]): SafeHtml {
  const items = documents.map((d) => html`<li><a href="${d.href}">${d.name}</a> — ${d.kind}, ${size(d.size)}, SHA-256 <code>${d.sha256}</code></li>`);
  return html`<section class="case" id="documents"><h2>Documents</h2>${
    documents.length ? html`<ul class="plain">${items}</ul>` : html`<p class="empty">No documents filed.</p>`
  }</section>`;
}

/** Everything the case file holds, in the order a reviewer reads it. */
export function caseSections(file: CaseFile): SafeHtml {
  const { scope, component, questions, documents } = file;
  return html`${scope && scopeSection(scope)}${component && componentSection(component)}${questionsSection(questions)}${documentsSection(documents)}`;
}

function size(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
