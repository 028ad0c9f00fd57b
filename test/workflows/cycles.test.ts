/**
 * A funder review cycle on a real dev server, durations in seconds: one
 * project passes, one is held by the funder, one by the regulator, one
 * stalls at the close; a pending licence review is aligned to the close and
 * reminded on the same calendar as the funder's milestone review.
 */
import { randomUUID } from 'node:crypto';
import { policySchema } from '../../domain/policy';
import { cycleViewQuery, cycleWorkflowId, type CycleView } from '../../workflows/cycle-contract';
import type { cycleWorkflow } from '../../workflows/cycle';
import { auditQuery, projectViewQuery } from '../../workflows/definitions';
import { smallProject, uniqueId } from '../helpers/fixtures';
import { testPolicyFile } from '../helpers/policy';
import { mockActivities, useWorkflowEnv, type ProjectHandle } from '../helpers/workflow-harness';

const REMIND_MS = 6000;
const file = testPolicyFile();
file.reminders.every = `${REMIND_MS}ms`;
const policy = policySchema.parse(file);
const { env, withWorker, start, waitForView, decide, confirm } = useWorkflowEnv(policy);

const DENY = { decision: 'deny' as const, legalBasis: 'AWV §8: end use not established' };

/** An active T1 project with milestone m1 (due soon) that depends on c1. */
async function activeProject(tq: string, name: string): Promise<ProjectHandle> {
  const p = smallProject(uniqueId(name));
  const handle = await start(tq, { ...p, milestones: [{ id: 'm1', title: `${name} prototype`, dueAt: new Date(Date.now() + 5000).toISOString(), componentIds: ['c1'] }] });
  await confirm(handle);
  await decide(handle, ['grant-funder', 'grant-agency']);
  await waitForView(handle, (v) => v.openSteps.some((s) => s.stepId === 'c1-de-bafa'), 'licence review');
  return handle;
}

async function cycleView(cycleId: string, ready: (v: CycleView) => boolean, what: string): Promise<CycleView> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const view = await env().client.workflow.getHandle(cycleWorkflowId(cycleId)).query(cycleViewQuery);
    if (ready(view)) return view;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(view.items)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

test('a cycle over four projects: passed, held by the funder, held by the regulator, stalled; pending licence reviews aligned to the close', async () => {
  const acts = mockActivities();
  await withWorker(acts, async (tq) => {
    const pass = await activeProject(tq, 'pass'); // licence still in review when the cycle starts: aligned
    const funderHold = await activeProject(tq, 'funder');
    const regulatorHold = await activeProject(tq, 'regulator');
    const stall = await activeProject(tq, 'stall');
    await decide(funderHold, ['c1-de-bafa']);
    await decide(stall, ['c1-de-bafa']);
    await decide(regulatorHold, ['c1-de-bafa'], () => DENY);

    const cycleId = `cy-${randomUUID().slice(0, 8)}`;
    const closesAt = new Date(Date.now() + 15_000).toISOString();
    const projectIds = [pass, funderHold, regulatorHold, stall].map((h) => h.workflowId.replace(/^project-/, ''));
    await env().client.workflow.start<typeof cycleWorkflow>('cycleWorkflow', {
      workflowId: cycleWorkflowId(cycleId),
      taskQueue: tq,
      args: [{ cycleId, name: 'Q2 tranche', funderId: 'horizon-eu', closesAt, projectIds: [...projectIds, 'no-such-project'], launchedBy: 'funder#test' }],
    });
    const step = `m1-${cycleId}`;
    await cycleView(cycleId, (v) => v.launched === 4 && v.skipped.length === 1, 'launch');

    // The pending licence review now ends with the cycle, and both sides are reminded on its calendar.
    const aligned = (id: string) => (v: Awaited<ReturnType<typeof waitForView>>) => v.openSteps.some((s) => s.stepId === id && s.calendar === closesAt);
    let view = await waitForView(pass, (v) => aligned(step)(v) && aligned('c1-de-bafa')(v), 'milestone review and aligned licence review');
    const licenceStep = view.openSteps.find((s) => s.stepId === 'c1-de-bafa')!;
    const milestoneStep = view.openSteps.find((s) => s.stepId === step)!;
    expect(licenceStep).toMatchObject({ dueAt: closesAt, calendar: closesAt });
    expect(milestoneStep).toMatchObject({ dueAt: closesAt, calendar: closesAt, kind: 'milestone-review', reviewer: 'programme-officer@horizon-eu.example' });

    await decide(funderHold, [step], () => DENY);
    await decide(pass, [step]);
    // Wait for a reminder of the aligned licence review and of a funder milestone review, then let the licence review finish.
    const alignedAt = async () => Date.parse((await pass.query(auditQuery)).find((e) => e.action === 'deadline-aligned' && e.stepId === 'c1-de-bafa')!.at);
    const since = await alignedAt();
    const remindersAfter = async (h: ProjectHandle, stepId: string) =>
      (await h.query(auditQuery)).filter((e) => e.action === 'reminder-sent' && e.stepId === stepId && Date.parse(e.at) > since);
    const bothReminded = async () => (await remindersAfter(pass, 'c1-de-bafa')).length > 0 && (await remindersAfter(stall, step)).length > 0;
    for (const deadline = Date.now() + 15_000; !(await bothReminded()) && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 200));
    const [licenceReminder] = await remindersAfter(pass, 'c1-de-bafa');
    const [milestoneReminder] = await remindersAfter(stall, step);
    // Same calendar: the regulator's and the funder's reminders fall on the instants counting back from the close.
    const offCalendar = (at: string) => {
      const d = (Date.parse(closesAt) - Date.parse(at)) % REMIND_MS;
      return Math.min(d, REMIND_MS - d);
    };
    expect(offCalendar(licenceReminder.at)).toBeLessThan(1000);
    expect(offCalendar(milestoneReminder.at)).toBeLessThan(1000);
    expect(Math.abs(Date.parse(milestoneReminder.at) - Date.parse(licenceReminder.at))).toBeLessThan(1000);
    await decide(pass, ['c1-de-bafa']);

    const done = await cycleView(cycleId, (v) => v.status === 'closed', 'cycle closed');
    const outcome = (h: ProjectHandle) => done.items.find((i) => `project-${i.projectId}` === h.workflowId)!;
    expect(outcome(pass)).toMatchObject({ outcome: 'passed', milestoneIds: ['m1'] });
    expect(outcome(funderHold)).toMatchObject({ outcome: 'held-funder', detail: expect.stringContaining('AWV §8') });
    expect(outcome(regulatorHold)).toMatchObject({ outcome: 'held-regulator', detail: 'Radiation-hardened FPGA board (c1): licence denied' });
    expect(outcome(stall)).toMatchObject({ outcome: 'stalled', awaited: ['European Commission, Horizon Europe'] });
    expect(done.counts).toEqual({ passed: 1, 'held-funder': 1, 'held-regulator': 1, stalled: 1, pending: 0 });
    expect(done.skipped).toEqual([{ projectId: 'no-such-project', reason: 'no running project with this id' }]);

    expect(Date.parse(outcome(stall).at)).toBeGreaterThanOrEqual(Date.parse(closesAt));
    view = await pass.query(projectViewQuery);
    expect(view.milestones[0]).toMatchObject({ status: 'passed', cycleId });
    expect(acts.sendNotice.mock.calls.some(([n]) => n.subject.startsWith('Tranche may be released') && n.to === 'programme-officer@horizon-eu.example')).toBe(true);
  });
}, 120_000);
