/**
 * The mail activities (activities/index.ts) in an activity context, with the SMTP transport mocked:
 * what they hand to the transport is the unit under test.
 */
import type { MetricCounter, MetricMeter, MetricTags } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import type { SendMailOptions } from 'nodemailer';
import path from 'node:path';
import { createActivities, type ActivityDeps, type MailReceipt } from '../../activities';
import { LinkSigner } from '../../activities/link-tokens';
import { loadReferenceData } from '../../activities/reference-data';
import type { ReviewStep } from '../../workflows/definitions';
import type { MailContext, NoticeInput } from '../../workflows/mail-intents';

const ROOT = path.resolve(__dirname, '../..');
const PUBLIC_URL = 'https://reviews.licence-review.example';
const LINK_VALID_FOR_MS = 60 * 24 * 3600 * 1000;
const signer = new LinkSigner('unit-test-link-secret-0123456789');
const referenceData = loadReferenceData(path.join(ROOT, 'reference-data/control-list.json'), path.join(ROOT, 'reference-data/restricted-parties.json'));

const step: ReviewStep = {
  stepId: 'c2-us-bis',
  workflowId: 'licence-p-mail--c2',
  kind: 'issuer-review',
  party: 'us-bis',
  partyName: 'U.S. Department of Commerce, Bureau of Industry and Security',
  reviewer: 'licensing@bis.example',
  componentId: 'c2',
  question: 'Approve a licence for "High-speed camera" (T2) to US?',
  openedAt: '2027-03-01T09:00:00.000Z',
  dueAt: '2027-03-31T09:00:00.000Z',
  slaMs: 30 * 24 * 3600 * 1000,
  status: 'open',
  remindersSent: 0,
  stoppedMs: 0,
};
const context: MailContext = {
  projectId: 'p-mail',
  projectTitle: 'Plasma diagnostics for fusion reactors',
  componentName: 'High-speed camera',
  tier: 'T2',
  tierReason: 'listed (6A003) with sensitive reasons for control NS',
};
const escalationNotice: Omit<NoticeInput, 'key'> = {
  to: 'a.weber@kit.example',
  intent: { kind: 'step-escalated', context, step, coordinatorName: 'Anna Weber', what: 'its senior reviewer now decides' },
};

/** A metric meter that keeps counter totals by `name{tag=value,…}`, for the e-mail counters. */
function recordingMeter(totals = new Map<string, number>(), tags: MetricTags = {}): MetricMeter & { totals: Map<string, number> } {
  const unused = () => {
    throw new Error('only counters are expected');
  };
  const counter = (name: string, tagged: MetricTags): MetricCounter => ({
    name,
    kind: 'counter',
    valueType: 'int',
    add: (value, extra = {}) => {
      const all = { ...tagged, ...extra };
      const key = `${name}{${Object.keys(all)
        .sort()
        .map((k) => `${k}=${all[k]}`)
        .join(',')}}`;
      totals.set(key, (totals.get(key) ?? 0) + value);
    },
    withTags: (more) => counter(name, { ...tagged, ...more }),
  });
  return {
    totals,
    createCounter: (name) => counter(name, tags),
    createHistogram: unused,
    createGauge: unused,
    withTags: (more) => recordingMeter(totals, { ...tags, ...more }),
  };
}

function setup(publicUrl = PUBLIC_URL) {
  const sendMail = jest.fn<Promise<unknown>, [SendMailOptions]>().mockResolvedValue({ accepted: ['ok'] });
  // The transport's type has callback overloads that a jest.fn cannot express; only the promise form is used.
  const transport = { sendMail } as unknown as ActivityDeps['transport'];
  const activities = createActivities({ transport, mailFrom: 'Licence reviews <reviews@licence-review.example>', publicUrl, signer, referenceData });
  // ERROR level: the outage test fails an activity on purpose, and its warning is noise.
  const meter = recordingMeter();
  const env = new MockActivityEnvironment(undefined, { logger: new DefaultLogger('ERROR'), metricMeter: meter });
  /** Runs an activity in the mock context, keeping its argument and result types. */
  const run = <A>(fn: (input: A) => Promise<MailReceipt>, input: A): Promise<MailReceipt> => env.run(fn, input);
  return { sendMail, activities, run, counted: meter.totals };
}

const sent = (sendMail: jest.Mock<Promise<unknown>, [SendMailOptions]>, call = 0) => sendMail.mock.calls[call][0];
const links = (text: unknown): string[] => Array.from(String(text).match(/https?:\/\/\S+/g) ?? []);

describe('sendReviewRequest', () => {
  const input = { step, context, linkValidForMs: LINK_VALID_FOR_MS };

  it('sends one mail to the step’s reviewer, naming project, component, tier and due date', async () => {
    const { sendMail, activities, run } = setup();
    const receipt = await run(activities.sendReviewRequest, input);
    expect(sendMail).toHaveBeenCalledTimes(1);
    const mail = sent(sendMail);
    expect(mail).toMatchObject({ to: step.reviewer, from: 'Licence reviews <reviews@licence-review.example>' });
    for (const part of [context.projectTitle, context.componentName!, 'T2', '2027-03-31']) expect(mail.subject).toContain(part);
    expect(receipt).toEqual({ to: step.reviewer, subject: mail.subject, messageId: mail.messageId });
  });

  it('holds exactly one link, to PUBLIC_URL/r/<token>, whose token names this step and expires on time', async () => {
    const { sendMail, activities, run } = setup();
    await run(activities.sendReviewRequest, input);
    const found = links(sent(sendMail).text);
    expect(found).toHaveLength(1);
    const match = /^https:\/\/reviews\.licence-review\.example\/r\/([^/?#]+)$/.exec(found[0]);
    expect(match).not.toBeNull();
    const token = match![1];

    const expiresAt = Date.parse(step.openedAt) + LINK_VALID_FOR_MS;
    expect(signer.verify(token, Date.parse(step.openedAt))).toEqual({
      ok: true,
      claims: { workflowId: step.workflowId, stepId: step.stepId, reviewer: step.reviewer, expiresAt, assignment: 0 },
    });
    expect(signer.verify(token, expiresAt).ok).toBe(false);
  });

  it('does not double the slash when PUBLIC_URL ends with one', async () => {
    const { sendMail, activities, run } = setup(`${PUBLIC_URL}/`);
    await run(activities.sendReviewRequest, input);
    expect(links(sent(sendMail).text)[0]).toMatch(/^https:\/\/reviews\.licence-review\.example\/r\/[^/]+$/);
  });

  it('gives a send retried after an SMTP error the same Message-ID, and another step another one', async () => {
    const { sendMail, activities, run } = setup();
    sendMail.mockRejectedValueOnce(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1025'), { code: 'ECONNECTION' }));
    await expect(run(activities.sendReviewRequest, input)).rejects.toThrow('ECONNREFUSED');
    const retried = await run(activities.sendReviewRequest, input);
    const other = await run(activities.sendReviewRequest, { ...input, step: { ...step, stepId: 'c2-us-dod' } });
    expect(retried.messageId).toMatch(/^<[^<>@\s]+@[^<>@\s]+>$/);
    expect(sent(sendMail, 1).messageId).toBe(sent(sendMail, 0).messageId);
    expect(retried.messageId).toBe(sent(sendMail, 0).messageId);
    expect(other.messageId).not.toBe(retried.messageId);
  });

  it('does not send again what SMTP already accepted in this process (a retry whose completion Temporal never got)', async () => {
    const { sendMail, activities, run } = setup();
    const first = await run(activities.sendReviewRequest, input);
    const retried = await run(activities.sendReviewRequest, input);
    expect(sendMail).toHaveBeenCalledTimes(1);
    expect(retried).toEqual(first);
  });

  it('lets a transport error through, so Temporal retries the activity', async () => {
    const { sendMail, activities, run } = setup();
    const outage = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1025'), { code: 'ECONNECTION' });
    sendMail.mockRejectedValueOnce(outage);
    await expect(run(activities.sendReviewRequest, input)).rejects.toBe(outage);
  });

  it('counts e-mails sent and failed by kind: a refused send, its retry, and a retry of a send SMTP already took', async () => {
    const { sendMail, activities, run, counted } = setup();
    sendMail.mockRejectedValueOnce(new Error('421 service not available'));
    await expect(run(activities.sendReviewRequest, input)).rejects.toThrow('421');
    await run(activities.sendReviewRequest, input);
    await run(activities.sendReviewRequest, input); // remembered: not sent, not counted again
    await run(activities.sendNotice, { ...escalationNotice, key: 'notice-1' });
    // The activity context's meter adds the SDK's tags (the mock environment's values) to our `kind`.
    expect(Object.fromEntries(counted)).toEqual({
      'licence_review_emails_failed{activityType=unknown,kind=review_request,namespace=test,taskQueue=test}': 1,
      'licence_review_emails_sent{activityType=unknown,kind=review_request,namespace=test,taskQueue=test}': 1,
      'licence_review_emails_sent{activityType=unknown,kind=notice,namespace=test,taskQueue=test}': 1,
    });
  });
});

describe('sendStepClosed', () => {
  it('tells the reviewer the step is closed and why, with no decision link', async () => {
    const { sendMail, activities, run } = setup();
    const receipt = await run(activities.sendStepClosed, { step, context, reason: 'the project was withdrawn' });
    const mail = sent(sendMail);
    expect(mail.to).toBe(step.reviewer);
    expect(mail.subject).toContain(context.projectTitle);
    expect(mail.text).toContain('the project was withdrawn');
    expect(links(mail.text)).toEqual([]);
    // Not the request's Message-ID: a mail client that de-duplicates would otherwise drop the notice.
    const request = await run(activities.sendReviewRequest, { step, context, linkValidForMs: LINK_VALID_FOR_MS });
    expect(receipt.messageId).not.toBe(request.messageId);
  });
});

describe('sendNotice', () => {
  it('renders the intent and sends it, with a Message-ID derived from its key', async () => {
    const { sendMail, activities, run } = setup();
    const notice = { ...escalationNotice, key: 'project-p1/escalated:3' };
    const first = await run(activities.sendNotice, notice);
    const again = await run(activities.sendNotice, notice);
    expect(sent(sendMail)).toMatchObject({
      to: notice.to,
      subject: `Escalated: ${context.projectTitle} — ${context.componentName} — ${step.partyName}`,
      text: `Dear Anna Weber,\n\n"${step.question}" was due on ${step.dueAt}: its senior reviewer now decides.`,
    });
    expect(first.subject).toBe(sent(sendMail).subject);
    expect(first.messageId).toMatch(/^<[A-Za-z0-9._-]+@[A-Za-z0-9.-]+>$/);
    expect(again.messageId).toBe(first.messageId);
    const other = await run(activities.sendNotice, { ...notice, key: 'project-p1/reminder:4' });
    expect(other.messageId).not.toBe(first.messageId);
  });

  it('sends a later run of the same workflow id its own mail: the same key in another run is another Message-ID', async () => {
    const { sendMail, activities } = setup();
    const inRun = (runId: string) =>
      new MockActivityEnvironment({ workflowExecution: { workflowId: 'project-p1', runId } } as ConstructorParameters<typeof MockActivityEnvironment>[0], {
        logger: new DefaultLogger('ERROR'),
      });
    const notice = { ...escalationNotice, key: 'project-p1.scoping' };
    const send = (runId: string): Promise<MailReceipt> => inRun(runId).run(activities.sendNotice, notice);
    const first = await send('run-1');
    const retried = await send('run-1');
    const resubmitted = await send('run-2');
    expect(retried.messageId).toBe(first.messageId);
    expect(resubmitted.messageId).not.toBe(first.messageId);
    expect(sendMail).toHaveBeenCalledTimes(2);
  });

  it("signs a fresh link for a reminder that asks for one: this step, this reviewer, the step's run and assignment, valid until linkUntil", async () => {
    const { sendMail, activities, run } = setup();
    const linkUntil = '2027-05-01T09:00:00.000Z';
    await run(activities.sendNotice, {
      to: step.reviewer,
      key: 'reminder-with-link',
      intent: { kind: 'step-reminder', context, step: { ...step, runId: 'first-run', assignments: 2 }, n: 3, openFor: '20 days', waiting: [], linkUntil },
    });
    const links = [...String(sent(sendMail).text).matchAll(/https:\/\/reviews\.licence-review\.example\/r\/(\S+)/g)].map((m) => m[1]);
    expect(links).toHaveLength(1);
    expect(signer.verify(links[0], Date.parse(linkUntil) - 1)).toEqual({
      ok: true,
      claims: { workflowId: step.workflowId, stepId: step.stepId, reviewer: step.reviewer, expiresAt: Date.parse(linkUntil), run: 'first-run', assignment: 2 },
    });
  });
});
