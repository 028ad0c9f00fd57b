/**
 * The measurements: each the product's path next to the same work done with
 * the Temporal client directly, on one dev server, plus the parts of the
 * product's cost that can be measured on their own (the API without Temporal,
 * validation, CPU per process, phases read from histories). The raw arms are
 * the product's own workflow driven by the client, and Temporal's floor: bare
 * workflows (scripts/bench/bare-workflows.ts) on a worker of their own.
 */
import type { LinkClaims } from '../../activities/link-tokens';
import { createMailTransport } from '../../activities/mail/transport';
import { projectSubmissionSchema, type Project } from '../../domain/project';
import { countReportedItems } from '../../records/cycle-records';
import { snapshot } from '../../records/database';
import { CYCLE_BATCH_SIZE } from '../../workflows/cycle-contract';
import { decideUpdate, searchAttributes } from '../../workflows/definitions';
import { bareUpdate } from './bare-workflows';
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
  startBare,
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
  /** `POST /r/:token` with the link from the funder's e-mail, as JSON. */
  product: Rate;
  /** The product's `decide` Update to the product's workflow, sent with the client as the API sends it (`executeUpdate`). */
  raw: Rate;
  /** A bare Update to a minimal workflow (`bareUpdateWorkflow`: its handler returns at once), sent the same way. */
  bare: Rate;
  /** `POST /r/:token` with a decision not on the list: token check, the step read from the records, JSON, zod, the error; no Temporal call. */
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
 * the same `decide` Update sent with the client as the API sends it (`executeUpdate`: one call that waits for the
 * result), against a bare Update to a minimal workflow sent the same way, each on a workflow of its own.
 */
export async function decisions(stack: BenchStack, n: number): Promise<DecisionFigures> {
  const warmN = 6;
  const half = Math.ceil(n / 2);
  const ids = await openGrantReviews(stack, 4 * half + warmN, { funderId: FUNDERS.reviews });
  // The bare arm's workflows, one per Update as in the other arms, each past its first task.
  const bareIds = Array.from({ length: 2 * half + warmN }, (_, i) => `bare-update-${process.pid}-${Date.now()}-${i}`);
  const ran = await stack.bareRan();
  await pool(bareIds, 50, async (id) => {
    await startBare(stack, 'bareUpdateWorkflow', id);
  });
  await poll(
    stack,
    `${bareIds.length} bare workflows run`,
    () => stack.bareRan(),
    (r) => r >= ran + bareIds.length,
    120_000,
  );
  const links = [...(await linksFromMail(stack, [...(await openStepsOf(stack, FUNDERS.reviews)).keys()])).values()];
  if (links.length < ids.length) throw new Error(`only ${links.length} of ${ids.length} decision links found`);
  const forProduct = links.slice(0, 2 * half);
  const forRaw = links.slice(2 * half, 4 * half);
  const warm = links.slice(4 * half);

  const viaApi = async (link: { token: string }) => {
    const res = await post(stack, `/r/${link.token}`, { decision: 'approve' });
    if (res.status !== 200) throw new Error(`POST /r/:token answered ${res.status}`);
  };
  // What the API sends (api/decisions.ts StepActions.decide): the input as the API builds it from the link.
  const viaClient = async ({ claims }: { claims: LinkClaims }) => {
    const input = {
      stepId: claims.stepId,
      decision: 'approve' as const,
      reviewer: claims.reviewer,
      channel: 'email-link' as const,
      ...(claims.run && { run: claims.run }),
    };
    await stack.client.workflow.getHandle(claims.workflowId).executeUpdate(decideUpdate, { args: [input] });
  };
  const bare = async (workflowId: string) => {
    if ((await stack.client.workflow.getHandle(workflowId).executeUpdate(bareUpdate, { args: ['approve'] })) !== 'approve')
      throw new Error('the bare Update answered something else');
  };
  const invalid = async () => {
    const res = await post(stack, `/r/${forRaw[0].token}`, { decision: 'maybe' });
    if (res.status !== 400) throw new Error(`POST /r/:token with a bad decision answered ${res.status}`);
  };
  for (const [i, link] of warm.entries()) await [viaApi, viaClient, invalid][i % 3](link);
  for (const id of bareIds.slice(2 * half)) await bare(id);
  await workerIdle(stack);
  await workerIdle(stack, 60_000, 'bare');

  return interleaved(stack, n, 1, {
    product: (i) => viaApi(forProduct[i]),
    raw: (i) => viaClient(forRaw[i]),
    bare: (i) => bare(bareIds[i]),
    apiOnly: invalid,
  });
}

export interface CycleFigures {
  projects: number;
  /** Shard workflows the cycle fanned out through (CYCLE_SHARD_SIZE projects each), from its history. */
  shards: number;
  /** `POST /v1/cycles` until `202`. */
  acceptedMs: number;
  /** `POST /v1/cycles` with the longest list the API takes (LONG_LIST ids) until `202`: p50 and slowest of 5. */
  longListAccepted: { ids: number; p50Ms: number; maxMs: number };
  /**
   * `POST /v1/cycles` sent (the `202` included) until the records show every project's milestone step open: as many
   * `m1-<cycleId>` step rows with status open as projects (what the stalled list, the dashboard and the pages read).
   */
  openMs: number;
  /** `POST /v1/cycles` sent until every project has mailed its step and recorded its item in the cycle (someone awaited). */
  reportedMs: number;
  /** Starting `projects` bare workflows (`bareWaitWorkflow`, on the bare worker) with the client, CYCLE_BATCH_SIZE in flight. */
  rawStartMs: number;
  /** The same starts until every one of those workflows has run its first workflow task on the bare worker. */
  rawRanMs: number;
  /** CPU ms per project by process, `POST` → all reported. */
  cpuPerProject: Cpu;
  /** CPU ms per bare workflow by process, first start → every one run. */
  rawCpuPerWorkflow: Cpu;
  phases: CyclePhases;
  /** Preparation: `projects` projects started, confirmed and both grant steps approved with the client, until the records show every one active. */
  prepMs: number;
  /** … and until the worker is idle after (activation's licence reviews started and mailed). */
  prepSettledMs: number;
  /** CPU ms per project by process over `prepMs`. */
  prepCpuPerProject: Cpu;
}

const perItem = (cpu: Cpu, n: number) => Object.fromEntries(Object.entries(cpu).map(([k, v]) => [k, v / n])) as Cpu;

/**
 * A funder cycle over `n` active projects: the API's 202, then until the records show every milestone step open and
 * every project's item; against the time to start `n` bare workflows with the client, CYCLE_BATCH_SIZE in flight (the
 * cycle's batch size), on the same dev server just before. The preparation (`n` projects to active) is timed too.
 */
export async function cycle(stack: BenchStack, n: number): Promise<CycleFigures> {
  const records = stack.records();
  const t0 = Date.now();
  const prepCpu0 = stack.cpu();
  const ids = await openGrantReviews(stack, n, { funderId: FUNDERS.cycle, settle: false });
  const steps = [...(await openStepsOf(stack, FUNDERS.cycle)).entries()];
  await pool(steps, 50, async ([workflowId, open]) => {
    const handle = stack.client.workflow.getHandle(workflowId);
    for (const step of open) await handle.executeUpdate(decideUpdate, { args: [{ stepId: step.stepId, reviewer: step.reviewer, decision: 'approve' }] });
  });
  const active = () =>
    snapshot(records, (db) =>
      db
        .selectFrom('projects')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('funder_id', '=', FUNDERS.cycle)
        .where('stage', '=', 'active')
        .executeTakeFirstOrThrow(),
    ).then((r) => r.n);
  // About 180 ms a project on two cores, so up to 30 minutes for 10,000.
  await poll(stack, 'projects active', active, (c) => c >= n, 300_000 + n * 300, 500);
  const prepMs = Date.now() - t0;
  const prepCpuPerProject = perItem(cpuDelta(prepCpu0, stack.cpu()), n);
  // Activation starts each project's licence review (BAFA's steps opened and mailed): let them finish.
  await workerIdle(stack, 600_000 + n * 100);
  const prepSettledMs = Date.now() - t0;

  // The raw arm, on the same server just before the product's: bare workflows, as many, as many in flight as the cycle asks.
  const cycleId = `bench-${Date.now()}`;
  const ran0 = await stack.bareRan();
  const rawCpu0 = stack.cpu();
  const rawStart = performance.now();
  await pool(
    Array.from({ length: n }, (_, i) => `bare-${cycleId}-${i}`),
    CYCLE_BATCH_SIZE,
    async (id) => {
      await startBare(stack, 'bareWaitWorkflow', id);
    },
  );
  const rawStartMs = performance.now() - rawStart;
  await poll(
    stack,
    `${n} bare workflows run`,
    () => stack.bareRan(),
    (ran) => ran >= ran0 + n,
    300_000 + n * 100,
    100,
  );
  const rawRanMs = performance.now() - rawStart;
  const rawCpuPerWorkflow = perItem(cpuDelta(rawCpu0, stack.cpu()), n);
  await workerIdle(stack, 600_000, 'bare');

  const body = { cycleId, name: 'Bench cycle', closesAt: new Date(Date.now() + 86_400_000).toISOString(), projectIds: ids };
  const cpu0 = stack.cpu();
  const launchedAt = Date.now();
  const t = performance.now();
  const res = await post(stack, '/v1/cycles', body, KEYS.cycleFunder);
  const acceptedMs = performance.now() - t;
  if (res.status !== 202) throw new Error(`POST /v1/cycles answered ${res.status}`);
  // One count on the records' partial index of open steps by party: the funder's open steps are these milestone steps.
  const openSteps = () =>
    snapshot(records, (db) =>
      db
        .selectFrom('steps')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('party', '=', FUNDERS.cycle)
        .where('status', '=', 'open')
        .where('step_id', '=', `m1-${cycleId}`)
        .executeTakeFirstOrThrow(),
    ).then((r) => r.n);
  await poll(stack, 'every milestone step open in the records', openSteps, (c) => c === n, 600_000 + n * 500, 250);
  const openMs = performance.now() - t;
  // A project records its item once its step's e-mail is sent (the item then names who is awaited).
  await poll(
    stack,
    'every project reported',
    () => countReportedItems(records, cycleId),
    (reported) => reported === n,
    600_000 + n * 500,
    500,
  );
  const reportedMs = performance.now() - t;
  const cpuPerProject = perItem(cpuDelta(cpu0, stack.cpu()), n);
  await workerIdle(stack, 600_000 + n * 100);

  const phases = await analyseCycle(stack, cycleId, ids, launchedAt);
  const longListAccepted = await longListCycles(stack, body);
  return {
    projects: n,
    shards: phases.shards,
    acceptedMs,
    longListAccepted,
    openMs,
    reportedMs,
    rawStartMs,
    rawRanMs,
    cpuPerProject,
    rawCpuPerWorkflow,
    phases,
    prepMs,
    prepSettledMs,
    prepCpuPerProject,
  };
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
