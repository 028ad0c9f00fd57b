/** `/v1/projects`: submit, read, confirm scoping, withdraw, audit trail. */
import { Router } from 'express';
import { WorkflowIdReusePolicy, WorkflowNotFoundError, WorkflowUpdateStage, type Client } from '@temporalio/client';
import type { Policy } from '../../domain/policy';
import { projectSubmissionSchema, type Project } from '../../domain/project';
import {
  answerInfoUpdate,
  auditQuery,
  DecisionRejection,
  decideUpdate,
  confirmScopingUpdate,
  ProjectRejection,
  projectViewQuery,
  projectWorkflowId,
  searchAttributes,
  withdrawUpdate,
  resubmitUpdate,
  type AuditEntry,
  caseDueAt,
  type CaseClock,
  type ProjectView,
  addDelegateUpdate,
} from '../../workflows/definitions';
import type { projectWorkflow } from '../../workflows/project';
import type { KeyRing } from '../../config/principals';
import { assertMayAccess, requireRole } from '../auth';
import { ApiError, parse, updateRejection } from '../errors';
import { appealBody, auditQueryParams, componentParam, delegateBody, infoBody, projectIdParam, projectListQuery, scopingBody, withdrawBody } from '../schemas';
import { bounded, resultWithin } from '../temporal-calls';
import { tagWorkflow, tagWorkflowOfParam } from '../request-log';
import { idempotencyClaim, idempotencyMemo, isRepeat, startOnce } from '../idempotency';
import type { Records } from '../../records/database';
import { readAuditTrail, readProjectRecord, recordedProject } from '../../records/project-reads';
import { listProjects, type Position } from '../../records/project-list';
import { newId } from '../ids';

export interface ProjectRoutesDeps {
  client: Client;
  records: Records;
  taskQueue: string;
  policy: Policy;
  /** How long a request waits on Temporal before answering 503. */
  temporalTimeoutMs: number;
  /** Names the people in the audit trail (PRINCIPALS_FILE gives each principal a name). */
  principals?: Pick<KeyRing, 'principal'>;
}

type NamedAuditEntry = AuditEntry & { actorName?: string };
const CSV_COLUMNS: (keyof NamedAuditEntry)[] = ['at', 'actor', 'actorName', 'action', 'channel', 'componentId', 'stepId', 'detail'];
const csvCell = (v: unknown) => {
  const s = String(v ?? '');
  // Quote always; neutralise spreadsheet formulas (OWASP CSV injection: = + - @ tab CR).
  return `"${(/^[=+\-@\t\r]/.test(s) ? `'${s}` : s).replace(/"/g, '""')}"`;
};

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

export function projectRoutes({ client, records, taskQueue, policy, temporalTimeoutMs, principals }: ProjectRoutesDeps): Router {
  const router = Router();
  const submission = projectSubmissionSchema(policy);
  const deadline = bounded(client, temporalTimeoutMs);
  const handleFor = (params: unknown) => client.workflow.getHandle<typeof projectWorkflow>(projectWorkflowId(parse(projectIdParam, params, 'path').id));
  /** The project as recorded; one submitted a moment ago, before its first record write, is read from its workflow. */
  const readProject = async (params: unknown): Promise<{ view: ProjectView; recorded: boolean }> => {
    const record = await readProjectRecord(records, parse(projectIdParam, params, 'path').id);
    return record ? { view: record.view, recorded: true } : { view: await deadline(() => handleFor(params).query(projectViewQuery)), recorded: false };
  };
  const readView = async (params: unknown): Promise<ProjectView> => (await readProject(params)).view;

  /** An Update sent to a project whose workflow has ended: say why it cannot change, or that it does not exist. */
  async function explainEnded(err: unknown, params: unknown): Promise<never> {
    if (!(err instanceof WorkflowNotFoundError)) throw err;
    const view = await readView(params); // throws WorkflowNotFoundError (404) if there never was such a project
    throw new ApiError('CONFLICT', `project ${view.projectId} is ${view.stage} and can no longer change`);
  }

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
    const { view, recorded } = await readProject(req.params);
    assertMayAccess(req.caller!, view);
    res.locals.projectView = view;
    res.locals.projectRecorded = recorded;
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
    if (!recorded)
      await deadline(() =>
        startOnce(client, workflowId, claim, () =>
          client.workflow.start<typeof projectWorkflow>('projectWorkflow', {
            workflowId,
            taskQueue,
            args: [{ project, policy, submittedBy: req.caller!.actor }],
            workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
            memo: idempotencyMemo(claim),
            typedSearchAttributes: [
              { key: searchAttributes.projectId, value: project.projectId },
              { key: searchAttributes.funderId, value: project.funderId },
              { key: searchAttributes.stage, value: 'scoping' },
            ],
          }),
        ),
      );
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
    const trail = res.locals.projectRecorded ? await readAuditTrail(records, view.projectId) : await deadline(() => handleFor(req.params).query(auditQuery));
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

  /** The owner (or an admin) lets another coordinator act on the project. */
  router.post('/:id/delegates', requireRole('coordinator', 'admin'), async (req, res) => {
    const { userId } = parse(delegateBody, req.body, 'body');
    try {
      const result = await deadline(() => handleFor(req.params).executeUpdate(addDelegateUpdate, { args: [{ userId, addedBy: req.caller!.actor }] }));
      res.json({ projectId: req.params.id, ...result });
    } catch (err) {
      const rejection = updateRejection(err);
      if (rejection?.type === ProjectRejection.NotOwner) throw new ApiError('FORBIDDEN', rejection.message);
      return explainEnded(err, req.params);
    }
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
      if (done) res.json({ projectId: req.params.id, ...done });
      else res.status(202).json({ projectId: req.params.id, stage: 'withdrawing', message: 'withdrawal accepted; open steps are being closed' });
    } catch (err) {
      const rejection = updateRejection(err);
      if (rejection?.type === ProjectRejection.WrongStage) throw new ApiError('CONFLICT', rejection.message);
      return explainEnded(err, req.params);
    }
  });

  router.post('/:id/info', requireRole('coordinator'), async (req, res) => {
    const { stepId, answer } = parse(infoBody, req.body, 'body');
    const view = await readView(req.params);
    const step = view.steps.find((s) => s.stepId === stepId);
    if (!step) throw new ApiError('NOT_FOUND', `project ${view.projectId} has no step ${stepId}`);
    try {
      const result = await deadline(() =>
        client.workflow.getHandle(step.workflowId).executeUpdate(answerInfoUpdate, { args: [{ stepId, answer, answeredBy: req.caller!.actor }] }),
      );
      res.json({ projectId: view.projectId, ...result });
    } catch (err) {
      const rejection = updateRejection(err);
      if (rejection?.type === DecisionRejection.NoInfoRequested) throw new ApiError('CONFLICT', rejection.message);
      if (err instanceof WorkflowNotFoundError) throw new ApiError('CONFLICT', `step ${stepId} is closed`);
      throw err;
    }
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

  router.post('/:id/appeals', requireRole('coordinator'), async (req, res) => {
    const { componentId, legalBasis, comment } = parse(appealBody, req.body, 'body');
    const view = await readView(req.params);
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
    try {
      const decision = { stepId: open.stepId, reviewer: open.reviewer, decision: 'appeal' as const, legalBasis, comment, channel: 'api' as const };
      const result = await deadline(() => client.workflow.getHandle(open.workflowId).executeUpdate(decideUpdate, { args: [decision] }));
      res.status(202).json({
        projectId: view.projectId,
        componentId,
        stepId: open.stepId,
        outcome: result.outcome,
        message: "appeal recorded; the issuing agency's appeal body decides it",
      });
    } catch (err) {
      const rejection = updateRejection(err);
      if (rejection?.type === DecisionRejection.StepClosed || rejection?.type === DecisionRejection.AlreadyDecided)
        throw new ApiError('CONFLICT', rejection.message);
      if (err instanceof WorkflowNotFoundError) throw new ApiError('CONFLICT', `the appeal window for ${componentId} has closed`);
      throw err;
    }
  });

  return router;
}
