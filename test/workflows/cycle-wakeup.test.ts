/**
 * A milestone decision that lands while the project's item in its cycle is
 * being written must still move the item at once (issue 10: it stayed
 * `pending` until the cycle closed). A test interceptor holds that write until
 * the decision has arrived, so the race happens on every run. Once the item is
 * final the cycle closes, without waiting for its close time.
 */
import { randomUUID } from 'node:crypto';
import { Worker } from '@temporalio/worker';
import { workflowsPath } from '../../worker/create-worker';
import { startCycle, waitForCycle } from '../helpers/cycles';
import { smallProject, uniqueId } from '../helpers/fixtures';
import { testPolicy } from '../helpers/policy';
import { mockActivities, useWorkflowEnv } from '../helpers/workflow-harness';
import { UNRECORDED_TASK_QUEUE_PREFIX } from '../replay/histories';

const { env, start, waitForView, decide, confirm } = useWorkflowEnv(testPolicy());

async function until<T>(read: () => Promise<T>, ready: (v: T) => boolean, what: string, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (ready(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last seen: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

test('a milestone decided while its item in the cycle is being written passes at once, not at the close', async () => {
  // Not recorded for replay: the interceptor changes what the workflow does.
  const taskQueue = `${UNRECORDED_TASK_QUEUE_PREFIX}wakeup-${randomUUID()}`;
  const worker = await Worker.create({
    connection: env().nativeConnection,
    taskQueue,
    workflowsPath,
    interceptors: { workflowModules: [require.resolve('./interceptors/hold-cycle-report')] },
    activities: mockActivities(),
  });
  await worker.runUntil(async () => {
    const p = smallProject(uniqueId('wakeup'));
    const project = await start(taskQueue, {
      ...p,
      milestones: [{ id: 'm1', title: 'Prototype', dueAt: new Date(Date.now() + 5000).toISOString(), componentIds: ['c1'] }],
    });
    await confirm(project);
    await decide(project, ['grant-funder', 'grant-agency']);
    await decide(project, ['c1-de-bafa']);
    await waitForView(project, (v) => v.components[0].licence.status === 'approved', 'licence granted');

    // The close is far off: only a prompt wake-up passes the milestone within the wait below.
    const cycleId = `cy-${randomUUID().slice(0, 8)}`;
    const closesAt = new Date(Date.now() + 5 * 60_000).toISOString();
    const cycle = await startCycle(env().client, taskQueue, { cycleId, name: 'Wake-up', funderId: 'horizon-eu', closesAt, projectIds: [p.projectId] });

    await until(
      async () => (await project.describe()).memo,
      (m) => m?.cycleReportHeld === true,
      'the pending item held in flight',
      30_000,
    );
    const [decision] = await decide(project, [`m1-${cycleId}`]);
    expect(decision).toMatchObject({ recorded: true, outcome: 'approved' });

    const view = await waitForCycle(cycleId, (v) => v.items[0]?.outcome === 'passed', 'the cycle item to pass', 30_000);
    expect(view.items[0]).toMatchObject({ projectId: p.projectId, outcome: 'passed', milestoneIds: ['m1'] });
    expect(Date.parse(closesAt) - Date.parse(view.items[0].at)).toBeGreaterThan(3 * 60_000);
    // Every outcome is in: the write of the last one wakes its shard, and the cycle closes long before its close time.
    expect(await cycle.result()).toMatchObject({ status: 'closed', counts: { passed: 1, pending: 0 } });
    const closed = await waitForCycle(cycleId, (v) => v.status === 'closed', 'the cycle closed in the records', 30_000);
    expect(closed).toMatchObject({ counts: { passed: 1, pending: 0 } });
    expect(Date.parse(closesAt) - Date.now()).toBeGreaterThan(3 * 60_000);
  });
}, 120_000);
