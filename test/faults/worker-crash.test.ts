/**
 * `kill -9` of the worker in the middle of a multi-agency review, on the real
 * stack as separate processes.
 *
 * What a reviewer sees meanwhile: a decision is a Workflow Update, and only a
 * worker can run its validator, so the API cannot confirm it. After its 10-s
 * deadline it answers 503 "not confirmed yet; it may still be recorded".
 * Temporal keeps the Update: once a worker is back the decision is recorded,
 * once, without being sent again, and sending the link again answers 409.
 *
 * E-mails under way at the crash are sent again after their timeout, and
 * arrive once. Not covered, because it cannot be: a crash between SMTP's 250
 * and the completion reaching Temporal mails twice (same Message-ID); the test
 * measures how wide that window is.
 */
import { licenceWorkflowId } from '../../workflows/definitions';
import { allTiersProject, uniqueId } from '../helpers/fixtures';
import { useProcessStack } from '../helpers/process-stack';
import { approveEverything, expectDecisionsRecordedOnce, requestMessageIds, settleMails, submitAndConfirm } from './fault-scenarios';

const stack = useProcessStack();

const unconfirmed = {
  status: 503,
  body: { error: { code: 'UNAVAILABLE', message: expect.stringMatching(/could not be confirmed.*may still be recorded/), details: [] } },
};

test('decisions sent while the worker is down are recorded once it is back, once; the project completes; no e-mail twice', async () => {
  const project = allTiersProject(uniqueId('crash'));
  const id = project.projectId;
  await submitAndConfirm(stack, project);
  const grant = await stack.until(
    'the two grant steps',
    () => stack.view(id),
    (v) => v.openSteps.length === 2,
  );
  await stack.until(
    'grant requests sent',
    () => stack.audit(id),
    (a) => a.filter((e) => e.action === 'email-sent' && e.stepId?.startsWith('grant-')).length === 2,
  );

  // The grant approval opens the licence reviews of several agencies at once. Their e-mails are on their
  // way (held by a frozen SMTP server, so that the crash surely finds them under way) when the worker dies.
  stack.freeze('mail');
  for (const step of grant.openSteps) expect(await stack.decide(step)).toBe(200);
  const review = await stack.until(
    'licence steps of three agencies',
    () => stack.view(id),
    (v) => new Set(v.openSteps.map((s) => s.party)).size >= 3,
  );
  const sending = ['c2', 'c3'].map((c) => licenceWorkflowId(id, c));
  for (const wf of sending)
    await stack.until(
      `review requests of ${wf} under way`,
      () => stack.runningActivities(wf),
      (a) => a.includes('sendReviewRequest'),
    );
  await stack.stop('worker', 'SIGKILL');
  const killedAt = Date.now();
  stack.thaw('mail');

  // Deciding (an Update) needs a worker: 503 after the API's deadline. Reading needs none: it comes from the records.
  const whileDown = review.openSteps.slice(0, 2);
  const [read, ...decisions] = await Promise.all([stack.fetch(`/v1/projects/${id}`), ...whileDown.map((s) => stack.decision(s))]);
  expect({ status: read.status, body: await read.json() }).toEqual({ status: 200, body: expect.objectContaining({ projectId: id, stage: 'active' }) });
  for (const answer of decisions) expect(answer).toEqual(unconfirmed);
  const answeredIn = Date.now() - killedAt;

  await stack.startWorker();
  const restartedAt = Date.now();
  // Not sent again: the decisions are recorded anyway, by the restarted worker.
  const isDecisionOn = (stepId: string) => (e: { action: string; stepId?: string }) => e.action === 'decision-recorded' && e.stepId === stepId;
  await stack.until(
    'the decisions sent while the worker was down',
    () => stack.audit(id),
    (a) => whileDown.every((s) => a.some(isDecisionOn(s.stepId))),
    90_000,
  );
  const appliedIn = Date.now() - restartedAt;
  // The same links again change nothing (the step is decided, or its review has already finished).
  for (const step of whileDown)
    expect(await stack.decision(step)).toMatchObject({
      status: 409,
      body: { error: { code: 'CONFLICT', message: expect.stringMatching(/(already decided|has finished).*Nothing was changed/) } },
    });

  // Everyone else approves, including the senior sign-offs that open later.
  const done = await approveEverything(stack, id);
  const completedIn = Date.now() - restartedAt;
  expect(done.components.map((c) => [c.id, c.licence.status])).toEqual([
    ['c0', 'cleared'],
    ['c1', 'approved'],
    ['c2', 'approved'],
    ['c3', 'approved'],
  ]);

  // Exactly one recorded decision per decided step.
  await expectDecisionsRecordedOnce(stack, done);
  const decided = done.steps.filter((s) => s.status === 'decided').map((s) => s.stepId);
  expect(decided).toEqual(expect.arrayContaining(whileDown.map((s) => s.stepId)));

  // Every step's review request arrived; every mail that arrived was sent by one activity, once. The sends the
  // crash cut off ran again after their timeout (30 s) and mailed once: SMTP had not accepted them yet. (A crash
  // after SMTP's 250 and before the completion reaches Temporal would mail twice, same Message-ID: `cutOff`.)
  const { mails, sends, problems, cutOff } = await settleMails(stack, requestMessageIds(done.steps));
  expect(problems).toEqual([]);
  expect(cutOff).toEqual([]);
  const retried = sends.filter((s) => s.afterTimeout);
  expect(retried.map((s) => s.workflowId)).toEqual(expect.arrayContaining(sending));
  // How wide that window is: from MailDev writing a mail to Temporal recording its send complete (an upper bound).
  const firstWritten = (messageId: string) => Math.min(...mails.filter((m) => m.headers['message-id'] === messageId).map((m) => stack.mailWrittenAt(m)));
  const widths = sends
    .filter((s) => s.attempt === 1)
    .map((s) => Math.round(s.completedAt - firstWritten(s.messageId)))
    .sort((a, b) => a - b);
  console.log(
    `worker crash: decisions sent while down answered 503 within ${answeredIn} ms; applied ${appliedIn} ms after the restart, project complete ${(completedIn / 1000).toFixed(1)} s after it; ` +
      `${decided.length} decisions, ${mails.length} mails from ${sends.length} sends, none twice; ${retried.length} send(s) under way at the kill ran again after their timeout; ` +
      `the window a kill would double a mail in (MailDev wrote it → Temporal recorded the send): median ${widths[widths.length >> 1]} ms, max ${widths[widths.length - 1]} ms over ${widths.length} sends ${JSON.stringify(widths)}`,
  );
}, 300_000);
