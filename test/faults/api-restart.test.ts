/**
 * The API process dies (SIGKILL) around a funder's cycle launch, at the two
 * moments that matter to a client that gets no answer:
 *  A. right after it started the cycle — the answer is lost with it;
 *  B. before it read the request at all (it was frozen, then killed).
 * The client cannot tell the two apart, so it sends the same POST again,
 * with the cycle id it chose. Each cycle then runs exactly once (A's retry is
 * a 409, the id is taken; B's retry starts it) and closes with every
 * project's outcome. Cycle A keeps running in the worker while the API dies
 * and restarts a second time.
 */
import { Client, Connection } from '@temporalio/client';
import type { CycleView } from '../../workflows/cycle-contract';
import { smallProject, uniqueId } from '../helpers/fixtures';
import { KEYS, useProcessStack } from '../helpers/process-stack';
import { approveEverything, requestMessageIds, settleMails, submitAndConfirm } from './fault-scenarios';

const stack = useProcessStack();

const cyclesOf = async (cycleId: string) => {
  const connection = await Connection.connect({ address: stack.temporalAddress });
  try {
    return (await new Client({ connection }).workflow.count(`WorkflowType = 'cycleWorkflow' AND CycleId = '${cycleId}'`)).count;
  } finally {
    await connection.close();
  }
};

test('a cycle launch cut off by an API crash, retried with the same id, runs once and completes', async () => {
  const dueAt = new Date(Date.now() + 5 * 60_000).toISOString();
  const projects = [1, 2, 3, 4].map(() => ({ ...smallProject(uniqueId('cyc')), milestones: [{ id: 'm1', title: 'Prototype', dueAt, componentIds: ['c1'] }] }));
  for (const p of projects) await submitAndConfirm(stack, p);
  await Promise.all(projects.map((p) => approveEverything(stack, p.projectId)));

  // Closing in 10 minutes: each cycle closes as soon as every project has its outcome.
  const closesAt = new Date(Date.now() + 10 * 60_000).toISOString();
  const launch = (cycleId: string, ps: typeof projects) =>
    JSON.stringify({ cycleId, name: `Autumn review ${cycleId}`, closesAt, projectIds: ps.map((p) => p.projectId) });
  const [a, b] = [uniqueId('autumn-a'), uniqueId('autumn-b')];
  const [inA, inB] = [projects.slice(0, 2), projects.slice(2)];

  // A: the API is killed the moment its answer starts to come back; the client never reads it.
  const first = stack.rawPost('/v1/cycles', launch(a, inA), KEYS.funder);
  const answerCutOff = await first.answer;
  await stack.stop('api', 'SIGKILL');
  expect(answerCutOff).toMatch(/^HTTP\/1\.1 202/); // (what the lost answer would have said)
  await stack.startApi();

  // B: the API is frozen, gets the request, and is killed before it reads it.
  stack.freeze('api');
  const second = stack.rawPost('/v1/cycles', launch(b, inB), KEYS.funder);
  await second.written;
  await stack.stop('api', 'SIGKILL');
  expect(await second.answer).toBeUndefined(); // the connection closed with no answer
  expect(await cyclesOf(b)).toBe(0);
  await stack.startApi();

  // The client retries both, the same POST each.
  const retry = (cycleId: string, ps: typeof projects) => stack.fetch('/v1/cycles', { method: 'POST', body: launch(cycleId, ps), key: KEYS.funder });
  const [retryA, retryB] = [await retry(a, inA), await retry(b, inB)];
  expect({ status: retryA.status, body: await retryA.json() }).toEqual({
    status: 409,
    body: {
      error: {
        code: 'CONFLICT',
        message: `the cycle id "${a}" is taken: choose another cycleId, or leave it out and one is made`,
        details: [{ path: 'body.cycleId', message: 'is taken' }],
      },
    },
  });
  expect({ status: retryB.status, body: await retryB.json() }).toMatchObject({ status: 202, body: { cycleId: b, status: 'launching' } });

  // Each project gets its milestone step; the funder passes three and refuses one.
  const stepOf = (cycleId: string) => async (projectId: string) => {
    const view = await stack.until(
      `the milestone step of ${projectId}`,
      () => stack.view(projectId),
      (v) => v.openSteps.some((s) => s.stepId === `m1-${cycleId}`),
    );
    return view.openSteps.find((s) => s.stepId === `m1-${cycleId}`)!;
  };
  const stepsA = await Promise.all(inA.map((p) => stepOf(a)(p.projectId)));
  const stepsB = await Promise.all(inB.map((p) => stepOf(b)(p.projectId)));
  for (const step of [...stepsA, stepsB[0]]) expect(await stack.decide(step)).toBe(200);
  expect(await stack.decide(stepsB[1], { decision: 'deny', legalBasis: 'Milestone report incomplete', comment: 'no test data' })).toBe(200);

  const key = KEYS.funder;
  const closed = (id: string) =>
    stack.until(
      `cycle ${id} to close`,
      () => stack.json<CycleView>(`/v1/cycles/${id}`, { key }),
      (c) => c.status === 'closed',
      90_000,
    );
  const [cycleA, cycleB] = [await closed(a), await closed(b)];
  expect(cycleA).toMatchObject({ cycleId: a, total: 2, launched: 2, skipped: [], counts: { passed: 2, 'held-funder': 0, stalled: 0, pending: 0 } });
  expect(cycleB).toMatchObject({ cycleId: b, total: 2, launched: 2, skipped: [], counts: { passed: 1, 'held-funder': 1, stalled: 0, pending: 0 } });
  expect(cycleB.items.find((i) => i.projectId === inB[1].projectId)).toMatchObject({
    outcome: 'held-funder',
    detail: expect.stringMatching(/Milestone report incomplete/),
  });

  // Exactly one cycle workflow each; each project one milestone step per cycle, mailed once.
  expect([await cyclesOf(a), await cyclesOf(b)]).toEqual([1, 1]);
  const views = await Promise.all(projects.map((p) => stack.view(p.projectId)));
  const milestoneSteps = views.flatMap((v) => v.steps.filter((s) => s.stepId.startsWith('m1-')));
  expect(milestoneSteps.map((s) => s.stepId).sort()).toEqual([`m1-${a}`, `m1-${a}`, `m1-${b}`, `m1-${b}`]);
  const { mails, problems, cutOff } = await settleMails(stack, requestMessageIds(milestoneSteps));
  expect(problems).toEqual([]);
  expect(cutOff).toEqual([]);
  console.log(
    `api restart: A's answer cut off after "${answerCutOff}", retry 409; B never read, retry ${retryB.status}; ` +
      `cycles closed with ${JSON.stringify(cycleA.counts)} and ${JSON.stringify(cycleB.counts)}; ${mails.length} mails, none twice`,
  );
}, 300_000);
