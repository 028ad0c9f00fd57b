/**
 * The technology control plan's own page, and the coordinator's two forms beside it: a person's training certificate
 * (POST /v1/projects/:id/people/:personId/training) and a tranche condition's deliverable (POST
 * /v1/projects/:id/deliverables/:conditionId), each sent on as multipart with its file. Whether the dates, the file
 * and the person or condition are right is the API's to say; its refusal shows beside the field.
 */
import { Router, type Request, type Response } from 'express';
import type { ControlPlan, PlanPerson } from '../../../records/control-plan';
import type { ProjectView } from '../../../workflows/definitions';
import { html } from '../../html';
import { errorSummary, fileInput, formErrors, formKeys, summaryList, textInput, type FieldError } from '../forms';
import type { WebContext } from '../routes';
import { controlPlanBody } from './control-plan-section';
import { apiProjectPath, backLink, filesAgainHint, multipartOf, nothingHere, projectFor, projectHref, textOf, when } from './project-context';
import { readRefused } from './project-parts';

const TRAINING_LABELS: Record<string, string> = { course: 'Course', completedAt: 'Completed on', expiresAt: 'Valid until', file: 'Certificate' };
const DELIVERABLE_LABELS: Record<string, string> = { file: 'Deliverable' };

/** The funder's tranche conditions, as the policy lists them. */
const conditionsOf = (ctx: WebContext, view: ProjectView) => ctx.policy.funders.find((f) => f.id === view.funderId)?.trancheConditions ?? [];

export function controlPlanPages(ctx: WebContext): Router {
  const router = Router();

  const readPlan = (req: Request) => ctx.api.get<ControlPlan>(req, `${apiProjectPath(String(req.params.id))}/control-plan`);

  router.get('/projects/:id/control-plan', async (req, res) => {
    const [project, plan] = await Promise.all([ctx.api.get<ProjectView>(req, apiProjectPath(req.params.id)), readPlan(req)]);
    if (!project.ok) return readRefused(ctx, req, res, project);
    if (!plan.ok) return readRefused(ctx, req, res, plan);
    const view = project.body;
    const actions = req.caller!.role === 'coordinator';
    ctx.render(req, res, {
      title: `Technology control plan: ${view.title}`,
      body: html`${backLink(view.projectId)}<h1>Technology control plan</h1>
<p class="lede">${view.title} <span class="mono muted">(${view.projectId})</span></p>
${controlPlanBody({ plan: plan.body, conditions: conditionsOf(ctx, view), received: view.deliverables ?? [], actions })}`,
    });
  });

  /** The person the form is for, from the plan; otherwise a page has said why there is none. */
  async function personFor(req: Request, res: Response): Promise<{ plan: ControlPlan; person: PlanPerson } | undefined> {
    const plan = await readPlan(req);
    if (!plan.ok) {
      readRefused(ctx, req, res, plan);
      return undefined;
    }
    const person = plan.body.people.find((p) => p.id === req.params.personId);
    if (!person) {
      const message = `Project ${plan.body.projectId} has no person ${req.params.personId}.`;
      nothingHere(ctx, req, res, { status: 404, title: 'Person not found', message, projectId: plan.body.projectId });
      return undefined;
    }
    return { plan: plan.body, person };
  }

  function trainingForm(
    req: Request,
    res: Response,
    { plan, person }: { plan: ControlPlan; person: PlanPerson },
    values: unknown,
    errors: FieldError[] = [],
    key = ctx.formKey(),
  ) {
    const held = person.training.map((t) => html`${t.course} (valid until ${when(t.expiresAt)}${t.valid ? '' : ', expired'})`);
    ctx.render(req, res, {
      errors,
      title: `Add a training certificate for ${person.name}`,
      body: html`${backLink(plan.projectId)}${errorSummary(errors)}
<h1>Add a training certificate</h1><p class="lede">${plan.title}: export-control training of a person with access to controlled technology.</p>
${summaryList([
  { key: 'Person', value: html`${person.name} <span class="muted">(${person.email})</span>` },
  { key: 'Partner', value: person.partnerName },
  { key: 'Certificates held', value: held.length ? html`${held.map((h, i) => html`${i > 0 && html`<br>`}${h}`)}` : 'none' },
])}
<form method="post" enctype="multipart/form-data" novalidate>${formKeys(ctx.token(req, res), key)}
${textInput({ key: 'course', label: TRAINING_LABELS.course, hint: 'As the certificate names it.', values, errors })}
${textInput({ key: 'completedAt', label: TRAINING_LABELS.completedAt, type: 'date', short: true, values, errors })}
${textInput({ key: 'expiresAt', label: TRAINING_LABELS.expiresAt, type: 'date', short: true, hint: 'The date the certificate expires.', values, errors })}
${fileInput({ key: 'file', label: TRAINING_LABELS.file, hint: filesAgainHint('The certificate (PDF or image).', errors.length > 0), values, errors })}
<div class="actions"><button type="submit">Record the certificate</button><a href="${projectHref(plan.projectId)}">Cancel</a></div></form>`,
    });
  }

  router.get('/projects/:id/people/:personId/training', async (req, res) => {
    const found = await personFor(req, res);
    if (found) trainingForm(req, res, found, {});
  });

  router.post('/projects/:id/people/:personId/training', async (req, res) => {
    const _key = textOf(req.body, '_key');
    const fields = {
      course: textOf(req.body, 'course') ?? '',
      completedAt: textOf(req.body, 'completedAt') ?? '',
      expiresAt: textOf(req.body, 'expiresAt') ?? '',
    };
    const answer = await ctx.api.call(req, {
      method: 'POST',
      path: `${apiProjectPath(req.params.id)}/people/${encodeURIComponent(req.params.personId)}/training`,
      form: multipartOf(req, fields),
      idempotencyKey: _key,
    });
    if (answer.ok) return res.redirect(303, `${projectHref(req.params.id)}?done=training-recorded`);
    const found = await personFor(req, res);
    if (found)
      trainingForm(
        req,
        res,
        found,
        req.body,
        formErrors(answer, (k) => TRAINING_LABELS[k]),
        _key,
      );
  });

  /** The funder's document condition the form is for; otherwise a page has said why there is none. */
  async function conditionFor(req: Request, res: Response) {
    const view = await projectFor(ctx, req, res);
    if (!view) return undefined;
    const conditions = conditionsOf(ctx, view).filter((c) => c.kind === 'document');
    const condition = conditions.find((c) => c.id === req.params.conditionId);
    if (!condition) {
      const listed = conditions.map((c) => c.name).join('; ') || 'none';
      const message = `The funder asks for no deliverable ${req.params.conditionId}. Its deliverables: ${listed}.`;
      nothingHere(ctx, req, res, { status: 404, title: 'Deliverable not found', message, projectId: view.projectId });
      return undefined;
    }
    return { view, condition };
  }

  function deliverableForm(
    req: Request,
    res: Response,
    found: NonNullable<Awaited<ReturnType<typeof conditionFor>>>,
    errors: FieldError[] = [],
    key = ctx.formKey(),
  ) {
    const { view, condition } = found;
    const received = (view.deliverables ?? []).find((d) => d.conditionId === condition.id);
    ctx.render(req, res, {
      errors,
      title: `Upload the ${condition.name}`,
      body: html`${backLink(view.projectId)}${errorSummary(errors)}
<h1>Upload a deliverable</h1><p class="lede">${view.title}: a tranche waits on it.</p>
${summaryList([
  { key: 'Deliverable', value: condition.name },
  { key: 'Owed by', value: condition.owedBy },
  { key: 'Received', value: received ? html`${when(received.submittedAt)}: uploading another replaces it` : 'not yet' },
])}
<form method="post" enctype="multipart/form-data" novalidate>${formKeys(ctx.token(req, res), key)}
${fileInput({ key: 'file', label: DELIVERABLE_LABELS.file, hint: filesAgainHint('The document (PDF, office document or image).', errors.length > 0), errors })}
<div class="actions"><button type="submit">Upload the deliverable</button><a href="${projectHref(view.projectId)}">Cancel</a></div></form>`,
    });
  }

  router.get('/projects/:id/deliverables/:conditionId', async (req, res) => {
    const found = await conditionFor(req, res);
    if (found) deliverableForm(req, res, found);
  });

  router.post('/projects/:id/deliverables/:conditionId', async (req, res) => {
    const _key = textOf(req.body, '_key');
    const answer = await ctx.api.call(req, {
      method: 'POST',
      path: `${apiProjectPath(req.params.id)}/deliverables/${encodeURIComponent(req.params.conditionId)}`,
      form: multipartOf(req, {}),
      idempotencyKey: _key,
    });
    if (answer.ok) return res.redirect(303, `${projectHref(req.params.id)}?done=deliverable-submitted`);
    const found = await conditionFor(req, res);
    if (found)
      deliverableForm(
        req,
        res,
        found,
        formErrors(answer, (k) => DELIVERABLE_LABELS[k]),
        _key,
      );
  });

  return router;
}
