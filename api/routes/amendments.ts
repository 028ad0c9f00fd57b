/**
 * `POST /v1/projects/:id/amendments`: a change to a project under review or active (partners added, changed or
 * removed; components changed or added). The project workflow takes it as an Update, checks it against the project
 * as the amendments before it leave it, and applies amendments one at a time, in order: the answer names the
 * amendment it follows. Mounted after projectRoutes, whose `/:id` middleware has checked who may see the project.
 */
import { Router } from 'express';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { amendmentSchema, type AmendmentProblem } from '../../domain/amendments';
import { AmendmentRejection, amendUpdate } from '../../workflows/amendment-contract';
import { projectWorkflowId, type ProjectView } from '../../workflows/definitions';
import type { projectWorkflow } from '../../workflows/project';
import { requireRole } from '../auth';
import { ApiError, parse, updateRejection } from '../errors';
import { projectExample, write, type Operation } from '../operation';
import { bounded } from '../temporal-calls';

export interface AmendmentRoutesDeps {
  client: Client;
  /** How long a request waits on Temporal before answering 503. */
  temporalTimeoutMs: number;
}

export const amendmentOperations: Operation[] = [
  {
    operationId: 'amendProject',
    method: 'post',
    path: '/v1/projects/{id}/amendments',
    summary:
      'Amend a project under review or active: partners added, changed or removed (never the coordinator’s), components changed or added, ' +
      'in the submission’s shape. Changed components are classified and reviewed again (approvals and a licence given for the old facts ' +
      'no longer count); every other licence stands. Amendments are applied one at a time, in order: the answer names the one it follows',
    roles: { coordinator: 'a project they own or are a delegate of', admin: 'any project' },
    body: amendmentSchema,
    example: { components: [{ ...projectExample.components[0], destinations: ['US', 'CA'] }] },
    success: { status: 202, description: '{ projectId, amendmentId, follows?, after: [amendmentId], changes: [text], reviewedAgain: [componentId] }' },
    errors: write,
  },
];

export function amendmentRoutes({ client, temporalTimeoutMs }: AmendmentRoutesDeps): Router {
  const router = Router();
  const deadline = bounded(client, temporalTimeoutMs);

  router.post('/:id/amendments', requireRole('coordinator', 'admin'), async (req, res) => {
    const amendment = parse(amendmentSchema, req.body, 'body');
    const view = res.locals.projectView as ProjectView;
    const handle = client.workflow.getHandle<typeof projectWorkflow>(projectWorkflowId(view.projectId));
    try {
      const result = await deadline(() => handle.executeUpdate(amendUpdate, { args: [{ amendment, amendedBy: req.caller!.actor }] }));
      res.status(202).json({ projectId: view.projectId, ...result });
    } catch (err) {
      const rejection = updateRejection(err);
      if (rejection?.type === AmendmentRejection.Invalid) {
        const problems = (rejection.details?.[0] as AmendmentProblem[] | undefined) ?? [];
        throw new ApiError(
          'VALIDATION_FAILED',
          rejection.message,
          problems.map((p) => ({ path: `body.${p.path}`.replace(/^body\.body$/, 'body'), message: p.message })),
        );
      }
      if (rejection?.type === AmendmentRejection.WrongStage) throw new ApiError('CONFLICT', rejection.message);
      if (err instanceof WorkflowNotFoundError) throw new ApiError('CONFLICT', `project ${view.projectId} is ${view.stage} and can no longer change`);
      throw err;
    }
  });
  return router;
}
