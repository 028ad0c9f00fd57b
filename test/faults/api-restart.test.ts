/**
 * The API process dies (SIGKILL) while a funder launches a review cycle, and
 * again while the cycle fans out. The launch, retried with the same cycle id,
 * runs once; the cycle reaches every project and closes with their outcomes.
 */
import { Client, Connection } from '@temporalio/client';
import { smallProject, uniqueId } from '../helpers/fixtures';
import { duplicateMails, KEYS, useProcessStack } from '../helpers/process-stack';
import { approveEverything, settleMails, submitAndConfirm } from './fault-scenarios';
import type { CycleView } from '../../workflows/cycle-contract';

const stack = useProcessStack();

test('a cycle launch cut off by an API crash, retried, runs once and completes', async () => {
  const soon = new Date(Date.now() + 1000).toISOString();
  const projects = [1, 2, 3].map(() => ({ ...smallProject(uniqueId('cyc')), milestones: [{ id: 'm1', title: 'Prototype', dueAt: soon, componentIds: ['c1'] }] }));
  for (const p of projects) await submitAndConfirm(stack, p);
  await Promise.all(projects.map((p) => approveEverything(stack, p.projectId)));

  const cycleId = uniqueId('autumn');
  const launch = JSON.stringify({ cycleId, name: 'Autumn review', closesAt: new Date(Date.now() + 25_000).toISOString(), projectIds: projects.map((p) => p.projectId) });
  const post = () => stack.fetch('/v1/cycles', { method: 'POST', body: launch, key: KEYS.funder });
  // The crash comes while the first request is in flight: it may or may not have reached Temporal.
  const first = post().then((r) => r.status, () => 'no answer' as const);
  await new Promise((r) => setTimeout(r, 5));
  await stack.stop('api', 'SIGKILL');
  const firstAnswer = await first;
  await stack.startApi();
  const retry = await post();
  // 202 if the first never started the cycle; 409 (the id is taken) if it did. Either way one cycle.
  expect([202, 409]).toContain(retry.status);
  if (firstAnswer === 202) expect(retry.status).toBe(409);

  // A second crash while the cycle fans out changes nothing for it.
  await stack.stop('api', 'SIGKILL');
  await stack.startApi();

  const key = KEYS.funder;
  const open = await stack.until('every milestone step open', () => Promise.all(projects.map((p) => stack.view(p.projectId))), (vs) => vs.every((v) => v.openSteps.some((s) => s.stepId === `m1-${cycleId}`)));
  // The funder passes two milestones; the third stays undecided and is stalled at the close.
  for (const v of open.slice(0, 2)) expect(await stack.decide(v.openSteps.find((s) => s.stepId === `m1-${cycleId}`)!)).toBe(200);
  const closed = await stack.until('the cycle to close', () => stack.json<CycleView>(`/v1/cycles/${cycleId}`, { key }), (c) => c.status === 'closed', 90_000);
  expect(closed).toMatchObject({ cycleId, total: 3, launched: 3, skipped: [], counts: { passed: 2, stalled: 1 } });
  console.log(`api restart: first launch answered ${firstAnswer}, the retry ${retry.status}; cycle closed with ${JSON.stringify(closed.counts)}`);

  // One cycle workflow ran; each project got one milestone step and one e-mail for it.
  const connection = await Connection.connect({ address: stack.temporalAddress });
  try {
    const runs = await new Client({ connection }).workflow.count(`WorkflowType = 'cycleWorkflow' AND CycleId = '${cycleId}'`);
    expect(runs.count).toBe(1);
  } finally {
    await connection.close();
  }
  const views = await Promise.all(projects.map((p) => stack.view(p.projectId)));
  for (const v of views) expect(v.steps.filter((s) => s.stepId === `m1-${cycleId}`)).toHaveLength(1);
  const mails = await settleMails(stack, views.map((v) => `<project-${v.projectId}.m1-${cycleId}.request@licence-review>`));
  expect(duplicateMails(mails)).toEqual([]);
}, 420_000);
