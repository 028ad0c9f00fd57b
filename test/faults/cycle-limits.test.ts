/**
 * A funder cycle never loses outcomes silently (issue 23). On the README's stack with its dev server's signal limit
 * lowered to 50 (TEMPORAL_DEV_ARGS) and CYCLE_SHARD_SIZE at 500: before, a shard took up to three signals per
 * project, so a cycle over 150 projects closed with `{"pending":150}` and nothing else. Now each project records its
 * own outcome and the shard takes at most one signal (from the write of the last): every one of 150 ends `stalled`. And a cycle whose shard fails (an
 * operator terminates it) closes `incomplete`: each of its items is `unreported` and says why, the record store's
 * log and the API's metric name the cycle, and the funder is mailed.
 */
import { Client, Connection } from '@temporalio/client';
import * as proto from '@temporalio/proto';
import { snapshot } from '../../records/database';
import { testRecords } from '../helpers/records';
import { cycleShardWorkflowId } from '../../workflows/cycle-contract';
import { projectWith } from '../helpers/fixtures';
import { KEYS, useProcessStack } from '../helpers/process-stack';
import { submitAndConfirm } from './fault-scenarios';

const SIGNAL_LIMIT = 50;
const PROJECTS = 150;
const stack = useProcessStack({
  settings: {
    TEMPORAL_DEV_ARGS: `--dynamic-config-value history.maximumSignalsPerExecution=${SIGNAL_LIMIT}`,
    CYCLE_SHARD_SIZE: '500',
    // 150 projects brought to active in a minute or two: more writes and reviewer pages than the default rate limits allow.
    RATE_LIMIT_WRITES: '0',
    RATE_LIMIT_REVIEW_PAGES: '0',
  },
});
const EventType = proto.temporal.api.enums.v1.EventType;

interface Item {
  projectId: string;
  outcome: string;
  reason?: string;
}
interface CycleRead {
  status: string;
  launched: number;
  counts: Record<string, number>;
}

/** Every item of the cycle, page after page. */
async function allItems(cycleId: string): Promise<Item[]> {
  const items: Item[] = [];
  for (let cursor: string | null = ''; cursor !== null;) {
    const page: { items: Item[]; nextCursor: string | null } = await stack.json(`/v1/cycles/${cycleId}/items?limit=500${cursor ? `&cursor=${cursor}` : ''}`, {
      key: KEYS.funder,
    });
    items.push(...page.items);
    cursor = page.nextCursor;
  }
  return items;
}

const launch = async (cycleId: string, projectIds: string[], closesAt: string) => {
  const res = await stack.fetch('/v1/cycles', { method: 'POST', key: KEYS.funder, body: JSON.stringify({ cycleId, name: cycleId, closesAt, projectIds }) });
  expect(res.status).toBe(202);
};
const cycle = (cycleId: string) => stack.json<CycleRead>(`/v1/cycles/${cycleId}`, { key: KEYS.funder });

test(`${PROJECTS} projects under a limit of ${SIGNAL_LIMIT} signals: every outcome arrives; a failed shard makes the cycle incomplete, each item saying why`, async () => {
  // Each project waits on its licence review (so it stays active) and has a milestone for each cycle: m1 is already
  // due, m2 falls due only in the second cycle's window.
  const m2Due = new Date(Date.now() + 30 * 60_000).toISOString();
  const projects = Array.from({ length: PROJECTS }, () => {
    const p = projectWith('c1');
    return {
      ...p,
      milestones: [
        { id: 'm1', title: 'Prototype', dueAt: '2026-01-01T00:00:00Z', componentIds: ['c1'] },
        { id: 'm2', title: 'Field test', dueAt: m2Due, componentIds: ['c1'] },
      ],
    };
  });
  for (let i = 0; i < projects.length; i += 10) {
    await Promise.all(
      projects.slice(i, i + 10).map(async (p) => {
        await submitAndConfirm(stack, p);
        const grant = await stack.until(
          `${p.projectId}: grant steps`,
          () => stack.view(p.projectId),
          (v) => v.openSteps.length === 2,
        );
        for (const step of grant.openSteps) expect(await stack.decide(step)).toBe(200);
        await stack.until(
          `${p.projectId}: active`,
          () => stack.view(p.projectId),
          (v) => v.stage === 'active',
        );
      }),
    );
  }
  const ids = projects.map((p) => p.projectId);

  // 1. Nobody decides the milestone reviews: at the close every project reports itself stalled.
  const first = `limits-${Date.now()}`;
  await launch(first, ids, new Date(Date.now() + 45_000).toISOString());
  const closed = await stack.until(
    'the first cycle closed',
    () => cycle(first),
    (c) => c.status !== 'open' && c.status !== 'launching',
    240_000,
  );
  expect(closed).toMatchObject({ status: 'closed', launched: PROJECTS, counts: { stalled: PROJECTS, pending: 0, unreported: 0 } });
  expect(new Set((await allItems(first)).map((i) => i.outcome))).toEqual(new Set(['stalled']));
  // Its one shard (500 per shard) asked all 150 and took at most one signal (the last outcome's write wakes it): within
  // a third of any limit, whatever the shard's size.
  const connection = await Connection.connect({ address: stack.temporalAddress });
  try {
    const client = new Client({ connection });
    const events = (await client.workflow.getHandle(cycleShardWorkflowId(first, 0)).fetchHistory()).events ?? [];
    const signals = events.flatMap((e) =>
      e.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED ? [e.workflowExecutionSignaledEventAttributes?.signalName] : [],
    );
    expect(signals.length).toBeLessThanOrEqual(1);
    expect(signals.every((name) => name === 'shardSettled')).toBe(true);
    expect(events.filter((e) => e.eventType === EventType.EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED)).toHaveLength(PROJECTS);

    // 2. A second cycle reviews m2; its shard is terminated while the projects wait for the funder.
    const second = `failed-${Date.now()}`;
    await launch(second, ids, new Date(Date.now() + 40 * 60_000).toISOString());
    await stack.until(
      'every project of the second cycle pending',
      async () => (await cycle(second)).counts?.pending ?? 0,
      (n) => n === PROJECTS,
      120_000,
    );
    await client.workflow.getHandle(cycleShardWorkflowId(second, 0)).terminate('operator error, for the test');
    const incomplete = await stack.until(
      'the second cycle closed incomplete',
      () => cycle(second),
      (c) => c.status === 'incomplete',
      60_000,
    );
    expect(incomplete.counts).toMatchObject({ unreported: PROJECTS, pending: 0 });
    const items = await allItems(second);
    expect(items).toHaveLength(PROJECTS);
    for (const item of items) {
      expect(item.outcome).toBe('unreported');
      expect(item.reason).toContain(`its shard ${cycleShardWorkflowId(second, 0)} failed before collecting it`);
    }
  } finally {
    await connection.close();
  }
  // Said where people look: the record store's log, the API's metric, and the funder's mailbox.
  const events = await snapshot(testRecords(), (tx) =>
    tx.selectFrom('record_events').select(['action', 'detail']).where('action', '=', 'cycle-incomplete').execute(),
  );
  expect(events.filter((e) => e.detail.startsWith(`cycle failed-`)).length).toBeGreaterThanOrEqual(1);
  const metrics = await (await stack.fetch('/metrics')).text();
  expect(Number(/^licence_review_incomplete_cycles\{funder="horizon-eu"\} (\d+)$/m.exec(metrics)?.[1] ?? 0)).toBeGreaterThanOrEqual(1);
  await stack.until(
    'the funder mailed',
    () => stack.mails(),
    (mails) => mails.some((m) => m.subject.startsWith('Review cycle incomplete: failed-')),
  );
}, 900_000);
