/**
 * `POST /v1/projects/:id/info` (the coordinator's answer that restarts a
 * stopped clock) and `POST /v1/projects/:id/appeals` (the applicant's
 * written appeal of a denial), on the real stack through supertest.
 */
import request from 'supertest';
import { policySchema } from '../../domain/policy';
import { bearer, KEYS, startApiStack, type ApiStack } from '../helpers/api-stack';
import { testPolicyFile } from '../helpers/policy';
import { decideByLink, toLicenceReview } from '../helpers/grant-review';

const APPEAL_WINDOW_MS = 3000;
let stack: ApiStack;
beforeAll(async () => {
  const file = testPolicyFile();
  const bafa = file.agencies.find((a) => a.id === 'de-bafa')!;
  bafa.appealBody = { ...bafa.appealBody!, appealWithin: `${APPEAL_WINDOW_MS}ms` };
  stack = await startApiStack({ policy: policySchema.parse(file) });
}, 120_000);
afterAll(() => stack?.stop(), 60_000);

const api = () => request(stack.app);
const asCoordinator = bearer(KEYS.coordinator);

describe('POST /v1/projects/:id/info', () => {
  test('answers a request for information: the clock resumes and the reviewer is mailed the answer', async () => {
    const { projectId, title } = await toLicenceReview(stack, 'ia', 'Info and appeals');
    await decideByLink(stack, projectId, title, 'c1-de-bafa', { decision: 'request-info', comment: 'Which FPGA part number?' });
    const stopped = (await stack.view(projectId)).steps.find((s) => s.stepId === 'c1-de-bafa')!;
    expect(stopped.infoRequest).toMatchObject({ question: 'Which FPGA part number?' });

    const res = await api().post(`/v1/projects/${projectId}/info`).set(asCoordinator).send({ stepId: 'c1-de-bafa', answer: 'XQRKU060, rad-hard' });
    expect(res.status).toBe(200);
    expect(Date.parse(res.body.dueAt)).toBeGreaterThan(Date.parse(stopped.dueAt));
    const resumed = (await stack.view(projectId)).steps.find((s) => s.stepId === 'c1-de-bafa')!;
    expect(resumed.infoRequest).toBeUndefined();
    expect(resumed.dueAt).toBe(res.body.dueAt);
    const mail = await stack.waitForMail(
      (m) => m.to[0]?.address === 'ausfuhr@bafa.example' && m.subject === `Information received: ${title} — Radiation-hardened FPGA board`,
    );
    expect(mail.text).toContain('XQRKU060, rad-hard');

    // Nothing is waiting any more: a second answer is a conflict and changes nothing.
    const again = await api().post(`/v1/projects/${projectId}/info`).set(asCoordinator).send({ stepId: 'c1-de-bafa', answer: 'again' });
    expect(again.status).toBe(409);
    expect(again.body.error.message).toContain('not waiting for information');
    const trail = await stack.audit(projectId);
    expect(trail.filter((e) => e.action === 'info-answered')).toHaveLength(1);
    expect(trail.filter((e) => e.action === 'clock-resumed')).toHaveLength(1);
  });

  test('bad input is 400 naming the field; an unknown step is 404; a funder may not answer', async () => {
    const { projectId } = await toLicenceReview(stack, 'ia', 'Info and appeals');
    const missing = await api().post(`/v1/projects/${projectId}/info`).set(asCoordinator).send({ stepId: 'c1-de-bafa' });
    expect(missing.status).toBe(400);
    expect(missing.body.error.details.map((d: { path: string }) => d.path)).toEqual(['body.answer']);
    const unknown = await api().post(`/v1/projects/${projectId}/info`).set(asCoordinator).send({ stepId: 'c1-nope', answer: 'x' });
    expect(unknown.status).toBe(404);
    const funder = await api().post(`/v1/projects/${projectId}/info`).set(bearer(KEYS.funder)).send({ stepId: 'c1-de-bafa', answer: 'x' });
    expect(funder.status).toBe(403);
    expect((await stack.audit(projectId)).some((e) => e.action === 'info-answered')).toBe(false);
  });
});

describe('POST /v1/projects/:id/appeals', () => {
  test('nothing to appeal while the licence is in review; an appeal needs a written legal basis', async () => {
    const { projectId } = await toLicenceReview(stack, 'ia', 'Info and appeals');
    const early = await api().post(`/v1/projects/${projectId}/appeals`).set(asCoordinator).send({ componentId: 'c1', legalBasis: 'x' });
    expect(early.status).toBe(409);
    expect(early.body.error.message).toBe('component c1 is in-review: there is no denial to appeal');
    const noBasis = await api().post(`/v1/projects/${projectId}/appeals`).set(asCoordinator).send({ componentId: 'c1' });
    expect(noBasis.status).toBe(400);
    expect(noBasis.body.error.details).toEqual([{ path: 'body.legalBasis', message: 'an appeal must state its legal basis, in writing' }]);
    const unknown = await api().post(`/v1/projects/${projectId}/appeals`).set(asCoordinator).send({ componentId: 'c9', legalBasis: 'x' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.details[0].path).toBe('body.componentId');
  });

  test('a denial is appealed in time: the issuer’s appeal body is asked to rule, and no ladder opens', async () => {
    const { projectId, title } = await toLicenceReview(stack, 'ia', 'Info and appeals');
    await decideByLink(stack, projectId, title, 'c1-de-bafa', { decision: 'deny', legalBasis: 'AWV §8: end use not established' });
    await stack.waitForView(projectId, (v) => v.openSteps.some((s) => s.kind === 'appeal'), 'appeal window');
    const res = await api()
      .post(`/v1/projects/${projectId}/appeals`)
      .set(asCoordinator)
      .send({ componentId: 'c1', legalBasis: 'The end-use statement was filed on 2027-01-10' });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ componentId: 'c1', stepId: 'c1-appeal-1', outcome: 'appealed' });
    const body = stack.policy.agencies.find((a) => a.id === 'de-bafa')!.appealBody!;
    const view = await stack.waitForView(projectId, (v) => v.openSteps.some((s) => s.stepId === 'c1-appeal-1-ruling'), 'appeal ruling');
    expect(view.openSteps.find((s) => s.stepId === 'c1-appeal-1-ruling')).toMatchObject({ kind: 'ruling', party: body.id, reviewer: body.chair });
    expect(view.disputes).toEqual([]);
    await stack.waitForMail((m) => m.to[0]?.address === body.chair && m.subject.startsWith(`Ruling requested: ${title}`));
    const appealed = (await stack.audit(projectId)).find((e) => e.stepId === 'c1-appeal-1' && e.action === 'decision-recorded');
    expect(appealed).toMatchObject({ channel: 'api', actor: 'coordinator:a.weber' });
  });

  test('an appeal after the window is refused with the time it closed', async () => {
    const { projectId, title } = await toLicenceReview(stack, 'ia', 'Info and appeals');
    await decideByLink(stack, projectId, title, 'c1-de-bafa', { decision: 'deny', legalBasis: 'AWV §8: end use not established' });
    await stack.waitForView(
      projectId,
      (v) => v.steps.some((s) => s.kind === 'appeal' && s.status === 'closed'),
      'appeal window passes',
      APPEAL_WINDOW_MS + 10_000,
    );
    const late = await api().post(`/v1/projects/${projectId}/appeals`).set(asCoordinator).send({ componentId: 'c1', legalBasis: 'late' });
    expect(late.status).toBe(409);
    expect(late.body.error.message).toMatch(/^the appeal window for c1 closed at \S+ \(the appeal window passed without an appeal\)$/);
    expect((await stack.view(projectId)).disputes).toEqual([]);
  });
});
