/**
 * The technology control plan as a page shows it (GET /v1/projects/:id/control-plan): per controlled component, who
 * may access it, with status, authority, basis and since; each person's screening and training certificates (an
 * expired one tagged); and the funder's deliverables, received or owed. Pure: the pages read and link, this only shows.
 */
import type { TrancheCondition } from '../../../domain/policy';
import type { AccessStatus, ControlPlan, PlanComponent, PlanPerson } from '../../../records/control-plan';
import type { DeliverableView } from '../../../workflows/people-contract';
import { html, type SafeHtml } from '../../html';
import { headings, projectHref, when } from './project-parts';

const STATUS_TAGS: Record<AccessStatus, SafeHtml> = {
  authorised: html`<span class="tag done">authorised</span>`,
  'not-authorised': html`<span class="tag todo">not authorised</span>`,
  refused: html`<span class="tag bad">refused</span>`,
};
const AUTHORITY_LABELS = { licence: 'licence', exception: 'licence exception', 'not-required': 'not required' } as const;

export const trainingHref = (projectId: string, personId: string) => `${projectHref(projectId)}/people/${encodeURIComponent(personId)}/training`;
export const deliverableHref = (projectId: string, conditionId: string) => `${projectHref(projectId)}/deliverables/${encodeURIComponent(conditionId)}`;

function componentTable(c: PlanComponent): SafeHtml {
  const rows = c.access.map(
    (a) => html`<tr><td>${a.name}<br><span class="mono muted">${a.personId}</span></td><td>${STATUS_TAGS[a.status]}</td>
<td>${a.authority ? AUTHORITY_LABELS[a.authority] : html`<span class="muted">none</span>`}</td>
<td>${a.basis}${a.deemedExportTo.length > 0 && html`<br><span class="muted">a deemed export to ${a.deemedExportTo.join(', ')}</span>`}</td>
<td class="when">${a.since ? when(a.since) : html`<span class="muted">not yet</span>`}</td></tr>`,
  );
  return html`<table><caption>${c.name} <span class="mono muted">(${c.componentId})</span>: ${c.category}, ${c.controlCodes.join(', ')}</caption>
${headings('Person', 'Status', 'Authority', 'Basis', 'Since')}<tbody>${rows}</tbody></table>`;
}

function screeningOf(p: PlanPerson): SafeHtml {
  if (!p.screening) return html`<span class="tag todo">not screened yet</span>`;
  const tag = p.screening.status === 'clear' ? html`<span class="tag done">clear</span>` : html`<span class="tag bad">flagged</span>`;
  return html`${tag}<br><span class="muted">${p.screening.rule.text} (${when(p.screening.at)})</span>`;
}

function trainingOf(p: PlanPerson): SafeHtml {
  if (!p.training.length) return html`<span class="muted">no certificate</span>`;
  const until = (valid: boolean) => (valid ? 'valid until' : html`<span class="tag bad">expired</span>`);
  const items = p.training.map((t) => html`<li>${t.course}: completed ${when(t.completedAt)}, ${until(t.valid)} ${when(t.expiresAt)}</li>`);
  return html`<ul class="plain">${items}</ul>`;
}

function peopleTable(projectId: string, people: readonly PlanPerson[], actions: boolean): SafeHtml {
  const rows = people.map(
    (p) => html`<tr><td>${p.name}<br><span class="muted">${p.email}</span></td><td>${p.partnerName}</td>
<td>${p.citizenship.join(', ')} <span class="muted">/ resident in</span> ${p.residence}</td><td>${screeningOf(p)}</td><td>${trainingOf(p)}</td>
${actions && html`<td><a href="${trainingHref(projectId, p.id)}">Add a certificate<span class="muted"> for ${p.name}</span></a></td>`}</tr>`,
  );
  const head = actions
    ? headings('Person', 'Partner', 'Citizenship', 'Screening', 'Training', 'Action')
    : headings('Person', 'Partner', 'Citizenship', 'Screening', 'Training');
  return html`<table><caption>People</caption>${head}<tbody>${rows}</tbody></table>`;
}

function deliverablesList(
  projectId: string,
  conditions: readonly TrancheCondition[],
  received: readonly DeliverableView[],
  actions: boolean,
): SafeHtml | false {
  const documents = conditions.filter((c) => c.kind === 'document');
  if (!documents.length) return false;
  const rows = documents.map((c) => {
    const got = received.find((d) => d.conditionId === c.id);
    const status = got ? html`<span class="tag done">received</span> ${when(got.submittedAt)}` : html`<span class="tag todo">owed</span> by ${c.owedBy}`;
    const action =
      actions && html`<td><a href="${deliverableHref(projectId, c.id)}">${got ? 'Replace' : 'Upload'}<span class="muted"> the ${c.name}</span></a></td>`;
    return html`<tr><td>${c.name}<br><span class="mono muted">${c.id}</span></td><td>${status}</td>${action}</tr>`;
  });
  const head = actions ? headings('Deliverable', 'Status', 'Action') : headings('Deliverable', 'Status');
  return html`<table><caption>The funder’s deliverables</caption>${head}<tbody>${rows}</tbody></table>`;
}

export interface ControlPlanParts {
  plan: ControlPlan;
  /** The funder's tranche conditions (the policy's), and the deliverables the project shows received. */
  conditions: readonly TrancheCondition[];
  received: readonly DeliverableView[];
  /** Links to the forms (the coordinator's view; a funder only reads). */
  actions: boolean;
}

/** The plan's body: controlled components with who may access them, then the people, then the deliverables. */
export function controlPlanBody({ plan, conditions, received, actions }: ControlPlanParts): SafeHtml {
  const controlled = plan.components.filter((c) => c.controlled && c.access.length > 0);
  return html`${
    controlled.length
      ? controlled.map(componentTable)
      : html`<p>No one is given access to controlled software or technology${plan.people.length ? '' : ': the project names no people'}.</p>`
  }
${plan.people.length > 0 && peopleTable(plan.projectId, plan.people, actions)}
${deliverablesList(plan.projectId, conditions, received, actions)}
<p class="muted">Read ${when(plan.readAt)}. Not authorised: a deemed-export review is owed or open, and the person may not yet access the component.</p>`;
}

/** The section of the project page, linking to the plan's own page. */
export function controlPlanSection(parts: ControlPlanParts | undefined, projectId: string): SafeHtml {
  return html`<section aria-labelledby="control-plan-title"><h2 id="control-plan-title">Technology control plan</h2>
${parts ? controlPlanBody(parts) : html`<p>The control plan could not be read.</p>`}
<p><a href="${projectHref(projectId)}/control-plan">The control plan on its own page</a></p></section>`;
}
