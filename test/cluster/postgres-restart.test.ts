/**
 * PostgreSQL restarted under a Temporal cluster and the record store (the same server, as compose runs them): a
 * fast shutdown ends every session of every Temporal service, the worker and the API. While it is down, the API
 * answers 503, reads and writes, within its deadline. Once it is back, everything reconnects by itself: nothing is
 * restarted, every project in flight completes, each decision is recorded once and each e-mail arrives once.
 */
import { useProcessStack } from '../helpers/process-stack';
import { decideAll, expectCompleteAndOnce, msUntil, projectsHalfDecided } from './cluster-faults';

const stack = useProcessStack({ cluster: true });
const DOWN_MS = 15_000;

test('PostgreSQL restarted: 503 while it is down, recovery without restarting anything, every project completes once', async () => {
  const cluster = stack.cluster!;
  const { projectIds, undecided: after } = await projectsHalfDecided(stack, 3);

  await cluster.postgres.stop('SIGINT');
  const downAt = Date.now();
  const [read, decision] = await Promise.all([
    (async () => {
      const t0 = Date.now();
      return { status: (await stack.fetch(`/v1/projects/${projectIds[0]}`)).status, ms: Date.now() - t0 };
    })(),
    decideAll(stack, after.slice(0, 1)).then(([d]) => d),
  ]);
  expect({ read: read.status, decision: decision.status }).toEqual({ read: 503, decision: 503 });
  expect(Math.max(read.ms, decision.ms)).toBeLessThan(13_000);

  await new Promise((r) => setTimeout(r, Math.max(0, DOWN_MS - (Date.now() - downAt))));
  const restartAt = Date.now();
  await cluster.postgres.start();
  const startedMs = Date.now() - restartAt;
  const readsBackMs = await msUntil(stack, 'reads answered again', async () => (await stack.fetch(`/v1/projects/${projectIds[0]}`)).status === 200);
  const decisionsBackMs = await msUntil(stack, 'a decision taken again', async () => [200, 409].includes(await stack.decide(after[0])));
  for (const d of await decideAll(stack, after.slice(1))) expect([200, 409]).toContain(d.status);
  expect(stack.alive('api') && stack.alive('worker')).toBe(true);
  for (const service of ['frontend', 'frontend-2', 'history', 'matching', 'worker'] as const)
    expect({ service, alive: cluster.alive(service) }).toEqual({ service, alive: true });

  const t0 = Date.now();
  await expectCompleteAndOnce(stack, projectIds);
  console.log(
    `cluster, PostgreSQL restarted: down ${((restartAt - downAt) / 1000).toFixed(1)} s; while down a read answered ${read.status} in ${read.ms} ms, ` +
      `a decision ${decision.status} in ${decision.ms} ms; PostgreSQL up in ${startedMs} ms, then reads back after ${readsBackMs} ms and ` +
      `decisions after ${readsBackMs + decisionsBackMs} ms; ` +
      `${projectIds.length} projects complete ${((Date.now() - t0) / 1000).toFixed(1)} s later, each decision and mail once`,
  );
}, 400_000);
