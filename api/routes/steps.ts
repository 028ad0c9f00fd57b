/**
 * `/v1/steps`: agency staff's seat (DESIGN §8 "Who is who"). An `agency:<agencyId>` principal lists the open steps
 * its agency owes, decides one with the body a reviewer's link takes, or passes one to another reviewer of the
 * agency's pool (who is mailed a fresh link; the link of the one before stops deciding it). A step of another
 * agency is answered as a missing one.
 */
import { Router, type Request } from 'express';
import { WorkflowUpdateStage, type Client } from '@temporalio/client';
import { z } from 'zod';
import { slug } from '../../domain/primitives';
import { STEP_KINDS, type StepKind } from '../../domain/step-kinds';
import {
  assignUpdate,
  DecisionRejection,
  decideUpdate,
  decisionOutcome,
  stepContextQuery,
  type AssignResult,
  type DecisionResult,
  type ReviewStep,
} from '../../workflows/definitions';
import { requireRole } from '../auth';
import { ApiError, isWorkflowGone, parse, updateRejection } from '../errors';
import { decisionBody } from '../schemas';
import { parseStepRef, stepRef } from '../step-refs';
import { bounded, resultWithin } from '../temporal-calls';
import { tagWorkflow } from '../request-log';
import { listAgencySteps } from '../visibility-queries';

export const stepsQuery = z.strictObject({
  projectId: slug.optional(),
  kind: z.enum(Object.keys(STEP_KINDS) as [StepKind, ...StepKind[]]).optional(),
});

export const assignBody = z.strictObject({ reviewer: z.email({ message: 'must be the e-mail address of a reviewer of your agency' }) });

/** What the workflow's validators refuse, as the API's error contract. */
function stepRejection(err: unknown, field: string): ApiError | undefined {
  const rejection = updateRejection(err);
  if (!rejection) return undefined;
  switch (rejection.type) {
    case DecisionRejection.UnknownStep:
      return new ApiError('NOT_FOUND', 'not found');
    case DecisionRejection.AlreadyDecided:
    case DecisionRejection.StepClosed:
    case DecisionRejection.InfoAlreadyRequested:
      return new ApiError('CONFLICT', `${rejection.message}. Nothing was changed.`);
    case DecisionRejection.NotYourStep:
      return new ApiError('CONFLICT', 'the step passed to another reviewer meanwhile; read it again and retry');
    case DecisionRejection.LegalBasisRequired:
      return new ApiError('VALIDATION_FAILED', rejection.message, [{ path: 'body.legalBasis', message: rejection.message }]);
    case DecisionRejection.ConditionsNotOffered:
      return new ApiError('VALIDATION_FAILED', rejection.message, [{ path: 'body.conditions', message: rejection.message }]);
    case DecisionRejection.DecisionNotOffered:
    case DecisionRejection.InfoRequestTooLate:
    case DecisionRejection.NotInPool:
      return new ApiError('VALIDATION_FAILED', rejection.message, [{ path: field, message: rejection.message }]);
    default:
      return undefined;
  }
}

export function stepRoutes({
  client,
  temporalTimeoutMs,
  onDecision,
}: {
  client: Client;
  temporalTimeoutMs: number;
  onDecision?: (outcome: string) => void;
}): Router {
  const router = Router();
  const deadline = bounded(client, temporalTimeoutMs);
  router.use(requireRole('agency'));

  router.get('/', async (req, res) => {
    const filters = parse(stepsQuery, req.query, 'query');
    const agencyId = req.caller!.agencyId!;
    const asOf = new Date();
    const { steps, truncated } = await deadline(() => listAgencySteps(client, agencyId, filters, stepRef, asOf));
    res.json({ agencyId, asOf: asOf.toISOString(), count: steps.length, steps, truncated });
  });

  /** The step behind a ref when it is the caller's agency's; anything else is answered as a step that does not exist. */
  async function ownStep(req: Request): Promise<ReviewStep> {
    const { workflowId, stepId } = parseStepRef(String(req.params.ref));
    tagWorkflow(req, req.res!, workflowId);
    const ctx = await deadline(() => client.workflow.getHandle(workflowId).query(stepContextQuery, stepId)).catch((err) => {
      if (isWorkflowGone(err)) return null;
      throw err;
    });
    if (!ctx || ctx.step.party !== req.caller!.agencyId) throw new ApiError('NOT_FOUND', 'not found');
    return ctx.step;
  }

  router.post('/:ref/decision', async (req, res) => {
    const step = await ownStep(req);
    const decision = parse(decisionBody, req.body ?? {}, 'body');
    let result: DecisionResult;
    try {
      // Accepted means recorded; the handler may still be mailing (a request for information), as with a link.
      const update = await deadline(() =>
        client.workflow.getHandle(step.workflowId).startUpdate(decideUpdate, {
          args: [
            { stepId: step.stepId, reviewer: step.reviewer, ...decision, channel: 'api', actor: req.caller!.actor, ...(step.runId && { run: step.runId }) },
          ],
          waitForStage: WorkflowUpdateStage.ACCEPTED,
        }),
      );
      result = (await resultWithin(update, temporalTimeoutMs)) ?? {
        recorded: true,
        stepId: step.stepId,
        decision: decision.decision,
        outcome: decisionOutcome[decision.decision],
        decidedAt: new Date().toISOString(),
      };
    } catch (err) {
      throw stepRejection(err, 'body.decision') ?? err;
    }
    onDecision?.(result.outcome);
    res.json({ ...result, decidedBy: req.caller!.actor });
  });

  router.post('/:ref/assign', async (req, res) => {
    const step = await ownStep(req);
    const { reviewer } = parse(assignBody, req.body ?? {}, 'body');
    let result: AssignResult;
    try {
      const update = await deadline(() =>
        client.workflow.getHandle(step.workflowId).startUpdate(assignUpdate, {
          args: [{ stepId: step.stepId, reviewer, assignedBy: req.caller!.actor }],
          waitForStage: WorkflowUpdateStage.ACCEPTED,
        }),
      );
      // Accepted means assigned; the new reviewer's mail may still be on its way.
      result = (await resultWithin(update, temporalTimeoutMs)) ?? { stepId: step.stepId, reviewer, previous: step.reviewer };
    } catch (err) {
      throw stepRejection(err, 'body.reviewer') ?? err;
    }
    res.json(result);
  });

  return router;
}
