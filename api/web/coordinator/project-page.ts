/**
 * A project's page: the whole timeline, read from the JSON API (the project, its documents, its audit trail), and
 * the things the coordinator can do next, each a link to its own page. Which links show is only a hint from what the
 * records say (a stage, an open step): the page each leads to sends its form on, and the API decides.
 */
import { Router } from 'express';
import type { AuditEntry, ComponentView, ProjectView, ReviewStep } from '../../../workflows/definitions';
import { html, type SafeHtml } from '../../html';
import { summaryList } from '../forms';
import type { WebContext } from '../routes';
import type { ControlPlan } from '../../../records/control-plan';
import { controlPlanSection } from './control-plan-section';
import { actionsToResolve } from './project-context';
import { agencyName, apiPath, funderName, projectHref, readRefused, stageTag, when } from './project-parts';
import {
  calendarSection,
  componentsSection,
  decidedStepsSection,
  documentsSection,
  milestonesSection,
  openStepsSection,
  trailSection,
  type ListedDocument,
  type TrailEntry,
} from './project-timeline';

/** What the pages that lead back here say happened (`?done=…`). */
export const DONE_BANNERS: Record<string, string> = {
  submitted: 'Your project was submitted. Its components are being classified: confirm scoping once they are.',
  'delegate-added': 'The delegate was added. They may now act on this project as you do.',
  'scoping-confirmed': 'Scoping was confirmed. The grant review starts.',
  'info-answered': 'Your answer was sent. The reviewer’s clock runs again.',
  'report-filed': 'Your compliance report was filed.',
  'action-resolved': 'The corrective action was resolved.',
  appealed: 'Your appeal was recorded. The appeal body decides it.',
  'training-recorded': 'The training certificate was recorded. It shows in the technology control plan.',
  'deliverable-submitted': 'The deliverable was received. The funder’s next tranche no longer waits on it.',
  withdrawn: 'The project was withdrawn. Its open steps were closed and their reviewers told.',
  withdrawing: 'The withdrawal was accepted. The open steps are being closed and their reviewers told.',
};

/** Stages in which the API takes a withdrawal (a hint for the link; the API decides). */
const WITHDRAWABLE = new Set(['scoping', 'grant-review', 'active']);
/** A licence in force (or suspended) takes compliance reports and resolutions. */
const MONITORED = new Set(['approved', 'suspended']);

/** The appeal a coordinator may still lodge: an open appeal step addressed to them. */
const isOpenAppeal = (view: ProjectView, s: ReviewStep) => s.kind === 'appeal' && s.status === 'open' && s.reviewer === view.coordinator.email;

function thingsToDo(view: ProjectView, trail: readonly AuditEntry[]): SafeHtml[] {
  const id = view.projectId;
  const at = projectHref(id);
  const name = (componentId?: string) => view.components.find((c) => c.id === componentId)?.name ?? componentId ?? 'the project';
  const todo: SafeHtml[] = [];
  if (view.stage === 'scoping' && !trail.some((e) => e.action === 'scoping-confirmed'))
    todo.push(html`<li><a href="${at}/scoping">Confirm scoping</a>: check each component’s tier, and raise or lower it with a reason.</li>`);
  for (const s of view.openSteps.filter((s) => s.infoRequest))
    todo.push(
      html`<li><a href="${at}/info/${encodeURIComponent(s.stepId)}">Answer the information request from ${s.partyName}</a> about ${name(s.componentId)}.</li>`,
    );
  for (const s of view.steps.filter((s) => isOpenAppeal(view, s)))
    todo.push(
      html`<li><a href="${at}/appeals/new?componentId=${encodeURIComponent(s.componentId ?? '')}">Appeal the denial of ${name(s.componentId)}</a>
by ${when(s.dueAt)}.</li>`,
    );
  if (view.stage === 'active' && view.components.some((c) => MONITORED.has(c.licence.status)))
    todo.push(html`<li><a href="${at}/reports/new">File a compliance report</a> for a licence in force.</li>`);
  for (const { component, action } of actionsToResolve(view))
    todo.push(
      html`<li><a href="${at}/corrective-actions/${encodeURIComponent(action.actionId)}">Resolve corrective action ${action.actionId}</a>
<span class="muted">(${component.name}: ${action.anomalies.map((a) => a.detail).join('; ')}; due ${when(action.dueAt)})</span></li>`,
    );
  return todo;
}

function overview(ctx: WebContext, view: ProjectView): SafeHtml {
  const at = projectHref(view.projectId);
  const delegates = view.delegates.length ? view.delegates.map((d) => d.replace(/^coordinator:/, '')).join(', ') : html`<span class="muted">none</span>`;
  return summaryList([
    { key: 'Stage', value: stageTag(view.stage) },
    { key: 'Funder', value: funderName(ctx.policy, view.funderId) },
    { key: 'Lead agency', value: agencyName(ctx.policy, view.leadAgency) },
    { key: 'Submitted', value: when(view.submittedAt) },
    { key: 'Coordinator', value: html`${view.coordinator.name} <span class="muted">(${view.coordinator.email})</span>` },
    { key: 'Owner', value: view.owner },
    { key: 'Delegates', value: delegates, change: html`<a href="${at}/delegates/new">Add a delegate</a>` },
  ]);
}

export function projectPages(ctx: WebContext): Router {
  const router = Router();

  router.get('/projects/:id', async (req, res, next) => {
    if (req.params.id === 'new') return next(); // the submission's own page
    const id = req.params.id;
    const [project, documents, audit, plan] = await Promise.all([
      ctx.api.get<ProjectView>(req, apiPath(id)),
      ctx.api.get<{ items: ListedDocument[] }>(req, apiPath(id, '/documents')),
      ctx.api.get<{ entries: TrailEntry[] }>(req, apiPath(id, '/audit')),
      ctx.api.get<ControlPlan>(req, apiPath(id, '/control-plan')),
    ]);
    if (!project.ok) return readRefused(ctx, req, res, project);
    const view = project.body;
    const trail = audit.ok ? audit.body.entries : [];
    const todo = thingsToDo(view, trail);
    const done = typeof req.query.done === 'string' ? DONE_BANNERS[req.query.done] : undefined;
    const at = projectHref(view.projectId);
    const conditions = ctx.policy.funders.find((f) => f.id === view.funderId)?.trancheConditions ?? [];
    const actions = req.caller!.role === 'coordinator';
    const planParts = plan.ok ? { plan: plan.body, conditions, received: view.deliverables ?? [], actions } : undefined;
    const openActions = (s: ReviewStep) =>
      s.infoRequest ? html`<a href="${at}/info/${encodeURIComponent(s.stepId)}">Answer<span class="muted"> ${s.partyName}’s request</span></a>` : '';

    ctx.render(req, res, {
      title: view.title,
      body: html`<p><a href="/app/projects">All projects</a></p>
${done && html`<div class="banner" role="status"><p>${done}</p></div>`}
<h1>${view.title}</h1><p class="lede"><span class="mono">${view.projectId}</span> · ${stageTag(view.stage)}</p>
${overview(ctx, view)}
<section aria-labelledby="todo-title"><h2 id="todo-title">What you can do</h2>
${todo.length ? html`<ul>${todo}</ul>` : html`<p>Nothing is waiting for you.</p>`}
${WITHDRAWABLE.has(view.stage) && html`<p><a href="${at}/withdraw">Withdraw this project</a></p>`}</section>
${componentsSection(view.projectId, view.components)}
${openStepsSection(view.components, view.openSteps, openActions)}
${decidedStepsSection(view.components, view.steps)}
${milestonesSection(view.milestones)}
${controlPlanSection(planParts, view.projectId)}
${documents.ok ? documentsSection(view.projectId, view.components, documents.body.items) : html`<p>The documents could not be read.</p>`}
${calendarSection(view.projectId)}
${audit.ok ? trailSection(view.projectId, trail, req.query.trail === 'all') : html`<p>The audit trail could not be read.</p>`}`,
    });
  });

  return router;
}
