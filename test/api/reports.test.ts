/**
 * `POST /v1/projects/:id/reports` and `POST /v1/projects/:id/corrective-actions/:actionId/resolve`
 * on the real stack (dev server, worker with the production activities, MailDev). The router is
 * mounted here on a small app with the production auth and error handler, as app.ts will mount it.
 */
import express, { type Express } from 'express';
import request from 'supertest';
import { authenticate } from '../../api/auth';
import { errorHandler } from '../../api/errors';
import { reportRoutes } from '../../api/routes/reports';
import { apiKeyRing } from '../../config/env';
import { policySchema } from '../../domain/policy';
import type { Project } from '../../domain/project';
import { decideUpdate, type Licence } from '../../workflows/definitions';
import { bearer, KEYS, startApiStack, type ApiStack } from '../helpers/api-stack';
import { smallProject, uniqueId } from '../helpers/fixtures';
import { monitorFor } from '../helpers/licensed-project';
import { testPolicyFile } from '../helpers/policy';

/** Long enough for a test's requests after the grant on a loaded CI machine, short enough to wait for the expiry. */
const VALIDITY_MS = 15_000;

let stack: ApiStack;
let app: Express;
beforeAll(async () => {
  const file = testPolicyFile();
  file.regimes.EU = { ...file.regimes.EU, licenceValidity: `${VALIDITY_MS}ms`, reportingPeriod: `${VALIDITY_MS}ms` };
  file.compliance = { reportDueWithin: '60s', correctiveActionWithin: '60s', suspensionBeforeRevocation: '60s', renewalReminderBefore: '1s' };
  stack = await startApiStack({ policy: policySchema.parse(file) });
  app = express();
  app.use(express.json({ limit: '256kb' }));
  app.use('/v1', authenticate(apiKeyRing(`coordinator:a.weber=${KEYS.coordinator},funder:horizon-eu=${KEYS.funder}`)));
  app.use('/v1/projects', reportRoutes({ client: stack.client, records: stack.records, temporalTimeoutMs: 10_000 }));
  app.use(errorHandler);
}, 120_000);
afterAll(() => stack?.stop(), 60_000);

const asCoordinator = bearer(KEYS.coordinator);
const reports = (projectId: string) => request(app).post(`/v1/projects/${projectId}/reports`).set(asCoordinator);
const resolve = (projectId: string, actionId: string) =>
  request(app).post(`/v1/projects/${projectId}/corrective-actions/${actionId}/resolve`).set(asCoordinator);
const paths = (res: request.Response) => (res.body.error.details as { path: string }[]).map((d) => d.path).sort();

/** Submits the one-component T1 project through the API and drives it to scoping confirmed. */
async function submitted(): Promise<Project> {
  const project = smallProject(uniqueId('rep'));
  expect((await request(stack.app).post('/v1/projects').set(asCoordinator).send(project)).status).toBe(201);
  await stack.waitForView(project.projectId, (v) => v.components.every((c) => c.tier !== null), 'classification');
  expect((await request(stack.app).post(`/v1/projects/${project.projectId}/scoping`).set(asCoordinator).send({})).status).toBe(200);
  return project;
}

/** The grant and the licence approved by their reviewers (through the decide Update; the reviewer pages are tested elsewhere), and the monitor started. */
async function licensed(): Promise<{ project: Project; licence: Licence }> {
  const project = await submitted();
  for (const stepIds of [['grant-funder', 'grant-agency'], ['c1-de-bafa']]) {
    const view = await stack.waitForView(project.projectId, (v) => stepIds.every((id) => v.openSteps.some((s) => s.stepId === id)), `steps ${stepIds}`);
    for (const step of view.openSteps.filter((s) => stepIds.includes(s.stepId))) {
      await stack.client.workflow
        .getHandle(step.workflowId)
        .executeUpdate(decideUpdate, { args: [{ stepId: step.stepId, reviewer: step.reviewer, decision: 'approve' }] });
    }
  }
  const view = await stack.waitForView(project.projectId, (v) => v.components[0].licence.status === 'approved', 'licence granted');
  const licence = view.components[0].licence;
  await monitorFor(stack.client, project, licence, stack.policy);
  await stack.waitForAudit(project.projectId, (e) => e.some((x) => x.action === 'report-requested'), 'report request');
  return { project, licence };
}

const shipment = { destination: 'US', endUser: 'Oak Ridge National Laboratory', date: '2027-03-01' };

test('a report is answered with the anomalies found; a second report for the period or one for a period not begun is 409; a corrective action is resolved once', async () => {
  const { project } = await licensed();
  const id = project.projectId;
  const res = await reports(id).send({
    componentId: 'c1',
    period: 1,
    endUseConfirmed: true,
    shipments: [shipment, { ...shipment, destination: 'CN', quantity: 4 }],
    notes: 'two boards',
  });
  expect(res.status).toBe(200);
  expect(res.body).toMatchObject({ projectId: id, componentId: 'c1', period: 1, licenceStatus: 'approved', correctiveAction: { actionId: 'c1-ca-1' } });
  expect(res.body.anomalies).toEqual([expect.objectContaining({ kind: 'unlicensed-destination', subject: 'CN', shipments: [1] })]);

  const again = await reports(id).send({ componentId: 'c1', period: 1, endUseConfirmed: true, shipments: [] });
  expect(again.status).toBe(409);
  expect(again.body.error).toMatchObject({ code: 'CONFLICT', message: expect.stringContaining('already received') });
  const early = await reports(id).send({ componentId: 'c1', period: 2, endUseConfirmed: true, shipments: [] });
  expect(early.status).toBe(409);
  expect(early.body.error.message).toContain('period 2 has not started');

  // The coordinator is told by e-mail (real SMTP, into MailDev) what to correct and how.
  const mail = await stack.waitForMail((m) => m.subject.startsWith('Corrective action c1-ca-1') && m.to[0]?.address === project.coordinator.email);
  expect(mail.text).toContain(`/v1/projects/${id}/corrective-actions/c1-ca-1/resolve`);

  expect((await resolve(id, 'c1-ca-7').send({ note: 'x' })).status).toBe(404);
  const resolved = await resolve(id, 'c1-ca-1').send({ note: 'CN shipment was a mislabelled US delivery; corrected' });
  expect(resolved.status).toBe(200);
  expect(resolved.body).toMatchObject({ projectId: id, componentId: 'c1', actionId: 'c1-ca-1', licenceStatus: 'approved' });
  const twice = await resolve(id, 'c1-ca-1').send({ note: 'again' });
  expect(twice.status).toBe(409);
  expect(twice.body.error.message).toContain('already resolved');

  const trail = await stack.waitForAudit(id, (e) => e.some((x) => x.action === 'corrective-action-resolved'), 'resolution in the trail');
  expect(trail.filter((e) => e.action === 'report-received')).toEqual([
    expect.objectContaining({ channel: 'api', actor: 'coordinator:a.weber', componentId: 'c1' }),
  ]);
  expect(trail.filter((e) => e.action === 'corrective-action-resolved')).toHaveLength(1);
});

test('bad input is 400 naming each bad field; an unknown project or component is 404; a funder may not report; a licence still in review takes no report', async () => {
  const project = await submitted();
  const id = project.projectId;
  const bad = await reports(id).send({
    componentId: 'c1',
    period: 0,
    endUseConfirmed: 'yes',
    shipments: [{ destination: 'Germany', endUser: ' ', date: '01/03/2027', quantity: -1, vessel: 'x' }],
    notes: 'n'.repeat(4001),
    signature: 'A. Weber',
  });
  expect(bad.status).toBe(400);
  expect(bad.body.error.code).toBe('VALIDATION_FAILED');
  expect(paths(bad)).toEqual(
    [
      'body.endUseConfirmed',
      'body.notes',
      'body.period',
      'body.shipments.0.date',
      'body.shipments.0.destination',
      'body.shipments.0.endUser',
      'body.shipments.0.quantity',
      'body.shipments.0.vessel',
      'body.signature',
    ].sort(),
  );
  const missing = await reports(id).send({});
  expect(paths(missing)).toEqual(['body.componentId', 'body.endUseConfirmed', 'body.period', 'body.shipments']);
  const tooMany = await reports(id).send({ componentId: 'c1', period: 1, endUseConfirmed: true, shipments: Array.from({ length: 1001 }, () => shipment) });
  expect(tooMany.status).toBe(400);
  expect(paths(tooMany)).toEqual(['body.shipments']);
  expect(paths(await resolve(id, 'not-an-action').send({ note: 'x' }))).toEqual(['path.actionId']);
  expect(paths(await resolve(id, 'c1-ca-1').send({}))).toEqual(['body.note']);

  const valid = { componentId: 'c1', period: 1, endUseConfirmed: true, shipments: [shipment] };
  expect((await reports(uniqueId('nope')).send(valid)).status).toBe(404);
  const unknownComponent = await reports(id).send({ ...valid, componentId: 'c9' });
  expect(unknownComponent.status).toBe(404);
  expect(unknownComponent.body.error.message).toContain('has no component c9');
  expect((await request(app).post(`/v1/projects/${id}/reports`).set(bearer(KEYS.funder)).send(valid)).status).toBe(403);

  const inReview = await reports(id).send(valid);
  expect(inReview.status).toBe(409);
  expect(inReview.body.error.message).toContain('is in-review: only a granted licence is monitored');
  expect((await stack.audit(id)).some((e) => e.action === 'report-received')).toBe(false);
});

test('once the licence has expired, reports and resolutions are 409', async () => {
  const { project, licence } = await licensed();
  const id = project.projectId;
  expect((await reports(id).send({ componentId: 'c1', period: 1, endUseConfirmed: false, shipments: [] })).status).toBe(200);
  await stack.waitForView(id, (v) => v.components[0].licence.status === 'expired', 'expiry', VALIDITY_MS + 10_000);
  expect(Date.now()).toBeGreaterThanOrEqual(Date.parse(licence.validUntil!));

  const late = await reports(id).send({ componentId: 'c1', period: 1, endUseConfirmed: true, shipments: [] });
  expect(late.status).toBe(409);
  // Refused by the monitor while it sends its expiry notice, or by the API once the monitor has ended.
  expect(late.body.error.message).toMatch(/expired.*: it takes no more reports or resolutions$/);
  const resolution = await resolve(id, 'c1-ca-1').send({ note: 'too late' });
  expect(resolution.status).toBe(409);
  await stack.waitForMail((m) => m.subject.startsWith('Licence expired') && m.subject.includes(licence.licenceId!));
}, 60_000);

test('a report takes files the same way (through the whole app): a shipment list kept as a document of the report', async () => {
  const { project } = await licensed();
  const id = project.projectId;
  const csv = Buffer.from('destination,endUser,quantity,date\nUS,Oak Ridge National Laboratory,2,2027-03-01\n');
  const report = { componentId: 'c1', period: 1, endUseConfirmed: true, shipments: [{ ...shipment, quantity: 2 }] };
  const res = await request(stack.app)
    .post(`/v1/projects/${id}/reports`)
    .set(asCoordinator)
    .field('body', JSON.stringify(report))
    .attach('file', csv, { filename: 'shipments.csv', contentType: 'text/csv' });
  expect(res.status).toBe(200);
  expect(res.body).toMatchObject({ componentId: 'c1', period: 1, anomalies: [] });
  expect(res.body.documents).toEqual([expect.objectContaining({ filename: 'shipments.csv', kind: 'compliance-report', contentType: 'text/csv' })]);
  const items = (await request(stack.app).get(`/v1/projects/${id}/documents`).set(asCoordinator).expect(200)).body.items;
  expect(items).toEqual([expect.objectContaining({ componentId: 'c1', attachedTo: { type: 'compliance-report', id: 'c1/1' } })]);
});
