/**
 * A project closes, and its workflow completes, once every licence has ended:
 * here a T0 component cleared and a T1 licence that expired (its validity in
 * seconds). Until then it stays active.
 */
import { policySchema } from '../../domain/policy';
import { complianceMonitorWorkflowId } from '../../workflows/compliance-contract';

import { projectWith } from '../helpers/fixtures';
import { testPolicyFile } from '../helpers/policy';
import { mockActivities, notices, useWorkflowEnv, recordedAudit } from '../helpers/workflow-harness';

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

    const closed = await waitForView(handle, (v) => v.stage === 'closed', 'the project closed', VALIDITY_MS + 20_000);
    expect(closed.components.map((c) => c.licence.status)).toEqual(['cleared', 'expired']);
    expect(await handle.result()).toBe('closed');
    // The monitor finished by itself before the project closed (closing would otherwise terminate it).
    const monitor = env().client.workflow.getHandle(complianceMonitorWorkflowId(project.projectId, 'c1'));
    expect(await monitor.result()).toMatchObject({ status: 'expired' });
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
