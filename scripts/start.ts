/**
 * `npm start`: the whole system on embedded defaults in one terminal —
 * Temporal dev server (SQLite under data/), the record store (PGlite under
 * data/records, unless DATABASE_URL names a server), MailDev, worker, API. Waits until
 * each is ready, prints where it is, and stops all of them on Ctrl-C, SIGTERM, a hangup of its
 * terminal (SIGHUP) or when its output breaks (EPIPE: whatever read it is gone), so none is left
 * holding its port. A port already taken stops it before anything starts.
 * Starting again resumes every project in flight (same SQLite file).
 */
import { appendFileSync, existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { ConfigError, loadConfig } from '../config/env';
import {
  databaseReady,
  devServerArgs,
  embeddedDatabaseUrl,
  embeddedPostgresReady,
  httpOk,
  portHolder,
  portProblem,
  startDevServer,
  startEmbeddedPostgres,
  startMailDev,
  startTsEntry,
  stop,
  temporalReachable,
  waitUntil,
  workerPolling,
  ROOT,
  type Managed,
} from './lib/stack';

const envFile = path.join(ROOT, '.env');
if (existsSync(envFile)) process.loadEnvFile(envFile);

function num(name: string, fallback: number): number {
  const value = process.env[name] ?? String(fallback);
  if (!/^\d{1,5}$/.test(value) || Number(value) > 65535) {
    console.error(`Invalid configuration:\n  ${name}: "${value}" must be a port number`);
    process.exit(1);
  }
  return Number(value);
}
const ports = {
  temporal: num('TEMPORAL_PORT', 7233),
  temporalUi: num('TEMPORAL_UI_PORT', 8233),
  smtp: num('SMTP_PORT', 1025),
  mailWeb: num('MAILDEV_WEB_PORT', 1080),
  api: num('PORT', 3000),
  records: num('RECORDS_PORT', 5433),
};
/** The record store is ours (PGlite on RECORDS_PORT) unless DATABASE_URL names a server. */
const embedded = !process.env.DATABASE_URL;
const dataDir = path.resolve(ROOT, process.env.DATA_DIR ?? 'data');
let devArgs: string[];
try {
  devArgs = devServerArgs(process.env.TEMPORAL_DEV_ARGS);
} catch (err) {
  console.error(`Invalid configuration:\n  ${(err as Error).message}`);
  process.exit(1);
}
const env: NodeJS.ProcessEnv = {
  // npm start is a development machine's: it chooses development (the entry points alone never do), and keeps
  // the API, on its public development keys, to this machine unless HOST says otherwise.
  NODE_ENV: 'development',
  HOST: '127.0.0.1',
  TEMPORAL_ADDRESS: `127.0.0.1:${ports.temporal}`,
  SMTP_URL: `smtp://127.0.0.1:${ports.smtp}`,
  DATABASE_URL: embeddedDatabaseUrl(ports.records),
  DOCUMENTS_DIR: path.join(dataDir, 'documents'),
  PUBLIC_URL: `http://localhost:${ports.api}`,
  TEMPORAL_UI_URL: `http://localhost:${ports.temporalUi}`,
  ...process.env,
  PORT: String(ports.api),
};

const logs = path.join(dataDir, 'logs');
/** The supervisor's own log: what it printed, why it stopped, and each process it started (name and pid). */
const startLog = path.join(logs, 'start.log');
const started: Managed[] = [];
let stopping = false;

function record(line: string) {
  try {
    mkdirSync(logs, { recursive: true });
    appendFileSync(startLog, `${new Date().toISOString()} ${line.trim()}\n`);
  } catch {
    // nowhere to keep it: stopping the stack matters more than its log
  }
}

/**
 * stdout or stderr. When a write to it fails (EPIPE: whatever read it is gone; EIO: its terminal hung up)
 * nothing is written to it again, and the stack is stopped: nobody could see what it does or stop it.
 * Writes go out one at a time, so none follows a failed one. Every line also goes to start.log.
 */
class Output {
  private pending = '';
  private writing = false;
  private broken = false;

  constructor(
    private readonly name: 'stdout' | 'stderr',
    private readonly stream: NodeJS.WriteStream,
  ) {
    // The failed write's callback reports the error; the 'error' event after it must not crash the supervisor.
    stream.on('error', (err) => this.fail(err));
  }

  line(text: string) {
    record(text);
    if (this.broken) return;
    this.pending += `${text}\n`;
    this.flush();
  }

  private flush() {
    if (this.writing || this.broken || !this.pending) return;
    const chunk = this.pending;
    this.pending = '';
    this.writing = true;
    try {
      this.stream.write(chunk, (err) => {
        this.writing = false;
        if (err) this.fail(err);
        else this.flush();
      });
    } catch (err) {
      // a file (SyncWriteStream) throws instead
      this.writing = false;
      this.fail(err as NodeJS.ErrnoException);
    }
  }

  private fail(err: NodeJS.ErrnoException) {
    if (this.broken) return;
    this.broken = true;
    this.pending = '';
    const why = err.code ?? err.message;
    record(`${this.name} broke (${why}): nothing more is written to it`);
    void stopAll(1, `its ${this.name} broke (${why})`);
  }

  /** Resolves once everything written has gone out (or the output broke), or after `ms` (a reader that stalls). */
  async drained(ms: number): Promise<void> {
    for (const deadline = Date.now() + ms; (this.writing || this.pending) && !this.broken && Date.now() < deadline;)
      await new Promise((r) => setTimeout(r, 20));
  }
}
const stdout = new Output('stdout', process.stdout);
const stderr = new Output('stderr', process.stderr);

async function exit(code: number): Promise<never> {
  await Promise.all([stdout.drained(2000), stderr.drained(2000)]);
  process.exit(code);
}

// SIGPIPE needs nothing: Node ignores it, so a write to a pipe nobody reads fails with EPIPE (Output above).
process.on('SIGINT', () => void stopAll(0, 'SIGINT (Ctrl-C)'));
process.on('SIGTERM', () => void stopAll(0, 'SIGTERM'));
process.on('SIGHUP', () => void stopAll(0, 'SIGHUP (its terminal hung up)'));
// Whatever goes wrong in the supervisor itself, it stops what it started before it exits.
process.on('uncaughtException', (e) => {
  record(`uncaught: ${e.stack ?? e.message}`);
  void stopAll(1, `an error in the supervisor: ${e.message}`);
});

/**
 * Newest first (API, worker, records, MailDev, Temporal), then whatever is left in each one's process group;
 * one launched while this runs (start-up was under way) is stopped too. Then exits with `code`.
 */
async function stopAll(code: number, reason: string) {
  if (stopping) return;
  stopping = true;
  record(`stopping: ${reason}`);
  try {
    stdout.line('\nStopping: API, worker, records, MailDev, Temporal...');
    const done = new Set<Managed>();
    for (let p = newestNotDone(done); p; p = newestNotDone(done)) {
      done.add(p);
      await stop(p);
      try {
        if (p.child.pid) process.kill(-p.child.pid, 'SIGKILL');
      } catch {
        // ESRCH: nothing else was in its process group
      }
      record(`stopped ${p.name} (pid ${p.child.pid}, ${p.child.signalCode ?? `exit code ${p.child.exitCode}`})`);
    }
    stdout.line('Stopped.');
  } catch (e) {
    record(`stopping failed: ${(e as Error).stack}`);
    code = 1;
  }
  await exit(code);
}

function newestNotDone(done: Set<Managed>): Managed | undefined {
  return [...started].reverse().find((p) => !done.has(p));
}

/** Where this machine reaches a server listening on `host` (every interface: loopback). */
function reachable(host: string | undefined): string {
  if (!host || host === '0.0.0.0' || host === '::') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

/** Thrown at the next step of start-up once stopping began: nothing more is started. */
class StartAbandoned extends Error {}

/** Each port npm start listens on: its setting, and where its process listens (the API: HOST, 127.0.0.1 unless set). */
function listeners() {
  return [
    { setting: 'TEMPORAL_PORT', port: ports.temporal, host: '127.0.0.1' },
    { setting: 'TEMPORAL_UI_PORT', port: ports.temporalUi, host: '127.0.0.1' },
    { setting: 'SMTP_PORT', port: ports.smtp, host: '127.0.0.1' },
    { setting: 'MAILDEV_WEB_PORT', port: ports.mailWeb, host: '127.0.0.1' },
    ...(embedded ? [{ setting: 'RECORDS_PORT', port: ports.records, host: '127.0.0.1' }] : []),
    { setting: 'PORT', port: ports.api, host: env.HOST || undefined },
  ];
}

/** A line for each port that is taken now, naming its setting and, when /proc tells, the process holding it. */
async function takenPorts(): Promise<string[]> {
  const problems: string[] = [];
  for (const { setting, port, host } of listeners()) {
    const code = await portProblem(port, host);
    if (!code) continue;
    if (code !== 'EADDRINUSE') {
      problems.push(`Port ${port} (${setting}) cannot be listened on (${code}): set ${setting} to another port`);
      continue;
    }
    const holder = portHolder(port);
    const by = holder ? ` (pid ${holder.pid}: ${holder.command})` : '';
    problems.push(`Port ${port} (${setting}) is already in use${by}: an earlier npm start may still be running; stop it or set ${setting}`);
  }
  return problems;
}

async function main() {
  const config = loadConfig(env); // a bad setting stops here, before anything starts
  record(`npm start: supervisor pid ${process.pid}`);
  const taken = await takenPorts();
  if (taken.length) {
    for (const line of taken) stderr.line(line);
    await exit(1);
  }
  const checkpoint = () => {
    if (stopping) throw new StartAbandoned();
  };
  const supervise = (launch: () => Managed) => {
    checkpoint();
    const p = launch();
    started.push(p);
    record(`started ${p.name} (pid ${p.child.pid})`);
    void p.exited.then((code) => {
      if (!stopping) {
        stderr.line(`${p.name} exited unexpectedly (code ${code}); see ${path.join(logs, `${p.name}.log`)}`);
        void stopAll(1, `${p.name} exited unexpectedly`);
      }
    });
    return p;
  };
  const ready = (what: string, where: string) => {
    checkpoint();
    stdout.line(`  ✔ ${what.padEnd(16)} ${where}`);
  };
  const t0 = Date.now();
  stdout.line(`Starting the licence-review stack (data in ${dataDir}, logs in ${logs})`);

  const temporal = supervise(() =>
    startDevServer({
      dbFile: path.join(dataDir, 'temporal.db'),
      port: ports.temporal,
      uiPort: ports.temporalUi,
      namespace: config.TEMPORAL_NAMESPACE,
      logFile: path.join(logs, 'temporal.log'),
      extraArgs: devArgs,
    }),
  );
  const mail = supervise(() =>
    startMailDev({ smtpPort: ports.smtp, webPort: ports.mailWeb, mailDir: path.join(dataDir, 'mail'), logFile: path.join(logs, 'maildev.log') }),
  );
  await waitUntil('Temporal dev server', () => temporalReachable(config.TEMPORAL_ADDRESS), 120_000, temporal);
  ready('Temporal', `${config.TEMPORAL_ADDRESS}  (UI http://localhost:${ports.temporalUi})`);
  const records = embedded
    ? supervise(() => startEmbeddedPostgres({ dataDir: path.join(dataDir, 'records'), port: ports.records, logFile: path.join(logs, 'postgres.log') }))
    : undefined;
  await waitUntil('record store', () => (records ? embeddedPostgresReady(records, config.DATABASE_URL) : databaseReady(config.DATABASE_URL)), 60_000, records);
  ready('records', embedded ? `${config.DATABASE_URL}  (PGlite, data in ${path.join(dataDir, 'records')})` : 'DATABASE_URL');
  await waitUntil('MailDev', () => httpOk(`http://127.0.0.1:${ports.mailWeb}/api/healthz`), 60_000, mail);
  ready('MailDev', `smtp://localhost:${ports.smtp}  (inbox http://localhost:${ports.mailWeb}, REST /api/email)`);

  const worker = supervise(() => startTsEntry('worker', 'worker/main.ts', env, path.join(logs, 'worker.log')));
  await waitUntil('worker', () => workerPolling(config.TEMPORAL_ADDRESS, config.TEMPORAL_NAMESPACE, config.TASK_QUEUE, worker.child.pid), 120_000, worker);
  ready('worker', `task queue "${config.TASK_QUEUE}"`);
  const api = supervise(() => startTsEntry('api', 'api/main.ts', env, path.join(logs, 'api.log')));
  await waitUntil('API', () => httpOk(`http://${reachable(env.HOST)}:${ports.api}/readyz`), 60_000, api);
  ready('API', `${config.PUBLIC_URL}  (/dashboard, /v1/..., /healthz, /readyz)`);

  checkpoint();
  stdout.line(`Ready in ${((Date.now() - t0) / 1000).toFixed(1)} s. Press Ctrl-C to stop.`);
}

main().catch((e) => {
  // Once stopping began, start-up fails as its processes stop: that is no news.
  if (stopping || e instanceof StartAbandoned) return record(`start-up abandoned: ${(e as Error).message}`);
  stderr.line(e instanceof ConfigError ? e.message : `Start-up failed: ${(e as Error).message}`);
  void stopAll(1, 'start-up failed');
});
