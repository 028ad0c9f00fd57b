/** What the funder's page tests set up through the API: an active project of theirs with a milestone due, as the cycles suite does. */
import request from 'supertest';
import { bearer, KEYS, linkTokens, type ApiStack } from './api-stack';
import { smallProject, uniqueId } from './fixtures';

export const inSeconds = (s: number) => new Date(Date.now() + s * 1000).toISOString();

/** An active project of horizon-eu (grant approved, licence approved), its milestone m1 due now; `title` may be given. */
export async function activeProject(stack: ApiStack, title?: string): Promise<{ projectId: string; title: string }> {
  const api = () => request(stack.app);
  const projectId = uniqueId('fp');
  const name = title ?? `Portfolio ${projectId}`;
  const funderReviewer = stack.policy.funders.find((f) => f.id === 'horizon-eu')!.reviewers[0];
  const body = { ...smallProject(projectId), title: name, milestones: [{ id: 'm1', title: 'Prototype', dueAt: inSeconds(1), componentIds: ['c1'] }] };
  expect((await api().post('/v1/projects').set(bearer(KEYS.coordinator)).send(body)).status).toBe(201);
  await stack.waitForView(projectId, (v) => v.components.every((c) => c.tier !== null), 'classification');
  expect((await api().post(`/v1/projects/${projectId}/scoping`).set(bearer(KEYS.coordinator)).send({})).status).toBe(200);
  const approveFromMail = async (subjectStart: string, reviewer: string) => {
    const mail = await stack.waitForMail((m) => m.to[0]?.address === reviewer && m.subject.startsWith(subjectStart));
    const res = await api()
      .post(`/r/${linkTokens(mail.text)[0]}`)
      .set('Accept', 'application/json')
      .send({ decision: 'approve' });
    expect(res.status).toBe(200);
  };
  await approveFromMail(`Review requested: ${name} — grant`, funderReviewer);
  await approveFromMail(`Review requested: ${name} — grant`, 'ausfuhr@bafa.example');
  await approveFromMail(`Review requested: ${name} — Radiation-hardened FPGA board`, 'ausfuhr@bafa.example');
  await stack.waitForView(projectId, (v) => v.components[0].licence.status === 'approved' && v.stage === 'active', 'licence');
  return { projectId, title: name };
}
