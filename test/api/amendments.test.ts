/**
 * `POST /v1/projects/:id/amendments` on the real stack (dev server, worker, records, MailDev): who may amend, each
 * refusal naming its field with nothing changed, and two amendments posted at once, both applied in order, the
 * second told of the first, each audited under its author and mailed to the coordinator.
 */
import request from 'supertest';
import { decideUpdate, type ProjectView } from '../../workflows/definitions';
import { licenceWorkflowId } from '../../workflows/definitions';
import { bearer, COORDINATOR_ID, KEYS, useApiStack } from '../helpers/api-stack';
import { projectWith } from '../helpers/fixtures';

const stack = useApiStack();
const api = () => request(stack.app);
const asCoordinator = bearer(KEYS.coordinator);

/** Approves each open step named, as its reviewer, through the workflow that owns it. */
async function approve(projectId: string, stepIds: string[]): Promise<void> {
  const view = await stack.waitForView(projectId, (v) => stepIds.every((id) => v.openSteps.some((s) => s.stepId === id)), `steps ${stepIds}`);
  for (const id of stepIds) {
    const step = view.openSteps.find((s) => s.stepId === id)!;
    await stack.client.workflow
      .getHandle(step.workflowId)
      .executeUpdate(decideUpdate, { args: [{ stepId: id, reviewer: step.reviewer, decision: 'approve' }] });
  }
}

const amend = (projectId: string, body: object, key: string = KEYS.coordinator) =>
  api().post(`/v1/projects/${projectId}/amendments`).set(bearer(key)).send(body);

test('amendments: refused naming the field with nothing changed; two at once both applied in order, the second told of the first', async () => {
  const project = projectWith('c1', 'c2');
  const { projectId } = project;
  expect((await api().post('/v1/projects').set(asCoordinator).send(project)).status).toBe(201);
  await stack.waitForView(projectId, (v) => v.components.every((c) => c.tier !== null), 'classification');
  const [c1, c2] = project.components;
  const change = { components: [{ ...c1, destinations: ['US', 'CA'] }] };

  // Scoping: nothing may be amended yet.
  let res = await amend(projectId, change);
  expect(res.status).toBe(409);
  expect(res.body.error.message).toContain('is scoping');

  expect((await api().post(`/v1/projects/${projectId}/scoping`).set(asCoordinator).send({})).status).toBe(200);
  await approve(projectId, ['grant-funder', 'grant-agency']);
  await stack.waitForView(projectId, (v) => v.stage === 'active' && v.openSteps.some((s) => s.stepId === 'c1-de-bafa'), 'licence reviews');
  // Once the licence reviews' requests are mailed and recorded, nothing moves until someone acts.
  const mailed = ['c1-de-bafa', 'c2-de-bafa', 'c2-us-bis'];
  const before = await stack.waitForAudit(
    projectId,
    (e) => mailed.every((id) => e.some((x) => x.action === 'email-sent' && x.stepId === id)),
    'review requests recorded',
  );

  // Who may not: a funder (403), a coordinator of other projects (404, as for a project that does not exist).
  expect((await amend(projectId, change, KEYS.funder)).status).toBe(403);
  expect((await amend(projectId, change, KEYS.otherCoordinator)).status).toBe(404);
  // Each refusal names its field.
  const refusals: [object, string][] = [
    [{ remove: ['kit'] }, 'body.remove.0'], // the coordinator's partner
    [{ remove: ['cern'] }, 'body.remove.0'], // not a partner
    [{ remove: ['ornl'] }, 'body.remove.0'], // the components' only recipient (a problem for each)
    [{ components: [{ ...c1, recipients: [] }] }, 'body.components.0.recipients'],
    [{ components: [{ ...c2, exporter: 'nobody' }] }, 'body.components.0.exporter'],
    [{ components: [c1] }, 'body'], // changes nothing
    [{ components: [{ ...c1, destinations: ['CA'], colour: 'blue' }] }, 'body.components.0.colour'],
  ];
  for (const [body, path] of refusals) {
    res = await amend(projectId, body);
    expect({ body, status: res.status, paths: [...new Set(res.body.error.details.map((d: { path: string }) => d.path))] }).toEqual({
      body,
      status: 400,
      paths: [path],
    });
  }
  expect(await stack.audit(projectId)).toEqual(before);

  // Two at once, from the coordinator and an admin: both accepted, numbered in the order the project took them.
  const [first, second] = await Promise.all([
    amend(projectId, change),
    amend(projectId, { partners: [{ id: 'cea', name: 'CEA', country: 'FR' }], components: [{ ...c2, recipients: ['ornl', 'cea'] }] }, KEYS.admin),
  ]);
  expect([first.status, second.status]).toEqual([202, 202]);
  const answers = [first.body, second.body].sort((a, b) => a.amendmentId.localeCompare(b.amendmentId));
  expect(answers.map((a) => a.amendmentId)).toEqual(['amendment-1', 'amendment-2']);
  expect(answers[0].follows).toBeUndefined();
  expect(answers[1].follows).toBe('amendment-1');
  const byAdmin = answers.find((a) => a.reviewedAgain.includes('c2'))!;
  expect(byAdmin.changes).toEqual(['partner cea added', 'component c2: recipients changed']);

  const restarted = (v: ProjectView) => ['c1', 'c2'].every((c) => v.openSteps.some((s) => s.workflowId === licenceWorkflowId(projectId, c, 2)));
  await stack.waitForView(projectId, restarted, 'both components reviewed again');
  const audit = await stack.waitForAudit(projectId, (e) => e.filter((x) => x.action === 'amendment-applied').length === 2, 'both applied');
  const accepted = audit.filter((e) => e.action === 'amendment-accepted');
  expect(accepted.map((e) => e.actor).sort()).toEqual(['admin', `coordinator:${COORDINATOR_ID}`]);
  expect(audit.filter((e) => e.action === 'amendment-applied').map((e) => e.detail.split(':')[0])).toEqual(['amendment-1', 'amendment-2']);
  for (const id of ['amendment-1', 'amendment-2']) {
    await stack.waitForMail((m) => m.to[0]?.address === project.coordinator.email && m.subject === `Amendment ${id} applied: ${project.title}`);
  }
});
