/**
 * The stack as separate OS processes, each of which a fault test can kill and
 * start again on its own: the Temporal dev server on a SQLite file (or, with
 * `cluster`, a Temporal cluster on PostgreSQL: scripts/lib/cluster.ts), MailDev
 * keeping mail on disk, the worker and the API (their real entry points), one
 * of each or, scaled out, two (`worker-2`, `api-2`: same task queue, own ports,
 * each worker serving its Prometheus metrics; on a cluster, the second ones
 * reach Temporal through the second frontend).
 * Free ports and a fresh data folder per stack. New projects get the test
 * policy (durations in seconds: reminders every 20 s) with SLAs of an hour, so
 * no deadline passes during a test (unless `reviewSeconds` says otherwise).
 */
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import type { temporal } from '@temporalio/proto';
import { LinkSigner } from '../../activities/link-tokens';
import { CLUSTER_PORT_COUNT, clusterPorts, TemporalCluster, type Frontend } from '../../scripts/lib/cluster';
import type { MailReceipt } from '../../activities';
import {
  devServerArgs,
  freePorts,
  httpOk,
  startDevServer,
  startMailDev,
  startTsEntry,
  stop,
  temporalReachable,
  waitUntil,
  workerPolling,
  type Managed,
} from '../../scripts/lib/stack';
import type { AuditEntry, ProjectView } from '../../workflows/definitions';
import { answerOf, describeAnswer, readAnswered, type FetchAnswer } from './api-read';
import { fetchMails, type Mail } from './maildev';
import { setReviewDurations, testPolicyFile } from './policy';
import { TcpRelay } from './tcp-relay';

export const KEYS = { coordinator: 'faults-coordinator-key', funder: 'faults-funder-key', agency: 'faults-agency-de-bafa-key' } as const;
const LINK_SECRET = 'faults-link-secret-0123456789';
const TASK_QUEUE = 'faults';
export type WorkerPart = 'worker' | 'worker-2';
export type ApiPart = 'api' | 'api-2';
type Part = 'temporal' | 'mail' | WorkerPart | ApiPart;

export interface ProcessStackOptions {
  /** 2: a second worker and a second API (default 1). */
  replicas?: 1 | 2;
  /** The workers' and APIs' LOG_LEVEL (default warn). */
  logLevel?: string;
  /** The record store (default: the suite's, DATABASE_URL of the global setup). */
  databaseUrl?: string;
  /** Workers reach Temporal through a relay the test can hold (`workerRelay`), to lose what they send. */
  relayWorkers?: boolean;
  /** A Temporal cluster on PostgreSQL instead of the dev server; the record store is a database of the same PostgreSQL. */
  cluster?: boolean;
  /** Every review SLA, in seconds (default an hour: no deadline passes during a test). */
  reviewSeconds?: number;
  /**
   * Settings as a newcomer puts them in `.env` for `npm start`: TEMPORAL_DEV_ARGS goes to the dev server (parsed as
   * scripts/start.ts parses it), every other one to the workers and the APIs.
   */
  settings?: NodeJS.ProcessEnv;
}

/** The test policy, with every review SLA `reviewSeconds` long (the case limit twice that). */
function faultPolicyFile(reviewSeconds: number) {
  const file = testPolicyFile();
  file.version = 'faults';
  setReviewDurations(file, reviewSeconds, 2 * reviewSeconds);
  return file;
}

/** One mail activity that completed, as its workflow's history records it. */
export interface MailSend {
  messageId: string;
  workflowId: string;
  activity: string;
  /** The attempt that completed. */
  attempt: number;
  /** An earlier attempt timed out: its worker died (or hung) while holding it. */
  afterTimeout: boolean;
  /** When the completion was recorded (ms since epoch). */
  completedAt: number;
}

export class ProcessStack {
  readonly signer = new LinkSigner(LINK_SECRET);
  private readonly running = new Map<Part, Managed>();
  /** The relay between the workers and Temporal, with `relayWorkers`. */
  workerRelay?: TcpRelay;
  /** The cluster, with `cluster`: its services can be killed and started again (`cluster.stop`, `cluster.start`). */
  cluster?: TemporalCluster;

  private constructor(
    readonly ports: { temporal: number; ui: number; smtp: number; web: number } & Record<ApiPart, number> & Record<WorkerPart, number>,
    readonly dataDir: string,
    private readonly options: Required<Omit<ProcessStackOptions, 'databaseUrl' | 'settings'>> & Pick<ProcessStackOptions, 'databaseUrl' | 'settings'>,
  ) {}

  static async start(options: ProcessStackOptions = {}): Promise<ProcessStack> {
    // The cluster's ports are chosen with the stack's, so none is handed out twice.
    const [temporal, ui, smtp, web, api, api2, metrics, metrics2, ...forCluster] = await freePorts(8 + (options.cluster ? CLUSTER_PORT_COUNT : 0));
    const ports = { temporal, ui, smtp, web, api, 'api-2': api2, worker: metrics, 'worker-2': metrics2 };
    const stack = new ProcessStack(ports, mkdtempSync(path.join(tmpdir(), 'faults-')), {
      replicas: 1,
      logLevel: 'warn',
      relayWorkers: false,
      cluster: false,
      reviewSeconds: 3600,
      ...options,
    });
    writeFileSync(stack.policyFile, JSON.stringify(faultPolicyFile(stack.options.reviewSeconds), null, 2));
    try {
      await Promise.all([stack.options.cluster ? stack.startCluster(clusterPorts(forCluster)) : stack.startTemporal(), stack.startMail()]);
      if (stack.options.relayWorkers) stack.workerRelay = await TcpRelay.start({ host: '127.0.0.1', port: Number(stack.temporalAddress.split(':')[1]) });
      await Promise.all(stack.workers.map((w) => stack.startWorker(w)));
      await Promise.all(stack.apis.map((a) => stack.startApi(a)));
      return stack;
    } catch (err) {
      await stack.stopAll();
      throw err;
    }
  }

  /** The dev server's address, or the cluster's first frontend. */
  get temporalAddress() {
    return this.cluster ? this.cluster.address() : `127.0.0.1:${this.ports.temporal}`;
  }

  /** On a cluster: the frontend a worker or an API reaches Temporal through (the second ones, the second frontend). */
  frontendOf(part: WorkerPart | ApiPart): Frontend {
    return part.endsWith('-2') ? 'frontend-2' : 'frontend';
  }

  /** An address of Temporal to read it at: on a cluster, a frontend that is running. */
  private get readAddress() {
    if (!this.cluster) return this.temporalAddress;
    return this.cluster.address(this.cluster.alive('frontend') ? 'frontend' : 'frontend-2');
  }

  /** A part's TEMPORAL_ADDRESS. */
  private addressFor(part: WorkerPart | ApiPart) {
    return this.cluster ? this.cluster.address(this.frontendOf(part)) : this.temporalAddress;
  }

  private get policyFile() {
    return path.join(this.dataDir, 'policy.json');
  }

  /** The workers and APIs this stack runs. */
  get workers(): WorkerPart[] {
    return this.options.replicas === 2 ? ['worker', 'worker-2'] : ['worker'];
  }

  get apis(): ApiPart[] {
    return this.options.replicas === 2 ? ['api', 'api-2'] : ['api'];
  }

  private get env(): NodeJS.ProcessEnv {
    return {
      NODE_ENV: 'development',
      TEMPORAL_ADDRESS: this.temporalAddress,
      TASK_QUEUE,
      PUBLIC_URL: `http://127.0.0.1:${this.ports.api}`,
      SMTP_URL: `smtp://127.0.0.1:${this.ports.smtp}`,
      LINK_SECRET,
      API_KEYS: `coordinator:a.weber=${KEYS.coordinator},funder:horizon-eu=${KEYS.funder},agency:de-bafa=${KEYS.agency}`,
      POLICY_FILE: this.policyFile,
      LOG_LEVEL: this.options.logLevel,
      ...(this.options.databaseUrl && { DATABASE_URL: this.options.databaseUrl }),
      ...(this.cluster && { DATABASE_URL: this.cluster.databaseUrl() }),
      ...this.options.settings,
    };
  }

  /** Where a part's output goes (JSON lines from the workers and APIs). */
  logFile(part: Part) {
    return path.join(this.dataDir, 'logs', `${part}.log`);
  }

  /**
   * Prints the error lines (pino level 50 and above) each part logged, a few per part: a test that saw a 500 can then
   * be read from CI's output, although the logs go with the stack's data directory.
   */
  private reportErrors(): void {
    const dir = path.join(this.dataDir, 'logs');
    for (const file of existsSync(dir) ? readdirSync(dir) : []) {
      const errors = readFileSync(path.join(dir, file), 'utf8')
        .split('\n')
        .filter((line) => /"level":(5\d|60)\b/.test(line));
      if (errors.length) console.log(`${file}: ${errors.length} error line(s); the first:\n${errors.slice(0, 3).join('\n').slice(0, 4000)}`);
    }
  }

  /** A worker's Prometheus exporter. */
  metricsUrl(worker: WorkerPart = 'worker') {
    return `http://127.0.0.1:${this.ports[worker]}/metrics`;
  }

  /** The process id of a running part (workers poll as `<pid>@host`). */
  pid(part: Part): number | undefined {
    return this.running.get(part)?.child.pid;
  }

  async startTemporal(): Promise<void> {
    const p = startDevServer({
      dbFile: path.join(this.dataDir, 'temporal.db'),
      port: this.ports.temporal,
      uiPort: this.ports.ui,
      logFile: this.logFile('temporal'),
      extraArgs: devServerArgs(this.options.settings?.TEMPORAL_DEV_ARGS),
    });
    this.running.set('temporal', p);
    await waitUntil('Temporal dev server', () => temporalReachable(this.temporalAddress), 120_000, p);
  }

  /** The cluster in this stack's folder (timings in `cluster.timings`). */
  async startCluster(ports: ReturnType<typeof clusterPorts>): Promise<void> {
    chmodSync(this.dataDir, 0o755); // mkdtemp's 0700 would keep PostgreSQL, run as its own user, out of its data
    this.cluster = await TemporalCluster.start({ dir: path.join(this.dataDir, 'cluster'), ports });
  }

  async startMail(): Promise<void> {
    const p = startMailDev({ smtpPort: this.ports.smtp, webPort: this.ports.web, mailDir: path.join(this.dataDir, 'mail'), logFile: this.logFile('mail') });
    this.running.set('mail', p);
    await waitUntil('MailDev', () => httpOk(`http://127.0.0.1:${this.ports.web}/api/healthz`), 60_000, p);
  }

  async startWorker(part: WorkerPart = 'worker'): Promise<void> {
    const env = {
      ...process.env,
      ...this.env,
      WORKER_METRICS_ADDRESS: `127.0.0.1:${this.ports[part]}`,
      TEMPORAL_ADDRESS: this.workerRelay ? this.workerRelay.address : this.addressFor(part),
    };
    const p = startTsEntry(part, 'worker/main.ts', env, this.logFile(part));
    this.running.set(part, p);
    await waitUntil(part, () => workerPolling(this.readAddress, 'default', TASK_QUEUE, p.child.pid), 120_000, p);
  }

  async startApi(part: ApiPart = 'api'): Promise<void> {
    const env = { ...process.env, ...this.env, PORT: String(this.ports[part]), TEMPORAL_ADDRESS: this.addressFor(part) };
    const p = startTsEntry(part, 'api/main.ts', env, this.logFile(part));
    this.running.set(part, p);
    await waitUntil(part, () => httpOk(`http://127.0.0.1:${this.ports[part]}/healthz`), 60_000, p);
  }

  /** Resolves with the exit code once the part's process ends by itself or by a signal sent with `signal`. */
  exited(part: Part): Promise<number | null> {
    const p = this.running.get(part);
    return p ? p.exited : Promise.resolve(null);
  }

  /** Sends a signal and leaves the part to end (or not) by itself; `stop` waits and forces. */
  signal(part: Part, signal: NodeJS.Signals): void {
    this.running.get(part)?.child.kill(signal);
  }

  /** Stops one part: SIGKILL for a crash, SIGTERM for an orderly stop (a frozen part is thawed first, so it can stop). */
  async stop(part: Part, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const p = this.running.get(part);
    this.running.delete(part);
    if (p && signal !== 'SIGKILL' && p.child.exitCode === null) p.child.kill('SIGCONT');
    if (p) await stop(p, signal, 15_000);
  }

  /** Freezes a part (SIGSTOP): it holds its sockets but runs nothing, so what is sent to it waits unread. */
  freeze(part: Part): void {
    this.running.get(part)?.child.kill('SIGSTOP');
  }

  /** Lets a frozen part run again (SIGCONT). */
  thaw(part: Part): void {
    this.running.get(part)?.child.kill('SIGCONT');
  }

  /** The activities a workflow has running on a worker now (started, not finished), by type. */
  async runningActivities(workflowId: string): Promise<string[]> {
    const connection = await Connection.connect({ address: this.readAddress });
    try {
      const { raw } = await new Client({ connection }).workflow.getHandle(workflowId).describe();
      return (raw.pendingActivities ?? []).filter((a) => a.state === 2 /* PENDING_ACTIVITY_STATE_STARTED */).map((a) => a.activityType?.name ?? '?');
    } finally {
      await connection.close();
    }
  }

  /** True while the part's process runs (it did not exit by itself). */
  alive(part: Part): boolean {
    const p = this.running.get(part);
    return !!p && p.child.exitCode === null && p.child.signalCode === null;
  }

  async stopAll(): Promise<void> {
    for (const part of ['api', 'api-2', 'worker', 'worker-2', 'mail', 'temporal'] as const) await this.stop(part).catch(() => undefined);
    await this.workerRelay?.close();
    await this.cluster?.stopAll();
    this.reportErrors();
    if (process.env.KEEP_FAULT_DATA) console.log(`fault stack data and logs kept in ${this.dataDir}`);
    else rmSync(this.dataDir, { recursive: true, force: true });
  }

  /** A request to an API (`via`, default the first), with the coordinator's key unless another is given. */
  fetch(urlPath: string, init: RequestInit & { key?: string; via?: ApiPart } = {}): Promise<Response> {
    const { key = KEYS.coordinator, via = 'api', ...rest } = init;
    return fetch(`http://127.0.0.1:${this.ports[via]}${urlPath}`, {
      ...rest,
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', accept: 'application/json', ...rest.headers },
      signal: AbortSignal.timeout(30_000),
    });
  }

  /**
   * A read (GET, HEAD) through an API, sent again while it answers 503 (see api-read.ts), read whole.
   * Not for a test of the 503 itself (Temporal or the worker stopped): that one reads `fetch` directly.
   */
  read(urlPath: string, init: RequestInit & { key?: string; via?: ApiPart } = {}, timeoutMs?: number): Promise<FetchAnswer> {
    const method = (init.method ?? 'GET').toUpperCase();
    if (method !== 'GET' && method !== 'HEAD') throw new Error(`read is for reads; ${method} ${urlPath} must not be sent twice`);
    return readAnswered(async () => answerOf(await this.fetch(urlPath, init), `${method} ${urlPath}${init.via ? ` via ${init.via}` : ''}`), timeoutMs);
  }

  /** The JSON answer, or an error with the status and body; a read is sent again while it answers 503, a write once. */
  async json<T>(urlPath: string, init?: RequestInit & { key?: string; via?: ApiPart }): Promise<T> {
    const method = (init?.method ?? 'GET').toUpperCase();
    const res = method === 'GET' ? await this.read(urlPath, init) : await answerOf(await this.fetch(urlPath, init), `${method} ${urlPath}`);
    if (res.status < 200 || res.status > 299 || res.body === undefined) throw new Error(describeAnswer(res));
    return res.body as T;
  }

  view(projectId: string, via?: ApiPart): Promise<ProjectView> {
    return this.json(`/v1/projects/${projectId}`, { via });
  }

  async audit(projectId: string): Promise<AuditEntry[]> {
    return (await this.json<{ entries: AuditEntry[] }>(`/v1/projects/${projectId}/audit`)).entries;
  }

  /** A reviewer's link token for the step, as its e-mail carries one. */
  linkFor(step: { workflowId: string; stepId: string; reviewer: string }): string {
    return this.signer.sign({ ...step, expiresAt: Date.now() + 86_400_000 });
  }

  /** The decision page a reviewer's link opens: the status and the HTML. */
  async page(token: string): Promise<{ status: number; text: string }> {
    const res = await fetch(`http://127.0.0.1:${this.ports.api}/r/${token}`, { headers: { accept: 'text/html' }, signal: AbortSignal.timeout(30_000) });
    return { status: res.status, text: await res.text() };
  }

  /** Decides a step through its reviewer link (a fresh one, or `token`), as the e-mail's link would; returns the HTTP status and the JSON answer. */
  async decision(
    step: { workflowId: string; stepId: string; reviewer: string },
    body: object = { decision: 'approve' },
    via: ApiPart = 'api',
    token = this.linkFor(step),
  ): Promise<{ status: number; body: unknown }> {
    // A body with `file` (a signed document's bytes) goes as the page's form sends it: multipart, the file in "file".
    const { file, ...fields } = body as { file?: Buffer };
    const form = new FormData();
    for (const [name, value] of Object.entries(fields)) form.append(name, String(value));
    if (file) form.append('file', new Blob([new Uint8Array(file)], { type: 'application/pdf' }), 'signed.pdf');
    const res = await fetch(`http://127.0.0.1:${this.ports[via]}/r/${token}`, {
      method: 'POST',
      ...(file
        ? { headers: { accept: 'application/json' }, body: form }
        : { headers: { 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(30_000),
    });
    return { status: res.status, body: await res.json().catch(() => undefined) };
  }

  /** `decision`, for its HTTP status only. */
  async decide(step: { workflowId: string; stepId: string; reviewer: string }, body?: object, via?: ApiPart): Promise<number> {
    return (await this.decision(step, body, via)).status;
  }

  mails(): Promise<Mail[]> {
    return fetchMails(`http://127.0.0.1:${this.ports.web}`);
  }

  /** When MailDev wrote the mail to disk, in ms (its own `time` is the Date header: whole seconds). */
  mailWrittenAt(mail: Mail): number {
    return statSync(path.join(this.dataDir, 'mail', `${mail.id}.eml`)).mtimeMs;
  }

  /**
   * The mails and the completed mail activities once both have stopped changing
   * (read in that order, so a send is never seen before its mail), matched with `matchMails`.
   */
  async settledMails(timeoutMs = 90_000): Promise<{ mails: Mail[]; sends: MailSend[]; problems: string[]; cutOff: string[] }> {
    let last = '';
    const settled = await this.until(
      'mails and mail activities to settle',
      async () => {
        const sends = await this.mailSends();
        const mails = await this.mails();
        const key = `${mails.length}/${sends.length}`;
        const stable = key === last && sends.length === (await this.mailSends()).length;
        last = key;
        await new Promise((r) => setTimeout(r, 1000));
        return { mails, sends, stable };
      },
      (r) => r.stable,
      timeoutMs,
    );
    return { mails: settled.mails, sends: settled.sends, ...matchMails(settled.mails, settled.sends) };
  }

  /**
   * A POST over a raw socket, to crash the API around it. `written` resolves once the
   * request is in the kernel's hands (accepted even by a frozen API); `answer` with the
   * answer's status line as soon as its first bytes arrive (the rest is never read), or
   * undefined if the connection closed without one.
   */
  rawPost(urlPath: string, body: string, key: string): { written: Promise<void>; answer: Promise<string | undefined> } {
    const socket = connect(this.ports.api, '127.0.0.1');
    const head = [
      `POST ${urlPath} HTTP/1.1`,
      `Host: 127.0.0.1:${this.ports.api}`,
      `Authorization: Bearer ${key}`,
      'Content-Type: application/json',
      `Content-Length: ${Buffer.byteLength(body)}`,
      'Connection: close',
    ];
    const written = new Promise<void>((resolve, reject) => socket.write(`${head.join('\r\n')}\r\n\r\n${body}`, (err) => (err ? reject(err) : resolve())));
    const answer = new Promise<string | undefined>((resolve) => {
      socket.once('data', (chunk: Buffer) => {
        resolve(chunk.toString('latin1').split('\r\n')[0]);
        socket.destroy();
      });
      socket.once('close', () => resolve(undefined));
      socket.once('error', () => resolve(undefined));
    });
    return { written, answer };
  }

  /** Every mail activity that completed in any workflow of this stack, read from the histories. */
  async mailSends(): Promise<MailSend[]> {
    return (await this.histories()).flatMap(({ workflowId, events }) => mailSendsIn(workflowId, events));
  }

  /** The history of every workflow (matching `query`, if given) of this stack. */
  async histories(query?: string): Promise<{ workflowId: string; events: temporal.api.history.v1.IHistoryEvent[] }[]> {
    const connection = await Connection.connect({ address: this.readAddress });
    try {
      const all = [];
      for await (const { workflowId, history } of new Client({ connection }).workflow.list({ query }).intoHistories()) {
        all.push({ workflowId, events: (history as temporal.api.history.v1.IHistory).events ?? [] });
      }
      return all;
    } finally {
      await connection.close();
    }
  }

  /** Polls `read` until `ready` holds; a read that throws is tried again. Fails naming `what`, the last value seen and the last error. */
  async until<T>(what: string, read: () => Promise<T>, ready: (v: T) => boolean, timeoutMs = 60_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    let last: T | undefined;
    let error: unknown;
    for (;;) {
      try {
        last = await read();
        error = undefined;
        if (ready(last)) return last;
      } catch (err) {
        error = err;
      }
      if (Date.now() > deadline) {
        const seen = last === undefined ? 'nothing' : (JSON.stringify(last)?.slice(0, 500) ?? String(last));
        throw new Error(
          `timed out after ${timeoutMs} ms waiting for ${what}; last seen: ${seen}` +
            (error ? `; last read failed: ${error instanceof Error ? error.message : String(error)}` : ''),
        );
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

function mailSendsIn(workflowId: string, events: temporal.api.history.v1.IHistoryEvent[]): MailSend[] {
  const byId = new Map(events.map((e) => [Number(e.eventId), e]));
  const ms = (t: temporal.api.history.v1.IHistoryEvent['eventTime']) => Number(t?.seconds ?? 0) * 1000 + Math.floor((t?.nanos ?? 0) / 1e6);
  return events.flatMap((e) => {
    const done = e.activityTaskCompletedEventAttributes;
    const scheduled = done && byId.get(Number(done.scheduledEventId))?.activityTaskScheduledEventAttributes;
    const started = done && byId.get(Number(done.startedEventId))?.activityTaskStartedEventAttributes;
    const payload = done?.result?.payloads?.[0];
    if (!scheduled || !started || !payload) return [];
    const receipt = defaultPayloadConverter.fromPayload<Partial<MailReceipt>>(payload);
    if (typeof receipt?.messageId !== 'string') return [];
    return [
      {
        messageId: receipt.messageId,
        workflowId,
        activity: scheduled.activityType?.name ?? '?',
        attempt: started.attempt ?? 1,
        afterTimeout: !!started.lastFailure?.timeoutFailureInfo,
        completedAt: ms(e.eventTime),
      },
    ];
  });
}

/**
 * Matches the mails that arrived with the mail activities that completed:
 * every completed send arrived; every mail came from exactly one completed
 * activity; and a mail arrived more than once only where that activity had
 * an attempt cut off by a timeout, at most once per attempt: its worker died
 * after SMTP accepted the mail and before the records noted it (records/sent-mails.ts),
 * and the retry, in another process, sent it again (the known window; SMTP gives
 * no way to close it). `cutOff` lists those; `problems` everything else.
 */
export function matchMails(mails: Mail[], sends: MailSend[]): { problems: string[]; cutOff: string[] } {
  const copies = new Map<string, number>();
  for (const m of mails) copies.set(m.headers['message-id'], (copies.get(m.headers['message-id']) ?? 0) + 1);
  const problems: string[] = [];
  const cutOff: string[] = [];
  for (const s of sends) if (!copies.has(s.messageId)) problems.push(`${s.messageId}: sent (${s.activity} in ${s.workflowId}) but never arrived`);
  for (const [id, n] of copies) {
    const by = sends.filter((s) => s.messageId === id);
    if (by.length !== 1) problems.push(`${id}: ${n} cop${n === 1 ? 'y' : 'ies'}, from ${by.length} completed mail activities`);
    else if (n > 1 && by[0].afterTimeout && n <= by[0].attempt) cutOff.push(`${id} ×${n} (attempt ${by[0].attempt} completed after a timeout)`);
    else if (n > 1)
      problems.push(`${id}: ${n} copies from one activity that completed on attempt ${by[0].attempt}${by[0].afterTimeout ? '' : ' with no attempt timed out'}`);
  }
  return { problems, cutOff };
}

/** The stack for one test file: started before its tests, stopped after them (filled in once up). */
export function useProcessStack(options?: ProcessStackOptions): ProcessStack {
  const holder = {} as { stack: ProcessStack };
  beforeAll(async () => {
    const t0 = Date.now();
    holder.stack = await ProcessStack.start(options);
    const cluster = holder.stack.cluster && `; the cluster's steps (ms): ${JSON.stringify(holder.stack.cluster.timings)}`;
    console.log(`stack up in ${Date.now() - t0} ms${cluster ?? ''}`);
  }, 240_000);
  afterAll(async () => {
    const t0 = Date.now();
    await holder.stack?.stopAll();
    console.log(`stack stopped in ${Date.now() - t0} ms`);
  }, 60_000);
  return new Proxy({} as ProcessStack, {
    get: (_target, prop) => {
      const value = Reflect.get(holder.stack, prop);
      return typeof value === 'function' ? value.bind(holder.stack) : value;
    },
  });
}
