/** `/v1/projects`: submit, read, confirm scoping, withdraw, audit trail, answer information requests, appeal, resubmit. */
import { policyForProject } from '../../domain/project-policy';
import { Router } from 'express';
import { WorkflowIdReusePolicy, WorkflowNotFoundError, WorkflowUpdateStage, type Client } from '@temporalio/client';
import type { Policy } from '../../domain/policy';
import { projectSubmissionSchema, type Project } from '../../domain/project';
import {
  confirmScopingUpdate,
  ProjectRejection,
  projectWorkflowId,
  searchAttributes,
  withdrawUpdate,
  resubmitUpdate,
  type AuditEntry,
  caseDueAt,
  type CaseClock,
  type ProjectView,
} from '../../workflows/definitions';
import type { projectWorkflow } from '../../workflows/project';
import type { KeyRing } from '../../config/principals';
import { assertMayAccess, requireRole } from '../auth';
import { ApiError, parse, updateRejection } from '../errors';
import { appealBody, auditQueryParams, componentParam, infoBody, projectIdParam, projectListQuery, scopingBody, withdrawBody } from '../schemas';
import { bounded, resultWithin } from '../temporal-calls';
import { tagWorkflow, tagWorkflowOfParam } from '../request-log';
import { idempotencyClaim, idempotencyMemo, isRepeat, startOnce } from '../idempotency';
import type { Records } from '../../records/database';
import { readAuditTrail, readProjectRecord, recordedProject } from '../../records/project-reads';
import { writeProjectRecord } from '../../records/project-writes';
import { projectParties, submissionEntry, submittedCore } from '../../workflows/project-core';
import { listProjects, type Position } from '../../records/project-list';
import { csvCell } from '../csv';
import { newId } from '../ids';
import type { StepActions } from '../decisions';
import { list, projectExample, read, withFiles, write, type Operation } from '../operation';
import { optionalFiles, type Uploads } from '../uploads';

export interface ProjectRoutesDeps {
  client: Client;
  records: Records;
  /** Appeals and answers to requests for information act on review steps, as links and seats do. */
  steps: StepActions;
  taskQueue: string;
  policy: Policy;
  /** How long a request waits on Temporal before answering 503. */
  temporalTimeoutMs: number;
  /** Names the people in the audit trail (PRINCIPALS_FILE gives each principal a name). */
  principals?: Pick<KeyRing, 'principal'>;
  /** Files with answers and appeals (multipart: api/uploads.ts). */
  uploads?: Uploads;
}

type NamedAuditEntry = AuditEntry & { actorName?: string };
const CSV_COLUMNS: (keyof NamedAuditEntry)[] = ['at', 'actor', 'actorName', 'action', 'channel', 'componentId', 'stepId', 'detail'];

/** The case clock with its due time: the overall limit plus the time it was stopped; none while stopped. */
export function readCaseClock(clock: CaseClock) {
  const dueAt = clock.stoppedSince ? undefined : caseDueAt(clock, Date.now());
  return { ...clock, running: !clock.stoppedSince, dueAt };
}

/** A page's position as an opaque cursor, and back; a cursor that is not one is 400 naming it. */
const encodeCursor = (p: Position) => Buffer.from(JSON.stringify([p.submittedAt, p.projectId])).toString('base64url');
function decodeCursor(cursor: string): Position {
  try {
    const [submittedAt, projectId] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
    if (typeof submittedAt === 'string' && !Number.isNaN(Date.parse(submittedAt)) && typeof projectId === 'string') return { submittedAt, projectId };
  } catch {
    // falls through to the 400
  }
  throw new ApiError('VALIDATION_FAILED', 'invalid query: cursor', [{ path: 'query.cursor', message: "is not a previous page's nextCursor" }]);
}

/** A workflow that is gone started nothing this request could repeat. */
const notFoundAsFalse = (err: unknown) => {
  if (err instanceof WorkflowNotFoundError) return false;
  throw err;
};

/** Who may read a project (its view, its trail, its letters). */
export const projectReaders = { admin: 'any project', coordinator: 'a project they own or are a delegate of', funder: 'its own projects' };
const projectActors = { coordinator: 'a project they own or are a delegate of' };

/** The operations of the routes below, as the OpenAPI document (api/openapi.ts) describes them. */
export const projectOperations = (policy: Policy): Operation[] => [
  {
    operationId: 'submitProject',
    method: 'post',
    path: '/v1/projects',
    summary: 'Submit a project; classification starts at once',
    roles: { coordinator: "becomes the project's owner", admin: "becomes the project's owner" },
    idempotent: true,
    body: projectSubmissionSchema(policy),
    example: projectExample,
    success: { status: 201, description: '{ projectId, workflowId, stage }' },
    errors: [...list, 'CONFLICT', 'IDEMPOTENCY_KEY_REUSED'],
  },
  {
    operationId: 'listProjects',
    method: 'get',
    path: '/v1/projects',
    summary: 'The projects the caller may see, newest first, filtered (stage, funderId, agency, q), a page at a time (limit, cursor)',
    roles: { admin: 'every project', coordinator: 'the projects they own or are a delegate of', funder: 'its own projects' },
    query: projectListQuery,
    success: { status: 200, description: '{ items: [{ projectId, title, funderId, leadAgency, stage, owner, submittedAt, closedAt }], nextCursor }' },
    errors: list,
  },
  {
    operationId: 'getProject',
    method: 'get',
    path: '/v1/projects/{id}',
    summary: 'Current state: stage, components with tier and licence, open steps, milestones, disputes',
    roles: projectReaders,
    success: { status: 200, description: 'the project view' },
    errors: read,
  },
  {
    operationId: 'getProjectAudit',
    method: 'get',
    path: '/v1/projects/{id}/audit',
    summary: 'The ordered audit trail (JSON, or CSV with format=csv)',
    roles: projectReaders,
    query: auditQueryParams,
    success: { status: 200, description: '{ entries: [...] }, or CSV' },
    errors: read,
  },
  {
    operationId: 'confirmProjectScoping',
    method: 'post',
    path: '/v1/projects/{id}/scoping',
    summary: 'Confirm scoping, with tier overrides and justifications ({} confirms as classified)',
    roles: projectActors,
    body: scopingBody,
    example: { overrides: [{ componentId: 'c1', tier: 'T2', justification: 'shared with a defence partner' }] },
    success: { status: 200, description: 'the components as confirmed' },
    errors: write,
  },
  {
    operationId: 'withdrawProject',
    method: 'post',
    path: '/v1/projects/{id}/withdraw',
    summary: 'Withdraw: open steps close and their reviewers are told',
    roles: projectActors,
    body: withdrawBody,
    example: { reason: 'funding ended' },
    success: { status: 200, description: '{ stage: "withdrawn", closedSteps }' },
    errors: write,
  },
  {
    operationId: 'answerInfoRequest',
    method: 'post',
    path: '/v1/projects/{id}/info',
    summary: "Answer a reviewer's request for information; the step's stopped clock resumes",
    roles: projectActors,
    body: infoBody,
    multipart: 'with-files',
    example: { stepId: 'c2-de-bafa', answer: 'The board is for the readout electronics only; datasheet attached to the e-mail.' },
    success: { status: 200, description: 'the step, clock running again' },
    errors: withFiles,
  },
  {
    operationId: 'appealComponentDenial',
    method: 'post',
    path: '/v1/projects/{id}/appeals',
    summary: "Appeal a final denial for a component to the issuing agency's appeal body (US: the Under Secretary)",
    roles: projectActors,
    body: appealBody,
    multipart: 'with-files',
    example: { componentId: 'c2', legalBasis: 'EAR §742.4(b)(1): license exception applies', comment: 'see annex' },
    success: { status: 202, description: 'the appeal is recorded; the appeal body is asked to rule' },
    errors: withFiles,
  },
  {
    operationId: 'resubmitComponent',
    method: 'post',
    path: '/v1/projects/{id}/components/{componentId}/resubmission',
    summary: 'Submit again a component whose review was returned (an information request went unanswered): a new licence review starts',
    roles: projectActors,
    success: { status: 202, description: '{ componentId, workflowId, status: "in-review" }; 409 when the component was not returned' },
    errors: write,
  },
];

/** An Update sent to a project whose workflow has ended: say why it cannot change, or that it does not exist (404). */
export function endedProjectExplainer(records: Records) {
  return async (err: unknown, params: unknown): Promise<never> => {
    if (!(err instanceof WorkflowNotFoundError)) throw err;
    const record = await readProjectRecord(records, parse(projectIdParam, params, 'path').id);
    if (!record) throw new ApiError('NOT_FOUND', 'not found');
    throw new ApiError('CONFLICT', `project ${record.view.projectId} is ${record.view.stage} and can no longer change`);
  };
}

export function projectRoutes({ client, records, steps, taskQueue, policy, temporalTimeoutMs, principals, uploads }: ProjectRoutesDeps): Router {
  const router = Router();
  const files = optionalFiles(uploads);
  const submission = projectSubmissionSchema(policy);
  const deadline = bounded(client, temporalTimeoutMs);
  const handleFor = (params: unknown) => client.workflow.getHandle<typeof projectWorkflow>(projectWorkflowId(parse(projectIdParam, params, 'path').id));
  /** The project as recorded (by its workflows, before they answer): every read of a project is from the records. */
  const readView = async (params: unknown): Promise<ProjectView> => {
    const record = await readProjectRecord(records, parse(projectIdParam, params, 'path').id);
    if (!record) throw new ApiError('NOT_FOUND', 'not found');
    return record.view;
  };

  const explainEnded = endedProjectExplainer(records);

  /** The projects the caller may see, filtered, newest first, a page at a time (from the records). */
  router.get('/', async (req, res) => {
    const { cursor, limit, ...filters } = parse(projectListQuery, req.query, 'query');
    const caller = req.caller!;
    if (caller.role === 'funder') {
      if (filters.funderId && filters.funderId !== caller.funderId) throw new ApiError('FORBIDDEN', 'a funder sees only its own projects');
      filters.funderId = caller.funderId;
    }
    const owner = caller.role === 'coordinator' ? caller.actor : undefined;
    const page = await listProjects(records, { ...filters, owner }, limit, cursor ? decodeCursor(cursor) : undefined);
    res.json({ items: page.items, nextCursor: page.next ? encodeCursor(page.next) : null });
  });

  router.param('id', tagWorkflowOfParam(projectWorkflowId));
  // Every route under a project (its reports and corrective actions too) first checks who may see it.
  router.use('/:id', async (req, res, next) => {
    const view = await readView(req.params);
    assertMayAccess(req.caller!, view);
    res.locals.projectView = view;
    next();
  });

  router.post('/', requireRole('coordinator', 'admin'), async (req, res) => {
    const body = parse(submission, req.body, 'body');
    const claim = idempotencyClaim(req);
    const project: Project = { ...body, projectId: body.projectId ?? newId('p', claim) };
    const workflowId = projectWorkflowId(project.projectId);
    tagWorkflow(req, res, workflowId);
    // A project id is never reused while its records are kept, even once its workflows are gone.
    const recorded = await recordedProject(records, project.projectId);
    if (recorded && !(claim && (await deadline(() => isRepeat(client, workflowId, claim)).catch(notFoundAsFalse)))) {
      const kept = recorded.keepUntil ? `; its records are kept until ${recorded.keepUntil}` : '';
      throw new ApiError('CONFLICT', `the id is taken: project ${project.projectId} was submitted before${kept}`);
    }
    const submittedBy = req.caller!.actor;
    const submittedAt = new Date().toISOString();
    let run: string | undefined;
    if (!recorded)
      await deadline(() =>
        startOnce(client, workflowId, claim, async () => {
          const started = await client.workflow.start<typeof projectWorkflow>('projectWorkflow', {
            workflowId,
            taskQueue,
            // Only the agencies of the countries it touches: every workflow of the project carries its policy.
            args: [{ project, policy: policyForProject(policy, project), submittedBy, submittedAt }],
            workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
            memo: idempotencyMemo(claim),
            typedSearchAttributes: [
              { key: searchAttributes.projectId, value: project.projectId },
              { key: searchAttributes.funderId, value: project.funderId },
              { key: searchAttributes.stage, value: 'scoping' },
            ],
          });
          run = started.firstExecutionRunId;
        }),
      );
    // The project is readable from the 201 on: its record as submitted, with the submission in its trail (the API's own
    // entry), which the workflow's writes then carry on (version 0: any write of the workflow's, even one first, wins).
    if (run) {
      const core = submittedCore(project, policy, submittedBy, submittedAt);
      const parties = projectParties(project, policy);
      const audit = [submissionEntry(project, policy, submittedBy, submittedAt)];
      await writeProjectRecord(records, {
        projectId: project.projectId,
        run,
        source: 'api',
        version: 0,
        core,
        parties,
        submission: project,
        steps: [],
        auditFrom: 0,
        audit,
      });
    }
    res.status(201).location(`/v1/projects/${project.projectId}`).json({ projectId: project.projectId, workflowId, stage: 'scoping' });
  });

  router.get('/:id', async (_req, res) => {
    const view = res.locals.projectView as ProjectView;
    res.json({ ...view, components: view.components.map((c) => (c.caseClock ? { ...c, caseClock: readCaseClock(c.caseClock) } : c)) });
  });

  router.get('/:id/audit', async (req, res) => {
    const { format } = parse(auditQueryParams, req.query, 'query');
    const view = res.locals.projectView as ProjectView;
    // The trail records principal ids; their names come from the principals as configured now.
    const trail = await readAuditTrail(records, view.projectId);
    const entries: NamedAuditEntry[] = trail.map((e) => {
      const name = principals?.principal(e.actor)?.name;
      return name ? { ...e, actorName: name } : e;
    });
    if (format === 'csv') {
      const rows = [CSV_COLUMNS.join(','), ...entries.map((e) => CSV_COLUMNS.map((c) => csvCell(e[c])).join(','))];
      res
        .type('text/csv')
        .attachment(`audit-${view.projectId}.csv`)
        .send(rows.join('\r\n') + '\r\n');
      return;
    }
    res.json({ projectId: view.projectId, entries });
  });

  router.post('/:id/scoping', requireRole('coordinator'), async (req, res) => {
    const handle = handleFor(req.params);
    const { overrides } = parse(scopingBody, req.body, 'body');
    try {
      const components = await deadline(() => handle.executeUpdate(confirmScopingUpdate, { args: [{ overrides, confirmedBy: req.caller!.actor }] }));
      res.json({ projectId: req.params.id, components });
    } catch (err) {
      const rejection = updateRejection(err);
      if (rejection?.type === ProjectRejection.InvalidOverride) {
        const problems = (rejection.details?.[0] as string[] | undefined) ?? [rejection.message];
        throw new ApiError(
          'VALIDATION_FAILED',
          rejection.message,
          problems.map((p) => ({ path: `body.${p.split(':')[0]}`, message: p.split(': ').slice(1).join(': ') })),
        );
      }
      if (rejection?.type === ProjectRejection.WrongStage) throw new ApiError('CONFLICT', rejection.message);
      return explainEnded(err, req.params);
    }
  });

  router.post('/:id/withdraw', requireRole('coordinator'), async (req, res) => {
    const handle = handleFor(req.params);
    const { reason } = parse(withdrawBody, req.body ?? {}, 'body');
    try {
      // Accepted means the withdrawal is durable; closing steps and mailing reviewers may take longer.
      const update = await deadline(() =>
        handle.startUpdate(withdrawUpdate, { args: [{ reason, withdrawnBy: req.caller!.actor }], waitForStage: WorkflowUpdateStage.ACCEPTED }),
      );
      const done = await resultWithin(update, temporalTimeoutMs);
      if (done) {
        // Every workflow of the project has recorded its closing by now: the steps that were open are closed.
        const before = (res.locals.projectView as ProjectView).openSteps.map((s) => `${s.workflowId}/${s.stepId}`);
        const after = await readView(req.params);
        const closedSteps = after.steps.filter((s) => s.status === 'closed' && before.includes(`${s.workflowId}/${s.stepId}`)).length;
        res.json({ projectId: req.params.id, ...done, closedSteps });
      } else res.status(202).json({ projectId: req.params.id, stage: 'withdrawing', message: 'withdrawal accepted; open steps are being closed' });
    } catch (err) {
      const rejection = updateRejection(err);
      if (rejection?.type === ProjectRejection.WrongStage) throw new ApiError('CONFLICT', rejection.message);
      return explainEnded(err, req.params);
    }
  });

  router.post('/:id/info', requireRole('coordinator'), files.form, async (req, res) => {
    const { stepId, answer } = parse(infoBody, req.body, 'body');
    const view = res.locals.projectView as ProjectView;
    const step = view.steps.find((s) => s.stepId === stepId);
    if (!step) throw new ApiError('NOT_FOUND', `project ${view.projectId} has no step ${stepId}`);
    const result = await steps.answerInfo(step, answer, req.caller!.actor);
    const documents = await files.forStep(res, view.projectId, step, 'info-answer', req.caller!.actor);
    res.json({ projectId: view.projectId, ...result, ...(documents.length && { documents }) });
  });

  router.post('/:id/components/:componentId/resubmission', requireRole('coordinator'), async (req, res) => {
    const { componentId } = parse(componentParam, { componentId: req.params.componentId }, 'path');
    const handle = handleFor(req.params);
    try {
      const result = await deadline(() => handle.executeUpdate(resubmitUpdate, { args: [{ componentId, submittedBy: req.caller!.actor }] }));
      res.status(202).json({ projectId: req.params.id, status: 'in-review', message: 'submitted again; a new licence review starts', ...result });
    } catch (err) {
      const rejection = updateRejection(err);
      if (rejection?.type === ProjectRejection.NotReturned) throw new ApiError('CONFLICT', rejection.message);
      return explainEnded(err, req.params);
    }
  });

  router.post('/:id/appeals', requireRole('coordinator'), files.form, async (req, res) => {
    const { componentId, legalBasis, comment } = parse(appealBody, req.body, 'body');
    const view = res.locals.projectView as ProjectView;
    const component = view.components.find((c) => c.id === componentId);
    if (!component)
      throw new ApiError('VALIDATION_FAILED', `project ${view.projectId} has no component ${componentId}`, [
        { path: 'body.componentId', message: 'is not a component of this project' },
      ]);
    const appeals = view.steps.filter((s) => s.kind === 'appeal' && s.componentId === componentId && s.reviewer === view.coordinator.email);
    const open = appeals.find((s) => s.status === 'open');
    if (!open) {
      const last = appeals.at(-1);
      throw new ApiError(
        'CONFLICT',
        last
          ? `the appeal window for ${componentId} closed at ${last.dueAt} (${last.closedReason ?? last.outcome})`
          : `component ${componentId} is ${component.licence.status}: there is no denial to appeal`,
      );
    }
    const body = { decision: 'appeal' as const, legalBasis, comment, conditions: undefined };
    const result = await steps.decide(open, body, { reviewer: open.reviewer, channel: 'api', actor: req.caller!.actor });
    const documents = await files.forStep(res, view.projectId, open, 'appeal', req.caller!.actor);
    res.status(202).json({
      projectId: view.projectId,
      componentId,
      stepId: open.stepId,
      outcome: result.outcome,
      message: "appeal recorded; the issuing agency's appeal body decides it",
      ...(documents.length && { documents }),
    });
  });

  return router;
}
