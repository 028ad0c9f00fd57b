/**
 * Who decides (DOMAIN.md "Who holds authority"), on a real dev server with
 * the policy's windows in seconds: an EU Member State's objection binds and
 * names the state; its silence is no objection; a US denial starts with a
 * notice of intent; an unanswered request for information returns the case,
 * which the coordinator submits again; a case past its legal limit is flagged
 * out of time; working-day windows fall on the deciding country's calendar.
 */
import Holidays from 'date-holidays';
import { policySchema } from '../../domain/policy';
import { licenceWorkflowId, resubmitUpdate, searchAttributes, type ProjectView } from '../../workflows/definitions';
import { listStalled } from '../../records/stalled';
import { testRecords } from '../helpers/records';
import { projectWith, usCamera, withPartner } from '../helpers/fixtures';
import { testPolicyFile } from '../helpers/policy';
import { mockActivities, notices, rejectionType, useWorkflowEnv, recordedView, recordedAudit, type ProjectHandle } from '../helpers/workflow-harness';

const file = testPolicyFile();
file.regimes.EU.consultation.within = '3s';
file.regimes.US.intentToDeny = { respondWithin: '2s', finalAfter: '4s' };
file.regimes.US.caseLimit = '5s';
file.sla.returnUnansweredAfter = '4s';
file.sla.resubmitWithin = '60s';
file.reminders.every = '1500ms';
const policy = policySchema.parse(file);
/** For the answered notices: a notice period long enough for every reconsideration to be decided on a loaded machine. */
const longNotice = policySchema.parse({
  ...file,
  regimes: { ...file.regimes, US: { ...file.regimes.US, intentToDeny: { respondWithin: '20s', finalAfter: '60s' } } },
});

const { env, withWorker, start, waitForView, openStep, decide, confirm } = useWorkflowEnv(policy);

const OBJECTION = { decision: 'deny' as const, legalBasis: 'Art. 14(1) Regulation 2021/821: essential security interests of France' };
const licence = (v: ProjectView) => v.components[0].licence;

/**
 * The T2 camera exported by TU Delft (NL) to KAIST (KR), held in France when exported: the Netherlands issues, France is
 * consulted (Art. 14(1) Regulation 2021/821: Korea is outside EU001). KAIST only receives: Korea needs no agency.
 */
function dutchCameraHeldInFrance() {
  let p = projectWith('c2');
  p = withPartner(withPartner(p, { id: 'tudelft', name: 'TU Delft', country: 'NL' }), { id: 'kaist', name: 'KAIST', country: 'KR' });
  return { ...p, components: p.components.map((c) => ({ ...c, exporter: 'tudelft', recipients: ['kaist'], destinations: ['KR'], heldIn: 'FR' })) };
}

test('EU-issued: France objects, the Netherlands must deny, naming France; no ladder opens and no chair is mailed', async () => {
  const acts = mockActivities();
  await withWorker(acts, async (tq) => {
    const handle = await start(tq, dutchCameraHeldInFrance());
    await confirm(handle);
    await decide(handle, ['grant-funder', 'grant-agency']);
    const consultation = await openStep(handle, 'c2-fr-sbdu');
    expect(consultation).toMatchObject({ kind: 'consultation', party: 'fr-sbdu' });
    await decide(handle, ['c2-nl-cdiu']);
    await decide(handle, ['c2-fr-sbdu'], () => OBJECTION);

    const view = await waitForView(handle, (v) => licence(v).status === 'denied', 'binding objection');
    expect(licence(view)).toMatchObject({ issuer: { agencyId: 'nl-cdiu', regime: 'EU' } });
    expect(licence(view).basis).toBe(`objection by ${consultation.partyName} (FR): ${OBJECTION.legalBasis}`);
    expect(view.disputes).toEqual([]);
    const audit = await recordedAudit(handle);
    expect(audit.find((e) => e.action === 'objection-binds')?.detail).toContain('(FR)');
    const ladderChairs = policy.regimes.US.ladder!.map((l) => l.chair);
    expect(acts.sendReviewRequest.mock.calls.filter(([{ step }]) => ladderChairs.includes(step.reviewer))).toEqual([]);
    // The applicant may appeal to the Dutch appeal body, not to any ladder.
    expect(view.openSteps.map((s) => [s.kind, s.question.includes(policy.agencies.find((a) => a.id === 'nl-cdiu')!.appealBody!.name)])).toEqual([
      ['appeal', true],
    ]);
  });
}, 60_000);

test('EU-issued: a silent France is no objection after its window, and the Netherlands’ approval issues the licence', async () => {
  await withWorker(mockActivities(), async (tq) => {
    const handle = await start(tq, dutchCameraHeldInFrance());
    await confirm(handle);
    await decide(handle, ['grant-funder', 'grant-agency']);
    await decide(handle, ['c2-nl-cdiu']);
    const view = await waitForView(handle, (v) => licence(v).status === 'approved', 'licence after France’s silence', 20_000);
    const fr = view.steps.find((s) => s.stepId === 'c2-fr-sbdu')!;
    expect(fr).toMatchObject({ outcome: 'no-objection', decidedVia: 'system' });
    expect(Date.parse(fr.decidedAt!) - Date.parse(fr.openedAt)).toBeGreaterThanOrEqual(3000);
    expect(licence(view)).toMatchObject({ issuer: { agencyId: 'nl-cdiu', regime: 'EU' } });
  });
}, 60_000);

/** A US camera denied by Commerce and by the reviewing agencies, with the applicant's answer to the notice of intent. */
async function answeredIntentToDeny(handle: ProjectHandle) {
  await confirm(handle);
  await decide(handle, ['grant-funder', 'grant-agency']);
  await decide(handle, ['c2-us-bis'], () => ({ decision: 'deny', legalBasis: 'EAR §742.4(b): national security' }));
  await decide(handle, ['c2-us-dod', 'c2-us-dos', 'c2-de-bafa'], () => ({ decision: 'deny', legalBasis: 'EAR §742.4(b)' }));
  const notice = await openStep(handle, 'c2-intent-1');
  expect(notice).toMatchObject({ kind: 'intent-to-deny', reviewer: 'a.weber@kit.example' });
  expect(licence(await recordedView(handle)).status).toBe('in-review');
  await decide(handle, ['c2-intent-1'], () => ({ decision: 'respond', legalBasis: 'The end user is a civil laboratory; see the attached assurances' }));
}

test(
  'US intent to deny, answered, Defense’s denial standing (EO 12981 §5): Commerce and each ' +
    'objector review again, and the disagreement goes to the Operating Committee, not to a grant',
  async () => {
    await withWorker(mockActivities(), async (tq) => {
      const handle = await start(tq, usCamera(), longNotice);
      await answeredIntentToDeny(handle);
      const reopened = await openStep(handle, 'c2-us-bis-reconsider-1');
      expect(reopened).toMatchObject({ kind: 'issuer-review', party: 'us-bis' });
      expect(reopened.question).toContain('civil laboratory');
      // The US reviewing agencies whose denials stand review again; BAFA (another regime) only advised.
      const view0 = await waitForView(handle, (v) => v.openSteps.length === 3, 'Commerce, Defense and State reconsider');
      expect(view0.openSteps.map((s) => [s.stepId, s.kind]).sort()).toEqual([
        ['c2-us-bis-reconsider-1', 'issuer-review'],
        ['c2-us-dod-reconsider-1', 'reconsideration'],
        ['c2-us-dos-reconsider-1', 'reconsideration'],
      ]);
      await decide(handle, ['c2-us-bis-reconsider-1', 'c2-us-dos-reconsider-1']);
      await decide(handle, ['c2-us-dod-reconsider-1'], () => ({
        decision: 'deny',
        legalBasis: 'EAR §742.4(b)(1): the camera’s frame rate serves weapons testing',
      }));

      const view = await waitForView(handle, (v) => v.openSteps.some((s) => s.kind === 'ruling'), 'the Operating Committee rules');
      expect(licence(view).status).toBe('disputed');
      expect(view.openSteps.find((s) => s.kind === 'ruling')).toMatchObject({ reviewer: policy.regimes.US.ladder![0].chair });
      const actions = (await recordedAudit(handle)).map((e) => e.action);
      expect(actions).toEqual(expect.arrayContaining(['intent-to-deny', 'issuer-step-reopened', 'objectors-reconsider', 'reconsidered', 'dispute-opened']));
      expect(actions).not.toContain('licence-granted');
    });
  },
  120_000,
);

test('US intent to deny, answered, every objector withdrawing its denial: Commerce’s approval issues the licence', async () => {
  await withWorker(mockActivities(), async (tq) => {
    const handle = await start(tq, usCamera(), longNotice);
    await answeredIntentToDeny(handle);
    await openStep(handle, 'c2-us-dod-reconsider-1');
    await decide(handle, ['c2-us-bis-reconsider-1', 'c2-us-dod-reconsider-1', 'c2-us-dos-reconsider-1']);
    const view = await waitForView(handle, (v) => licence(v).status === 'approved', 'licence after the response');
    const actions = (await recordedAudit(handle)).map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['intent-to-deny', 'issuer-step-reopened', 'reconsidered', 'licence-granted']));
    expect(actions).not.toContain('licence-denied');
    expect(view.disputes).toEqual([]);
  });
}, 60_000);

test('US intent to deny, unanswered: the denial is final when the notice period ends, then the applicant may appeal to the Under Secretary', async () => {
  await withWorker(mockActivities(), async (tq) => {
    const handle = await start(tq, usCamera());
    await confirm(handle);
    await decide(handle, ['grant-funder', 'grant-agency']);
    await decide(handle, ['c2-us-bis', 'c2-us-dod', 'c2-us-dos', 'c2-de-bafa'], () => ({ decision: 'deny', legalBasis: 'EAR §742.4(b)' }));
    const notice = await openStep(handle, 'c2-intent-1');
    const view = await waitForView(handle, (v) => licence(v).status === 'denied', 'final denial', 15_000);
    const denied = (await recordedAudit(handle)).find((e) => e.action === 'licence-denied')!;
    // Final at the end of the notice period (4 s), not when the response window (2 s) closed.
    expect(Date.parse(denied.at) - Date.parse(notice.openedAt)).toBeGreaterThanOrEqual(4000);
    expect(view.steps.find((s) => s.stepId === 'c2-intent-1')).toMatchObject({ status: 'closed' });
    const underSecretary = policy.agencies.find((a) => a.id === 'us-bis')!.appealBody!;
    expect(view.openSteps.find((s) => s.kind === 'appeal')?.question).toContain(underSecretary.name);
  });
}, 60_000);

test('an unanswered request is reminded to the coordinator, then the case is returned; submitted again, a new review starts', async () => {
  const acts = mockActivities();
  await withWorker(acts, async (tq) => {
    const project = dutchCameraHeldInFrance();
    const handle = await start(tq, project);
    await confirm(handle);
    await decide(handle, ['grant-funder', 'grant-agency']);
    expect(await rejectionType(handle.executeUpdate(resubmitUpdate, { args: [{ componentId: 'c2', submittedBy: 'coordinator#test' }] }))).toBe('NotReturned');
    await decide(handle, ['c2-nl-cdiu'], () => ({ decision: 'request-info', comment: 'Who at CNRS will operate the camera?' }));
    let view = await waitForView(handle, (v) => licence(v).status === 'returned', 'returned', 20_000);
    expect(licence(view).basis).toContain('request for information went unanswered');
    expect(view.openSteps).toEqual([]);
    // The view shows the return as soon as it is decided; its notice is an activity that may run a moment later on a busy worker.
    const returnedNotice = () => notices(acts).some((n) => n.to === project.coordinator.email && n.subject.startsWith('Returned without a decision'));
    for (const deadline = Date.now() + 15_000; !returnedNotice() && Date.now() < deadline;) await new Promise((r) => setTimeout(r, 200));
    expect(returnedNotice()).toBe(true);
    const sent = notices(acts);
    expect(sent.filter((n) => n.to === project.coordinator.email && n.subject.startsWith('Reminder 1: information requested'))).toHaveLength(1);
    expect((await recordedAudit(handle)).map((e) => e.action)).toEqual(expect.arrayContaining(['info-reminder-sent', 'info-unanswered', 'licence-returned']));
    expect(view.stage).toBe('active'); // a returned component may be submitted again: the project stays open

    const again = await handle.executeUpdate(resubmitUpdate, { args: [{ componentId: 'c2', submittedBy: 'coordinator#test' }] });
    expect(again.workflowId).toMatch(/--submission-2$/);
    const fresh = await openStep(handle, 'c2-nl-cdiu');
    expect(fresh.workflowId).toBe(again.workflowId);
    await decide(handle, ['c2-nl-cdiu']);
    view = await waitForView(handle, (v) => licence(v).status === 'approved', 'licence on the second submission', 20_000);
  });
}, 60_000);

test('a US case past its legal limit, waiting time excluded, is flagged out of time, mailed to the coordinator and Commerce’s senior', async () => {
  const acts = mockActivities();
  await withWorker(acts, async (tq) => {
    const handle = await start(tq, usCamera());
    await confirm(handle);
    await decide(handle, ['grant-funder', 'grant-agency']);
    await decide(handle, ['c2-us-dod', 'c2-us-dos', 'c2-de-bafa']); // Commerce does not decide within the 5 s limit
    const view = await waitForView(handle, (v) => !!licence(v).outOfTimeSince, 'out of time', 20_000);
    expect(licence(view).status).toBe('in-review');
    const outOfTime = () =>
      notices(acts)
        .filter((n) => n.subject.startsWith('Out of time:'))
        .map((n) => n.to)
        .sort();
    // The flag is reported before the two notices are sent: wait for both.
    for (const until = Date.now() + 10_000; outOfTime().length < 2 && Date.now() < until;) await new Promise((r) => setTimeout(r, 100));
    expect(outOfTime()).toEqual(['a.weber@kit.example', 'senior-licensing@bis.example']);
    expect((await recordedAudit(handle)).filter((e) => e.action === 'out-of-time')).toHaveLength(1);
    // In the stalled list and the dashboard (from the records), and to operators as a search attribute of the licence review.
    const stalled = await listStalled(testRecords(), {});
    expect(stalled.outOfTime.find((c) => c.projectId === view.projectId)).toMatchObject({
      componentId: 'c2',
      since: licence(view).outOfTimeSince,
      issuer: { agencyId: 'us-bis', name: policy.agencies.find((a) => a.id === 'us-bis')!.name },
    });
    const review = await env().client.workflow.getHandle(licenceWorkflowId(view.projectId, 'c2')).describe();
    expect(review.typedSearchAttributes.get(searchAttributes.outOfTimeSince)?.toISOString()).toBe(licence(view).outOfTimeSince);
  });
}, 60_000);

test('a working-day window falls on the deciding country’s calendar (the real holiday data, through the local activity)', async () => {
  const wdFile = testPolicyFile();
  wdFile.regimes.EU.consultation.within = '10wd';
  const wd = policySchema.parse(wdFile);
  await withWorker(mockActivities(), async (tq) => {
    const handle = await start(tq, dutchCameraHeldInFrance(), wd);
    await confirm(handle);
    await decide(handle, ['grant-funder', 'grant-agency']);
    const fr = await openStep(handle, 'c2-fr-sbdu');
    // Whatever day the test runs on, the window ends at the end of the tenth French working day after the day it opened, in Paris.
    expect(fr.dueAt).toBe(tenthFrenchWorkingDayAfter(fr.openedAt));
    expect(new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Paris', timeStyle: 'medium' }).format(new Date(fr.dueAt!))).toBe('23:59:59');
  });
}, 60_000);

/**
 * The expectation read off the calendar, not from the product's own count: from the day the window opened in Paris,
 * walk the days and count Monday to Friday that are not French public holidays (date-holidays' table, as the product's
 * activity reads it); the window ends with the last hour of that day in Paris (Reg. 1182/71 Art. 3(2)(b)).
 */
function tenthFrenchWorkingDayAfter(from: string): string {
  const holidays = new Holidays('FR');
  const openedInParis = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris' }).format(new Date(from)); // YYYY-MM-DD
  const at = new Date(`${openedInParis}T12:00:00Z`);
  for (let counted = 0; counted < 10;) {
    at.setUTCDate(at.getUTCDate() + 1);
    const weekend = at.getUTCDay() === 0 || at.getUTCDay() === 6;
    const holiday = (holidays.isHoliday(at) || []).some((h) => h.type === 'public');
    if (!weekend && !holiday) counted += 1;
  }
  // Paris is UTC+1 or UTC+2: read which at noon UTC that day, and end the day there.
  const parisHourAtNoon = Number(new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Paris', hour: '2-digit', hourCycle: 'h23' }).format(at));
  return new Date(Date.parse(`${at.toISOString().slice(0, 10)}T23:59:59.999Z`) - (parisHourAtNoon - 12) * 3_600_000).toISOString();
}
