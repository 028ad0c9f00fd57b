/**
 * An orderly stop (SIGTERM, as `docker compose stop` or a rolling deploy
 * sends it) loses nothing in flight:
 *  - the API stops taking connections but answers the requests it has;
 *  - the worker stops polling but lets the activity attempts it holds finish
 *    (an e-mail held up by a slow SMTP server), then exits 0.
 * Each in-flight piece of work is held in place by freezing (SIGSTOP) what it
 * waits on, so the signal surely arrives while it runs.
 */
import { smallProject, uniqueId } from '../helpers/fixtures';
import { useProcessStack } from '../helpers/process-stack';
import { requestMessageIds, submitAndConfirm } from './fault-scenarios';

const stack = useProcessStack();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('SIGTERM to the API: a decision in flight is answered and recorded, new connections are refused, exit 0', async () => {
  const project = smallProject(uniqueId('drain-api'));
  await submitAndConfirm(stack, project);
  const review = await stack.until(
    'grant review open',
    () => stack.view(project.projectId),
    (v) => v.openSteps.length === 2,
  );
  const [step] = review.openSteps;

  // The worker is frozen: the decision's Update waits in Temporal, the request in the API.
  stack.freeze('worker');
  const decision = stack.decision(step);
  await sleep(1000);
  const exited = stack.exited('api');
  stack.signal('api', 'SIGTERM');
  await sleep(500);
  const refused = await fetch(`http://127.0.0.1:${stack.ports.api}/healthz`).then(
    () => 'answered',
    (err: Error & { cause?: { code?: string } }) => err.cause?.code,
  );
  stack.thaw('worker');

  expect(await decision).toMatchObject({ status: 200, body: { recorded: true, stepId: step.stepId } });
  expect(await exited).toBe(0);
  expect(refused).toBe('ECONNREFUSED');

  await stack.startApi();
  const audit = await stack.audit(project.projectId);
  expect(audit.filter((e) => e.action === 'decision-recorded').map((e) => e.stepId)).toEqual([step.stepId]);
}, 120_000);

test('SIGTERM to the worker: the e-mail it is sending finishes first (attempt 1, once), then it exits 0', async () => {
  // SMTP frozen: the project's first e-mail after scoping hangs in the worker's hands.
  stack.freeze('mail');
  const project = smallProject(uniqueId('drain-worker'));
  await submitAndConfirm(stack, project);
  const workflowId = `project-${project.projectId}`;
  const held = await stack.until(
    'an e-mail under way',
    () => stack.runningActivities(workflowId),
    (running) => running.some((a) => a.startsWith('send')),
    30_000,
  );

  const exited = stack.exited('worker');
  const signalledAt = Date.now();
  stack.signal('worker', 'SIGTERM');
  await sleep(2000);
  expect(stack.alive('worker')).toBe(true); // still draining: it holds the send
  stack.thaw('mail');
  expect(await exited).toBe(0);
  const exitedAt = Date.now();

  // The send completed on its first attempt, before the worker left, and its mail arrived once.
  const sends = (await stack.mailSends()).filter((s) => s.workflowId === workflowId);
  expect(sends.map((s) => s.activity)).toEqual(held.filter((a) => a.startsWith('send')));
  for (const send of sends) {
    expect(send).toMatchObject({ attempt: 1, afterTimeout: false });
    expect(send.completedAt).toBeLessThan(exitedAt);
    expect((await stack.mails()).filter((m) => m.headers['message-id'] === send.messageId)).toHaveLength(1);
  }
  console.log(
    `graceful shutdown: the worker finished ${sends.map((s) => s.activity)} and exited ${exitedAt - signalledAt} ms after SIGTERM (SMTP thawed at 2,000 ms)`,
  );

  // A new worker carries the project on: the grant review's e-mails go out.
  await stack.startWorker();
  const review = await stack.until(
    'the grant review mailed',
    () => stack.view(project.projectId),
    (v) => v.openSteps.length === 2,
    60_000,
  );
  const ids = requestMessageIds(review.openSteps);
  await stack.until(
    'both review e-mails',
    () => stack.mails(),
    (mails) => ids.every((id) => mails.some((m) => m.headers['message-id'] === id)),
    60_000,
  );
}, 120_000);
