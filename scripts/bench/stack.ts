/**
 * What the benchmark runs on, all from `scripts/lib/stack.ts` as `npm start`
 * runs it: its own Temporal dev server (SQLite file with WAL and
 * synchronous=NORMAL, or in memory as the tests run it), MailDev, the worker
 * (`worker/main.ts`) and the API (`api/main.ts`), each a process of its own, so
 * requests go over real HTTP and each process's CPU and memory are its own.
 * The same dev server serves the product's path and the raw client's path; the
 * raw arms' bare workflows (scripts/bench/bare-workflows.ts) run on a worker of
 * their own (scripts/bench/bare-worker.ts), a process started as the product's
 * worker is, on a task queue of its own.
 *
 * Everything started is registered, and stopped on failure, Ctrl-C and SIGTERM;
 * if the benchmark itself dies, its exit hook SIGKILLs what is still running.
 */
import { openRecords, type Records } from '../../records/database';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { LinkSigner } from '../../activities/link-tokens';
import { loadPolicy } from '../../config/env';
import type { Policy } from '../../domain/policy';
import {
  freePorts,
  httpOk,
  launch,
  ROOT,
  startDevServer,
  startEmbeddedPostgres,
  embeddedDatabaseUrl,
  embeddedPostgresReady,
  startMailDev,
  startTsEntry,
  stop,
  temporalReachable,
  waitUntil,
  workerPolling,
  type Managed,
} from '../lib/stack';
import { fetchMails, type Mail } from '../lib/maildev';

export type Mode = 'file' | 'memory';
export const KEYS = { coordinator: 'bench-coordinator-key', funder: 'bench-funder-key', cycleFunder: 'bench-ukri-funder-key' } as const;
/** The decision and submission projects are Horizon Europe's; the cycle's are UKRI's, so they can be counted apart. */
export const FUNDERS = { reviews: 'horizon-eu', cycle: 'ukri' } as const;
export const TASK_QUEUES = { main: 'bench', memory: 'bench-memory', bare: 'bench-bare' } as const;
const LINK_SECRET = 'bench-link-secret-0123456789';
/** On, but out of reach of one client sending as fast as it can (0 would turn the middleware off). */
const RATE_LIMIT = '9999999';

/** `records`: the record store (PGlite); `bare`: the raw arms' worker. */
export type Proc = 'server' | 'worker' | 'api' | 'maildev' | 'records' | 'bare' | 'bench';
export type Cpu = Record<Proc, number>;

const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** CPU time (user + system) a process has used, in ms, from /proc (Linux). */
function cpuMs(pid: number | undefined): number {
  if (!pid) return NaN;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLK_TCK;
  } catch {
    return NaN;
  }
}

/** Resident memory of a process, from /proc (Linux). */
export function rssBytes(pid: number | undefined): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? NaN) * 1024;
}

/** Every process the benchmark started and is still responsible for. */
const running = new Set<Managed>();
process.on('exit', () => {
  for (const p of running) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
});

function supervise(p: Managed, failures: Error[]): Managed {
  running.add(p);
  void p.exited.then((code) => {
    if (running.has(p)) failures.push(new Error(`${p.name} exited unexpectedly (code ${code})`));
  });
  return p;
}

async function stopManaged(p: Managed | undefined): Promise<void> {
  if (!p || !running.has(p)) return;
  running.delete(p);
  await stop(p, 'SIGTERM', 20_000).catch(() => undefined);
}

/** What the probe preloaded into a worker reports (see worker-probe.cjs). */
export interface WorkerMemory {
  maxCachedWorkflows?: number;
  gcAvailable: boolean;
  rssBefore: number;
  rss: number;
  heapUsedMain: number;
  heapUsedThreads: { threadId: number; heapUsed: number }[];
}

export interface MemoryWorker {
  pid: number;
  taskQueue: string;
  /** RSS as it is, then a full GC in every thread, then RSS and heap used again. */
  measure(): Promise<WorkerMemory>;
}

export interface BenchStackOptions {
  /** Node flags for the API process alone (e.g. `--cpu-prof`, which NODE_OPTIONS may not carry). */
  apiNodeArgs?: string[];
}

export class BenchStack {
  /** Stacks started or starting and not yet stopped: what Ctrl-C must stop. */
  static readonly live = new Set<BenchStack>();
  readonly signer = new LinkSigner(LINK_SECRET);
  readonly policy: Policy = loadPolicy(path.join(ROOT, 'policy/default.json'));
  private readonly failures: Error[] = [];
  private readonly parts: Managed[] = [];
  private connection?: Connection;
  private worker?: Managed;
  private api?: Managed;
  private memoryWorker?: Managed;
  private bareWorker?: Managed;
  private stopping?: Promise<void>;
  client!: Client;
  apiUrl = '';
  private constructor(
    readonly mode: Mode,
    readonly dataDir: string,
    private readonly ports: { temporal: number; ui: number; smtp: number; web: number; api: number; probe: number; records: number; bare: number },
    private readonly options: BenchStackOptions,
  ) {}

  get smtpUrl(): string {
    return `smtp://127.0.0.1:${this.ports.smtp}`;
  }

  get address(): string {
    return `127.0.0.1:${this.ports.temporal}`;
  }

  private recordStore?: Records;
  /** The bench's own connection to the stack's record store (one connection: it only polls). */
  records(): Records {
    this.recordStore ??= openRecords(embeddedDatabaseUrl(this.ports.records), { max: 1 });
    return this.recordStore;
  }

  /** The env `npm start` gives the worker and the API, pointed at this stack. */
  private env(taskQueue: string): NodeJS.ProcessEnv {
    return {
      NODE_ENV: 'development',
      TEMPORAL_ADDRESS: this.address,
      TASK_QUEUE: taskQueue,
      PORT: String(this.ports.api),
      SMTP_URL: this.smtpUrl,
      DATABASE_URL: embeddedDatabaseUrl(this.ports.records),
      PUBLIC_URL: `http://127.0.0.1:${this.ports.api}`,
      LINK_SECRET,
      API_KEYS: `coordinator:bench=${KEYS.coordinator},funder:${FUNDERS.reviews}=${KEYS.funder},funder:${FUNDERS.cycle}=${KEYS.cycleFunder}`,
      RATE_LIMIT_WRITES: RATE_LIMIT,
      RATE_LIMIT_REVIEW_PAGES: RATE_LIMIT,
    };
  }

  static async start(mode: Mode, options: BenchStackOptions = {}): Promise<BenchStack> {
    const dataDir = mkdtempSync(path.join(tmpdir(), `bench-${mode}-`));
    const [temporal, ui, smtp, web, api, probe, records, bare] = await freePorts(8);
    const stack = new BenchStack(mode, dataDir, { temporal, ui, smtp, web, api, probe, records, bare }, options);
    BenchStack.live.add(stack);
    try {
      await stack.boot();
      return stack;
    } catch (err) {
      await stack.stop(false);
      throw err;
    }
  }

  private async boot(): Promise<void> {
    const log = (name: string) => path.join(this.dataDir, `${name}.log`);
    const dbFile = this.mode === 'file' ? path.join(this.dataDir, 'temporal.db') : undefined;
    const temporal = this.add(startDevServer({ dbFile, port: this.ports.temporal, uiPort: this.ports.ui, logFile: log('temporal') }));
    const mail = this.add(startMailDev({ smtpPort: this.ports.smtp, webPort: this.ports.web, logFile: log('maildev') }));
    // The record store as npm start runs it: PGlite, on a file in file mode, in memory otherwise.
    const recordsDir = this.mode === 'file' ? path.join(this.dataDir, 'records') : 'memory://';
    const records = this.add(startEmbeddedPostgres({ dataDir: recordsDir, port: this.ports.records, logFile: log('postgres') }));
    await waitUntil('Temporal', () => temporalReachable(this.address), 120_000, temporal);
    await waitUntil('record store', () => embeddedPostgresReady(records, embeddedDatabaseUrl(this.ports.records)), 60_000, records);
    await waitUntil('MailDev', () => httpOk(`http://127.0.0.1:${this.ports.web}/api/healthz`), 60_000, mail);
    this.connection = await Connection.connect({ address: this.address });
    this.client = new Client({ connection: this.connection });

    const env = this.env(TASK_QUEUES.main);
    this.worker = this.add(startTsEntry('worker', 'worker/main.ts', env, log('worker')));
    const apiArgs = [...(this.options.apiNodeArgs ?? []), '--import', 'tsx', path.join(ROOT, 'api/main.ts')];
    const apiProcess = (this.api = this.add(launch('api', process.execPath, apiArgs, { env, logFile: log('api') })));
    this.apiUrl = `http://127.0.0.1:${this.ports.api}`;
    await waitUntil('worker', () => workerPolling(this.address, 'default', TASK_QUEUES.main, this.worker!.child.pid), 180_000, this.worker);
    await waitUntil('API', () => httpOk(`${this.apiUrl}/readyz`), 60_000, apiProcess);
    // Started after the product's worker, so the two do not bundle their workflow code at once.
    const bareEnv = { ...this.env(TASK_QUEUES.bare), BENCH_BARE_PORT: String(this.ports.bare) };
    const bare = (this.bareWorker = this.add(startTsEntry('bare-worker', 'scripts/bench/bare-worker.ts', bareEnv, log('bare-worker'))));
    await waitUntil('bare worker', () => workerPolling(this.address, 'default', TASK_QUEUES.bare, bare.child.pid), 180_000, bare);
  }

  /** How many bare workflows have run their first workflow task on the bare worker (all time). */
  async bareRan(): Promise<number> {
    this.check();
    const res = await fetch(`http://127.0.0.1:${this.ports.bare}/ran`, { signal: AbortSignal.timeout(10_000) });
    if (!res.ok) throw new Error(`bare worker answered ${res.status}`);
    return ((await res.json()) as { ran: number }).ran;
  }

  private add(p: Managed): Managed {
    this.parts.push(supervise(p, this.failures));
    return p;
  }

  private pid(name: string): number | undefined {
    return this.parts.find((p) => p.name === name && running.has(p))?.child.pid;
  }

  /** Throws if a process of the stack died (polls call this so a crash fails fast instead of timing out). */
  check(): void {
    if (this.failures.length) throw new Error(`${this.failures.map((f) => f.message).join('; ')}; logs in ${this.dataDir}`);
  }

  /** CPU ms used so far by each process (the worker is whichever is running). */
  cpu(): Cpu {
    const usage = process.cpuUsage();
    return {
      server: cpuMs(this.pid('temporal')),
      worker: cpuMs(this.pid('memory-worker') ?? this.pid('worker')),
      api: cpuMs(this.pid('api')),
      maildev: cpuMs(this.pid('maildev')),
      records: cpuMs(this.pid('postgres')),
      bare: cpuMs(this.pid('bare-worker')),
      bench: (usage.user + usage.system) / 1000,
    };
  }

  mails(): Promise<Mail[]> {
    return fetchMails(`http://127.0.0.1:${this.ports.web}`, 60_000); // thousands of mails by the end of a run
  }

  /** Stops the API in order (SIGTERM), so it exits by itself (and writes its CPU profile, with `--cpu-prof`). */
  async stopApi(): Promise<void> {
    await stopManaged(this.api);
  }

  /**
   * Stops the main worker (its work is done) and starts `worker/main.ts` again on a task queue of its own,
   * with --expose-gc and the memory probe, so its memory holds only the workflows started for it.
   */
  async startMemoryWorker(): Promise<MemoryWorker> {
    await stopManaged(this.worker);
    await stopManaged(this.bareWorker); // its work is done too: the machine runs the memory worker alone
    const probe = path.join(ROOT, 'scripts/bench/worker-probe.cjs');
    const env = { ...this.env(TASK_QUEUES.memory), BENCH_PROBE_PORT: String(this.ports.probe) };
    const args = ['--expose-gc', '--require', probe, '--import', 'tsx', path.join(ROOT, 'worker/main.ts')];
    const p = (this.memoryWorker = this.add(launch('memory-worker', process.execPath, args, { env, logFile: path.join(this.dataDir, 'memory-worker.log') })));
    await waitUntil('memory worker', () => workerPolling(this.address, 'default', TASK_QUEUES.memory, p.child.pid), 180_000, p);
    const url = `http://127.0.0.1:${this.ports.probe}/memory?gc=1`;
    return {
      pid: p.child.pid!,
      taskQueue: TASK_QUEUES.memory,
      measure: async () => {
        this.check();
        const res = await fetch(url, { signal: AbortSignal.timeout(60_000) });
        if (!res.ok) throw new Error(`worker probe answered ${res.status}`);
        return (await res.json()) as WorkerMemory;
      },
    };
  }

  /** Stops everything in reverse order of start; keeps the logs when the run failed. */
  stop(succeeded = true): Promise<void> {
    this.stopping ??= (async () => {
      await this.connection?.close().catch(() => undefined);
      await this.recordStore?.destroy().catch(() => undefined);
      for (const p of [...this.parts].reverse()) await stopManaged(p);
      if (succeeded) rmSync(this.dataDir, { recursive: true, force: true });
      else console.error(`bench: logs kept in ${this.dataDir}`);
      BenchStack.live.delete(this);
    })();
    return this.stopping;
  }
}
