/**
 * The Temporal dev server dies (SIGKILL) during reviews and is started again
 * on the same SQLite file. While it is down the API answers 503 with the
 * error contract and changes nothing; it recovers by itself, the worker
 * reconnects by itself, and every project in flight resumes and completes.
 */
import { projectWith } from '../helpers/fixtures';
import { useProcessStack } from '../helpers/process-stack';
import { approveEverything, submitAndConfirm } from './fault-scenarios';

const stack = useProcessStack();

const DOWN_MS = 8000;
const unavailable = { error: { code: 'UNAVAILABLE', message: expect.stringMatching(/Temporal/), details: [] } };

test('503 while Temporal is down, recovery without restarting anything, and every project in flight completes', async () => {
  // Three projects at three points of their path.
  const inScoping = projectWith('c1', 'c2');
  expect((await stack.fetch('/v1/projects', { method: 'POST', body: JSON.stringify(inScoping) })).status).toBe(201);
  const inGrant = projectWith('c1', 'c2');
  await submitAndConfirm(stack, inGrant);
  const inLicence = projectWith('c1', 'c2');
  await submitAndConfirm(stack, inLicence);
  const grant = await stack.until('grant steps', () => stack.view(inLicence.projectId), (v) => v.openSteps.length === 2);
  for (const step of grant.openSteps) expect(await stack.decide(step)).toBe(200);
  const isLicenceStep = (s: { kind: string }) => !s.kind.startsWith('grant-');
  const licence = await stack.until('licence steps', () => stack.view(inLicence.projectId), (v) => v.openSteps.some(isLicenceStep));
  await stack.until('scoping classified', () => stack.view(inScoping.projectId), (v) => v.components.every((c) => c.tier !== null));

  await stack.stop('temporal', 'SIGKILL');
  const downAt = Date.now();

  // Four requests at once while it is down: a read, the readiness probe, a submission and a decision.
  const refused = projectWith('c1');
  const [read, ready, submit, decision] = await Promise.all([
    stack.fetch(`/v1/projects/${inGrant.projectId}`),
    stack.fetch('/readyz'),
    stack.fetch('/v1/projects', { method: 'POST', body: JSON.stringify(refused) }),
    stack.decide(licence.openSteps.find(isLicenceStep)!),
  ]);
  expect({ status: read.status, body: await read.json() }).toEqual({ status: 503, body: unavailable });
  expect({ status: ready.status, body: await ready.json() }).toEqual({ status: 503, body: unavailable });
  expect({ status: submit.status, body: await submit.json() }).toEqual({ status: 503, body: unavailable });
  expect(decision).toBe(503);
  const answeredWithin = Date.now() - downAt;

  await new Promise((r) => setTimeout(r, Math.max(0, DOWN_MS - (Date.now() - downAt))));
  await stack.startTemporal();
  const upAt = Date.now();
  await stack.until('/readyz 200', async () => (await stack.fetch('/readyz')).status, (s) => s === 200);
  const apiBackMs = Date.now() - upAt;
  expect(stack.alive('api') && stack.alive('worker')).toBe(true);

  // The refused submission started nothing; the refused decision was not recorded.
  expect((await stack.fetch(`/v1/projects/${refused.projectId}`)).status).toBe(404);
  expect((await stack.audit(inLicence.projectId)).filter((e) => e.action === 'decision-recorded' && !e.stepId?.startsWith('grant-'))).toEqual([]);

  expect((await stack.fetch(`/v1/projects/${inScoping.projectId}/scoping`, { method: 'POST', body: '{}' })).status).toBe(200);
  const done = await Promise.all([inScoping, inGrant, inLicence].map((p) => approveEverything(stack, p.projectId)));
  console.log(`temporal restart: down ${((upAt - downAt) / 1000).toFixed(1)} s; the four requests sent then answered 503 within ${answeredWithin} ms; API ready ${apiBackMs} ms after the restart; all 3 projects complete ${((Date.now() - upAt) / 1000).toFixed(1)} s after it`);
  for (const view of done) expect(view.components.map((c) => c.licence.status)).toEqual(['approved', 'approved']);
}, 420_000);
