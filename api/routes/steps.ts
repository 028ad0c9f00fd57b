/**
 * `/v1/steps`: agency staff's seat (DESIGN §8 "Who is who"). An `agency:<agencyId>` principal lists the open steps
 * its agency owes (from the records), decides one with the body a reviewer's link takes, or passes one to another
 * reviewer of the agency's pool (who is mailed a fresh link; the link of the one before stops deciding it), through
 * the same decide service as a link. A step of another agency is answered as a missing one. Only a person decides
 * (domain/four-eyes.ts): an agency's shared key lists and assigns.
 */
import { Router, type Request } from 'express';
import { z } from 'zod';
import { slug } from '../../domain/primitives';
import { STEP_KINDS, type StepKind } from '../../domain/step-kinds';
import type { Records } from '../../records/database';
import { readAgencyFigures, RECENT_DAYS } from '../../records/agency-figures';
import { listAgencySteps } from '../../records/steps';
import type { ReviewStep } from '../../workflows/definitions';
import { requireRole } from '../auth';
import type { StepActions } from '../decisions';
import { ApiError, parse } from '../errors';
import { decisionBody } from '../schemas';
import { list, write, type Operation } from '../operation';
import { parseStepRef, stepRef } from '../step-refs';
import { tagWorkflow } from '../request-log';

export const stepsQuery = z.strictObject({
  projectId: slug.optional(),
  kind: z.enum(Object.keys(STEP_KINDS) as [StepKind, ...StepKind[]]).optional(),
});

export const assignBody = z.strictObject({ reviewer: z.email({ message: 'must be the e-mail address of a reviewer of your agency' }) });

/** The operations of the routes below, as the OpenAPI document (api/openapi.ts) describes them. */
export const stepOperations: Operation[] = [
  {
    operationId: 'listAgencySteps',
    method: 'get',
    path: '/v1/steps',
    summary:
      "The open steps the caller's agency owes, oldest due first, each with its `ref` (steps waiting for the coordinator's information come back when answered)",
    roles: { agency: 'its own agency' },
    query: stepsQuery,
    success: {
      status: 200,
      description: '{ agencyId, asOf, count, steps: [{ ref, projectId, projectTitle, stepId, kind, reviewer, dueAt, overdue, … }], truncated }',
    },
    errors: list,
  },
  {
    operationId: 'getAgencyFigures',
    method: 'get',
    path: '/v1/steps/figures',
    summary:
      "The caller's agency's figures, per step kind and in total: steps open now and overdue; decided in time, late, and the median " +
      `days to decide, over all time and over the last ${RECENT_DAYS} days`,
    roles: { agency: 'its own agency' },
    success: {
      status: 200,
      description:
        '{ agencyId, asOf, recent: { days, since }, kinds: [{ kind, open, overdue, allTime: { decided, inTime, late, medianDays }, recent: {…} }], total }',
    },
    errors: list,
  },
  {
    operationId: 'decideAgencyStep',
    method: 'post',
    path: '/v1/steps/{ref}/decision',
    summary:
      "Decide one of the agency's steps, with the body a reviewer's link takes; the " +
      'audit names the person who decided. Four eyes: the key must name a person ' +
      "(`agency:<agencyId>:<userId>`) of the step's pool (`seniorReviewers` for a senior sign-off or an escalation, else `reviewers`) who decided no earlier " +
      'step of the component when the step is its senior sign-off or escalation; else 403, before the body is read',
    roles: { agency: "a person of its own agency's pool for the step; an agency key naming no person gets 403; another agency's step is a missing one (404)" },
    body: decisionBody,
    example: { decision: 'approve', comment: 'end use confirmed with the consignee' },
    success: { status: 200, description: '{ recorded, stepId, decision, outcome, decidedAt, decidedBy }' },
    errors: write,
  },
  {
    operationId: 'assignAgencyStep',
    method: 'post',
    path: '/v1/steps/{ref}/assign',
    summary:
      "Pass a step to another reviewer of the agency's pool (or take it, with one's own address): they are mailed a fresh link, and the previous reviewer's link stops deciding it",
    roles: { agency: "its own agency's steps; another agency's step is a missing one (404)" },
    body: assignBody,
    example: { reviewer: 'ausfuhr-2@bafa.example' },
    success: { status: 200, description: '{ stepId, reviewer, previous }' },
    errors: write,
  },
];

export function stepRoutes({ steps, records, onDecision }: { steps: StepActions; records: Records; onDecision?: (outcome: string) => void }): Router {
  const router = Router();
  router.use(requireRole('agency'));

  router.get('/', async (req, res) => {
    const filters = parse(stepsQuery, req.query, 'query');
    const agencyId = req.caller!.agencyId!;
    const asOf = new Date();
    const { steps: queue, truncated } = await listAgencySteps(records, agencyId, filters, stepRef, asOf);
    res.json({ agencyId, asOf: asOf.toISOString(), count: queue.length, steps: queue, truncated });
  });

  router.get('/figures', async (req, res) => {
    const agencyId = req.caller!.agencyId!;
    res.json({ agencyId, ...(await readAgencyFigures(records, agencyId)) });
  });

  /** The step behind a ref when it is the caller's agency's; anything else is answered as a step that does not exist. */
  async function ownStep(req: Request): Promise<ReviewStep> {
    const { workflowId, stepId } = parseStepRef(String(req.params.ref));
    tagWorkflow(req, req.res!, workflowId);
    const { step } = await steps.read(workflowId, stepId).catch((err: unknown) => {
      if (err instanceof ApiError && err.code === 'NOT_FOUND') throw new ApiError('NOT_FOUND', 'not found');
      throw err;
    });
    if (step.party !== req.caller!.agencyId) throw new ApiError('NOT_FOUND', 'not found');
    return step;
  }

  router.post('/:ref/decision', async (req, res) => {
    const step = await ownStep(req);
    // The seat decides for the step's holder, as the person whose key it is, when the four-eyes rule lets them.
    const seat = await steps.seat(step, req.caller!);
    const decision = parse(decisionBody, req.body ?? {}, 'body');
    const result = await steps.decide(step, decision, seat);
    onDecision?.(result.outcome);
    res.json({ ...result, decidedBy: req.caller!.actor });
  });

  router.post('/:ref/assign', async (req, res) => {
    const step = await ownStep(req);
    const { reviewer } = parse(assignBody, req.body ?? {}, 'body');
    res.json(await steps.assign(step, reviewer, req.caller!.actor));
  });

  return router;
}
