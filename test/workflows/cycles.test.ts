/**
 * A funder review cycle on a real dev server, durations in seconds: one
 * project passes, one is held by the funder, one by a denied licence, one
 * stalls at the close, and one is held by a licence still in review at the
 * close. Pending licence reviews keep their due times and are reminded on the
 * same calendar as the funder's milestone review.
 */
import { randomUUID } from 'node:crypto';
import { policySchema } from '../../domain/policy';
import { cycleShardWorkflowId, cycleWorkflowId } from '../../workflows/cycle-contract';
import { startCycle, waitForCycle } from '../helpers/cycles';

import { smallProject, uniqueId } from '../helpers/fixtures';
import { testPolicyFile } from '../helpers/policy';
import { mockActivities, notices, useWorkflowEnv, type ProjectHandle, recordedView, recordedAudit } from '../helpers/workflow-harness';

const REMIND_MS = 6000;
const file = testPolicyFile();
file.reminders.every = `${REMIND_MS}ms`;
const policy = policySchema.parse(file);
const { env, withWorker, start, waitForView, decide, confirm } = useWorkflowEnv(policy);

const DENY = { decision: 'deny' as const, legalBasis: 'AWV §8: end use not established' };

/** An active T1 project with milestone m1 (due soon) that depends on c1. */
async function activeProject(tq: string, name: string): Promise<ProjectHandle> {
  const p = smallProject(uniqueId(name));
  const handle = await start(tq, {
    ...p,
    milestones: [{ id: 'm1', title: `${name} prototype`, dueAt: new Date(Date.now() + 5000).toISOString(), componentIds: ['c1'] }],
  });
  await confirm(handle);
  await decide(handle, ['grant-funder', 'grant-agency']);
  await waitForView(handle, (v) => v.openSteps.some((s) => s.stepId === 'c1-de-bafa'), 'licence review');
  return handle;
}

test('a cycle over five projects: passed, held by the funder, held by a denied licence, stalled, held by a licence in review; no due time moves', async () => {
  const acts = mockActivities();
  await withWorker(acts, async (tq) => {
    const pass = await activeProject(tq, 'pass'); // licence still in review when the cycle starts, decided before the close
    const funderHold = await activeProject(tq, 'funder');
    const regulatorHold = await activeProject(tq, 'regulator');
    const stall = await activeProject(tq, 'stall');
    const inReview = await activeProject(tq, 'in-review'); // licence still in review at the close
    await decide(funderHold, ['c1-de-bafa']);
    await decide(stall, ['c1-de-bafa']);
    await decide(regulatorHold, ['c1-de-bafa'], () => DENY);

    const cycleId = `cy-${randomUUID().slice(0, 8)}`;
    const closesAt = new Date(Date.now() + 15_000).toISOString();
    const projectIds = [pass, funderHold, regulatorHold, stall, inReview].map((h) => h.workflowId.replace(/^project-/, ''));
    const dueBefore = (await recordedView(pass)).openSteps.find((s) => s.stepId === 'c1-de-bafa')!.dueAt;
    // Shards of two: the five projects and the missing one are asked by three shard workflows.
    await startCycle(env().client, tq, {
      cycleId,
      name: 'Q2 tranche',
      funderId: 'horizon-eu',
      closesAt,
      projectIds: [...projectIds, 'no-such-project'],
      shardSize: 2,
    });
    const step = `m1-${cycleId}`;
    await waitForCycle(cycleId, (v) => v.launched === 5 && v.skipped.length === 1, 'launch');

    // The pending licence review keeps its legal due time; only its reminders move onto the cycle's calendar.
    const onCalendar = (id: string) => (v: Awaited<ReturnType<typeof waitForView>>) => v.openSteps.some((s) => s.stepId === id && s.calendar === closesAt);
    let view = await waitForView(pass, (v) => onCalendar(step)(v) && onCalendar('c1-de-bafa')(v), 'milestone review and licence review on the calendar');
    const licenceStep = view.openSteps.find((s) => s.stepId === 'c1-de-bafa')!;
    const milestoneStep = view.openSteps.find((s) => s.stepId === step)!;
    expect(licenceStep).toMatchObject({ dueAt: dueBefore, calendar: closesAt });
    expect(Date.parse(licenceStep.dueAt)).toBeGreaterThan(Date.parse(closesAt));
    expect(milestoneStep).toMatchObject({ dueAt: closesAt, calendar: closesAt, kind: 'milestone-review', reviewer: 'programme-officer@horizon-eu.example' });

    await decide(funderHold, [step], () => DENY);
    await decide(pass, [step]);
    await decide(inReview, [step]);
    // Wait for a reminder of the licence review and of a funder milestone review, then let the licence review finish.
    const syncedAt = async () => Date.parse((await recordedAudit(pass)).find((e) => e.action === 'reminders-synchronized' && e.stepId === 'c1-de-bafa')!.at);
    const since = await syncedAt();
    // After the synchronization by their slot, the instant each was due: a busy worker may record a reminder due on
    // the old cadence (before the synchronization) a little after it.
    const slotOf = (e: { at: string; detail: string }) => {
      const slot = /, due (\S+): open for/.exec(e.detail)?.[1];
      expect(slot && Date.parse(e.at) >= Date.parse(slot)).toBe(true);
      return slot!;
    };
    const remindersAfter = async (h: ProjectHandle, stepId: string) =>
      (await recordedAudit(h)).filter((e) => e.action === 'reminder-sent' && e.stepId === stepId && Date.parse(slotOf(e)) > since);
    const bothReminded = async () => (await remindersAfter(pass, 'c1-de-bafa')).length > 0 && (await remindersAfter(stall, step)).length > 0;
    for (const deadline = Date.now() + 15_000; !(await bothReminded()) && Date.now() < deadline;) await new Promise((r) => setTimeout(r, 200));
    const [licenceReminder] = await remindersAfter(pass, 'c1-de-bafa');
    const [milestoneReminder] = await remindersAfter(stall, step);
    // Same calendar: the regulator's and the funder's reminders are due on the instants counting back from the close
    // (each audit entry names its slot; a busy worker may send it a little after).
    const [licenceSlot, milestoneSlot] = [slotOf(licenceReminder), slotOf(milestoneReminder)];
    expect((Date.parse(closesAt) - Date.parse(licenceSlot)) % REMIND_MS).toBe(0);
    expect(milestoneSlot).toBe(licenceSlot);
    await decide(pass, ['c1-de-bafa']);

    const done = await waitForCycle(cycleId, (v) => v.status === 'closed', 'cycle closed');
    const outcome = (h: ProjectHandle) => done.items.find((i) => `project-${i.projectId}` === h.workflowId)!;
    expect(outcome(pass)).toMatchObject({ outcome: 'passed', milestoneIds: ['m1'] });
    expect(outcome(funderHold)).toMatchObject({ outcome: 'held-funder', detail: expect.stringContaining('AWV §8') });
    expect(outcome(regulatorHold)).toMatchObject({ outcome: 'held-regulator', detail: 'Radiation-hardened FPGA board (c1): licence denied' });
    expect(outcome(stall)).toMatchObject({ outcome: 'stalled', awaited: ['European Commission, Horizon Europe'] });
    // Funder approved, licence still in review and not yet due: the milestone waits for the regulator, who is not late.
    const clock = (await recordedView(inReview)).components[0].caseClock!;
    const legallyDue = new Date(Date.parse(clock.startedAt) + clock.limitMs + clock.stoppedMs).toISOString();
    expect(outcome(inReview)).toMatchObject({
      outcome: 'held-regulator',
      awaited: ['Bundesamt für Wirtschaft und Ausfuhrkontrolle (BAFA)'],
      licenceDueAt: legallyDue,
      detail: `Radiation-hardened FPGA board (c1): licence in-review, legally due ${legallyDue}`,
    });
    expect(done.counts).toEqual({ passed: 1, 'held-funder': 1, 'held-regulator': 2, stalled: 1, pending: 0, unreported: 0 });
    // No due time moved: every licence step is due when its own SLA says.
    for (const h of [pass, inReview]) {
      const steps = (await recordedView(h)).steps.filter((s) => s.stepId === 'c1-de-bafa');
      for (const s of steps) expect(Date.parse(s.dueAt) - Date.parse(s.openedAt)).toBe(policy.sla.agencyReview);
    }
    expect((await recordedAudit(inReview)).filter((e) => e.action === 'deadline-aligned')).toEqual([]);
    expect(done.skipped).toEqual([{ projectId: 'no-such-project', reason: 'no running project with this id' }]);
    // The cycle returns counts, never items; its three shards did the asking.
    expect(await env().client.workflow.getHandle(cycleWorkflowId(cycleId)).result()).toEqual({
      ...{ cycleId, name: 'Q2 tranche', funderId: 'horizon-eu', closesAt, status: 'closed', total: 6, launched: 5, skipped: 1 },
      counts: done.counts,
    });
    for (const n of [0, 1, 2]) expect((await env().client.workflow.getHandle(cycleShardWorkflowId(cycleId, n)).describe()).status.name).toBe('COMPLETED');

    expect(Date.parse(outcome(stall).at)).toBeGreaterThanOrEqual(Date.parse(closesAt));
    view = await recordedView(pass);
    expect(view.milestones[0]).toMatchObject({ status: 'passed', cycleId });
    expect(notices(acts).some((n) => n.subject.startsWith('Tranche may be released') && n.to === 'programme-officer@horizon-eu.example')).toBe(true);
  });
}, 120_000);
