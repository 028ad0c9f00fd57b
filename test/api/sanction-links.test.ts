/**
 * A proposed suspension decided through the reviewer links on the real stack (dev server, worker with the
 * production activities, MailDev, the app): the monitor records its steps under its own workflow id, and the
 * one decide service finds that workflow from the record, for the holder's answer and the issuer's decision.
 */
import request from 'supertest';
import { policySchema } from '../../domain/policy';
import { decideUpdate } from '../../workflows/definitions';
import { bearer, KEYS, startApiStack, type ApiStack, type Mail } from '../helpers/api-stack';
import { smallProject, uniqueId } from '../helpers/fixtures';
import { tokenOf } from '../helpers/grant-review';
import { monitorFor } from '../helpers/licensed-project';
import { testPolicyFile } from '../helpers/policy';

const COORDINATOR = 'a.weber@kit.example';
const BAFA = 'ausfuhr@bafa.example';

let stack: ApiStack;
beforeAll(async () => {
  const file = testPolicyFile();
  file.regimes.EU = { ...file.regimes.EU, licenceValidity: '300s', reportingPeriod: '300s' };
  file.compliance = { ...file.compliance, correctiveActionWithin: '1s', holderAnswerWithin: '60s', issuerDecisionWithin: '60s' };
  stack = await startApiStack({ policy: policySchema.parse(file) });
}, 120_000);
afterAll(() => stack?.stop(), 60_000);

const asCoordinator = bearer(KEYS.coordinator);
const JSON_ACCEPT = 'application/json';

test('the holder answers a proposed suspension through its link, and the issuer suspends through its own', async () => {
  const project = smallProject(uniqueId('sanction'));
  const id = project.projectId;
  expect((await request(stack.app).post('/v1/projects').set(asCoordinator).send(project)).status).toBe(201);
  await stack.waitForView(id, (v) => v.components.every((c) => c.tier !== null), 'classification');
  expect((await request(stack.app).post(`/v1/projects/${id}/scoping`).set(asCoordinator).send({})).status).toBe(200);
  for (const stepIds of [['grant-funder', 'grant-agency'], ['c1-de-bafa']]) {
    const view = await stack.waitForView(id, (v) => stepIds.every((s) => v.openSteps.some((x) => x.stepId === s)), `steps ${stepIds}`);
    for (const step of view.openSteps.filter((s) => stepIds.includes(s.stepId))) {
      await stack.client.workflow
        .getHandle(step.workflowId)
        .executeUpdate(decideUpdate, { args: [{ stepId: step.stepId, reviewer: step.reviewer, decision: 'approve' }] });
    }
  }
  const granted = await stack.waitForView(id, (v) => v.components[0].licence.status === 'approved', 'licence granted');
  const monitor = await monitorFor(stack.client, project, granted.components[0].licence, stack.policy);
  await stack.waitForAudit(id, (e) => e.some((x) => x.action === 'report-requested'), 'report request');
  const report = { componentId: 'c1', period: 1, endUseConfirmed: false, shipments: [] };
  expect((await request(stack.app).post(`/v1/projects/${id}/reports`).set(asCoordinator).send(report)).status).toBe(200);

  // The holder's e-mail: a link to its hearing, recorded with the monitor's workflow id.
  const hearingMail = await stack.waitForMail(
    (m: Mail) => m.to[0]?.address === COORDINATOR && m.subject.startsWith('Proposed sanction') && m.text.includes('c1-ca-1'),
    20_000,
  );
  const hearing = (await stack.waitForView(id, (v) => v.openSteps.some((s) => s.kind === 'holder-hearing'), 'hearing')).openSteps[0];
  expect(hearing).toMatchObject({ stepId: 'c1-ca-1-suspension-hearing', workflowId: monitor.workflowId });
  const page = await request(stack.app).get(`/r/${tokenOf(hearingMail)}`);
  expect(page.status).toBe(200);
  expect(page.text).toContain('is proposed to');
  const answered = await request(stack.app)
    .post(`/r/${tokenOf(hearingMail)}`)
    .set('Accept', JSON_ACCEPT)
    .send({ decision: 'respond', legalBasis: 'ORNL signed the end-use statement today; copy attached' });
  expect({ status: answered.status, outcome: answered.body.outcome }).toEqual({ status: 200, outcome: 'responded' });

  // The issuer's reviewer decides through its link; without a basis it is refused, with one the licence is suspended.
  const issuerMail = await stack.waitForMail(
    (m: Mail) => m.to[0]?.address === BAFA && m.subject.startsWith('Decision requested') && m.text.includes('proposes the suspension'),
    20_000,
  );
  const token = tokenOf(issuerMail);
  expect((await request(stack.app).post(`/r/${token}`).set('Accept', JSON_ACCEPT).send({ decision: 'approve' })).status).toBe(400);
  const decided = await request(stack.app)
    .post(`/r/${token}`)
    .set('Accept', JSON_ACCEPT)
    .send({ decision: 'approve', legalBasis: 'AWG § 7: the end use was not confirmed in the period' });
  expect({ status: decided.status, outcome: decided.body.outcome }).toEqual({ status: 200, outcome: 'approved' });
  const view = await stack.waitForView(id, (v) => v.components[0].licence.status === 'suspended', 'suspension');
  expect(view.components[0].licence.basis).toContain('AWG § 7');
  await monitor.terminate('test done');
}, 120_000);
