/**
 * The measurements: each the product's path next to the same work done with
 * the Temporal client directly, on one dev server, plus the parts of the
 * product's cost that can be measured on their own (the API without Temporal,
 * validation, CPU per process, phases read from histories).
 */
import { WorkflowUpdateStage } from '@temporalio/client';
import type { LinkClaims } from '../../activities/link-tokens';
import { createMailTransport } from '../../activities/mail/transport';
import { projectSubmissionSchema, type Project } from '../../domain/project';
import { countReportedItems } from '../../records/cycle-records';
import { CYCLE_BATCH_SIZE } from '../../workflows/cycle-contract';
import { decideUpdate, searchAttributes } from '../../workflows/definitions';
import { analyseCycle, type CyclePhases } from './history';
import {
  benchProject,
  cpuDelta,
  interleaved,
  openGrantReviews,
  openStepsOf,
  percentile,
  poll,
  pool,
  post,
  sleep,
  startRaw,
  workerIdle,
  type Rate,
} from './load';
import { FUNDERS, KEYS, TASK_QUEUES, type BenchStack, type Cpu, type WorkerMemory } from './stack';

export interface SubmissionFigures {
  concurrency: number;
  product: Rate;
  raw: Rate;
  /** `POST /v1/projects` with `{}`: the API's whole path (HTTP, helmet, logging, auth, rate limit, JSON, zod, error) without Temporal. */
  apiOnly: Rate;
  /** The submission schema's parse of one bench project, in this process. */
  zodMs: number;
  bodyBytes: number;
  inputBytes: number;
}

/** Project submissions: `POST /v1/projects` against `client.workflow.start` with the same input, `concurrency` in flight. */
export async function submissions(stack: BenchStack, n: number, concurrency: number): Promise<SubmissionFigures> {
  const schema = projectSubmissionSchema(stack.policy);
  const submit = async () => {
    const res = await post(stack, '/v1/projects', benchProject(FUNDERS.reviews), KEYS.coordinator);
    if (res.status !== 201) throw new Error(`POST /v1/projects answered ${res.status}`);
  };
  // The raw side gets the project exactly as the API hands it to Temporal: parsed by the schema, outside the clock.
  const parsed = (): Project => schema.parse(benchProject(FUNDERS.reviews)) as Project;
  const rawInputs = Array.from({ length: 2 * Math.ceil(n / 2) }, parsed);
  const invalid = async () => {
    const res = await post(stack, '/v1/projects', {}, KEYS.coordinator);
    if (res.status !== 400) throw new Error(`POST /v1/projects with {} answered ${res.status}`);
  };
  const warm = Array.from({ length: Math.min(30, n) }, parsed);
  await pool(warm, concurrency, async (p, i) => [submit, () => startRaw(stack, p).then(() => undefined), invalid][i % 3]());
  await workerIdle(stack);

  const rates = await interleaved(stack, n, concurrency, {
    product: submit,
    raw: async (i) => {
      await startRaw(stack, rawInputs[i]);
    },
    apiOnly: invalid,
  });

  const body = benchProject(FUNDERS.reviews);
  for (let i = 0; i < 200; i++) schema.parse(body);
  const runs = 2000;
  const t0 = performance.now();
  for (let i = 0; i < runs; i++) schema.parse(body);
  const zodMs = (performance.now() - t0) / runs;
  const inputBytes = JSON.stringify({ project: schema.parse(body), policy: stack.policy, submittedBy: 'coordinator' }).length;
  return { concurrency, ...rates, zodMs, bodyBytes: JSON.stringify(body).length, inputBytes };
}

export interface DecisionFigures {
  product: Rate;
  raw: Rate;
  /** Raw: until the Update is accepted (what the API waits for first), of the whole `raw` latency. */
  rawAcceptedP50Ms: number;
  /** `POST /r/:token` with a decision not on the list: token check, JSON, zod, the error page; no Temporal call. */
  apiOnly: Rate;
}

/** The decision link each funder grant step's e-mail carries (as the worker signed it), with its claims. */
async function linksFromMail(stack: BenchStack, workflowIds: string[]): Promise<Map<string, { token: string; claims: LinkClaims }>> {
  const wanted = new Set(workflowIds);
  const links = new Map<string, { token: string; claims: LinkClaims }>();
  await poll(
    stack,
    'the funder review e-mails',
    async () => {
      for (const mail of await stack.mails()) {
        for (const [, token] of mail.text.matchAll(/\/r\/([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)/g)) {
          const verified = stack.signer.verify(token);
          if (verified.ok && wanted.has(verified.claims.workflowId) && verified.claims.stepId.startsWith('grant-funder'))
            links.set(verified.claims.workflowId, { token, claims: verified.claims });
        }
      }
      return links.size;
    },
    (size) => size === wanted.size,
    60_000,
    1000,
  );
  return links;
}

/**
 * One decision at a time (latency, not throughput): `POST /r/:token` as JSON with the link from the e-mail, against
 * the same `decide` Update sent with the client and awaited as the API awaits it (accepted, then its result).
 */
export async function decisions(stack: BenchStack, n: number): Promise<DecisionFigures> {
  const warmN = 6;
  const half = Math.ceil(n / 2);
  const ids = await openGrantReviews(stack, 4 * half + warmN, { funderId: FUNDERS.reviews });
  const links = [...(await linksFromMail(stack, [...(await openStepsOf(stack, FUNDERS.reviews)).keys()])).values()];
  if (links.length < ids.length) throw new Error(`only ${links.length} of ${ids.length} decision links found`);
  const forProduct = links.slice(0, 2 * half);
  const forRaw = links.slice(2 * half, 4 * half);
  const warm = links.slice(4 * half);

  const viaApi = async (link: { token: string }) => {
    const res = await post(stack, `/r/${link.token}`, { decision: 'approve' });
    if (res.status !== 200) throw new Error(`POST /r/:token answered ${res.status}`);
  };
  const accepted: number[] = [];
  const viaClient = async ({ claims }: { claims: LinkClaims }) => {
    const t0 = performance.now();
    const update = await stack.client.workflow.getHandle(claims.workflowId).startUpdate(decideUpdate, {
      args: [{ stepId: claims.stepId, reviewer: claims.reviewer, decision: 'approve' }],
      waitForStage: WorkflowUpdateStage.ACCEPTED,
    });
    accepted.push(performance.now() - t0);
    await update.result();
  };
  const invalid = async () => {
    const res = await post(stack, `/r/${forRaw[0].token}`, { decision: 'maybe' });
    if (res.status !== 400) throw new Error(`POST /r/:token with a bad decision answered ${res.status}`);
  };
  for (const [i, link] of warm.entries()) await [viaApi, viaClient, invalid][i % 3](link);
  accepted.length = 0;
  await workerIdle(stack);

  const rates = await interleaved(stack, n, 1, { product: (i) => viaApi(forProduct[i]), raw: (i) => viaClient(forRaw[i]), apiOnly: invalid });
  return { ...rates, rawAcceptedP50Ms: percentile(accepted, 0.5) };
}

export interface CycleFigures {
  projects: number;
  /** `POST /v1/cycles` until `202`. */
  acceptedMs: number;
  /** `POST /v1/cycles` with the longest list the API takes (LONG_LIST ids) until `202`: p50 and slowest of 5. */
  longListAccepted: { ids: number; p50Ms: number; maxMs: number };
  /** `202` until visibility shows every project's milestone step open (what the stalled list and dashboard see). */
  visibleMs: number;
  /** `202` until every project has mailed its step and reported to the cycle (the cycle's view names who is awaited). */
  reportedMs: number;
  /** Starting `projects` project workflows with the client, CYCLE_BATCH_SIZE in flight. */
  rawStartMs: number;
  /** CPU ms per project by process, `202` → all reported. */
  cpuPerProject: Cpu;
  phases: CyclePhases;
  prepMs: number;
}

/** A funder cycle over `n` active projects: the API's 202, then until every milestone step is open; and the raw time to start `n` workflows. */
export async function cycle(stack: BenchStack, n: number): Promise<CycleFigures> {
  const t0 = Date.now();
  const ids = await openGrantReviews(stack, n, { funderId: FUNDERS.cycle });
  const steps = [...(await openStepsOf(stack, FUNDERS.cycle)).entries()];
  await pool(steps, 50, async ([workflowId, open]) => {
    const handle = stack.client.workflow.getHandle(workflowId);
    for (const step of open) await handle.executeUpdate(decideUpdate, { args: [{ stepId: step.stepId, reviewer: step.reviewer, decision: 'approve' }] });
  });
  const activeQuery = `WorkflowType = 'projectWorkflow' AND ${searchAttributes.funderId.name} = '${FUNDERS.cycle}' AND ${searchAttributes.stage.name} = 'active'`;
  await poll(
    stack,
    'projects active',
    () => stack.client.workflow.count(activeQuery),
    (c) => c.count >= n,
    300_000 + n * 100,
    1000,
  );
  // Activation starts each project's licence review (T0: cleared at once) and compliance monitor: let them finish.
  await workerIdle(stack);
  const prepMs = Date.now() - t0;

  const cycleId = `bench-${Date.now()}`;
  const body = { cycleId, name: 'Bench cycle', closesAt: new Date(Date.now() + 86_400_000).toISOString(), projectIds: ids };
  const cpu0 = stack.cpu();
  const launchedAt = Date.now();
  const t = performance.now();
  const res = await post(stack, '/v1/cycles', body, KEYS.cycleFunder);
  const acceptedMs = performance.now() - t;
  if (res.status !== 202) throw new Error(`POST /v1/cycles answered ${res.status}`);
  const visibleQuery = `${searchAttributes.cycleId.name} = '${cycleId}' AND ${searchAttributes.awaitedParties.name} = '${FUNDERS.cycle}'`;
  await poll(
    stack,
    'every milestone step open',
    () => stack.client.workflow.count(visibleQuery),
    (c) => c.count === n,
    600_000 + n * 500,
    200,
  );
  const visibleMs = performance.now() - t;
  // A project reports to its shard once its step's e-mail is sent; until then the shard's own placeholder awaits no one.
  const records = stack.records();
  await poll(
    stack,
    'every project reported',
    () => countReportedItems(records, cycleId),
    (reported) => reported === n,
    600_000,
    500,
  );
  const reportedMs = performance.now() - t;
  const cpu = cpuDelta(cpu0, stack.cpu());
  await workerIdle(stack);

  const phases = await analyseCycle(stack, cycleId, ids, launchedAt);

  const rawInputs = Array.from({ length: n }, () => benchProject(FUNDERS.reviews) as Project);
  const rawStart = performance.now();
  await pool(rawInputs, CYCLE_BATCH_SIZE, async (p) => {
    await startRaw(stack, p);
  });
  const rawStartMs = performance.now() - rawStart;
  const cpuPerProject = Object.fromEntries(Object.entries(cpu).map(([k, v]) => [k, v / n])) as Cpu;
  await workerIdle(stack); // the raw starts' workflows run their first tasks
  const longListAccepted = await longListCycles(stack, body);
  return { projects: n, acceptedMs, longListAccepted, visibleMs, reportedMs, rawStartMs, cpuPerProject, phases, prepMs };
}

/** The most project ids `POST /v1/cycles` takes. */
const LONG_LIST = 10_000;

/**
 * The `202` for a list of LONG_LIST ids, 5 times. The API's work (parse the list, write it as the cycle's target set,
 * start the cycle) does not depend on the projects' state, so the ids are of no project: each cycle finds none of
 * them active, signals no one and waits for its close.
 */
async function longListCycles(stack: BenchStack, body: { name: string; closesAt: string }): Promise<CycleFigures['longListAccepted']> {
  const times: number[] = [];
  for (let round = 0; round < 5; round++) {
    const cycleId = `bench-long-${Date.now()}-${round}`;
    const projectIds = Array.from({ length: LONG_LIST }, (_, i) => `absent-${round}-${i}`);
    const t = performance.now();
    const res = await post(stack, '/v1/cycles', { ...body, cycleId, projectIds }, KEYS.cycleFunder);
    times.push(performance.now() - t);
    if (res.status !== 202) throw new Error(`POST /v1/cycles with ${LONG_LIST} ids answered ${res.status}`);
  }
  return { ids: LONG_LIST, p50Ms: percentile(times, 0.5), maxMs: Math.max(...times) };
}

export interface MemoryReading extends WorkerMemory {
  /** Project workflows asked for, and found running in grant review. */
  target: number;
  open: number;
  /** Time to bring this many more projects to their open grant review (preparation), and the CPU ms per project it took. */
  prepMs: number;
  prepCpuPerProject?: Cpu;
}

export interface MemoryFigures {
  maxCachedWorkflows?: number;
  readings: MemoryReading[];
}

/**
 * The worker's memory with 0, then each of `targets` project workflows open in grant review (two steps open and
 * mailed, waiting for the funder's and the lead agency's decisions), in a worker process of its own.
 */
export async function memory(stack: BenchStack, targets: number[]): Promise<MemoryFigures> {
  const worker = await stack.startMemoryWorker();
  await sleep(3000);
  const readings: MemoryReading[] = [{ target: 0, open: 0, prepMs: 0, ...(await worker.measure()) }];
  const openQuery = `TaskQueue = '${TASK_QUEUES.memory}' AND ExecutionStatus = 'Running' AND ${searchAttributes.stage.name} = 'grant-review'`;
  let open = 0;
  for (const target of [...targets].sort((a, b) => a - b)) {
    const t0 = Date.now();
    const cpu0 = stack.cpu();
    console.error(`[${stack.mode}]   ${target - open} more projects to grant review on the memory worker...`);
    await openGrantReviews(stack, target - open, { funderId: FUNDERS.reviews, taskQueue: TASK_QUEUES.memory });
    const prepMs = Date.now() - t0;
    const prepCpuPerProject = Object.fromEntries(Object.entries(cpuDelta(cpu0, stack.cpu())).map(([k, v]) => [k, v / (target - open)])) as Cpu;
    open = (await stack.client.workflow.count(openQuery)).count;
    readings.push({ target, open, prepMs, prepCpuPerProject, ...(await worker.measure()) });
  }
  return { maxCachedWorkflows: readings[0].maxCachedWorkflows, readings };
}

export interface SmtpFigures {
  /** One e-mail sent over a new SMTP connection per e-mail (`pool=false` on SMTP_URL), p50. */
  perMailConnectionMs: number;
  /** The same as the worker's transport sends it (`createMailTransport`: pooled connections), p50. */
  pooledMs: number;
}

/** The e-mail activity's send, on its own: to the stack's MailDev from this process, one at a time. */
export async function smtp(stack: BenchStack, n = 40): Promise<SmtpFigures> {
  const sendAll = async (url: string) => {
    const transport = createMailTransport(url);
    const times: number[] = [];
    try {
      for (let i = 0; i < n; i++) {
        const t0 = performance.now();
        await transport.sendMail({
          from: 'bench@bench.example',
          to: 'reviewer@bench.example',
          subject: 'SMTP timing',
          text: 'A review request of typical length.\n'.repeat(20),
        });
        times.push(performance.now() - t0);
      }
    } finally {
      transport.close();
    }
    return percentile(times.slice(1), 0.5);
  };
  return { perMailConnectionMs: await sendAll(`${stack.smtpUrl}/?pool=false`), pooledMs: await sendAll(stack.smtpUrl) };
}
