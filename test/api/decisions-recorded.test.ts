/**
 * A `200` to a decision means the record shows it: the workflow that owns the step (here a licence review, and a
 * dispute) writes it before the Update answers, so `GET /v1/projects/:id` and its audit trail, read at once after
 * the answer, already hold the decision. Through the real stack: links signed as the e-mails carry them, the
 * in-process API, a real worker and record store.
 */
import request from 'supertest';
import { policySchema } from '../../domain/policy';
import type { ProjectView, ReviewStep } from '../../workflows/definitions';
import { bearer, KEYS, startApiStack, type ApiStack } from '../helpers/api-stack';
import { exportingFromUs, projectWith } from '../helpers/fixtures';
import { testPolicyFile } from '../helpers/policy';

let stack: ApiStack;
beforeAll(async () => {
  stack = await startApiStack({ policy: policySchema.parse(testPolicyFile()) });
}, 120_000);
afterAll(() => stack?.stop(), 60_000);

const api = () => request(stack.app);
const asCoordinator = bearer(KEYS.coordinator);
const DENY = { decision: 'deny', legalBasis: 'EAR §742.4(b)(1): national security' };

/** Decides through the step's link and reads the project and its trail the moment the answer is in. */
async function decideThenRead(step: ReviewStep, body: object = { decision: 'approve' }) {
  const token = stack.signer.sign({ workflowId: step.workflowId, stepId: step.stepId, reviewer: step.reviewer, expiresAt: Date.now() + 3_600_000 });
  const answer = await api().post(`/r/${token}`).set('Accept', 'application/json').send(body);
  expect({ status: answer.status, recorded: answer.body.recorded }).toEqual({ status: 200, recorded: true });
  const [view, audit] = await Promise.all([
    api()
      .get(`/v1/projects/${projectOf(step)}`)
      .set(asCoordinator),
    api()
      .get(`/v1/projects/${projectOf(step)}/audit`)
      .set(asCoordinator),
  ]);
  expect([view.status, audit.status]).toEqual([200, 200]);
  const recorded = (view.body as ProjectView).steps.find((s) => s.workflowId === step.workflowId && s.stepId === step.stepId);
  const entry = (audit.body.entries as { action: string; stepId?: string; detail: string }[]).find(
    (e) => e.action === 'decision-recorded' && e.stepId === step.stepId,
  );
  return { recorded, entry };
}

const projectOf = (step: ReviewStep) => step.workflowId.replace(/^(project|licence|dispute)-/, '').replace(/--.*$/, '');

async function openStep(projectId: string, stepId: string): Promise<ReviewStep> {
  const view = await stack.waitForView(projectId, (v) => v.openSteps.some((s) => s.stepId === stepId), `step ${stepId}`);
  return view.openSteps.find((s) => s.stepId === stepId)!;
}

test('a 200 to a licence decision and to a dispute ruling is already in the project view and its audit trail', async () => {
  // The T2 camera exported from the US: Commerce issues it, DoD and State are consulted; DoD objects, so a dispute opens.
  const project = exportingFromUs(projectWith('c2'), 'c2');
  expect((await api().post('/v1/projects').set(asCoordinator).send(project)).status).toBe(201);
  await stack.waitForView(project.projectId, (v) => v.components.every((c) => c.tier !== null), 'classification');
  expect((await api().post(`/v1/projects/${project.projectId}/scoping`).set(asCoordinator).send({})).status).toBe(200);
  for (const id of ['grant-funder', 'grant-agency']) await decideThenRead(await openStep(project.projectId, id));

  // A licence review's step: its own workflow, not the project's, owns it and records it.
  const dod = await openStep(project.projectId, 'c2-us-dod');
  expect(dod.workflowId).toMatch(/^licence-/);
  const licence = await decideThenRead(dod, DENY);
  expect(licence.recorded).toMatchObject({ status: 'decided', outcome: 'denied', legalBasis: DENY.legalBasis, decidedVia: 'email-link' });
  expect(licence.entry?.detail).toContain(DENY.legalBasis);

  for (const id of ['c2-us-bis', 'c2-us-dos', 'c2-de-bafa']) await decideThenRead(await openStep(project.projectId, id));
  const chair = await openStep(project.projectId, 'c2-1-L1-ruling');
  expect(chair.workflowId).toMatch(/^dispute-/);
  const ruling = await decideThenRead(chair);
  expect(ruling.recorded).toMatchObject({ status: 'decided', outcome: 'approved', decidedBy: chair.reviewer });
  expect(ruling.entry).toBeDefined();
}, 120_000);
