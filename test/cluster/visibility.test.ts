/**
 * What people read, on a Temporal cluster with SQL visibility (PostgreSQL's temporal_visibility) and the record
 * store in the same PostgreSQL, as on the dev server: the search attributes the workflows set answer Temporal's own
 * list queries (Keyword, KeywordList and Datetime attributes); an agency's queue (GET /v1/steps), the dashboard of
 * agency staff, and the stalled list once the steps pass their due time, from the records.
 */
import { Client, Connection } from '@temporalio/client';
import { expectStatus } from '../helpers/api-read';
import { projectWith } from '../helpers/fixtures';
import { KEYS, useProcessStack } from '../helpers/process-stack';
import { submitAndConfirm } from '../faults/fault-scenarios';
import type { QueuedStep } from '../../records/steps';
import type { StalledItem } from '../../records/stalled';

/** Reviews due 30 s after they open: long enough to read them open, short enough to see them stall. */
const REVIEW_SECONDS = 30;
const stack = useProcessStack({ cluster: true, reviewSeconds: REVIEW_SECONDS });
const projects = [projectWith('c1', 'c2'), projectWith('c1', 'c2')];
const ids = projects.map((p) => p.projectId);

beforeAll(async () => {
  for (const p of projects) await submitAndConfirm(stack, p);
  for (const id of ids) {
    await stack.until(
      `${id}: grant steps open`,
      () => stack.view(id),
      (v) => v.openSteps.filter((s) => s.kind.startsWith('grant-')).length === 2,
    );
  }
}, 180_000);

test('the search attributes answer list queries on SQL visibility: by project, stage, awaited party and due time', async () => {
  const connection = await Connection.connect({ address: stack.temporalAddress });
  try {
    const client = new Client({ connection });
    const list = async (query: string) => {
      const found: string[] = [];
      for await (const wf of client.workflow.list({ query })) found.push(wf.workflowId);
      return found.sort();
    };
    const projectIn = `ProjectId IN (${ids.map((id) => `'${id}'`).join(', ')})`;
    await stack.until(
      'both projects listed by ProjectId',
      () => list(`${projectIn} AND WorkflowType = 'projectWorkflow'`),
      (found) => found.length === 2,
    );
    expect(await list(`${projectIn} AND WorkflowType = 'projectWorkflow'`)).toEqual(ids.map((id) => `project-${id}`).sort());
    expect(await list(`${projectIn} AND Stage = 'grant-review' AND ExecutionStatus = 'Running'`)).toEqual(ids.map((id) => `project-${id}`).sort());
    expect(await list(`${projectIn} AND AwaitedParties = 'de-bafa'`)).toEqual(ids.map((id) => `project-${id}`).sort());
    expect(await list(`${projectIn} AND AwaitedParties = 'nobody-awaits-this'`)).toEqual([]);
    const soon = new Date(Date.now() + 10 * REVIEW_SECONDS * 1000).toISOString();
    expect(await list(`${projectIn} AND NextDueAt < '${soon}'`)).toEqual(ids.map((id) => `project-${id}`).sort());
    expect(await list(`${projectIn} AND NextDueAt < '2000-01-01T00:00:00Z'`)).toEqual([]);
    expect(await client.workflow.count(`${projectIn} AND FunderId = 'horizon-eu'`)).toMatchObject({ count: 2 });
  } finally {
    await connection.close();
  }
});

test("an agency's queue lists its open steps from the records, oldest due first, by project", async () => {
  const queue = await stack.until(
    "BAFA's queue with both grant steps",
    async () => (await stack.json<{ steps: QueuedStep[] }>('/v1/steps', { key: KEYS.agency })).steps,
    (steps) => ids.every((id) => steps.some((s) => s.projectId === id && s.kind === 'grant-agency')),
  );
  const ours = queue.filter((s) => ids.includes(s.projectId));
  expect(ours.map((s) => [s.projectId, s.kind, s.party])).toEqual(ids.map((id) => [id, 'grant-agency', 'de-bafa']));
  expect([...queue].sort((a, b) => a.dueAt.localeCompare(b.dueAt))).toEqual(queue);
  const one = await stack.json<{ steps: QueuedStep[] }>(`/v1/steps?projectId=${ids[1]}`, { key: KEYS.agency });
  expect(one.steps.map((s) => s.projectId)).toEqual([ids[1]]);
});

test("agency staff's dashboard shows their queue", async () => {
  const page = expectStatus(await stack.read('/dashboard', { key: KEYS.agency, headers: { accept: 'text/html' } }), 200);
  const html = String(page.text);
  for (const id of ids) expect(html).toContain(id);
});

test('once past their due time, the steps are in the stalled list (from the records in the same PostgreSQL)', async () => {
  // A silent grant reviewer is escalated to their senior when the step falls due; the escalation stays open past its own.
  const stalled = await stack.until(
    "both projects' steps stalled",
    async () => (await stack.json<{ items: StalledItem[] }>('/v1/milestones/stalled', { key: KEYS.funder })).items,
    (items) => ids.every((id) => items.some((i) => i.projectId === id)),
    (2 * REVIEW_SECONDS + 60) * 1000,
  );
  const ours = stalled.filter((i) => ids.includes(i.projectId));
  for (const item of ours) expect(item).toMatchObject({ funderId: 'horizon-eu', overdueMs: expect.any(Number) });
  expect(ours.every((i) => i.overdueMs > 0)).toBe(true);
  expect(ours.map((i) => i.kind)).toContain('escalation');
}, 180_000);
