/**
 * The Temporal dev server is stopped (SIGTERM) during reviews and started
 * again on the same SQLite file and port. While it is down the API serves reads
 * from the record store (a reviewer's link opens its step), and answers writes
 * 503 with the error contract, within its deadline, changing nothing; after it,
 * the same link decides; it
 * recovers by itself, the worker stays up and reconnects by itself, and every
 * project in flight resumes and completes. E-mails SMTP accepted while Temporal
 * was down (so their sends could not be reported and ran again) arrive once.
 */
import { licenceWorkflowId } from '../../workflows/definitions';
import { expectStatus } from '../helpers/api-read';
import { projectWith } from '../helpers/fixtures';
import { useProcessStack } from '../helpers/process-stack';
import { approveEverything, requestMessageIds, settleMails, submitAndConfirm } from './fault-scenarios';

const stack = useProcessStack();

/** How long Temporal stays down at least (the requests sent meanwhile take up to the API's 10-s deadline). */
const DOWN_MS = 25_000;
const unavailable = { error: { code: 'UNAVAILABLE', message: expect.stringMatching(/\(Temporal\) (is not reachable|did not answer in time)/), details: [] } };

async function timed(request: Promise<Response>) {
  const sentAt = Date.now();
  const res = await request;
  return { status: res.status, body: await res.json(), ms: Date.now() - sentAt };
}

test('503 while Temporal is down, recovery without restarting anything, and every project in flight completes', async () => {
  // Three projects at three points of their path.
  const inScoping = projectWith('c1', 'c2');
  expect((await stack.fetch('/v1/projects', { method: 'POST', body: JSON.stringify(inScoping) })).status).toBe(201);
  const inGrant = projectWith('c1', 'c2');
  await submitAndConfirm(stack, inGrant);
  const inLicence = projectWith('c1', 'c2');
  await submitAndConfirm(stack, inLicence);
  const grant = await stack.until(
    'grant steps',
    () => stack.view(inLicence.projectId),
    (v) => v.openSteps.length === 2,
  );
  const grantMailed = (a: { action: string; stepId?: string }[]) => a.filter((e) => e.action === 'email-sent' && e.stepId?.startsWith('grant-')).length === 2;
  await stack.until('grant requests sent', () => stack.audit(inLicence.projectId), grantMailed);
  await stack.until(
    'scoping classified',
    () => stack.view(inScoping.projectId),
    (v) => v.components.every((c) => c.tier !== null),
  );

  // The grant approval opens c2's licence review; its e-mails are being sent (held by a frozen SMTP server) as Temporal goes down.
  stack.freeze('mail');
  for (const step of grant.openSteps) expect(await stack.decide(step)).toBe(200);
  const isLicenceStep = (s: { kind: string }) => !s.kind.startsWith('grant-');
  const licence = await stack.until(
    'licence steps',
    () => stack.view(inLicence.projectId),
    (v) => v.openSteps.some(isLicenceStep),
  );
  const sending = licenceWorkflowId(inLicence.projectId, 'c2');
  await stack.until(
    'review requests being sent',
    () => stack.runningActivities(sending),
    (a) => a.includes('sendReviewRequest'),
  );
  await stack.stop('temporal', 'SIGTERM');
  const downAt = Date.now();
  stack.thaw('mail'); // SMTP accepts them now; the worker cannot tell Temporal

  // Requests at once while it is down: a read, the readiness probe, a submission, a reviewer's page and their decision.
  const refused = projectWith('c1');
  const licenceStep = licence.openSteps.find(isLicenceStep)!;
  const link = stack.linkFor(licenceStep);
  const [read, ready, submit, page, decision] = await Promise.all([
    timed(stack.fetch(`/v1/projects/${inGrant.projectId}`)),
    timed(stack.fetch('/readyz')),
    timed(stack.fetch('/v1/projects', { method: 'POST', body: JSON.stringify(refused) })),
    stack.page(link),
    (async () => {
      const sentAt = Date.now();
      return { ...(await stack.decision(licenceStep, undefined, 'api', link)), ms: Date.now() - sentAt };
    })(),
  ]);
  // The reviewer's link opens the step from the records: the question and the form.
  expect(page.status).toBe(200);
  expect(page.text).toContain('Record my decision');
  expect(page.text).toContain(licenceStep.partyName);
  for (const answer of [ready, submit]) expect(answer).toEqual({ status: 503, body: unavailable, ms: expect.any(Number) });
  // Reads come from the record store, which is up: the project as it was recorded.
  expect(read).toEqual({ status: 200, body: expect.objectContaining({ projectId: inGrant.projectId, stage: 'grant-review' }), ms: expect.any(Number) });
  // The reviewer is told the decision is not confirmed (the API cannot tell whether it reached Temporal).
  expect(decision).toEqual({
    status: 503,
    body: { error: { code: 'UNAVAILABLE', message: expect.stringMatching(/could not be confirmed/), details: [] } },
    ms: expect.any(Number),
  });
  // Never hang: each is answered by the API's deadline (10 s; 2 s for /readyz), give or take a retry's sleep (≤ 1 s) on a loaded machine.
  expect(Math.max(read.ms, submit.ms, decision.ms)).toBeLessThan(13_000);
  expect(ready.ms).toBeLessThan(4_000);

  await new Promise((r) => setTimeout(r, Math.max(0, DOWN_MS - (Date.now() - downAt)))); // the outage itself
  await stack.startTemporal(); // same SQLite file and port; returns once it answers
  const upAt = Date.now();
  await stack.until(
    '/readyz 200',
    async () => (await stack.fetch('/readyz')).status,
    (s) => s === 200,
  );
  const apiBackMs = Date.now() - upAt;
  // The API's connection to Temporal comes back by itself, promptly (its reconnect backoff is capped).
  expect(apiBackMs).toBeLessThan(10_000);
  expect(stack.alive('api') && stack.alive('worker')).toBe(true);

  // The refused submission started nothing; the refused decision was not recorded, and the same link now decides.
  expectStatus(await stack.read(`/v1/projects/${refused.projectId}`), 404);
  expect((await stack.audit(inLicence.projectId)).filter((e) => e.action === 'decision-recorded' && !e.stepId?.startsWith('grant-'))).toEqual([]);
  expect(await stack.decision(licenceStep, undefined, 'api', link)).toMatchObject({ status: 200, body: { recorded: true, stepId: licenceStep.stepId } });

  expect((await stack.fetch(`/v1/projects/${inScoping.projectId}/scoping`, { method: 'POST', body: '{}' })).status).toBe(200);
  const done = await Promise.all([inScoping, inGrant, inLicence].map((p) => approveEverything(stack, p.projectId)));
  const completedIn = Date.now() - upAt;
  for (const view of done) expect(view.components.map((c) => c.licence.status)).toEqual(['approved', 'approved']);

  // No mail lost or doubled across the outage. Sends under way when Temporal went down could not be reported
  // (the worker gives up after about 10 s) and ran again after their timeout: the worker, still up, did not mail them twice.
  const { mails, sends, problems, cutOff } = await settleMails(stack, requestMessageIds(done.flatMap((v) => v.steps)));
  expect(problems).toEqual([]);
  expect(cutOff).toEqual([]);
  const ranAgain = sends.filter((x) => x.afterTimeout);
  expect(ranAgain.map((x) => x.workflowId)).toContain(sending);
  console.log(
    `temporal restart: down ${((upAt - downAt) / 1000).toFixed(1)} s; while down a read was answered from the records in ${read.ms} ms, ` +
      `503 in ${ready.ms} ms (/readyz), ${submit.ms} ms (submission), ${decision.ms} ms (decision); ` +
      `API ready ${apiBackMs} ms after Temporal answered again; all 3 projects complete ${(completedIn / 1000).toFixed(1)} s after it; ${mails.length} mails, none twice; ${ranAgain.length} send(s) ran again after the outage and did not mail again`,
  );
}, 300_000);
