/**
 * Load generation: bounded concurrency, latencies, product-against-raw rounds
 * in ABBA order, the CPU each process used meanwhile; the bench's projects, the
 * raw start (what `POST /v1/projects` does, without the API) and the bare
 * workflows' start (scripts/bench/bare-workflows.ts, on the bare worker).
 */
import { WorkflowIdReusePolicy, type WorkflowHandle } from '@temporalio/client';
import type { Project, ProjectSubmission } from '../../domain/project';
import { updateRejection } from '../../api/errors';
import { confirmScopingUpdate, ProjectRejection, projectWorkflowId, searchAttributes } from '../../workflows/definitions';
import { snapshot } from '../../records/database';
import type { projectWorkflow } from '../../workflows/project';
import type * as bare from './bare-workflows';
import { TASK_QUEUES, type BenchStack, type Cpu, type Proc } from './stack';

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
  if (!values.length) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))];
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Polls `read` until `done`; fails when a process of the stack died or after `timeoutMs`. A read that fails is
 * asked again (a query times out while the worker is far behind); the last error is named on timeout.
 */
export async function poll<T>(
  stack: BenchStack,
  what: string,
  read: () => Promise<T>,
  done: (v: T) => boolean,
  timeoutMs: number,
  intervalMs = 250,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let error: unknown;
  for (;;) {
    stack.check();
    const result = await read().then(
      (value) => ({ value }),
      (err: unknown) => ((error = err), undefined),
    );
    if (result && done(result.value)) return result.value;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}${error ? `; last error: ${(error as Error).message}` : ''}`);
    await sleep(intervalMs);
  }
}

export function cpuDelta(before: Cpu, after: Cpu): Cpu {
  return Object.fromEntries(Object.keys(before).map((k) => [k, after[k as Proc] - before[k as Proc]])) as Cpu;
}
const addCpu = (a: Cpu, b: Cpu): Cpu => Object.fromEntries(Object.keys(a).map((k) => [k, a[k as Proc] + b[k as Proc]])) as Cpu;

export interface Round {
  wallMs: number;
  latencies: number[];
  cpu: Cpu;
}

export interface Rate {
  n: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** CPU ms per operation, by process. */
  cpuPerOp: Cpu;
}

/** `n` jobs, `concurrency` in flight: their wall time, latencies and the CPU each process used. */
export async function timed(stack: BenchStack, n: number, concurrency: number, job: (i: number) => Promise<void>): Promise<Round> {
  const latencies: number[] = [];
  const cpu0 = stack.cpu();
  const t0 = performance.now();
  await pool(Array.from({ length: n }), concurrency, async (_, i) => {
    const t = performance.now();
    await job(i);
    latencies.push(performance.now() - t);
  });
  return { wallMs: performance.now() - t0, latencies, cpu: cpuDelta(cpu0, stack.cpu()) };
}

export function rate(rounds: Round[]): Rate {
  const latencies = rounds.flatMap((r) => r.latencies);
  const cpu = rounds.map((r) => r.cpu).reduce(addCpu);
  const n = latencies.length;
  return {
    n,
    perSecond: n / (rounds.reduce((s, r) => s + r.wallMs, 0) / 1000),
    p50Ms: percentile(latencies, 0.5),
    p99Ms: percentile(latencies, 0.99),
    cpuPerOp: Object.fromEntries(Object.entries(cpu).map(([k, v]) => [k, v / n])) as Cpu,
  };
}

/**
 * Rounds of each arm in order, then in reverse (A B C C B A), each of `n / 2` jobs, so a machine that slows down or
 * speeds up during the run favours none of them; each arm's figures are over both its rounds.
 */
export async function interleaved<K extends string>(
  stack: BenchStack,
  n: number,
  concurrency: number,
  arms: Record<K, (i: number) => Promise<void>>,
): Promise<Record<K, Rate>> {
  const half = Math.ceil(n / 2);
  const names = Object.keys(arms) as K[];
  const rounds = new Map<K, Round[]>(names.map((k) => [k, []]));
  for (const [pass, order] of [names, [...names].reverse()].entries()) {
    for (const name of order) rounds.get(name)!.push(await timed(stack, half, concurrency, (i) => arms[name](pass * half + i)));
  }
  return Object.fromEntries(names.map((k) => [k, rate(rounds.get(k)!)])) as Record<K, Rate>;
}

export async function post(stack: BenchStack, path: string, body: unknown, key?: string): Promise<Response> {
  const res = await fetch(stack.apiUrl + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
    body: JSON.stringify(body),
  });
  await res.arrayBuffer();
  return res;
}

let counter = 0;
/**
 * A project of one dual-use component (3A001, from KIT in Germany to Oak Ridge: BAFA reviews it) with a milestone due
 * within a minute, so a cycle reviews it: active once the grant is approved, and still active while its licence is
 * in review (a project whose components all need no licence closes once cleared).
 */
export function benchProject(funderId: string): ProjectSubmission & { projectId: string } {
  const projectId = `b${process.pid}-${(counter++).toString(36).padStart(5, '0')}`;
  return {
    projectId,
    title: `Bench project ${projectId}`,
    funderId,
    coordinator: { name: 'Bench Coordinator', email: 'coordinator@bench.example', partnerId: 'kit' },
    partners: [
      { id: 'kit', name: 'Karlsruhe Institute of Technology', country: 'DE' },
      { id: 'ornl', name: 'Oak Ridge National Laboratory', country: 'US' },
    ],
    components: [
      {
        id: 'c0',
        name: 'Radiation-hardened FPGA board',
        description: 'Readout board',
        controlCodes: ['3A001'],
        endUse: 'civilian-research',
        destinations: ['US'],
        recipients: ['ornl'],
      },
    ],
    milestones: [{ id: 'm1', title: 'Prototype', dueAt: new Date(Date.now() + 60_000).toISOString(), componentIds: ['c0'] }],
  };
}

/** The raw path: exactly the start `POST /v1/projects` makes (same options, same input), without the API. */
export function startRaw(stack: BenchStack, project: Project, taskQueue: string = TASK_QUEUES.main): Promise<WorkflowHandle<typeof projectWorkflow>> {
  return stack.client.workflow.start<typeof projectWorkflow>('projectWorkflow', {
    workflowId: projectWorkflowId(project.projectId),
    taskQueue,
    args: [{ project, policy: stack.policy, submittedBy: 'coordinator' }],
    workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
    typedSearchAttributes: [
      { key: searchAttributes.projectId, value: project.projectId },
      { key: searchAttributes.funderId, value: project.funderId },
      { key: searchAttributes.stage, value: 'scoping' },
    ],
  });
}

type BareWorkflowType = keyof Pick<typeof bare, 'bareWaitWorkflow' | 'bareUpdateWorkflow'>;

/** A bare workflow (scripts/bench/bare-workflows.ts) on the bare worker: no input, no search attributes, no options beyond the id. */
export function startBare(stack: BenchStack, type: BareWorkflowType, workflowId: string): Promise<WorkflowHandle> {
  return stack.client.workflow.start(type, { workflowId, taskQueue: TASK_QUEUES.bare });
}

/** Waits until a worker (the product's, or `proc`) has had nothing to do for 3 s in a row (its CPU time stops growing). */
export async function workerIdle(stack: BenchStack, timeoutMs = 600_000, proc: 'worker' | 'bare' = 'worker'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = stack.cpu()[proc];
  for (let quiet = 0; quiet < 3;) {
    stack.check();
    if (Date.now() > deadline) throw new Error(`the ${proc} worker was still busy after ${timeoutMs / 1000} s`);
    await sleep(1000);
    const now = stack.cpu()[proc];
    quiet = now - last < 30 ? quiet + 1 : 0;
    last = now;
  }
}

const grantReviewQuery = (funderId: string, taskQueue: string) =>
  `TaskQueue = '${taskQueue}' AND ${searchAttributes.funderId.name} = '${funderId}' AND ${searchAttributes.stage.name} = 'grant-review' AND ${searchAttributes.awaitedParties.name} = '${funderId}'`;

/**
 * Preparation: `n` projects started with the client and their scoping confirmed, until each waits in grant review
 * (the funder's and the lead agency's steps open), then (unless `settle` is false) until the worker is idle, their
 * steps mailed. Returns their ids.
 */
export async function openGrantReviews(stack: BenchStack, n: number, opts: { funderId: string; taskQueue?: string; settle?: boolean }): Promise<string[]> {
  const taskQueue = opts.taskQueue ?? TASK_QUEUES.main;
  const query = grantReviewQuery(opts.funderId, taskQueue);
  const before = (await stack.client.workflow.count(query)).count;
  const projects = Array.from({ length: n }, () => benchProject(opts.funderId) as Project);
  const confirm = (chunk: Project[]) =>
    // Once classified: the Update's validator refuses it while classification runs, before anything is written.
    pool(chunk, 50, async (p) => {
      const handle = stack.client.workflow.getHandle(projectWorkflowId(p.projectId));
      for (;;) {
        try {
          await handle.executeUpdate(confirmScopingUpdate, { args: [{ overrides: [], confirmedBy: 'coordinator' }] });
          return;
        } catch (err) {
          const rejection = updateRejection(err);
          if (rejection?.type !== ProjectRejection.WrongStage || !/classification is still running/.test(rejection.message)) throw err;
          stack.check();
          await sleep(500);
        }
      }
    });
  // In chunks, each confirmed while the next one starts: the worker keeps the projects it works on in its cache.
  let confirming: Promise<void> = Promise.resolve();
  for (let i = 0; i < n; i += 500) {
    const chunk = projects.slice(i, i + 500);
    await pool(chunk, 100, async (p) => {
      await startRaw(stack, p, taskQueue);
    });
    await confirming;
    confirming = confirm(chunk);
  }
  await confirming;
  await poll(
    stack,
    `${n} projects in grant review`,
    () => stack.client.workflow.count(query),
    (c) => c.count >= before + n,
    300_000 + n * 100,
    500,
  );
  if (opts.settle !== false) await workerIdle(stack, 600_000 + n * 100);
  return projects.map((p) => p.projectId);
}

/** The grant review's steps, each of which a project in grant review has open (domain/routing.ts grantReviewPlan). */
const GRANT_STEPS = ['grant-funder', 'grant-agency'];

/** An open step as the records' columns show it: what deciding it takes. */
export interface OpenStep {
  stepId: string;
  kind: string;
  reviewer: string;
}

/**
 * The open steps of the projects in grant review (visibility names the projects), as the records show them: project
 * workflow id → steps. Read until every project's grant steps are recorded open (the step rows are written in the
 * workflow task that publishes the stage, so this is at once, unless visibility ran ahead).
 */
export async function openStepsOf(stack: BenchStack, funderId: string, taskQueue: string = TASK_QUEUES.main): Promise<Map<string, OpenStep[]>> {
  const ids: string[] = [];
  for await (const wf of stack.client.workflow.list({ query: grantReviewQuery(funderId, taskQueue), pageSize: 1000 })) ids.push(wf.workflowId);
  const read = async () => {
    const steps = new Map<string, OpenStep[]>(ids.map((id) => [id, []]));
    // In chunks, and the columns alone (not each step's JSON): a statement takes at most 65,535 parameters, and a
    // short transaction holds the record store (PGlite, one transaction at a time) from the worker's writes for less.
    for (let i = 0; i < ids.length; i += 1000) {
      const chunk = ids.slice(i, i + 1000);
      const rows = await snapshot(stack.records(), (db) =>
        db.selectFrom('steps').select(['workflow_id', 'step_id', 'kind', 'reviewer']).where('status', '=', 'open').where('workflow_id', 'in', chunk).execute(),
      );
      for (const r of rows) steps.get(r.workflow_id)?.push({ stepId: r.step_id, kind: r.kind, reviewer: r.reviewer });
    }
    return steps;
  };
  const complete = (steps: Map<string, OpenStep[]>) => [...steps.values()].every((open) => GRANT_STEPS.every((kind) => open.some((s) => s.kind === kind)));
  return poll(stack, `the grant steps of ${ids.length} projects recorded open`, read, complete, 120_000, 500);
}
