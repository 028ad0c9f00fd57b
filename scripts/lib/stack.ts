/**
 * Starting and stopping the local stack's processes (Temporal dev server,
 * MailDev, worker, API) and waiting until each is ready. Used by
 * `npm start` and by the tests that need real processes.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { Client as PgClient } from 'pg';
import { searchAttributeFlags } from '../../workflows/definitions';

export const ROOT = path.resolve(__dirname, '../..');

/** The Temporal CLI: TEMPORAL_CLI, PATH, or the pinned build in the cache (built once). */
export function temporalCliPath(): string {
  return execFileSync('bash', [path.join(ROOT, 'scripts/ensure-temporal-cli.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
}

export interface Managed {
  name: string;
  child: ChildProcess;
  exited: Promise<number | null>;
  /** The last few kilobytes the process printed (empty when its output goes to a terminal). */
  recentOutput: () => string;
}

/**
 * What every process of a local stack gets unless the environment says otherwise: no Temporal
 * connection profile. Without it the worker and the API would read the developer's own
 * ~/.config/temporalio/temporal.toml (envconfig's default), whose namespace, API key or TLS
 * would point them away from the stack's dev server. An exported TEMPORAL_CONFIG_FILE still wins.
 */
const LOCAL_STACK_DEFAULTS: NodeJS.ProcessEnv = { TEMPORAL_CONFIG_FILE: path.join(__dirname, 'no-temporal-profiles.toml') };

/** Spawns a process in its own process group (so Ctrl-C reaches only the supervisor, which stops them in order). */
export function launch(
  name: string,
  command: string,
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; logFile?: string; inherit?: boolean; user?: { uid: number; gid: number } } = {},
): Managed {
  const child = spawn(command, args, {
    cwd: ROOT,
    ...opts.user,
    env: { ...LOCAL_STACK_DEFAULTS, ...process.env, ...opts.env },
    detached: true,
    stdio: opts.inherit ? ['ignore', 'inherit', 'inherit'] : ['ignore', 'pipe', 'pipe'],
  });
  // Kept so a process that dies while starting can say why in the error.
  let recent = '';
  const keep = (chunk: Buffer) => {
    recent = (recent + chunk.toString('utf8')).slice(-4096);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  if (opts.logFile) {
    mkdirSync(path.dirname(opts.logFile), { recursive: true });
    const log = createWriteStream(opts.logFile, { flags: 'a' });
    // Both into one file: neither stream may end it while the other still writes, so it ends when both have closed.
    child.stdout?.pipe(log, { end: false });
    child.stderr?.pipe(log, { end: false });
    child.once('close', () => log.end());
  }
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      launched.delete(managed);
      resolve(code);
    }),
  );
  const managed: Managed = { name, child, exited, recentOutput: () => recent };
  launched.add(managed);
  return managed;
}

/** Every process `launch` started that has not exited: what a supervisor stopped half-way through start-up must stop. */
export const launched = new Set<Managed>();

/** Sends `signal`, waits up to `graceMs`, then SIGKILLs. */
export async function stop(p: Managed, signal: NodeJS.Signals = 'SIGTERM', graceMs = 15_000): Promise<void> {
  if (p.child.exitCode !== null || p.child.signalCode !== null) return;
  p.child.kill(signal);
  const timer = setTimeout(() => p.child.kill('SIGKILL'), graceMs);
  await p.exited;
  clearTimeout(timer);
}

export async function waitUntil(what: string, check: () => Promise<boolean>, timeoutMs: number, alive?: Managed): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (alive && alive.child.exitCode !== null) {
      const said = alive.recentOutput().trim();
      throw new Error(`${what}: process ${alive.name} exited with code ${alive.child.exitCode}${said ? `; it printed:\n${said}` : ''}`);
    }
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`${what}: not ready after ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

export async function httpOk(url: string): Promise<boolean> {
  const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
  return res.ok;
}

export async function temporalReachable(address: string): Promise<boolean> {
  const connection = await Connection.connect({ address, connectTimeout: 2000 });
  try {
    await connection.withDeadline(Date.now() + 2000, () => connection.healthService.check({}));
    return true;
  } finally {
    await connection.close();
  }
}

export interface DevServerOptions {
  /** The SQLite file; without one the server keeps everything in memory (as the tests' dev servers do). */
  dbFile?: string;
  port: number;
  uiPort: number;
  namespace?: string;
  logFile?: string;
  /** More flags for the dev server (TEMPORAL_DEV_ARGS of `npm start`), after ours. */
  extraArgs?: string[];
}

/**
 * TEMPORAL_DEV_ARGS: flags for the dev server, separated by spaces, each value with its flag, e.g.
 * `--dynamic-config-value history.maximumSignalsPerExecution=50 --log-level info`. No quoting: no value needs a space.
 */
export function devServerArgs(value: string | undefined): string[] {
  const args = (value ?? '').trim().split(/\s+/).filter(Boolean);
  if (args.length && !args[0].startsWith('--'))
    throw new Error(`TEMPORAL_DEV_ARGS: "${args[0]}" is not a flag; give flags such as --dynamic-config-value key=value`);
  return args;
}

/** `temporal server start-dev` with our search attributes, on a SQLite file with WAL journaling (or in memory). */
export function startDevServer(o: DevServerOptions): Managed {
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(o.port), '--ui-port', String(o.uiPort)];
  args.push('--namespace', o.namespace ?? 'default', '--log-level', 'warn');
  if (o.dbFile) {
    mkdirSync(path.dirname(o.dbFile), { recursive: true });
    args.push('--db-filename', o.dbFile, '--sqlite-pragma', 'journal_mode=wal', '--sqlite-pragma', 'synchronous=normal');
  }
  for (const flag of searchAttributeFlags) args.push('--search-attribute', flag);
  args.push(...(o.extraArgs ?? []));
  return launch('temporal', temporalCliPath(), args, { logFile: o.logFile });
}

export interface MailDevOptions {
  smtpPort: number;
  webPort: number;
  mailDir?: string;
  logFile?: string;
}

export function startMailDev(o: MailDevOptions): Managed {
  const bin = path.join(ROOT, 'node_modules/maildev/dist/bin/maildev.js');
  const args = [bin, '--smtp', String(o.smtpPort), '--web', String(o.webPort), '--ip', '127.0.0.1', '--web-ip', '127.0.0.1'];
  if (o.mailDir) {
    mkdirSync(o.mailDir, { recursive: true });
    args.push('--mail-directory', o.mailDir);
  }
  return launch('maildev', process.execPath, args, { logFile: o.logFile });
}

/** True once a worker (of process `pid`, if given) polls the task queue for workflow tasks. */
export async function workerPolling(address: string, namespace: string, taskQueue: string, pid?: number): Promise<boolean> {
  const connection = await Connection.connect({ address, connectTimeout: 2000 });
  try {
    const res = await connection.workflowService.describeTaskQueue({ namespace, taskQueue: { name: taskQueue }, taskQueueType: 1 });
    return (res.pollers ?? []).some((p) => pid === undefined || p.identity?.startsWith(`${pid}@`));
  } finally {
    await connection.close();
  }
}

/** Runs a TypeScript entry point with tsx's loader, in one process (signals reach it directly). */
export function startTsEntry(name: string, entry: string, env: NodeJS.ProcessEnv, logFile?: string): Managed {
  return launch(name, process.execPath, ['--import', 'tsx', path.join(ROOT, entry)], { env, logFile, inherit: !logFile });
}

/**
 * Distinct free TCP ports on loopback for the processes a test starts, chosen
 * below the kernel's ephemeral range: ports from `listen(0)` are ephemeral, so
 * between our check and the child's bind any outgoing connection (or a dev
 * server's own random metrics port) could take one, and a process restarted on
 * its old port (the fault tests) could find it gone. Each port is proved free
 * by binding it, all held together until every one is found.
 */
export async function freePorts(count: number): Promise<number[]> {
  const firstEphemeral = ephemeralRangeStart();
  const low = 10_000;
  const held: Server[] = [];
  try {
    for (let tries = 0; held.length < count; tries++) {
      if (tries > 1000) throw new Error(`no ${count} free ports between ${low} and ${firstEphemeral}`);
      const port = low + Math.floor(Math.random() * (firstEphemeral - low));
      const server = await bindLoopback(port);
      if (server) held.push(server);
    }
    return held.map((s) => (s.address() as AddressInfo).port);
  } finally {
    await Promise.all(held.map((s) => new Promise((r) => s.close(r))));
  }
}

/**
 * Why nothing could listen on TCP `port` at `host` now (undefined: every interface, as a server given no host
 * listens), e.g. EADDRINUSE or EACCES; undefined when the port is free (proved by listening on it for a moment).
 */
export function portProblem(port: number, host?: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
    server.listen({ port, host }, () => server.close(() => resolve(undefined)));
  });
}

/**
 * The process listening on TCP `port`, if one can be found cheaply: the listening socket's inode from
 * /proc/net/tcp{,6}, then the process holding it from /proc/<pid>/fd (Linux; only processes this user may
 * inspect). `command` is its command line, shortened.
 */
export function portHolder(port: number): { pid: number; command: string } | undefined {
  const inodes = new Set<string>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    // sl local_address(hex ip:hex port) rem_address st(0A: LISTEN) tx:rx tr:when retrnsmt uid timeout inode
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length > 9 && f[3] === '0A' && parseInt(f[1].split(':')[1], 16) === port) inodes.add(f[9]);
    }
  }
  if (!inodes.size) return undefined;
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue; // gone, or not ours to inspect
    }
    for (const fd of fds) {
      let target = '';
      try {
        target = readlinkSync(`/proc/${pid}/fd/${fd}`);
      } catch {
        continue;
      }
      if (!inodes.has(/^socket:\[(\d+)\]$/.exec(target)?.[1] ?? '')) continue;
      let command = '?';
      try {
        const [exe, ...args] = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
        command = [path.basename(exe ?? '?'), ...args].join(' ');
        if (command.length > 80) command = `${command.slice(0, 79)}…`;
      } catch {
        // it exited meanwhile: the pid alone says enough
      }
      return { pid: Number(pid), command };
    }
  }
  return undefined;
}

function bindLoopback(port: number): Promise<Server | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(undefined)).listen(port, '127.0.0.1', () => resolve(server));
  });
}

/** The first port of Linux's ephemeral range (32768 when it cannot be read). */
function ephemeralRangeStart(): number {
  try {
    const first = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    return first > 12_000 ? first : 32_768;
  } catch {
    return 32_768;
  }
}

/** The URL of the embedded record store on `port` (PGlite answers as user postgres, database postgres). */
export const embeddedDatabaseUrl = (port: number) => `postgres://postgres@127.0.0.1:${port}/postgres`;

/** The embedded record store (records/embedded-postgres.ts) on `dataDir` (a folder, or memory://). */
export function startEmbeddedPostgres(o: { dataDir: string; port: number; logFile?: string }): Managed {
  if (!o.dataDir.startsWith('memory://')) mkdirSync(o.dataDir, { recursive: true });
  return launch('postgres', process.execPath, ['--import', 'tsx', path.join(ROOT, 'records/embedded-postgres.ts'), o.dataDir, String(o.port)], {
    logFile: o.logFile,
  });
}

/**
 * True once the embedded record store `p` says it listens and answers at `url`: a database answering on the port is
 * not enough, as another process may hold it (this one then fails to bind and exits, which waitUntil reports).
 */
export async function embeddedPostgresReady(p: Managed, url: string): Promise<boolean> {
  return p.recentOutput().includes('embedded PostgreSQL (PGlite) on') && (await databaseReady(url));
}

/** True once the database at `url` answers a query. */
export async function databaseReady(url: string): Promise<boolean> {
  const client = new PgClient({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } finally {
    await client.end().catch(() => undefined);
  }
}
