/**
 * A link is bound to its workflow run (DESIGN §8): after a project id is submitted
 * again (its first workflow gone, as after Temporal's retention, and its records
 * purged after the record-keeping period), the links of the earlier submission are
 * refused with a page that says so, and change nothing; the new submission's own
 * links and e-mails work. While the records are kept, the id is not taken again.
 * On the real stack.
 */
import request from 'supertest';
import { projectWorkflowId } from '../../workflows/definitions';
import { bearer, KEYS, useApiStack } from '../helpers/api-stack';
import { smallProject } from '../helpers/fixtures';
import { FUNDER_REVIEWER, toGrantReview, tokenOf } from '../helpers/grant-review';
import { testRecords } from '../helpers/records';

const stack = useApiStack();
const api = () => request(stack.app);
const decide = (token: string, body: object = { decision: 'approve' }) => api().post(`/r/${token}`).set('Accept', 'application/json').send(body);
const page = (token: string) => api().get(`/r/${token}`).set('Accept', 'text/html');

test('after the project id is submitted again, the links of the earlier submission are refused and change nothing', async () => {
  const first = await toGrantReview(stack, 'Resubmitted');
  const asCoordinator = bearer(KEYS.coordinator);
  // The first submission ends and, as after Temporal's retention, its workflow is gone.
  expect([200, 202]).toContain((await api().post(`/v1/projects/${first.projectId}/withdraw`).set(asCoordinator).send({ reason: 'resubmitting' })).status);
  const handle = stack.client.workflow.getHandle(projectWorkflowId(first.projectId));
  await handle.terminate('the test ends it').catch(() => undefined);
  await stack.client.workflowService.deleteWorkflowExecution({
    namespace: stack.client.options.namespace,
    workflowExecution: { workflowId: projectWorkflowId(first.projectId) },
  });
  // The workflow is gone, its records are not: the id stays taken while they are kept.
  const title = `${first.title} again`;
  const refused = await api()
    .post('/v1/projects')
    .set(asCoordinator)
    .send({ ...smallProject(first.projectId), title });
  expect({ status: refused.status, message: refused.body.error?.message }).toEqual({
    status: 409,
    message: expect.stringMatching(new RegExp(`project ${first.projectId} was submitted before; its records are kept until 20\\d\\d-`)),
  });
  // As after the record-keeping period and the purge of the expired records.
  await testRecords()
    .transaction()
    .execute((tx) => tx.deleteFrom('projects').where('project_id', '=', first.projectId).execute());
  // Deletion runs in the background: the id is free once a new submission under it is accepted (409 until then).
  for (const deadline = Date.now() + 60_000; ;) {
    const res = await api()
      .post('/v1/projects')
      .set(asCoordinator)
      .send({ ...smallProject(first.projectId), title });
    if (res.status === 201) break;
    expect(res.status).toBe(409);
    if (Date.now() > deadline) throw new Error('the first submission was not deleted within 60 s');
    await new Promise((r) => setTimeout(r, 500));
  }
  await stack.waitForView(first.projectId, (v) => v.components.every((c) => c.tier !== null), 'classification');
  expect((await api().post(`/v1/projects/${first.projectId}/scoping`).set(asCoordinator).send({})).status).toBe(200);
  const again = await stack.waitForMail((m) => m.to[0]?.address === FUNDER_REVIEWER && m.subject.startsWith(`Review requested: ${title} — grant`));

  // The old link names the same workflow id, step and reviewer, and is still within its lifetime: refused all the same.
  const stalePage = await page(first.funderToken);
  expect(stalePage.status).toBe(410);
  expect(stalePage.text).toContain('This link belongs to an earlier submission');
  const stale = await decide(first.funderToken);
  expect({ status: stale.status, message: stale.body.error?.message }).toEqual({ status: 410, message: expect.stringContaining('submitted again') });
  const view = await stack.view(first.projectId);
  expect(view.steps.find((s) => s.stepId === 'grant-funder')?.status).toBe('open');
  expect((await stack.audit(first.projectId)).filter((e) => e.action === 'decision-recorded')).toEqual([]);

  expect((await decide(tokenOf(again))).status).toBe(200);
}, 90_000);
