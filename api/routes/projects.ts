/** `/v1/projects`: submit, read, confirm scoping, withdraw, audit trail. */
import { randomUUID } from 'node:crypto';
import { Router } from 'express';
import { WorkflowIdReusePolicy, WorkflowNotFoundError, WorkflowUpdateStage, type Client } from '@temporalio/client';
import type { z } from 'zod';
import type { Policy } from '../../domain/policy';
import { projectSubmissionSchema, type Project } from '../../domain/project';
import {
  auditQuery,
  confirmScopingUpdate,
  ProjectRejection,
  projectViewQuery,
  projectWorkflowId,
  searchAttributes,
  withdrawUpdate,
  type AuditEntry,
} from '../../workflows/definitions';
import type { projectWorkflow } from '../../workflows/project';
import { assertMayRead, requireRole } from '../auth';
import { ApiError, updateRejection, validationError } from '../errors';
import { auditQueryParams, projectIdParam, scopingBody, withdrawBody } from '../schemas';

export interface ProjectRoutesDeps {
  client: Client;
  taskQueue: string;
  policy: Policy;
  /** How long a request waits on Temporal before answering 503. */
  temporalTimeoutMs: number;
}

function parse<S extends z.ZodType>(schema: S, value: unknown, where: string): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw validationError(result.error, where);
  return result.data;
}

const CSV_COLUMNS: (keyof AuditEntry)[] = ['at', 'actor', 'action', 'channel', 'componentId', 'stepId', 'detail'];
const csvCell = (v: unknown) => {
  const s = String(v ?? '');
  // Quote always; neutralise spreadsheet formulas.
  return `"${(/^[=+\-@]/.test(s) ? `'${s}` : s).replace(/"/g, '""')}"`;
};

export function projectRoutes({ client, taskQueue, policy, temporalTimeoutMs }: ProjectRoutesDeps): Router {
  const router = Router();
  const submission = projectSubmissionSchema(policy);
  const deadline = <T>(fn: () => Promise<T>) => client.withDeadline(Date.now() + temporalTimeoutMs, fn);
  const handleFor = (params: unknown) => client.workflow.getHandle<typeof projectWorkflow>(projectWorkflowId(parse(projectIdParam, params, 'path').id));
  const readView = (params: unknown) => deadline(() => handleFor(params).query(projectViewQuery));

  /** An Update sent to a project whose workflow has ended: say why it cannot change, or that it does not exist. */
  async function explainEnded(err: unknown, params: unknown): Promise<never> {
    if (!(err instanceof WorkflowNotFoundError)) throw err;
    const view = await readView(params); // throws WorkflowNotFoundError (404) if there never was such a project
    throw new ApiError('CONFLICT', `project ${view.projectId} is ${view.stage} and can no longer change`);
  }

  router.post('/', requireRole('coordinator', 'admin'), async (req, res) => {
    const body = parse(submission, req.body, 'body');
    const project: Project = { ...body, projectId: body.projectId ?? `p-${randomUUID().slice(0, 8)}` };
    const workflowId = projectWorkflowId(project.projectId);
    await deadline(() =>
      client.workflow.start<typeof projectWorkflow>('projectWorkflow', {
        workflowId,
        taskQueue,
        args: [{ project, policy, submittedBy: req.caller!.actor }],
        workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
        typedSearchAttributes: [
          { key: searchAttributes.projectId, value: project.projectId },
          { key: searchAttributes.funderId, value: project.funderId },
          { key: searchAttributes.stage, value: 'scoping' },
        ],
      }),
    );
    res.status(201).location(`/v1/projects/${project.projectId}`).json({ projectId: project.projectId, workflowId, stage: 'scoping' });
  });

  router.get('/:id', async (req, res) => {
    const view = await readView(req.params);
    assertMayRead(req.caller!, view.funderId);
    res.json(view);
  });

  router.get('/:id/audit', async (req, res) => {
    const { format } = parse(auditQueryParams, req.query, 'query');
    const view = await readView(req.params);
    assertMayRead(req.caller!, view.funderId);
    const entries = await deadline(() => handleFor(req.params).query(auditQuery));
    if (format === 'csv') {
      const rows = [CSV_COLUMNS.join(','), ...entries.map((e) => CSV_COLUMNS.map((c) => csvCell(e[c])).join(','))];
      res.type('text/csv').attachment(`audit-${view.projectId}.csv`).send(rows.join('\r\n') + '\r\n');
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
        throw new ApiError('VALIDATION_FAILED', rejection.message, problems.map((p) => ({ path: `body.${p.split(':')[0]}`, message: p.split(': ').slice(1).join(': ') })));
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
      const update = await deadline(() => handle.startUpdate(withdrawUpdate, { args: [{ reason, withdrawnBy: req.caller!.actor }], waitForStage: WorkflowUpdateStage.ACCEPTED }));
      const done = await Promise.race([update.result(), new Promise<undefined>((r) => setTimeout(() => r(undefined), temporalTimeoutMs).unref())]);
      if (done) res.json({ projectId: req.params.id, ...done });
      else res.status(202).json({ projectId: req.params.id, stage: 'withdrawing', message: 'withdrawal accepted; open steps are being closed' });
    } catch (err) {
      const rejection = updateRejection(err);
      if (rejection?.type === ProjectRejection.WrongStage) throw new ApiError('CONFLICT', rejection.message);
      return explainEnded(err, req.params);
    }
  });

  return router;
}
