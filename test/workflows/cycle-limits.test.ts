/**
 * A cycle larger than the server allows one workflow to take (issue 13): this dev server accepts at most 50
 * signals into one execution, 2,000 events in one history and 64 KiB in one payload. Before shards, under these
 * limits, a cycle over 40 projects that nobody decided closed with 30 of them `pending` and one over 60 with all
 * `pending`: each project reports twice, the server refused every signal past the 50th, and no one was told. With
 * shards of 10, each shard takes its ten projects' reports, and every one of 60 projects ends `stalled`.
 */
import { randomUUID } from 'node:crypto';
import * as proto from '@temporalio/proto';
import { policySchema } from '../../domain/policy';
import { cycleShardWorkflowId, cycleWorkflowId } from '../../workflows/cycle-contract';
import { startCycle, waitForCycle } from '../helpers/cycles';
import { projectWith } from '../helpers/fixtures';
import { testPolicyFile } from '../helpers/policy';
import { harness, mockActivities } from '../helpers/workflow-harness';
import { LOWERED_LIMITS, loweredLimitArgs, startTestEnv } from '../helpers/temporal';
import type { TestWorkflowEnvironment } from '@temporalio/testing';

const SIGNAL_LIMIT = LOWERED_LIMITS.signals;
const PROJECTS = 60;
const SHARD = 10;

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  // A cycle's input or result never holds its list or its items, so the payload limit holds too.
  env = await startTestEnv(loweredLimitArgs());
}, 120_000);
afterAll(() => env?.teardown());

const policy = policySchema.parse(testPolicyFile());
const { withWorker, start, confirm, decide, waitForView } = harness(() => env, policy);
const EventType = proto.temporal.api.enums.v1.EventType;

async function historyOf(workflowId: string) {
  const events = (await env.client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
  return { events: events.length, signals: events.filter((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED).length };
}

test(`a cycle over ${PROJECTS} projects that nobody decides, under a limit of ${SIGNAL_LIMIT} signals per workflow: every one ends stalled`, async () => {
  await withWorker(mockActivities(), async (tq) => {
    // Due before the close whenever each project is made.
    const dueAt = new Date(Date.now() + 20_000).toISOString();
    const activeProject = async () => {
      // c1's licence review stays open, so the project stays active.
      const p = projectWith('c1');
      const handle = await start(tq, {
        ...p,
        milestones: [{ id: 'm1', title: 'Prototype', dueAt, componentIds: ['c1'] }],
      });
      await confirm(handle);
      const grant = await waitForView(handle, (v) => v.openSteps.length > 0, 'grant review');
      await decide(
        handle,
        grant.openSteps.map((s) => s.stepId),
      );
      await waitForView(handle, (v) => v.stage === 'active', 'active');
      return p.projectId;
    };
    const projectIds: string[] = [];
    while (projectIds.length < PROJECTS) projectIds.push(...(await Promise.all(Array.from({ length: 10 }, activeProject))));

    const cycleId = `cy-${randomUUID().slice(0, 8)}`;
    const closesAt = new Date(Date.now() + 30_000).toISOString();
    await startCycle(env.client, tq, { cycleId, name: 'Over the limit', funderId: 'horizon-eu', closesAt, projectIds, shardSize: SHARD });
    const done = await waitForCycle(cycleId, (v) => v.status === 'closed', 'the cycle to close', 240_000);
    expect({ total: done.total, launched: done.launched, counts: done.counts }).toEqual({
      total: PROJECTS,
      launched: PROJECTS,
      counts: { passed: 0, 'held-funder': 0, 'held-regulator': 0, stalled: PROJECTS, pending: 0 },
    });

    // No history grows with the cycle: the cycle takes no signal, each shard only its own projects'.
    const cycle = await historyOf(cycleWorkflowId(cycleId));
    const shards = await Promise.all(Array.from({ length: PROJECTS / SHARD }, (_, n) => historyOf(cycleShardWorkflowId(cycleId, n))));
    console.log(
      `cycle: ${cycle.events} events; shards: at most ${Math.max(...shards.map((s) => s.events))} events, ${Math.max(...shards.map((s) => s.signals))} signals`,
    );
    expect(cycle.signals).toBe(0);
    expect(cycle.events).toBeLessThan(100);
    for (const shard of shards) expect(shard.signals).toBeLessThanOrEqual(3 * SHARD);
  });
}, 420_000);
