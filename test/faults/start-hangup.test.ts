/**
 * `npm start` leaves nothing running when it loses its terminal or its output, and says which port is taken
 * when something (an earlier npm start) still holds one:
 *  - a hangup (SIGHUP to its process group, as a closing terminal sends it), its output already gone so that
 *    the stopping message is itself a write that fails: it stops every process it started, in order;
 *  - the reader of its stdout gone during start-up: its next progress line fails (EPIPE), and it stops what it
 *    had started instead of going on;
 *  - a port taken: it stops at once, before starting anything, naming the port, its setting and the holder.
 * "Stopped" is checked from outside: each process it started (start.log names them) is gone, with its process
 * group, and each port is free again.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePorts, portProblem } from '../../scripts/lib/stack';

const ROOT = path.resolve(__dirname, '../..');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Ports {
  api: number;
  temporal: number;
  ui: number;
  smtp: number;
  web: number;
  records: number;
}

/** One `npm start`, as journey.test.ts runs it: its own process group, data folder and free ports. */
interface NpmStart {
  npm: ChildProcess;
  ports: Ports;
  dataDir: string;
  /** What it printed (stdout while the test reads it, and stderr). */
  output: () => string;
  /** npm's exit code (null: killed by a signal). */
  exited: Promise<number | null>;
}

const runs: NpmStart[] = [];

async function choosePorts(): Promise<Ports> {
  const [api, temporal, ui, smtp, web, records] = await freePorts(6);
  return { api, temporal, ui, smtp, web, records };
}

function npmStart(ports: Ports): NpmStart {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'start-hangup-'));
  // The suite's record store is not npm start's: it runs its own, embedded, under DATA_DIR.
  const { DATABASE_URL: _suite, ...inherited } = process.env;
  const npm = spawn('npm', ['start'], {
    cwd: ROOT,
    detached: true, // its own process group, like a terminal's foreground job: the hangup is sent to the group
    env: {
      ...inherited,
      NODE_ENV: 'development',
      DATA_DIR: dataDir,
      PORT: String(ports.api),
      TEMPORAL_PORT: String(ports.temporal),
      TEMPORAL_UI_PORT: String(ports.ui),
      SMTP_PORT: String(ports.smtp),
      MAILDEV_WEB_PORT: String(ports.web),
      RECORDS_PORT: String(ports.records),
      TASK_QUEUE: 'start-hangup',
      API_KEYS: 'coordinator:a.weber=start-hangup-coordinator-key',
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  npm.stdout!.on('data', (d) => (output += d));
  npm.stderr!.on('data', (d) => (output += d));
  const exited = new Promise<number | null>((r) => npm.once('exit', (code) => r(code)));
  const run = { npm, ports, dataDir, output: () => output, exited };
  runs.push(run);
  return run;
}

/** The supervisor's own log (data/logs/start.log). */
function startLog(run: NpmStart): string {
  const file = path.join(run.dataDir, 'logs', 'start.log');
  return existsSync(file) ? readFileSync(file, 'utf8') : '';
}

/** The processes the supervisor started, as its log names them, in order. */
function startedProcesses(run: NpmStart): { name: string; pid: number }[] {
  return [...startLog(run).matchAll(/ started (\S+) \(pid (\d+)\)/g)].map((m) => ({ name: m[1], pid: Number(m[2]) }));
}

function supervisorPid(run: NpmStart): number {
  const pid = /supervisor pid (\d+)/.exec(startLog(run))?.[1];
  if (!pid) throw new Error(`start.log names no supervisor:\n${startLog(run)}\n${run.output()}`);
  return Number(pid);
}

/** Every live process now (a zombie counts as gone): pid, parent and process group, from /proc. */
function liveProcesses(): { pid: number; ppid: number; pgrp: number }[] {
  const found = [];
  for (const name of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const [state, ppid, pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // after "pid (comm) "
      if (state !== 'Z') found.push({ pid: Number(name), ppid: Number(ppid), pgrp: Number(pgrp) });
    } catch {
      // it exited while we looked
    }
  }
  return found;
}

/** What is still alive of `pids`: each pid itself, or any process in its process group (launch gives each its own). */
function survivors(pids: number[]): string[] {
  return liveProcesses()
    .filter((p) => pids.includes(p.pid) || pids.includes(p.pgrp))
    .map((p) => `pid ${p.pid} (group ${p.pgrp}): ${commandOf(p.pid)}`);
}

function commandOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim().slice(0, 160);
  } catch {
    return '(exited)';
  }
}

/** `promise`, or an error saying `what` once `ms` have passed (the timer does not outlive it). */
async function within<T>(promise: Promise<T>, ms: number, what: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(what())), ms)));
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Waits until none of `pids` nor anything in their process groups is alive; the milliseconds that took. */
async function allGone(pids: number[], timeoutMs: number): Promise<number> {
  const t0 = Date.now();
  for (;;) {
    const left = survivors(pids);
    if (!left.length) return Date.now() - t0;
    if (Date.now() - t0 > timeoutMs) throw new Error(`still running ${timeoutMs / 1000} s later:\n${left.join('\n')}`);
    await sleep(100);
  }
}

async function until(what: string, check: () => boolean, run: NpmStart, timeoutMs: number): Promise<void> {
  for (const deadline = Date.now() + timeoutMs; !check(); await sleep(100)) {
    if (run.npm.exitCode !== null || run.npm.signalCode) throw new Error(`npm start ended before ${what}:\n${run.output()}`);
    if (Date.now() > deadline) throw new Error(`no ${what} after ${timeoutMs / 1000} s:\n${run.output()}`);
  }
}

/** Expects nothing to listen on any of `ports` now (each proved by listening on it, on every interface). */
async function expectPortsFree(ports: Ports) {
  const taken = [];
  for (const [setting, port] of Object.entries(ports)) if (await portProblem(port)) taken.push(`${setting} ${port}`);
  expect(taken).toEqual([]);
}

afterEach(async () => {
  // A failed test leaves nothing behind: whatever of its npm start still runs is killed.
  for (const run of runs.splice(0)) {
    // npm's process group holds the supervisor; each process it started has its own.
    const ours = [run.npm.pid!, ...startedProcesses(run).map((p) => p.pid)];
    for (const p of liveProcesses().filter((q) => ours.includes(q.pid) || ours.includes(q.pgrp)))
      try {
        process.kill(p.pid, 'SIGKILL');
      } catch {
        // gone already
      }
    if (process.env.KEEP_FAULT_DATA) console.log(`npm start data and logs kept in ${run.dataDir}`);
    else rmSync(run.dataDir, { recursive: true, force: true });
  }
});

test('SIGHUP, its terminal gone: every process npm start started stops, in order, and every port is free again', async () => {
  const run = npmStart(await choosePorts());
  const t0 = Date.now();
  await until('"Ready in"', () => /Ready in/.test(run.output()), run, 240_000);
  console.log(`npm start ready in ${Date.now() - t0} ms`);

  const supervisor = supervisorPid(run);
  const children = startedProcesses(run);
  expect(children.map((c) => c.name)).toEqual(['temporal', 'maildev', 'postgres', 'worker', 'api']);
  // start.log names every process the supervisor started; besides them it has only tsx's esbuild service.
  const running = liveProcesses().filter((p) => p.ppid === supervisor);
  const unnamed = running.filter((p) => !children.some((c) => c.pid === p.pid)).map((p) => commandOf(p.pid));
  expect(unnamed.filter((command) => !/esbuild.* --service/.test(command))).toEqual([]);
  expect(children.every((c) => running.some((p) => p.pid === c.pid))).toBe(true);

  // As a terminal closing: nobody reads the output any more (the stopping message is a write that fails), then SIGHUP.
  run.npm.stdout!.destroy();
  const hungUp = Date.now();
  process.kill(-run.npm.pid!, 'SIGHUP');
  const ms = await allGone([supervisor, ...running.map((p) => p.pid)], 60_000);
  console.log(`SIGHUP: all ${running.length} processes and the supervisor gone in ${Date.now() - hungUp} ms`);
  expect(ms).toBeLessThan(30_000);
  await expectPortsFree(run.ports);

  const log = startLog(run);
  expect(log).toMatch(/stopping: SIGHUP/);
  expect(log).toMatch(/stdout broke \(EPIPE\)/);
  expect([...log.matchAll(/ stopped (\S+) /g)].map((m) => m[1])).toEqual(['api', 'worker', 'postgres', 'maildev', 'temporal']);
  expect(log).toMatch(/Stopped\.\n$/);
}, 300_000);

test('the reader of its stdout gone during start-up: the next line fails (EPIPE), and it stops what it had started', async () => {
  const run = npmStart(await choosePorts());
  await until('"Starting"', () => /Starting the licence-review stack/.test(run.output()), run, 60_000);
  // The next thing it prints is "✔ Temporal", once the dev server answers: that write is the one that fails.
  run.npm.stdout!.destroy();
  const broke = Date.now();
  await within(run.exited, 120_000, () => `npm start still running 120 s after its reader closed:\n${run.output()}`);
  const children = startedProcesses(run);
  await allGone([supervisorPid(run), ...children.map((c) => c.pid)], 30_000);
  console.log(`EPIPE: ${children.map((c) => c.name).join(', ')} and the supervisor gone ${Date.now() - broke} ms after the reader closed`);

  const log = startLog(run);
  expect(log).toMatch(/stdout broke \(EPIPE\): nothing more is written to it/);
  expect(log).toMatch(/stopping: its stdout broke \(EPIPE\)/);
  expect(log).not.toMatch(/Ready in/);
  // Temporal and MailDev were up before the failed line; the rest of start-up was abandoned.
  expect(children.slice(0, 2).map((c) => c.name)).toEqual(['temporal', 'maildev']);
  expect(children.map((c) => c.name)).not.toContain('api');
  expect([...log.matchAll(/ stopped (\S+) /g)].map((m) => m[1])).toEqual(children.map((c) => c.name).reverse());
  await expectPortsFree(run.ports);
}, 180_000);

test('a port still taken: npm start stops before starting anything, naming the port, its setting and who holds it', async () => {
  const ports = await choosePorts();
  const holder = await new Promise<Server>((resolve, reject) => {
    const server = createServer().once('error', reject);
    server.listen(ports.temporal, '127.0.0.1', () => resolve(server));
  });
  try {
    const t0 = Date.now();
    const run = npmStart(ports);
    const code = await within(run.exited, 60_000, () => `npm start still running after 60 s:\n${run.output()}`);
    const ms = Date.now() - t0;
    console.log(`a taken port: npm start exited ${code} after ${ms} ms`);
    expect(code).toBe(1);
    // This test's own process holds the port, so that is the pid it must name.
    expect(run.output()).toContain(`Port ${ports.temporal} (TEMPORAL_PORT) is already in use (pid ${process.pid}: node `);
    expect(run.output()).toContain('an earlier npm start may still be running; stop it or set TEMPORAL_PORT');
    expect(run.output()).not.toMatch(/Starting the licence-review stack/);
    expect(startedProcesses(run)).toEqual([]);
    expect(ms).toBeLessThan(30_000);
  } finally {
    await new Promise((r) => holder.close(r));
  }
}, 90_000);
