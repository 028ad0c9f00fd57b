/**
 * A frontend killed (SIGKILL) while decisions sent through it are in flight, on a cluster with two frontends: the
 * first API and worker reach Temporal through the one killed, the second ones through the other. Each decision in
 * flight is either taken (200) or answered 503 (not confirmed). While the frontend is down the first API answers 503
 * and the second goes on deciding (once Temporal hands the workflows cached on the cut-off worker to the other one).
 * Once the frontend is back the first API recovers by itself; the decisions sent again are taken or found already
 * taken (409), and in the end each step is decided once and each e-mail sent once.
 */
import { useProcessStack } from '../helpers/process-stack';
import { decideAll, expectCompleteAndOnce, msUntil, projectsInGrantReview } from './cluster-faults';

const stack = useProcessStack({ cluster: true, replicas: 2 });
const DOWN_MS = 15_000; // at least; longer while the other frontend's decisions are taken

test('a frontend killed with decisions in flight: each is taken once, the other frontend carries on, the API recovers alone', async () => {
  const cluster = stack.cluster!;
  const { projectIds, steps } = await projectsInGrantReview(stack, 4);
  const [inFlight, viaOther] = [steps.slice(0, 6), steps.slice(6)];

  const sent = decideAll(stack, inFlight, 'api');
  await new Promise((r) => setTimeout(r, 30));
  await cluster.stop('frontend', 'SIGKILL');
  const downAt = Date.now();
  const first = await sent;
  for (const d of first) expect([200, 503]).toContain(d.status);
  expect(Math.max(...first.map((d) => d.ms))).toBeLessThan(13_000);
  // The API on the frontend that is down: 503 on /readyz. The one on the other frontend goes on deciding: a workflow
  // whose worker lost the frontend waits until Temporal gives its task to the other worker (a 503 meanwhile: sent again).
  expect((await stack.fetch('/readyz')).status).toBe(503);
  const carriedOn = await Promise.all(
    viaOther.map((step) =>
      msUntil(stack, `${step.stepId} decided through the other frontend`, async () => [200, 409].includes(await stack.decide(step, undefined, 'api-2'))),
    ),
  );
  expect(cluster.alive('frontend')).toBe(false);

  await new Promise((r) => setTimeout(r, Math.max(0, DOWN_MS - (Date.now() - downAt))));
  const restartAt = Date.now();
  await cluster.start('frontend');
  const startedMs = Date.now() - restartAt;
  const readyMs = await msUntil(stack, 'the first API ready again', async () => (await stack.fetch('/readyz')).status === 200);
  // The reviewers whose decision was not confirmed send it again: taken now, or found already taken.
  const unconfirmed = first.filter((d) => d.status === 503);
  for (const d of await decideAll(
    stack,
    unconfirmed.map((u) => u.step),
    'api',
  ))
    expect([200, 409]).toContain(d.status);

  const t0 = Date.now();
  await expectCompleteAndOnce(stack, projectIds);
  console.log(
    `cluster, frontend killed: ${inFlight.length} decisions in flight (${first.filter((d) => d.status === 200).length} taken, ` +
      `${unconfirmed.length} answered 503 in at most ${Math.max(0, ...unconfirmed.map((d) => d.ms))} ms); ${viaOther.length} taken through the other ` +
      `frontend meanwhile, within ${(Math.max(...carriedOn) / 1000).toFixed(1)} s; ` +
      `frontend up ${startedMs} ms after its start, the first API ready ${readyMs} ms after that; ` +
      `${projectIds.length} projects complete ${((Date.now() - t0) / 1000).toFixed(1)} s later, each decision and mail once`,
  );
}, 400_000);
