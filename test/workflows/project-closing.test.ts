/**
 * A project closes, and its workflow completes, once every licence has ended:
 * here a T0 component cleared and a T1 licence that expired (its validity in
 * seconds). Until then it stays active; and so it does while a milestone waits
 * for its funder's review, even when no component needs a licence.
 */
import { policySchema } from '../../domain/policy';
import { complianceMonitorWorkflowId, submitReportUpdate } from '../../workflows/compliance-contract';

import { randomUUID } from 'node:crypto';
import { startCycle, waitForCycle } from '../helpers/cycles';
import { projectWith } from '../helpers/fixtures';
import { testPolicyFile } from '../helpers/policy';
import { mockActivities, notices, useWorkflowEnv, recordedAudit, recordedView } from '../helpers/workflow-harness';

const VALIDITY_MS = 8000;
const file = testPolicyFile();
file.regimes.EU = { ...file.regimes.EU, licenceValidity: `${VALIDITY_MS}ms`, reportingPeriod: `${VALIDITY_MS}ms` };
const policy = policySchema.parse(file);
const { env, withWorker, start, waitForView, decide, confirm } = useWorkflowEnv(policy);

test('cleared and expired: the project closes when the last licence ends, tells the coordinator, and its workflow completes', async () => {
  const acts = mockActivities();
  // The monitor's expiry notice is slow to send: the project hears of the expiry first, and must wait for the monitor to finish.
  const send = acts.sendNotice.getMockImplementation()!;
  acts.sendNotice.mockImplementation(async (notice) => {
    if (notice.intent.kind === 'licence-expired') await new Promise((r) => setTimeout(r, 3000));
    return send(notice);
  });
  await withWorker(acts, async (tq) => {
    const project = projectWith('c0', 'c1');
    const handle = await start(tq, project);
    await confirm(handle);
    await decide(handle, ['grant-funder', 'grant-agency']);
    await decide(handle, ['c1-de-bafa']);
    // The licensee reports two shipments before the licence expires: the post-project review sums them.
    const monitor = env().client.workflow.getHandle(complianceMonitorWorkflowId(project.projectId, 'c1'));
    for (const until = Date.now() + 15_000; !(await recordedAudit(handle)).some((e) => e.action === 'report-requested');) {
      if (Date.now() > until) throw new Error('the monitor asked for no report');
      await new Promise((r) => setTimeout(r, 200));
    }
    const shipments = [
      { destination: 'US', endUser: 'Oak Ridge National Laboratory', quantity: 2, date: '2027-03-01' },
      { destination: 'US', endUser: 'Oak Ridge National Laboratory', quantity: 1, date: '2027-04-01' },
    ];
    await monitor.executeUpdate(submitReportUpdate, { args: [{ period: 1, endUseConfirmed: true, shipments, submittedBy: 'coordinator#test' }] });

    const closed = await waitForView(handle, (v) => v.stage === 'closed', 'the project closed', VALIDITY_MS + 20_000);
    expect(closed.components.map((c) => c.licence.status)).toEqual(['cleared', 'expired']);
    expect(await handle.result()).toBe('closed');
    // The monitor finished by itself before the project closed (closing would otherwise terminate it).
    expect(await monitor.result()).toMatchObject({ status: 'expired' });
    // Its post-project review's summary: what was licensed, and shipped under the licence.
    const review = (await recordedView(handle)).postProjectReview!;
    expect(review.shipped).toEqual(['Radiation-hardened FPGA board (c1): 2 shipment(s), 3 item(s) to US, in 1 report(s)']);
    expect(review.licensed).toEqual([
      'Open analysis software (c0): cleared',
      expect.stringMatching(/^Radiation-hardened FPGA board \(c1\): expired \S+, valid /),
    ]);
    const audit = await recordedAudit(handle);
    const expiredAt = audit.find((e) => e.action === 'licence-expired')!.at;
    const closing = audit.find((e) => e.action === 'stage-changed' && e.detail.startsWith('active → closed'))!;
    expect(closing.detail).toContain('every licence has ended');
    // A licence in force kept the project open: it closed only once the licence expired.
    expect(audit.find((e) => e.action === 'licence-granted')).toBeDefined();
    expect(Date.parse(closing.at)).toBeGreaterThanOrEqual(Date.parse(expiredAt));
    expect(notices(acts).some((n) => n.subject === `Project closed: ${closed.title}`)).toBe(true);
  });
});

test('a project whose components need no licence stays active until a cycle has reviewed its milestone, then closes', async () => {
  await withWorker(mockActivities(), async (tq) => {
    const project = {
      ...projectWith('c0'),
      milestones: [{ id: 'm1', title: 'Open code released', dueAt: new Date(Date.now() + 5000).toISOString(), componentIds: ['c0'] }],
    };
    const handle = await start(tq, project);
    await confirm(handle);
    await decide(handle, ['grant-funder', 'grant-agency']);
    await waitForView(handle, (v) => v.components[0].licence.status === 'cleared', 'c0 cleared');
    // Cleared, and still active: its tranche has not been reviewed.
    const licensed = async () => (await recordedAudit(handle)).some((e) => e.action === 'licensing-complete');
    for (const deadline = Date.now() + 15_000; !(await licensed()) && Date.now() < deadline;) await new Promise((r) => setTimeout(r, 200));
    expect(await licensed()).toBe(true);
    expect((await recordedView(handle)).stage).toBe('active');

    const cycleId = `cy-${randomUUID().slice(0, 8)}`;
    await startCycle(env().client, tq, {
      cycleId,
      name: 'Tranche 1',
      funderId: project.funderId,
      closesAt: new Date(Date.now() + 30_000).toISOString(),
      projectIds: [project.projectId],
    });
    await decide(handle, [`m1-${cycleId}`]);
    const closed = await waitForView(handle, (v) => v.stage === 'closed', 'the project closed once its milestone passed');
    expect(closed.milestones).toMatchObject([{ id: 'm1', status: 'passed', cycleId }]);
    const cycle = await waitForCycle(cycleId, (v) => v.items.length === 1 && v.items[0].outcome !== 'pending', 'the cycle item');
    expect(cycle.items[0]).toMatchObject({ outcome: 'passed', milestoneIds: ['m1'] });
    const closing = (await recordedAudit(handle)).find((e) => e.action === 'stage-changed' && e.detail.startsWith('active → closed'))!;
    expect(closing.detail).toContain('every milestone reviewed (m1)');
    expect(await handle.result()).toBe('closed');
  });
});
