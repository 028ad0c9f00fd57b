/** The benchmark's targets (one line each: the figure, the target, met or not) and tables (Markdown), one column group per dev-server mode. */
import { execFileSync } from 'node:child_process';
import { cpus, release, totalmem } from 'node:os';
import { CYCLE_BATCH_SIZE, CYCLE_SHARD_SIZE } from '../../workflows/cycle-contract';
import { temporalCliPath } from '../lib/stack';
import type { Rate } from './load';
import type { CycleFigures, DecisionFigures, MemoryFigures, SmtpFigures, SubmissionFigures } from './scenarios';
import type { Cpu, Mode } from './stack';
import type { Spread } from './history';

export interface Sizes {
  submissions: number;
  concurrency: number;
  decisions: number;
  projects: number;
  open: number[];
}

export interface ModeFigures {
  submissions: SubmissionFigures;
  decisions: DecisionFigures;
  cycle: CycleFigures;
  memory: MemoryFigures;
  smtp: SmtpFigures;
  minutes: number;
}

const num = (v: number, digits = 0) => (Number.isFinite(v) ? v.toLocaleString('en-GB', { minimumFractionDigits: digits, maximumFractionDigits: digits }) : '–');
const ms = (v: number) => (!Number.isFinite(v) ? '–' : v < 10 ? `${v.toFixed(1)} ms` : v < 10_000 ? `${num(v)} ms` : `${(v / 1000).toFixed(1)} s`);
const mib = (b: number) => `${num(b / 2 ** 20)} MiB`;
const ratio = (a: number, b: number) => (Number.isFinite(a / b) ? `${(a / b).toFixed(2)}×` : '–');
const times = (r: number) => (Number.isFinite(r) ? `${r.toFixed(2)}×` : '–');
const spread = (s: Spread) => `${ms(s.p50)} / ${ms(s.p99)}`;
const cpu = (c: Cpu, keys: (keyof Cpu)[]) => keys.map((k) => `${k} ${c[k] < 10 ? c[k].toFixed(1) : num(c[k])}`).join(', ');
const row = (cells: string[]) => `| ${cells.join(' | ')} |`;

/** The machine, the date and the Temporal CLI the figures come from. */
export function machine(): string {
  const cli = temporalCliPath();
  const reported = execFileSync(cli, ['--version'], { encoding: 'utf8' })
    .trim()
    .replace(/^temporal version /, '');
  // A CLI built with `go install` reports 0.0.0-DEV; the setup script's cache path names the version it built.
  const pinned = /temporal-cli-(\d+\.\d+\.\d+)/.exec(cli)?.[1];
  const version = pinned ? reported.replace('0.0.0-DEV', pinned) : reported;
  const date = new Date().toISOString().replace('T', ' ').slice(0, 16);
  return `${date} UTC · ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'} · ${num(totalmem() / 2 ** 30)} GiB · Linux ${release()} · Node ${process.version} · Temporal CLI ${version}`;
}

/** One of the issue's targets as one run measured it. */
export interface TargetResult {
  mode: Mode;
  target: 'cycle' | 'decision' | 'worker-memory' | 'preparation' | 'cycle-10000';
  /** The figure compared with the target (a ratio, MiB or seconds; for cycle-10000, the projects the cycle ran over). */
  measured: number;
  /** At most this (at least, for cycle-10000). */
  limit: number;
  met: boolean;
  /** False when the run's size is not the target's (--quick, --projects, --open): the verdict then says little. */
  atTargetSize: boolean;
  line: string;
}

/** The sizes the targets are stated at. */
export const TARGET_SIZES = { cycleProjects: 1000, openWorkflows: 10_000, largeCycle: 10_000 } as const;
const LIMITS = { cycleRatio: 3, decisionRatio: 2, workerRssMib: 1024, prepSecondsPer1000: 150 } as const;

/** Each target, per mode: the measured figure, the target and whether it is met. */
export function targetResults(results: Map<Mode, ModeFigures>): TargetResult[] {
  const out: TargetResult[] = [];
  const verdict = (met: boolean) => (met ? 'met' : 'NOT met');
  const offSize = (at: boolean, what: string) => (at ? '' : ` (${what})`);
  for (const [mode, f] of results) {
    const push = (t: Omit<TargetResult, 'mode' | 'line'>, text: string) =>
      out.push({ mode, ...t, line: `[${mode}] ${text} ${verdict(t.met)}${offSize(t.atTargetSize, sizeNote(t.target, f))}` });

    const c = f.cycle;
    const cycleRatio = c.openMs / c.rawStartMs;
    push(
      {
        target: 'cycle',
        measured: cycleRatio,
        limit: LIMITS.cycleRatio,
        met: cycleRatio <= LIMITS.cycleRatio,
        atTargetSize: c.projects === TARGET_SIZES.cycleProjects,
      },
      `cycle: \`POST /v1/cycles\` (\`202\` in ${ms(c.acceptedMs)}) → every milestone step open in the records ${ms(c.openMs)}; ` +
        `${num(c.projects)} bare workflows started ${ms(c.rawStartMs)} (run ${ms(c.rawRanMs)}); ${times(cycleRatio)} (target ≤ ${LIMITS.cycleRatio}×)`,
    );

    const d = f.decisions;
    const decisionRatio = d.product.p50Ms / d.bare.p50Ms;
    push(
      { target: 'decision', measured: decisionRatio, limit: LIMITS.decisionRatio, met: decisionRatio <= LIMITS.decisionRatio, atTargetSize: true },
      `decision p50: \`POST /r/:token\` ${ms(d.product.p50Ms)}; a bare Update to a minimal workflow ${ms(d.bare.p50Ms)}; ` +
        `${times(decisionRatio)} (target ≤ ${LIMITS.decisionRatio}×; the product's \`decide\` Update alone ${ms(d.raw.p50Ms)})`,
    );

    const largest = [...f.memory.readings].sort((a, b) => b.target - a.target)[0];
    if (largest && largest.target > 0) {
      const rssMib = largest.rssBefore / 2 ** 20;
      push(
        {
          target: 'worker-memory',
          measured: rssMib,
          limit: LIMITS.workerRssMib,
          met: rssMib <= LIMITS.workerRssMib,
          atTargetSize: largest.target >= TARGET_SIZES.openWorkflows,
        },
        `worker memory: RSS with ${num(largest.open)} workflows open ${mib(largest.rssBefore)} (after a full GC ${mib(largest.rss)}; ` +
          `${num(f.memory.maxCachedWorkflows ?? NaN)} cached at most) (target ≤ ${num(LIMITS.workerRssMib)} MiB with ${num(TARGET_SIZES.openWorkflows)} open)`,
      );
    }

    const prepSeconds = c.prepMs / 1000;
    const per1000 = (prepSeconds * 1000) / c.projects;
    push(
      {
        target: 'preparation',
        measured: prepSeconds,
        limit: (LIMITS.prepSecondsPer1000 * c.projects) / 1000,
        met: per1000 <= LIMITS.prepSecondsPer1000,
        atTargetSize: c.projects === TARGET_SIZES.cycleProjects,
      },
      `preparation: ${num(c.projects)} projects brought to \`active\` through the client ${prepSeconds.toFixed(1)} s` +
        `${c.projects === 1000 ? '' : ` (${per1000.toFixed(1)} s per 1,000)`} (target ≤ ${LIMITS.prepSecondsPer1000} s for 1,000; ` +
        `${(c.prepSettledMs / 1000).toFixed(1)} s until the worker is idle after)`,
    );

    push(
      {
        target: 'cycle-10000',
        measured: c.projects,
        limit: TARGET_SIZES.largeCycle,
        met: c.projects >= TARGET_SIZES.largeCycle && c.phases.sampled > 0,
        atTargetSize: c.projects >= TARGET_SIZES.largeCycle,
      },
      `large cycle: a cycle over ${num(c.projects)} projects ran in ${num(c.shards)} shard(s) (largest shard history ${num(c.phases.shardHistoryEvents)} events), ` +
        `every step open and reported, ${c.phases.sampled} projects' histories analysed (target: ${num(TARGET_SIZES.largeCycle)} projects, --projects ${TARGET_SIZES.largeCycle})`,
    );
  }
  return out;
}

function sizeNote(target: TargetResult['target'], f: ModeFigures): string {
  switch (target) {
    case 'cycle':
    case 'preparation':
      return `at ${num(f.cycle.projects)} projects, not the target's ${num(TARGET_SIZES.cycleProjects)}: says little`;
    case 'worker-memory':
      return `at ${num(Math.max(...f.memory.readings.map((r) => r.target)))} open, not the target's ${num(TARGET_SIZES.openWorkflows)}: says little`;
    case 'cycle-10000':
      return `not run at that size: run with --projects ${TARGET_SIZES.largeCycle}`;
    default:
      return '';
  }
}

export function report(results: Map<Mode, ModeFigures>, sizes: Sizes): string {
  const modes = [...results.keys()];
  const figures = [...results.values()];
  const label = (m: Mode) => (m === 'file' ? 'file (SQLite, WAL, synchronous=NORMAL)' : 'memory (no --db-filename)');
  const out: string[] = [];

  // 0. The targets.
  out.push('targets:', ...targetResults(results).map((t) => `- ${t.line}`), '');

  // 1. Product against raw Temporal.
  out.push(row(['product vs raw Temporal', ...modes.flatMap((m) => [`${label(m)}: product`, 'raw', 'product ÷ raw'])]));
  out.push(row(['---', ...modes.flatMap(() => ['---:', '---:', '---:'])]));
  const compare = (name: string, pick: (f: ModeFigures) => [string, string, string]) => out.push(row([name, ...figures.flatMap(pick)]));
  const latency = (r: { product: Rate; raw: Rate }, p: 'p50Ms' | 'p99Ms'): [string, string, string] => [
    ms(r.product[p]),
    ms(r.raw[p]),
    ratio(r.product[p], r.raw[p]),
  ];
  compare(`project submissions per second (${sizes.submissions}, ${sizes.concurrency} in flight): \`POST /v1/projects\` vs \`workflow.start\``, (f) => {
    const s = f.submissions;
    return [num(s.product.perSecond), num(s.raw.perSecond), ratio(s.product.perSecond, s.raw.perSecond)];
  });
  compare('submission latency p50', (f) => latency(f.submissions, 'p50Ms'));
  compare('submission latency p99', (f) => latency(f.submissions, 'p99Ms'));
  compare(`decision latency p50 (${sizes.decisions}, one at a time): \`POST /r/:token\` vs the product's \`decide\` Update (client)`, (f) =>
    latency(f.decisions, 'p50Ms'),
  );
  compare('decision latency p99, the same', (f) => latency(f.decisions, 'p99Ms'));
  compare('decision latency p50: `POST /r/:token` vs a bare Update to a minimal workflow', (f) =>
    latency({ product: f.decisions.product, raw: f.decisions.bare }, 'p50Ms'),
  );
  compare('decision latency p99, the same', (f) => latency({ product: f.decisions.product, raw: f.decisions.bare }, 'p99Ms'));
  compare("decision latency p50: the product's `decide` Update (client) vs a bare Update", (f) =>
    latency({ product: f.decisions.raw, raw: f.decisions.bare }, 'p50Ms'),
  );
  compare(`cycle over ${sizes.projects} projects: \`POST /v1/cycles\` → \`202\``, (f) => [ms(f.cycle.acceptedMs), '', '']);
  compare('cycle over a list of 10,000 ids (of no project): `202`, p50 / slowest of 5', (f) => [
    `${ms(f.cycle.longListAccepted.p50Ms)} / ${ms(f.cycle.longListAccepted.maxMs)}`,
    '',
    '',
  ]);
  compare(`cycle: \`POST\` → every milestone step open (records) vs starting ${sizes.projects} bare workflows (${CYCLE_BATCH_SIZE} in flight)`, (f) => [
    ms(f.cycle.openMs),
    ms(f.cycle.rawStartMs),
    ratio(f.cycle.openMs, f.cycle.rawStartMs),
  ]);
  compare('cycle: the same vs until those bare workflows have run their first task', (f) => [
    ms(f.cycle.openMs),
    ms(f.cycle.rawRanMs),
    ratio(f.cycle.openMs, f.cycle.rawRanMs),
  ]);
  compare('cycle: `POST` → every step mailed and its item recorded vs starting the bare workflows', (f) => [
    ms(f.cycle.reportedMs),
    ms(f.cycle.rawStartMs),
    ratio(f.cycle.reportedMs, f.cycle.rawStartMs),
  ]);

  // 2. Where the product's time goes.
  out.push('', row(['where the time goes', ...modes.map(label)]), row(['---', ...modes.map(() => '---:')]));
  const line = (name: string, pick: (f: ModeFigures) => string) => out.push(row([name, ...figures.map(pick)]));
  line(
    `submission: the API alone — \`POST /v1/projects\` with \`{}\` → 400, p50 / p99 (${sizes.concurrency} in flight)`,
    (f) => `${ms(f.submissions.apiOnly.p50Ms)} / ${ms(f.submissions.apiOnly.p99Ms)}`,
  );
  line(
    'submission: zod parse of one project (in-process) · body / workflow input size',
    (f) => `${(f.submissions.zodMs * 1000).toFixed(0)} µs · ${num(f.submissions.bodyBytes)} B / ${num(f.submissions.inputBytes)} B`,
  );
  line('submission: CPU ms per project, product', (f) => cpu(f.submissions.product.cpuPerOp, ['api', 'server', 'worker', 'records', 'bench']));
  line('submission: CPU ms per project, raw', (f) => cpu(f.submissions.raw.cpuPerOp, ['api', 'server', 'worker', 'records', 'bench']));
  line('submission: CPU ms per request, API alone (400)', (f) => cpu(f.submissions.apiOnly.cpuPerOp, ['api', 'bench']));
  line(
    'decision: the API alone — bad decision → 400 (the step read from the records, no Temporal call), p50 / p99',
    (f) => `${ms(f.decisions.apiOnly.p50Ms)} / ${ms(f.decisions.apiOnly.p99Ms)}`,
  );
  line(
    "decision p50: the product's `decide` Update (client) · a bare Update · the API alone (400)",
    (f) => `${ms(f.decisions.raw.p50Ms)} · ${ms(f.decisions.bare.p50Ms)} · ${ms(f.decisions.apiOnly.p50Ms)}`,
  );
  line('decision: CPU ms per decision, product', (f) => cpu(f.decisions.product.cpuPerOp, ['api', 'server', 'worker', 'records', 'bench']));
  line("decision: CPU ms per decision, the product's Update (client)", (f) => cpu(f.decisions.raw.cpuPerOp, ['server', 'worker', 'records', 'bench']));
  line('decision: CPU ms per decision, bare Update', (f) => cpu(f.decisions.bare.cpuPerOp, ['server', 'bare', 'bench']));
  line('cycle: `POST` → a shard signalled the last project', (f) => ms(f.cycle.phases.fanOutMs));
  line('cycle, per project p50 / p99: `POST` → signal in the project', (f) => spread(f.cycle.phases.signalArrived));
  line(
    '… signal → step recorded (its record write, a local activity) · e-mail scheduled (one workflow task)',
    (f) => `${spread(f.cycle.phases.openRecorded)} · ${spread(f.cycle.phases.openTask)}`,
  );
  line('… e-mail activity scheduled → started (waiting for a slot)', (f) => spread(f.cycle.phases.mailWait));
  line('… e-mail activity started → completed (SMTP)', (f) => spread(f.cycle.phases.mailSend));
  line('… e-mail done → its item recorded in the cycle (workflow tasks and a record write)', (f) => spread(f.cycle.phases.reportTask));
  line(
    "SMTP send to MailDev alone, p50: a new connection per e-mail (pool=false) · pooled (the worker's transport)",
    (f) => `${ms(f.smtp.perMailConnectionMs)} · ${ms(f.smtp.pooledMs)}`,
  );
  line('cycle, per project, signal → item recorded: history events · workflow tasks · search-attribute/memo upserts · activities', (f) => {
    const p = f.cycle.phases;
    return `${p.events} · ${p.workflowTasks} · ${p.upserts} · ${p.activities} (${p.sampled} sampled)`;
  });
  line(
    "cycle: sampled projects whose signal's task was not sticky (evicted from the worker's cache: the whole history replayed) · such tasks per project, p50",
    (f) => `${f.cycle.phases.signalTaskReplayed} of ${f.cycle.phases.sampled} · ${f.cycle.phases.replayedTasks}`,
  );
  line('cycle: CPU ms per project, `POST` → all reported', (f) => cpu(f.cycle.cpuPerProject, ['server', 'worker', 'records', 'maildev', 'api', 'bench']));
  line('cycle, raw: CPU ms per bare workflow, started and run', (f) => cpu(f.cycle.rawCpuPerWorkflow, ['server', 'bare', 'bench']));
  line('cycle workflow history events', (f) => num(f.cycle.phases.cycleHistoryEvents));
  line(
    `cycle: shards · largest shard's history events (${CYCLE_SHARD_SIZE} projects a shard)`,
    (f) => `${num(f.cycle.shards)} · ${num(f.cycle.phases.shardHistoryEvents)}`,
  );
  line(
    `preparation: ${sizes.projects} projects to active through the client (the records show each active) · until the worker is idle after`,
    (f) => `${ms(f.cycle.prepMs)} · ${ms(f.cycle.prepSettledMs)}`,
  );
  line('preparation: CPU ms per project, to active', (f) => cpu(f.cycle.prepCpuPerProject, ['server', 'worker', 'records', 'maildev', 'api', 'bench']));

  // 3. Worker memory.
  out.push(
    '',
    row(['worker memory (a process of its own), project workflows open in grant review', ...modes.map(label)]),
    row(['---', ...modes.map(() => '---:')]),
  );
  line('worker maxCachedWorkflows (from WORKER_MEMORY_MIB, default 1024: worker/create-worker.ts workflowCacheSize)', (f) =>
    String(f.memory.maxCachedWorkflows ?? 'unknown'),
  );
  const targets = [...new Set(figures.flatMap((f) => f.memory.readings.map((r) => r.target)))].sort((a, b) => a - b);
  const reading = (f: ModeFigures, target: number) => f.memory.readings.find((r) => r.target === target);
  for (const target of targets) {
    const name = target === 0 ? '0 open (started, polling)' : `${num(target)} open`;
    const threads = (r: MemoryFigures['readings'][number]) => r.heapUsedThreads.reduce((sum, t) => sum + t.heapUsed, 0);
    line(`${name}: RSS · RSS after GC · heap used after GC, main thread + other threads (the workflow thread, tsx's loader)`, (f) => {
      const r = reading(f, target);
      return r ? `${mib(r.rssBefore)} · ${mib(r.rss)} · ${mib(r.heapUsedMain)} + ${mib(threads(r))}` : 'not run';
    });
    if (target === 0) continue;
    line(`${name}: growth over 0 open after GC per cached workflow (at most maxCachedWorkflows are cached): RSS · other threads' heap`, (f) => {
      const [r, r0] = [reading(f, target), reading(f, 0)];
      if (!r || !r0) return 'not run';
      const cached = Math.min(r.open, f.memory.maxCachedWorkflows ?? r.open);
      return `${num((r.rss - r0.rss) / cached / 1024)} KiB · ${num((threads(r) - threads(r0)) / cached / 1024)} KiB (${num(cached)} cached)`;
    });
    line(`${name}: preparation time · CPU ms per project`, (f) => {
      const r = reading(f, target);
      return r?.prepCpuPerProject
        ? `${ms(r.prepMs)} (${num(r.open)} open) · ${cpu(r.prepCpuPerProject, ['server', 'worker', 'records', 'maildev', 'bench'])}`
        : 'not run';
    });
  }
  out.push('', `run time: ${figures.map((f, i) => `${modes[i]} ${f.minutes.toFixed(1)} min`).join(', ')}`);
  return out.join('\n');
}
