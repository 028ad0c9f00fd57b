/**
 * The sections of a project's page, each from what the JSON API answered: components with their tier and licence,
 * the steps open and decided (who, what, due, outcome, when, the legal basis and conditions), milestones, documents,
 * and the audit trail. Pure: the page (./project-page.ts) reads and links; these only show.
 */
import { STEP_KINDS, type StepKind } from '../../../domain/step-kinds';
import type { AuditEntry, ComponentView, MilestoneView, ReviewStep } from '../../../workflows/definitions';
import type { StepDocument } from '../../step-documents';
import { html, type HtmlValue, type SafeHtml } from '../../html';
import { headings, licenceTag, projectHref, when } from './project-parts';

/** A document as GET /v1/projects/:id/documents lists it: a step's document without its signed link. */
export type ListedDocument = Omit<StepDocument, 'attachedTo' | 'href' | 'expiresAt'> & { attachedTo?: StepDocument['attachedTo'] };

/** What a document is for: a person (a training certificate), a tranche condition (a deliverable), else its component or the project. */
const documentFor = (components: readonly ComponentView[], d: ListedDocument) =>
  d.attachedTo?.type === 'person' || d.attachedTo?.type === 'deliverable'
    ? html`${d.attachedTo.type} <span class="mono muted">${d.attachedTo.id}</span>`
    : componentName(components, d.componentId);

export type TrailEntry = AuditEntry & { actorName?: string };

/** The statuses whose letter the API serves: a licence issued (in force or not), or a refusal. */
const LETTER_STATUSES = new Set(['approved', 'suspended', 'revoked', 'expired', 'denied']);

const kindLabel = (kind: string) => STEP_KINDS[kind as StepKind]?.label ?? kind;
const componentName = (components: readonly ComponentView[], id: string | undefined) =>
  id ? html`${components.find((c) => c.id === id)?.name ?? id} <span class="mono muted">(${id})</span>` : html`<span class="muted">the project</span>`;

export function componentsSection(projectId: string, components: readonly ComponentView[]): SafeHtml {
  const rows = components.map((c) => {
    const tier = c.tier
      ? html`<strong>${c.tier}</strong>${c.classifiedTier && c.classifiedTier !== c.tier && html` <span class="muted">(classified ${c.classifiedTier})</span>`}`
      : html`<span class="muted">being classified</span>`;
    const pending = c.pendingTier && html`<br><span class="tag todo">lowering to ${c.pendingTier} awaits the lead agency</span>`;
    const l = c.licence;
    const licence = html`${licenceTag(l.status)}${l.licenceId && html`<br><span class="mono">${l.licenceId}</span>`}${
      l.validUntil && html`<br>valid until ${when(l.validUntil)}`
    }${l.issuer && html`<br><span class="muted">${l.issuer.name}</span>`}${l.basis && html`<br><span class="muted">${l.basis}</span>`}`;
    const letterHref = `${projectHref(projectId)}/components/${encodeURIComponent(c.id)}/letter.pdf`;
    const letter = LETTER_STATUSES.has(l.status)
      ? html`<a href="${letterHref}">${l.status === 'denied' ? 'Refusal' : 'Licence'} letter (PDF)<span class="muted"> for ${c.name}</span></a>`
      : html`<span class="muted">none yet</span>`;
    return html`<tr><td>${c.name}<br><span class="mono muted">${c.id}</span></td><td>${tier}${pending}</td><td>${c.tierReason ?? ''}</td>
<td>${licence}</td><td>${letter}</td></tr>`;
  });
  return html`<section aria-labelledby="components-title"><h2 id="components-title">Components</h2>
<table>${headings('Component', 'Tier', 'Why this tier', 'Licence', 'Letter')}
<tbody>${rows}</tbody></table></section>`;
}

/** Who a step waits on or was decided by: the party, and its reviewer. */
const who = (s: ReviewStep) => html`${s.partyName}<br><span class="muted mono">${s.reviewer}</span>`;

/** Open steps, each with what it asks and its due time; a stopped clock says it waits for the coordinator. */
export function openStepsSection(components: readonly ComponentView[], open: readonly ReviewStep[], actions: (s: ReviewStep) => HtmlValue): SafeHtml {
  if (!open.length) return html`<section aria-labelledby="open-title"><h2 id="open-title">Open steps</h2><p>No step is open: nobody is awaited.</p></section>`;
  const rows = open.map((s) => {
    const due = s.infoRequest
      ? html`<span class="tag todo">clock stopped</span><br>waiting for your answer since ${when(s.infoRequest.askedAt)}${
          s.infoRequest.returnAt && html`<br>returned unanswered at ${when(s.infoRequest.returnAt)}`
        }`
      : when(s.dueAt);
    const what = html`${s.question}${s.infoRequest && html`<br><strong>They ask you:</strong> ${s.infoRequest.question}`}`;
    return html`<tr><td>${kindLabel(s.kind)}<br>${componentName(components, s.componentId)}</td><td>${who(s)}</td><td>${what}</td>
<td>${when(s.openedAt)}</td><td>${due}</td><td>${actions(s)}</td></tr>`;
  });
  return html`<section aria-labelledby="open-title"><h2 id="open-title">Open steps</h2>
<table>${headings('Step', 'Who', 'What is asked', 'Opened', 'Due', html`<span class="muted">Action</span>`)}<tbody>${rows}</tbody></table></section>`;
}

/** Steps decided or closed, newest last: the outcome, when and how, with the legal basis and conditions given. */
export function decidedStepsSection(components: readonly ComponentView[], steps: readonly ReviewStep[]): SafeHtml {
  const done = steps.filter((s) => s.status !== 'open');
  if (!done.length) return html`<section aria-labelledby="decided-title"><h2 id="decided-title">Decisions</h2><p>No step has been decided yet.</p></section>`;
  const rows = done.map((s) => {
    const outcome = s.outcome
      ? html`<span class="tag${s.outcome === 'denied' ? ' bad' : ' done'}">${s.outcome}</span>`
      : html`<span class="tag">closed</span>${s.closedReason && html`<br><span class="muted">${s.closedReason}</span>`}`;
    const how =
      s.decidedVia && html`<br><span class="muted">by ${s.decidedBy ?? s.reviewer}, ${s.decidedVia === 'system' ? 'the policy’s rule' : s.decidedVia}</span>`;
    const basis = html`${s.legalBasis && html`<strong>Legal basis:</strong> ${s.legalBasis}`}${
      !!s.conditions?.length && html`<strong>Conditions:</strong><ol>${s.conditions.map((c) => html`<li>${c}</li>`)}</ol>`
    }${s.comment && html`<br><span class="muted">${s.comment}</span>`}`;
    return html`<tr><td>${kindLabel(s.kind)}<br>${componentName(components, s.componentId)}</td><td>${who(s)}</td><td>${outcome}</td>
<td>${s.decidedAt ? when(s.decidedAt) : html`<span class="muted">–</span>`}${how}<br><span class="muted">due ${when(s.dueAt)}</span></td>
<td>${basis}</td></tr>`;
  });
  return html`<section aria-labelledby="decided-title"><h2 id="decided-title">Decisions</h2>
<table>${headings('Step', 'Who', 'Outcome', 'Decided', 'Legal basis, conditions, comment')}<tbody>${rows}</tbody></table></section>`;
}

export function milestonesSection(milestones: readonly MilestoneView[]): SafeHtml | false {
  if (!milestones.length) return false;
  const tone = (s: string) => (s === 'passed' ? ' done' : s === 'held' ? ' bad' : ' todo');
  return html`<section aria-labelledby="milestones-title"><h2 id="milestones-title">Milestones</h2>
<table>${headings('Milestone', 'Due', 'Components', 'Status')}
<tbody>${milestones.map(
    (m) =>
      html`<tr><td>${m.title} <span class="mono muted">(${m.id})</span></td><td>${when(m.dueAt)}</td><td class="mono">${m.componentIds.join(', ')}</td>
<td><span class="tag${tone(m.status)}">${m.status}</span></td></tr>`,
  )}</tbody></table></section>`;
}

const size = (n: number) => (n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MB` : n >= 1024 ? `${Math.round(n / 1024)} kB` : `${n} bytes`);

export function documentsSection(projectId: string, components: readonly ComponentView[], documents: readonly ListedDocument[]): SafeHtml {
  const list = documents.length
    ? html`<table>${headings('Document', 'Kind', 'For', 'Size', 'SHA-256', 'Uploaded')}<tbody>${documents.map(
        (d) => html`<tr><td><a href="${projectHref(projectId)}/documents/${encodeURIComponent(d.documentId)}" download>${d.filename}</a></td>
<td>${d.kind}</td><td>${documentFor(components, d)}</td><td class="num">${size(d.size)}</td><td class="mono">${d.sha256}</td>
<td>${when(d.uploadedAt)}<br><span class="muted">${d.uploadedBy}</span></td></tr>`,
      )}</tbody></table>`
    : html`<p>No document has been filed yet.</p>`;
  return html`<section aria-labelledby="documents-title"><h2 id="documents-title">Documents</h2>${list}</section>`;
}

/** The trail, newest first: the latest entries unless all are asked for, and the whole of it as CSV. */
export function trailSection(projectId: string, entries: readonly TrailEntry[], all: boolean, latest = 20): SafeHtml {
  const shown = [...entries].reverse().slice(0, all ? undefined : latest);
  const more =
    !all && entries.length > latest
      ? html`<a href="${projectHref(projectId)}?trail=all#trail-title">Show all ${entries.length} entries</a>`
      : html`<span class="muted">${entries.length} ${entries.length === 1 ? 'entry' : 'entries'}</span>`;
  return html`<section aria-labelledby="trail-title"><h2 id="trail-title">Audit trail</h2>
<p class="actions">${more}<a href="${projectHref(projectId)}/audit.csv" download>Download the whole trail (CSV)</a></p>
<table><caption>${all ? 'Every entry' : 'The latest entries'}, newest first</caption>
${headings('When', 'Who', 'What', 'Detail')}
<tbody>${shown.map(
    (e) => html`<tr><td class="when">${when(e.at)}</td><td>${e.actorName ?? e.actor}<br><span class="muted">${e.channel}</span></td>
<td>${e.action}${(e.componentId || e.stepId) && html`<br><span class="mono muted">${[e.componentId, e.stepId].filter(Boolean).join(' · ')}</span>`}</td>
<td>${e.detail}</td></tr>`,
  )}</tbody></table></section>`;
}

/** The calendar: the project's dates for a calendar app, as a file. */
export function calendarSection(projectId: string): SafeHtml {
  return html`<section aria-labelledby="calendar-title"><h2 id="calendar-title">Calendar</h2>
<p>Every date of the project (steps due, reports due, cycle closes, licence expiries) as one calendar file.
<a href="${projectHref(projectId)}/calendar.ics" download>Download the calendar (.ics)</a></p></section>`;
}
