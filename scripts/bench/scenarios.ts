/**
 * The benchmark's measurements, each the product's path next to the same work
 * done with the Temporal client directly, on one dev server. Product and raw
 * rounds alternate (product, raw, raw, product) so a machine that slows down
 * or speeds up during the run does not favour either.
 */
import { WorkflowIdReusePolicy, type WorkflowHandle } from '@temporalio/client';
import type { ProjectSubmission } from '../../domain/project';
import { cycleWorkflowId, cycleViewQuery } from '../../workflows/cycle-contract';
import { confirmScopingUpdate, decideUpdate, projectViewQuery, projectWorkflowId, searchAttributes, type ProjectView, type ReviewStep } from '../../workflows/definitions';
import type { projectWorkflow } from '../../workflows/project';
import { KEYS, type BenchStack } from './stack';

/** Runs `fn` over `items`, `limit` at a time. */
export async function pool<T>(items: T[], limit: number, fn: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        await fn(items[i], i);
      }
    }),
  );
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))];
}

async function poll<T>(what: string, read: () => Promise<T>, done: (v: T) => boolean, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let error: unknown;
  for (;;) {
    // A query times out while the worker is far behind (thousands of workflow tasks queued): ask again.
    const value = await read().catch((err: unknown) => ((error = err), undefined));
    if (value !== undefined && done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${error ? `; last error: ${(error as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

let counter = 0;
/** A project of one component: unlisted (T0, active once the grant is approved) with a milestone due now, so a cycle reviews it. */
export function benchProject(): ProjectSubmission & { projectId: string } {
  const projectId = `b${process.pid}-${(counter++).toString(36).padStart(5, '0')}`;
  return {
    projectId,
    title: `Bench project ${projectId}`,
    funderId: 'horizon-eu',
    coordinator: { name: 'Bench Coordinator', email: 'coordinator@bench.example', partnerId: 'kit' },
    partners: [
      { id: 'kit', name: 'Karlsruhe Institute of Technology', country: 'DE' },
      { id: 'ornl', name: 'Oak Ridge National Laboratory', country: 'US' },
    ],
    components: [{ id: 'c0', name: 'Open analysis software', description: '', controlCodes: [], endUse: 'fundamental-research', destinations: ['US'], recipients: ['ornl'] }],
    milestones: [{ id: 'm1', title: 'Prototype', dueAt: new Date(Date.now() + 60_000).toISOString(), componentIds: ['c0'] }],
  };
}

/** The raw path: the start the API makes, without the API. */
export function startRaw(stack: BenchStack, project: ProjectSubmission & { projectId: string }): Promise<WorkflowHandle<typeof projectWorkflow>> {
  return stack.client.workflow.start<typeof projectWorkflow>('projectWorkflow', {
    workflowId: projectWorkflowId(project.projectId),
    taskQueue: stack.taskQueue,
    args: [{ project, policy: stack.policy, submittedBy: 'bench' }],
    workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
    typedSearchAttributes: [
      { key: searchAttributes.projectId, value: project.projectId },
      { key: searchAttributes.funderId, value: project.funderId },
      { key: searchAttributes.stage, value: 'scoping' },
    ],
  });
}

async function post(stack: BenchStack, path: string, body: unknown, key?: string): Promise<Response> {
  const res = await fetch(stack.apiUrl + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
    body: JSON.stringify(body),
  });
  await res.arrayBuffer();
  return res;
}

export interface Rate {
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
}

/** `n` jobs, `concurrency` in flight: their throughput and latencies. */
async function timed(n: number, concurrency: number, job: () => Promise<void>): Promise<{ wallMs: number; latencies: number[] }> {
  const latencies: number[] = [];
  const t0 = performance.now();
  await pool(Array.from({ length: n }), concurrency, async () => {
    const t = performance.now();
    await job();
    latencies.push(performance.now() - t);
  });
  return { wallMs: performance.now() - t0, latencies };
}

/** Product and raw rounds in ABBA order; each side's figures over both of its rounds. */
async function abba(n: number, concurrency: number, product: () => Promise<void>, raw: () => Promise<void>): Promise<{ product: Rate; raw: Rate }> {
  const half = Math.ceil(n / 2);
  const rounds = { product: [] as { wallMs: number; latencies: number[] }[], raw: [] as { wallMs: number; latencies: number[] }[] };
  rounds.product.push(await timed(half, concurrency, product));
  rounds.raw.push(await timed(half, concurrency, raw));
  rounds.raw.push(await timed(half, concurrency, raw));
  rounds.product.push(await timed(half, concurrency, product));
  const rate = (rs: { wallMs: number; latencies: number[] }[]): Rate => {
    const latencies = rs.flatMap((r) => r.latencies);
    return { perSecond: latencies.length / (rs.reduce((s, r) => s + r.wallMs, 0) / 1000), p50Ms: percentile(latencies, 0.5), p99Ms: percentile(latencies, 0.99) };
  };
  return { product: rate(rounds.product), raw: rate(rounds.raw) };
}

/** Project submissions: `POST /v1/projects` against `client.workflow.start` with the same input. */
export function submissions(stack: BenchStack, n: number, concurrency: number) {
  return abba(
    n,
    concurrency,
    async () => {
      const res = await post(stack, '/v1/projects', benchProject(), KEYS.coordinator);
      if (res.status !== 201) throw new Error(`POST /v1/projects answered ${res.status}`);
    },
    async () => {
      await startRaw(stack, benchProject());
    },
  );
}

/** Projects brought to their grant review through the client (not measured): their open grant steps. */
export async function toGrantReview(stack: BenchStack, n: number, concurrency = 50): Promise<ProjectView[]> {
  const views: ProjectView[] = [];
  await pool(Array.from({ length: n }), concurrency, async () => {
    const handle = await startRaw(stack, benchProject());
    await poll('classification', () => handle.query(projectViewQuery), (v) => v.components.every((c) => c.tier !== null), 120_000);
    await handle.executeUpdate(confirmScopingUpdate, { args: [{ overrides: [], confirmedBy: 'bench' }] });
    views.push(await poll('grant steps', () => handle.query(projectViewQuery), (v) => v.openSteps.length === 2, 120_000));
  });
  return views;
}

/** One decision at a time (latency, not throughput): `POST /r/:token` against the `decide` Update sent with the client. */
export async function decisions(stack: BenchStack, n: number) {
  const steps: ReviewStep[] = (await toGrantReview(stack, n * 2)).map((v) => v.openSteps.find((s) => s.kind === 'grant-funder')!);
  const forProduct = steps.slice(0, n);
  const forRaw = steps.slice(n);
  return abba(
    n,
    1,
    async () => {
      const step = forProduct.pop()!;
      const token = stack.signer.sign({ workflowId: step.workflowId, stepId: step.stepId, reviewer: step.reviewer, expiresAt: Date.now() + 86_400_000 });
      const res = await post(stack, `/r/${token}`, { decision: 'approve' });
      if (res.status !== 200) throw new Error(`POST /r/:token answered ${res.status}`);
    },
    async () => {
      const step = forRaw.pop()!;
      await stack.client.workflow.getHandle(step.workflowId).executeUpdate(decideUpdate, { args: [{ stepId: step.stepId, reviewer: step.reviewer, decision: 'approve' }] });
    },
  );
}

export interface CycleFigures {
  projects: number;
  acceptedMs: number;
  allOpenMs: number;
  historyEvents: number;
  rawStartMs: number;
  prepMs: number;
}

/** A funder cycle over `n` active projects: the API's 202, then until every milestone step is open; and the raw time to start `n` workflows. */
export async function cycle(stack: BenchStack, n: number): Promise<CycleFigures> {
  const t0 = Date.now();
  const views = await toGrantReview(stack, n);
  await pool(views, 50, async (v) => {
    for (const step of v.openSteps) await stack.client.workflow.getHandle(step.workflowId).executeUpdate(decideUpdate, { args: [{ stepId: step.stepId, reviewer: step.reviewer, decision: 'approve' }] });
  });
  const ids = views.map((v) => v.projectId);
  await poll('projects active', () => Promise.all(ids.slice(-20).map((id) => stack.client.workflow.getHandle(projectWorkflowId(id)).query(projectViewQuery))), (vs) => vs.every((v) => v.stage === 'active'), 300_000);
  const prepMs = Date.now() - t0;

  const cycleId = `bench-${Date.now()}`;
  const launchedAt = performance.now();
  const res = await post(stack, '/v1/cycles', { cycleId, name: 'Bench cycle', closesAt: new Date(Date.now() + 86_400_000).toISOString(), projectIds: ids }, KEYS.funder);
  const acceptedMs = performance.now() - launchedAt;
  if (res.status !== 202) throw new Error(`POST /v1/cycles answered ${res.status}`);
  const query = `${searchAttributes.cycleId.name} = '${cycleId}' AND ${searchAttributes.awaitedParties.name} = 'horizon-eu'`;
  await poll('every milestone step open', () => stack.client.workflow.count(query), (c) => c.count === n, 900_000);
  const allOpenMs = performance.now() - launchedAt;
  const handle = stack.client.workflow.getHandle(cycleWorkflowId(cycleId));
  await poll('cycle launched', () => handle.query(cycleViewQuery), (c) => c.launched === n, 60_000);
  const historyEvents = Number((await handle.describe()).historyLength);

  const rawStart = performance.now();
  await pool(Array.from({ length: n }), 50, async () => {
    await startRaw(stack, benchProject());
  });
  return { projects: n, acceptedMs, allOpenMs, historyEvents, rawStartMs: performance.now() - rawStart, prepMs };
}

/** Starts projects until `target` project workflows run, waits until the worker has taken them all in, then reads its memory. */
export async function memoryAt(stack: BenchStack, target: number): Promise<{ running: number; rssBytes: number }> {
  const runningQuery = `WorkflowType = 'projectWorkflow' AND ExecutionStatus = 'Running'`;
  const running = (await stack.client.workflow.count(runningQuery)).count;
  let last: WorkflowHandle<typeof projectWorkflow> | undefined;
  await pool(Array.from({ length: Math.max(0, target - running) }), 50, async () => {
    last = await startRaw(stack, benchProject());
  });
  // Workflow tasks are taken in order of arrival: once the last project is classified, all before it are too.
  if (last) await poll('the last project classified', () => last!.query(projectViewQuery), (v) => v.components.every((c) => c.tier !== null), 1_800_000);
  await new Promise((r) => setTimeout(r, 5000)); // let the worker settle
  return { running: (await stack.client.workflow.count(runningQuery)).count, rssBytes: stack.workerRssBytes() };
}
