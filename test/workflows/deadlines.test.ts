/**
 * The clock of a review step, on a real dev server with the policy's
 * durations in seconds: reminders, each step kind's silence rule at the
 * deadline (a consulted agency's silence is no objection; the issuer's is
 * escalated, never consent), and a clock stopped while the coordinator's
 * information is awaited.
 */
import { policySchema } from '../../domain/policy';
import { answerInfoUpdate, type ProjectView } from '../../workflows/definitions';
import { projectWith, usCamera } from '../helpers/fixtures';
import { testPolicyFile } from '../helpers/policy';
import { useWorkflowEnv, mockActivities, notices, noticeSent, recordedView, recordedAudit } from '../helpers/workflow-harness';

const REVIEW_MS = 4000;
const file = testPolicyFile();
file.sla.agencyReview = `${REVIEW_MS}ms`;
file.regimes.US.consultation.within = `${REVIEW_MS}ms`;
file.reminders.every = '1500ms';
const policy = policySchema.parse(file);

const { env: testEnv, withWorker, start, waitForView, openStep, decide, confirm } = useWorkflowEnv(policy);

const step = (v: ProjectView, id: string) => v.steps.find((s) => s.stepId === id)!;

test('US-issued T2: a silent Defense is reminded, then is no objection at the end of its consultation window', async () => {
  const acts = mockActivities();
  await withWorker(acts, async (tq) => {
    const handle = await start(tq, usCamera());
    await confirm(handle);
    await decide(handle, ['grant-funder', 'grant-agency']);
    await decide(handle, ['c2-us-bis', 'c2-us-dos', 'c2-de-bafa']); // DoD stays silent
    const view = await waitForView(handle, (v) => v.components[0].licence.status === 'approved', 'licence after no objection', 20_000);

    const silent = step(view, 'c2-us-dod');
    expect(silent).toMatchObject({ kind: 'defence-review', status: 'decided', outcome: 'no-objection', decidedVia: 'system' });
    const tookMs = Date.parse(silent.decidedAt!) - Date.parse(silent.openedAt);
    expect(tookMs).toBeGreaterThanOrEqual(REVIEW_MS);
    expect(tookMs).toBeLessThan(REVIEW_MS + 1500);

    const audit = await recordedAudit(handle);
    const silence = audit.filter((e) => e.action === 'no-objection');
    expect(silence).toHaveLength(1);
    expect(silence[0].detail).toMatch(/did not answer within .*: no objection \(defence review\)/);
    const reminders = audit.filter((e) => e.action === 'reminder-sent' && e.stepId === 'c2-us-dod');
    expect(reminders.length).toBeGreaterThanOrEqual(1);
    expect(reminders[0].detail).toMatch(/open for \d+ seconds?; waiting: A\. Weber \(coordinator\)/);
    await noticeSent(acts, (n) => n.subject.startsWith('Reminder 1:') && n.to === 'export-review@dtsa.example');
    const reminderMail = notices(acts).find((n) => n.subject.startsWith('Reminder 1:') && n.to === 'export-review@dtsa.example');
    expect(reminderMail?.text).toMatch(/has been open for \d+ seconds? and is due by/);
  });
});

test('US-issued T2: a silent Commerce escalates to its senior, never counts as consent, and a silent senior stays open', async () => {
  const acts = mockActivities();
  await withWorker(acts, async (tq) => {
    const handle = await start(tq, usCamera());
    await confirm(handle);
    await decide(handle, ['grant-funder', 'grant-agency']);
    await decide(handle, ['c2-us-dod', 'c2-us-dos', 'c2-de-bafa']); // Commerce (BIS), the issuer, stays silent
    const esc = await openStep(handle, 'c2-us-bis-esc');
    expect(esc).toMatchObject({ kind: 'escalation', party: 'us-bis', reviewer: 'senior-licensing@bis.example' });
    let view = await recordedView(handle);
    expect(step(view, 'c2-us-bis')).toMatchObject({ status: 'decided', outcome: 'escalated', escalatedTo: 'c2-us-bis-esc' });
    expect(view.components[0].licence.status).toBe('in-review');

    // The senior is silent too: nobody above, so the step stays open and the coordinator is told.
    await new Promise((r) => setTimeout(r, REVIEW_MS + 1000));
    view = await waitForView(handle, (v) => step(v, 'c2-us-bis-esc').status === 'open', 'escalation step still open');
    expect(view.openSteps.map((s) => s.stepId)).toEqual(['c2-us-bis-esc']);
    expect(view.components[0].licence.status).toBe('in-review');
    const audit = await recordedAudit(handle);
    expect(audit.some((e) => e.action === 'no-objection' && e.stepId?.startsWith('c2-us-bis'))).toBe(false);
    expect(audit.filter((e) => e.action === 'escalated').map((e) => e.stepId)).toEqual(['c2-us-bis', 'c2-us-bis-esc']);
    expect(await noticeSent(acts, (n) => n.to === 'a.weber@kit.example' && n.subject.startsWith('Escalated:'))).toBe(true);

    await decide(handle, ['c2-us-bis-esc']);
    view = await waitForView(handle, (v) => v.components[0].licence.status === 'approved', 'licence');
    expect(view.components[0].licence).toMatchObject({ issuer: { agencyId: 'us-bis', regime: 'US' } });
  });
}, 60_000);

test('a request for information stops the step clock; the answer resumes it with the time that was left', async () => {
  const acts = mockActivities();
  await withWorker(acts, async (tq) => {
    const handle = await start(tq, projectWith('c2'));
    await confirm(handle);
    await decide(handle, ['grant-funder', 'grant-agency']);
    await decide(handle, ['c2-de-bafa'], () => ({ decision: 'request-info', comment: 'Frame rate and radiation hardness of the camera?' }));
    await decide(handle, ['c2-us-bis']); // the US advises on BAFA's licence
    expect(await noticeSent(acts, (n) => n.to === 'a.weber@kit.example' && n.subject.startsWith('Information requested'))).toBe(true);

    // Past the step's original deadline: a stopped clock does not run out.
    await new Promise((r) => setTimeout(r, REVIEW_MS + 1000));
    let view = await recordedView(handle);
    const asked = step(view, 'c2-de-bafa');
    expect(asked.status).toBe('open');
    expect(asked.infoRequest).toBeDefined();
    expect(view.components[0].caseClock?.stoppedSince).toBeDefined();

    const answered = await testEnv()
      .client.workflow.getHandle(asked.workflowId)
      .executeUpdate(answerInfoUpdate, { args: [{ stepId: 'c2-de-bafa', answer: '1 Mfps; 100 krad', answeredBy: 'coordinator#test' }] });
    view = await recordedView(handle);
    const resumed = step(view, 'c2-de-bafa');
    // The new due time is the answer time plus exactly the time that was left when the clock stopped.
    expect(Date.parse(answered.dueAt)).toBe(Date.parse(asked.infoRequest!.askedAt) + resumed.stoppedMs + asked.infoRequest!.remainingMs);
    expect(resumed.stoppedMs).toBeGreaterThanOrEqual(REVIEW_MS + 1000);
    expect(view.components[0].caseClock!.stoppedMs).toBe(resumed.stoppedMs);
    console.log(`clock stopped ${resumed.stoppedMs} ms; ${asked.infoRequest!.remainingMs} ms of ${REVIEW_MS} kept and resumed`);

    // BAFA, the issuer, silent after the answer: escalated to its senior at the new deadline, not before.
    view = await waitForView(handle, (v) => v.openSteps.some((s) => s.stepId === 'c2-de-bafa-esc'), 'escalation', 20_000);
    expect(Date.parse(step(view, 'c2-de-bafa').decidedAt!)).toBeGreaterThanOrEqual(Date.parse(answered.dueAt));
    const actions = (await recordedAudit(handle)).filter((e) => e.stepId === 'c2-de-bafa').map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['info-requested', 'clock-stopped', 'info-answered', 'clock-resumed', 'escalated']));
  });
}, 60_000);
