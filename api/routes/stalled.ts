/** `GET /v1/milestones/stalled`: running steps past their due time, oldest first, and licence cases out of time, from Temporal visibility. */
import { Router } from 'express';
import type { Client } from '@temporalio/client';
import { z } from 'zod';
import { slug } from '../../domain/primitives';
import { ApiError, validationError } from '../errors';
import { listStalled } from '../visibility-queries';
import { bounded } from '../temporal-calls';

export const filtersSchema = z.strictObject({ funderId: slug.optional(), cycleId: slug.optional(), agency: slug.optional() });

export function stalledRoutes({ client, temporalTimeoutMs }: { client: Client; temporalTimeoutMs: number }): Router {
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
    const result = await bounded(client, temporalTimeoutMs)(() => listStalled(client, { ...filters, owner }));
    res.json({ ...result, filters, count: result.items.length });
  });
  return router;
}
