/**
 * The history service killed (SIGKILL) in the middle of reviews, on a Temporal cluster, then started again. While
 * it is down the frontends still answer, but nothing can be written: the API answers decisions 503 within its
 * deadline and reads from the records. Once history is back, everything recovers by itself: the same decisions sent
 * again are taken, every project completes, each decision is recorded once and each e-mail arrives once.
 */
import { useProcessStack } from '../helpers/process-stack';
import { decideAll, expectCompleteAndOnce, msUntil, projectsHalfDecided } from './cluster-faults';

const stack = useProcessStack({ cluster: true });
const DOWN_MS = 15_000;

test('history killed mid-review: decisions 503 while it is down, then taken; every project completes, nothing twice', async () => {
  const cluster = stack.cluster!;
  // Half the decisions land before the crash, the rest are sent while history is down.
  const { projectIds, undecided: during } = await projectsHalfDecided(stack, 3);

  await cluster.stop('history', 'SIGKILL');
  const downAt = Date.now();
  const refused = await decideAll(stack, during);
  expect(refused.map((d) => d.status)).toEqual(during.map(() => 503));
  // Within the API's deadline (10 s), give or take a busy machine.
  expect(Math.max(...refused.map((d) => d.ms))).toBeLessThan(13_000);
  // Reads come from the record store.
  const read = await stack.fetch(`/v1/projects/${projectIds[0]}`);
  expect(read.status).toBe(200);

  await new Promise((r) => setTimeout(r, Math.max(0, DOWN_MS - (Date.now() - downAt))));
  const restartAt = Date.now();
  await cluster.start('history');
  const startedMs = Date.now() - restartAt;
  // Recovered: the first decision sent again is taken (a decision that did land after its 503 would be 409).
  const recoveredMs = await msUntil(stack, 'a decision taken again', async () => [200, 409].includes(await stack.decide(during[0])));
  const again = await decideAll(stack, during.slice(1));
  for (const d of again) expect([200, 409]).toContain(d.status);

  const t0 = Date.now();
  await expectCompleteAndOnce(stack, projectIds);
  console.log(
    `cluster, history killed: down ${((restartAt - downAt) / 1000).toFixed(1)} s; ${refused.length} decisions answered 503 in at most ` +
      `${Math.max(...refused.map((d) => d.ms))} ms; history up ${startedMs} ms after its start, decisions taken again ${recoveredMs} ms after that; ` +
      `${projectIds.length} projects complete ${((Date.now() - t0) / 1000).toFixed(1)} s later, each decision and mail once`,
  );
}, 400_000);
