/**
 * What the benchmark runs on: its own Temporal dev server (SQLite file with
 * WAL and synchronous=NORMAL, or in memory), MailDev, the worker as a process
 * of its own (so its memory is its own) and the API in this process,
 * listening on a port (so requests go over real HTTP). The same dev server
 * serves the product path and the raw client path.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { LinkSigner } from '../../activities/link-tokens';
import { buildApp } from '../../api/app';
import { loadPolicy, parseApiKeys } from '../../config/env';
import { createLogger } from '../../config/logger';
import type { Policy } from '../../domain/policy';
import { freePorts, httpOk, ROOT, startDevServer, startMailDev, startTsEntry, stop, temporalReachable, waitUntil, workerPolling, type Managed } from '../lib/stack';

export type Mode = 'file' | 'memory';
export const KEYS = { coordinator: 'bench-coordinator-key', funder: 'bench-funder-key' } as const;
const LINK_SECRET = 'bench-link-secret-0123456789';
const TASK_QUEUE = 'bench';

export class BenchStack {
  readonly taskQueue = TASK_QUEUE;
  readonly signer = new LinkSigner(LINK_SECRET);
  readonly policy: Policy = loadPolicy(path.join(ROOT, 'policy/default.json'));
  private constructor(
    readonly mode: Mode,
    readonly client: Client,
    readonly apiUrl: string,
    private readonly worker: Managed,
    private readonly cleanup: () => Promise<void>,
  ) {}

  static async start(mode: Mode): Promise<BenchStack> {
    const dataDir = mkdtempSync(path.join(tmpdir(), `bench-${mode}-`));
    const [temporalPort, uiPort, smtpPort, webPort, apiPort] = await freePorts(5);
    const address = `127.0.0.1:${temporalPort}`;
    const parts: Managed[] = [];
    let connection: Connection | undefined;
    let server: Server | undefined;
    const cleanup = async () => {
      await new Promise((r) => (server ? server.close(r) : r(undefined)));
      await connection?.close();
      for (const p of parts.reverse()) await stop(p, 'SIGTERM', 20_000).catch(() => undefined);
      rmSync(dataDir, { recursive: true, force: true });
    };
    try {
      const temporal = startDevServer({ dbFile: mode === 'file' ? path.join(dataDir, 'temporal.db') : undefined, port: temporalPort, uiPort, logFile: path.join(dataDir, 'temporal.log') });
      parts.push(temporal);
      const mail = startMailDev({ smtpPort, webPort });
      parts.push(mail);
      await waitUntil('Temporal', () => temporalReachable(address), 120_000, temporal);
      await waitUntil('MailDev', () => httpOk(`http://127.0.0.1:${webPort}/api/healthz`), 60_000, mail);
      const env = {
        ...process.env,
        NODE_ENV: 'development',
        TEMPORAL_ADDRESS: address,
        TASK_QUEUE,
        SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
        PUBLIC_URL: `http://127.0.0.1:${apiPort}`,
        LINK_SECRET,
        LOG_LEVEL: 'warn',
      };
      const worker = startTsEntry('worker', 'worker/main.ts', env, path.join(dataDir, 'worker.log'));
      parts.push(worker);
      await waitUntil('worker', () => workerPolling(address, 'default', TASK_QUEUE, worker.child.pid), 120_000, worker);

      connection = await Connection.connect({ address });
      const client = new Client({ connection });
      const app = buildApp({
        client,
        connection,
        config: { apiKeys: parseApiKeys(`coordinator=${KEYS.coordinator},funder:horizon-eu=${KEYS.funder}`), policy: loadPolicy(path.join(ROOT, 'policy/default.json')), TASK_QUEUE },
        signer: new LinkSigner(LINK_SECRET),
        logger: createLogger('silent', 'bench'),
        rateLimits: { windowMs: 60_000, reviewPages: 0, writes: 0 }, // the benchmark is one client sending as fast as it can
      });
      server = app.listen(apiPort, '127.0.0.1');
      await waitUntil('API', () => httpOk(`http://127.0.0.1:${apiPort}/readyz`), 30_000);
      return new BenchStack(mode, client, `http://127.0.0.1:${apiPort}`, worker, cleanup);
    } catch (err) {
      await cleanup();
      throw err;
    }
  }

  /** The worker process's resident memory, from /proc (Linux). */
  workerRssBytes(): number {
    const status = readFileSync(`/proc/${this.worker.child.pid}/status`, 'utf8');
    return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? NaN) * 1024;
  }

  stop(): Promise<void> {
    return this.cleanup();
  }
}
