/** `/v1/cycles`: a funder launches a review cycle (202 at once; the cycle workflow fans out) and reads its outcomes. */
import { Router, type Request } from 'express';
import { WorkflowIdReusePolicy, WorkflowNotFoundError, type Client } from '@temporalio/client';
import { z } from 'zod';
import type { Policy } from '../../domain/policy';
import { recordKeepingMs } from '../../domain/record-keeping';
import { isoDateTime, slug, text } from '../../domain/primitives';
import { CYCLE_OUTCOMES, cycleWorkflowId, type CycleView } from '../../workflows/cycle-contract';
import type { Records } from '../../records/database';
import { listCycleItems, readCycleRecord, recordedCycleFunder, writeCycleRecord } from '../../records/cycle-records';
import { claimTargetSet, givenTargetSetId, writeTargetSet } from '../../records/cycle-targets';
import type { cycleWorkflow } from '../../workflows/cycle';
import { searchAttributes } from '../../workflows/definitions';
import { requireRole } from '../auth';
import { ApiError, validationError } from '../errors';
import { bounded } from '../temporal-calls';
import { tagWorkflow, tagWorkflowOfParam } from '../request-log';
import { idempotencyClaim, idempotencyMemo, isRepeat, startOnce, type IdempotencyClaim } from '../idempotency';
import { newId } from '../ids';
import { list, read, type Operation } from '../operation';

export const cycleBody = z
  .strictObject({
    cycleId: slug.optional(),
    name: text(200),
    closesAt: isoDateTime,
    projectIds: z.array(slug).min(1).max(10_000).optional(),
    /** Every active project of the funder. */
    allActive: z.literal(true).optional(),
  })
  .superRefine((b, ctx) => {
    if (!b.projectIds === !b.allActive) ctx.addIssue({ code: 'custom', path: ['projectIds'], message: 'give either projectIds or "allActive": true' });
    if (Date.parse(b.closesAt) <= Date.now()) ctx.addIssue({ code: 'custom', path: ['closesAt'], message: 'must be in the future' });
    if (b.projectIds && new Set(b.projectIds).size !== b.projectIds.length)
      ctx.addIssue({ code: 'custom', path: ['projectIds'], message: 'lists a project twice' });
  });

/** `GET /v1/cycles/:id/items`: one outcome (or `skipped`), a page of `limit` after `cursor` (a previous page's nextCursor). */
export const cycleItemsQuery = z.strictObject({
  outcome: z.enum([...CYCLE_OUTCOMES, 'skipped']).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  cursor: slug.optional(),
});

/** How many items and skipped projects GET /v1/cycles/:id shows; the rest are a page away at /items. */
const FIRST_PAGE = 100;

/** The operations of the routes below, as the OpenAPI document (api/openapi.ts) describes them. */
export const cycleOperations: Operation[] = [
  {
    operationId: 'launchCycle',
    method: 'post',
    path: '/v1/cycles',
    summary: "Launch a funder review cycle over the funder's projects",
    roles: { funder: "its own projects; another funder's project is skipped as a missing one" },
    idempotent: true,
    body: cycleBody,
    example: { cycleId: 'spring-2031', name: 'Spring review', closesAt: '2031-01-01T00:00:00Z', projectIds: ['fusion-diag-2027'] },
    success: { status: 202, description: '{ cycleId, status: "launching" }; a cycleId already taken is 409 before anything is written' },
    errors: [...list, 'CONFLICT', 'IDEMPOTENCY_KEY_REUSED'],
  },
  {
    operationId: 'getCycle',
    method: 'get',
    path: '/v1/cycles/{id}',
    summary: 'Per project: milestone outcome and who is awaited, with counts (the first 100 projects; itemsNext pages through the rest)',
    roles: { admin: 'any cycle', funder: 'its own cycles' },
    success: { status: 200, description: 'the cycle view' },
    errors: read,
  },
  {
    operationId: 'listCycleItems',
    method: 'get',
    path: '/v1/cycles/{id}/items',
    summary: "A cycle's projects with one outcome (or skipped), in project id order, a page at a time (limit, cursor)",
    roles: { admin: 'any cycle', funder: 'its own cycles' },
    query: cycleItemsQuery,
    success: { status: 200, description: '{ cycleId, outcome, items, nextCursor }' },
    errors: read,
  },
];

export function cycleRoutes({
  client,
  records,
  policy,
  taskQueue,
  temporalTimeoutMs,
  shardSize,
}: {
  client: Client;
  records: Records;
  /** Sets how long a cycle's records are kept once it closes, and whom to tell when one is incomplete. */
  policy: Policy;
  taskQueue: string;
  temporalTimeoutMs: number;
  /** Projects per shard (CYCLE_SHARD_SIZE). */
  shardSize: number;
}): Router {
  const router = Router();
  const deadline = bounded(client, temporalTimeoutMs);

  /**
   * Whether `cycleId` is taken: by a cycle in the records (kept for years after it closes) or a workflow Temporal
   * still holds. A 409 unless this request repeats, with its Idempotency-Key and body, the one that took it: then true.
   */
  async function cycleIdTaken(cycleId: string, workflowId: string, claim: IdempotencyClaim | undefined): Promise<boolean> {
    const recorded = (await recordedCycleFunder(records, cycleId)) !== undefined;
    const running = await deadline(() =>
      client.workflow
        .getHandle(workflowId)
        .describe()
        .then(
          () => true,
          (err: unknown) => (err instanceof WorkflowNotFoundError ? false : Promise.reject(err)),
        ),
    );
    if (!recorded && !running) return false;
    if (claim && running && (await deadline(() => isRepeat(client, workflowId, claim)))) return true;
    throw new ApiError('CONFLICT', `the cycle id "${cycleId}" is taken: choose another cycleId, or leave it out and one is made`, [
      { path: 'body.cycleId', message: 'is taken' },
    ]);
  }

  router.post('/', requireRole('funder'), async (req, res) => {
    const parsed = cycleBody.safeParse(req.body);
    if (!parsed.success) throw validationError(parsed.error, 'body');
    const { name, closesAt, projectIds } = parsed.data;
    const funderId = req.caller!.funderId!;
    const claim = idempotencyClaim(req);
    const cycleId = parsed.data.cycleId ?? newId('cy', claim);
    const workflowId = cycleWorkflowId(cycleId);
    tagWorkflow(req, res, workflowId);
    // A cycle id already taken is refused before anything is written (a retry of the request that took it goes on,
    // and gets the first answer again).
    const repeat = await cycleIdTaken(cycleId, workflowId, claim);
    // A funder's list goes to the records, not into the workflow: the cycle's shards read their slices of it. The set
    // is named by the cycle, the funder and the list, so a retried request writes nothing twice and no other funder's
    // request ever names it.
    const targetSet = projectIds && givenTargetSetId(cycleId, funderId, projectIds);
    if (targetSet && !repeat) await writeTargetSet(records, targetSet, funderId, projectIds);
    const launchedBy = req.caller!.actor;
    const funder = policy.funders.find((f) => f.id === funderId)!;
    // Another funder's project is skipped exactly as a missing one is ("no running project with this id"): the answer
    // never tells a funder that someone else's project exists.
    await deadline(() =>
      startOnce(client, workflowId, claim, () =>
        client.workflow.start<typeof cycleWorkflow>('cycleWorkflow', {
          workflowId,
          taskQueue,
          args: [
            {
              ...{ cycleId, name, funderId, closesAt, targetSet, keepForMs: recordKeepingMs(policy), launchedBy, shardSize },
              funderContact: { name: funder.name, email: funder.reviewers[0] },
            },
          ],
          workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
          memo: idempotencyMemo(claim),
          typedSearchAttributes: [
            { key: searchAttributes.funderId, value: funderId },
            { key: searchAttributes.cycleId, value: cycleId },
            { key: searchAttributes.stage, value: 'cycle-launching' },
          ],
        }),
      ),
    );
    // The cycle was started with the set: it lives as long as the cycle (the cycle's first activity claims it too).
    if (targetSet) await claimTargetSet(records, targetSet);
    // The cycle's record exists from the 202 on, so reads need no workflow: written only when absent (the workflow's own
    // writes may be first; theirs have higher versions and win either way).
    await writeCycleRecord(records, {
      cycleId,
      version: 0,
      summary: { cycleId, name, funderId, closesAt, status: 'launching', total: 0, launchedBy },
      skipped: [],
    });
    res
      .status(202)
      .location(`/v1/cycles/${cycleId}`)
      .json({ cycleId, status: 'launching', projects: projectIds?.length ?? 'all active' });
  });

  router.param('id', tagWorkflowOfParam(cycleWorkflowId));
  const cycleIdOf = (req: Request): string => {
    const id = slug.safeParse(req.params.id);
    if (!id.success) throw validationError(id.error, 'path.id');
    return id.data;
  };
  /** Another funder's cycle is answered as a missing one is. */
  const assertMaySee = (req: Request, funderId: string) => {
    if (req.caller!.role === 'funder' && req.caller!.funderId !== funderId) throw new ApiError('NOT_FOUND', 'not found');
  };

  router.get('/:id', requireRole('funder', 'admin'), async (req, res) => {
    const cycleId = cycleIdOf(req);
    const record = await readCycleRecord(records, cycleId, FIRST_PAGE);
    if (!record) throw new ApiError('NOT_FOUND', 'not found');
    const { more, ...view }: CycleView & { more?: boolean } = record;
    assertMaySee(req, view.funderId);
    res.json(more ? { ...view, itemsNext: `/v1/cycles/${cycleId}/items?limit=${FIRST_PAGE}` } : view);
  });

  router.get('/:id/items', requireRole('funder', 'admin'), async (req, res) => {
    const cycleId = cycleIdOf(req);
    const query = cycleItemsQuery.safeParse(req.query);
    if (!query.success) throw validationError(query.error, 'query');
    const funderId = await recordedCycleFunder(records, cycleId);
    if (!funderId) throw new ApiError('NOT_FOUND', 'not found');
    assertMaySee(req, funderId);
    const { outcome, limit, cursor } = query.data;
    const page = await listCycleItems(records, cycleId, { outcome, limit, after: cursor });
    res.json({ cycleId, outcome: outcome ?? null, items: page.items, nextCursor: page.next ?? null });
  });

  return router;
}
