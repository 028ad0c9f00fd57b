/** `GET /v1/milestones/stalled`: open steps past their due time, oldest first, and licence cases out of time, from the records. */
import { Router } from 'express';
import { z } from 'zod';
import { slug } from '../../domain/primitives';
import type { Records } from '../../records/database';
import { listStalled } from '../../records/stalled';
import { ApiError, validationError } from '../errors';
import { list, type Operation } from '../operation';

export const filtersSchema = z.strictObject({ funderId: slug.optional(), cycleId: slug.optional(), agency: slug.optional() });

/** The operation of the route below, as the OpenAPI document (api/openapi.ts) describes it. */
export const stalledOperations: Operation[] = [
  {
    operationId: 'listStalledMilestones',
    method: 'get',
    path: '/v1/milestones/stalled',
    summary: 'Steps and milestones past due, oldest first, and licence cases past their legal limit (`outOfTime`), from the records',
    roles: {
      admin: 'every project',
      coordinator: 'the projects they own or are a delegate of',
      funder: 'its own projects; another funderId is 403',
    },
    query: filtersSchema,
    success: { status: 200, description: '{ asOf, items, outOfTime, count, truncated }' },
    errors: list,
  },
];

export function stalledRoutes({ records }: { records: Records }): Router {
  const router = Router();
  router.get('/', async (req, res) => {
    const parsed = filtersSchema.safeParse(req.query);
    if (!parsed.success) throw validationError(parsed.error, 'query');
    const filters = parsed.data;
    const caller = req.caller!;
    if (caller.role === 'funder') {
      if (filters.funderId && filters.funderId !== caller.funderId) throw new ApiError('FORBIDDEN', 'a funder sees only its own projects');
      filters.funderId = caller.funderId;
    }
    // A coordinator sees the projects they own or are a delegate of.
    const owner = caller.role === 'coordinator' ? caller.actor : undefined;
    const result = await listStalled(records, { ...filters, owner });
    res.json({ ...result, filters, count: result.items.length });
  });
  return router;
}
