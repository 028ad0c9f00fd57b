/**
 * The stack as separate OS processes, each of which a fault test can kill and
 * start again on its own: the Temporal dev server on a SQLite file, MailDev
 * keeping mail on disk, the worker and the API (their real entry points).
 * Free ports and a fresh data folder per stack.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { LinkSigner } from '../../activities/link-tokens';
import { freePorts, httpOk, startDevServer, startMailDev, startTsEntry, stop, temporalReachable, waitUntil, workerPolling, type Managed } from '../../scripts/lib/stack';
import type { AuditEntry, ProjectView } from '../../workflows/definitions';
import { fetchMails, type Mail } from './maildev';

export const KEYS = { coordinator: 'faults-coordinator-key', funder: 'faults-funder-key' } as const;
const LINK_SECRET = 'faults-link-secret-0123456789';
const TASK_QUEUE = 'faults';
type Part = 'temporal' | 'mail' | 'worker' | 'api';

export class ProcessStack {
  readonly signer = new LinkSigner(LINK_SECRET);
  private readonly running = new Map<Part, Managed>();

  private constructor(
    readonly ports: { temporal: number; ui: number; smtp: number; web: number; api: number },
    readonly dataDir: string,
  ) {}

  static async start(): Promise<ProcessStack> {
    const [temporal, ui, smtp, web, api] = await freePorts(5);
    const stack = new ProcessStack({ temporal, ui, smtp, web, api }, mkdtempSync(path.join(tmpdir(), 'faults-')));
    try {
      await Promise.all([stack.startTemporal(), stack.startMail()]);
      await stack.startWorker();
      await stack.startApi();
      return stack;
    } catch (err) {
      await stack.stopAll();
      throw err;
    }
  }

  get temporalAddress() {
    return `127.0.0.1:${this.ports.temporal}`;
  }

  private get env(): NodeJS.ProcessEnv {
    return {
      NODE_ENV: 'development',
      TEMPORAL_ADDRESS: this.temporalAddress,
      TASK_QUEUE,
      PORT: String(this.ports.api),
      PUBLIC_URL: `http://127.0.0.1:${this.ports.api}`,
      SMTP_URL: `smtp://127.0.0.1:${this.ports.smtp}`,
      LINK_SECRET,
      API_KEYS: `coordinator=${KEYS.coordinator},funder:horizon-eu=${KEYS.funder}`,
      LOG_LEVEL: 'warn',
    };
  }

  private log(part: Part) {
    return path.join(this.dataDir, 'logs', `${part}.log`);
  }

  async startTemporal(): Promise<void> {
    const p = startDevServer({ dbFile: path.join(this.dataDir, 'temporal.db'), port: this.ports.temporal, uiPort: this.ports.ui, logFile: this.log('temporal') });
    this.running.set('temporal', p);
    await waitUntil('Temporal dev server', () => temporalReachable(this.temporalAddress), 120_000, p);
  }

  async startMail(): Promise<void> {
    const p = startMailDev({ smtpPort: this.ports.smtp, webPort: this.ports.web, mailDir: path.join(this.dataDir, 'mail'), logFile: this.log('mail') });
    this.running.set('mail', p);
    await waitUntil('MailDev', () => httpOk(`http://127.0.0.1:${this.ports.web}/api/healthz`), 60_000, p);
  }

  async startWorker(): Promise<void> {
    const p = startTsEntry('worker', 'worker/main.ts', { ...process.env, ...this.env }, this.log('worker'));
    this.running.set('worker', p);
    await waitUntil('worker', () => workerPolling(this.temporalAddress, 'default', TASK_QUEUE, p.child.pid), 120_000, p);
  }

  async startApi(): Promise<void> {
    const p = startTsEntry('api', 'api/main.ts', { ...process.env, ...this.env }, this.log('api'));
    this.running.set('api', p);
    await waitUntil('API', () => httpOk(`http://127.0.0.1:${this.ports.api}/healthz`), 60_000, p);
  }

  /** Stops one part: SIGKILL for a crash, SIGTERM for an orderly stop. */
  async stop(part: Part, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const p = this.running.get(part);
    this.running.delete(part);
    if (p) await stop(p, signal, 15_000);
  }

  /** True while the part's process runs (it did not exit by itself). */
  alive(part: Part): boolean {
    const p = this.running.get(part);
    return !!p && p.child.exitCode === null && p.child.signalCode === null;
  }

  async stopAll(): Promise<void> {
    for (const part of ['api', 'worker', 'mail', 'temporal'] as const) await this.stop(part).catch(() => undefined);
    if (process.env.KEEP_FAULT_DATA) console.log(`fault stack data and logs kept in ${this.dataDir}`);
    else rmSync(this.dataDir, { recursive: true, force: true });
  }

  fetch(urlPath: string, init: RequestInit & { key?: string } = {}): Promise<Response> {
    const { key = KEYS.coordinator, ...rest } = init;
    return fetch(`http://127.0.0.1:${this.ports.api}${urlPath}`, {
      ...rest,
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', accept: 'application/json', ...rest.headers },
      signal: AbortSignal.timeout(30_000),
    });
  }

  async json<T>(urlPath: string, init?: RequestInit & { key?: string }): Promise<T> {
    const res = await this.fetch(urlPath, init);
    if (!res.ok) throw new Error(`${init?.method ?? 'GET'} ${urlPath} answered ${res.status}: ${await res.text()}`);
    return (await res.json()) as T;
  }

  view(projectId: string): Promise<ProjectView> {
    return this.json(`/v1/projects/${projectId}`);
  }

  async audit(projectId: string): Promise<AuditEntry[]> {
    return (await this.json<{ entries: AuditEntry[] }>(`/v1/projects/${projectId}/audit`)).entries;
  }

  /** Decides a step through its reviewer link, as the e-mail's link would; returns the HTTP status. */
  async decide(step: { workflowId: string; stepId: string; reviewer: string }, body: object = { decision: 'approve' }): Promise<number> {
    const token = this.signer.sign({ ...step, expiresAt: Date.now() + 86_400_000 });
    const res = await fetch(`http://127.0.0.1:${this.ports.api}/r/${token}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
    await res.text();
    return res.status;
  }

  mails(): Promise<Mail[]> {
    return fetchMails(`http://127.0.0.1:${this.ports.web}`);
  }

  /** Polls `read` until `ready` holds; fails naming `what` and the last value seen. */
  async until<T>(what: string, read: () => Promise<T>, ready: (v: T) => boolean, timeoutMs = 60_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    let last: T | undefined;
    let error: unknown;
    for (;;) {
      try {
        last = await read();
        if (ready(last)) return last;
      } catch (err) {
        error = err;
      }
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last seen: ${JSON.stringify(last)?.slice(0, 500) ?? String(error)}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

/** Message-IDs that occur more than once among the mails, with their subjects: a mail sent twice. */
export function duplicateMails(mails: Mail[]): string[] {
  const seen = new Map<string, number>();
  for (const m of mails) {
    const id = m.headers['message-id'] ?? `${m.to.map((t) => t.address)}|${m.subject}`;
    seen.set(id, (seen.get(id) ?? 0) + 1);
  }
  return [...seen].filter(([, n]) => n > 1).map(([id, n]) => `${id} ×${n}`);
}

/** The stack for one test file: started before its tests, stopped after them (filled in once up). */
export function useProcessStack(): ProcessStack {
  const holder = {} as { stack: ProcessStack };
  beforeAll(async () => {
    holder.stack = await ProcessStack.start();
  }, 240_000);
  afterAll(() => holder.stack?.stopAll(), 60_000);
  return new Proxy({} as ProcessStack, {
    get: (_target, prop) => {
      const value = Reflect.get(holder.stack, prop);
      return typeof value === 'function' ? value.bind(holder.stack) : value;
    },
  });
}
