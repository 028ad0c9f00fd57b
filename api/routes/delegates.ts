/**
 * `/v1/projects/:id/delegates`: the owner (or an admin) lets another coordinator act on the project, or ends that
 * right. Mounted after projectRoutes, whose `/:id` middleware has checked who may see the project.
 */
import { Router } from 'express';
import type { Client } from '@temporalio/client';
import type { Records } from '../../records/database';
import { addDelegateUpdate, ProjectRejection, projectWorkflowId, removeDelegateUpdate } from '../../workflows/definitions';
import type { projectWorkflow } from '../../workflows/project';
import { requireRole } from '../auth';
import { ApiError, parse, updateRejection } from '../errors';
import { write, type Operation } from '../operation';
import { delegateBody, delegateParam, projectIdParam } from '../schemas';
import { bounded } from '../temporal-calls';
import { endedProjectExplainer } from './projects';

export interface DelegateRoutesDeps {
  client: Client;
  records: Records;
  /** How long a request waits on Temporal before answering 503. */
  temporalTimeoutMs: number;
}

const ownerOnly = { admin: 'any project', coordinator: "the project's owner; a delegate gets 403" };

export const delegateOperations: Operation[] = [
  {
    operationId: 'addProjectDelegate',
    method: 'post',
    path: '/v1/projects/{id}/delegates',
    summary: 'The owner (or an admin) lets another coordinator act on the project; a project that is not yours is 404, as a missing one',
    roles: ownerOnly,
    body: delegateBody,
    example: { userId: 'j.martin' },
    success: { status: 200, description: '{ projectId, owner, delegates }' },
    errors: write,
  },
  {
    operationId: 'removeProjectDelegate',
    method: 'post',
    path: '/v1/projects/{id}/delegates/{userId}/removal',
    summary: 'The owner (or an admin) ends a delegate’s right to act on the project; a coordinator who is not a delegate is 404',
    roles: ownerOnly,
    success: { status: 200, description: '{ projectId, owner, delegates }' },
    errors: write,
  },
];

export function delegateRoutes({ client, records, temporalTimeoutMs }: DelegateRoutesDeps): Router {
  const router = Router();
  const deadline = bounded(client, temporalTimeoutMs);
  const handleFor = (params: unknown) => client.workflow.getHandle<typeof projectWorkflow>(projectWorkflowId(parse(projectIdParam, params, 'path').id));
  const explainEnded = endedProjectExplainer(records);

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

  /** The delegate's keys then get 404 on the project. */
  router.post('/:id/delegates/:userId/removal', requireRole('coordinator', 'admin'), async (req, res) => {
    const { userId } = parse(delegateParam, { userId: req.params.userId }, 'path');
    try {
      const removal = { userId, removedBy: req.caller!.actor };
      const result = await deadline(() => handleFor(req.params).executeUpdate(removeDelegateUpdate, { args: [removal] }));
      res.json({ projectId: req.params.id, ...result });
    } catch (err) {
      const rejection = updateRejection(err);
      if (rejection?.type === ProjectRejection.NotOwner) throw new ApiError('FORBIDDEN', rejection.message);
      if (rejection?.type === ProjectRejection.NotADelegate) throw new ApiError('NOT_FOUND', rejection.message);
      return explainEnded(err, req.params);
    }
  });

  return router;
}
