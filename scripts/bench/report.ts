/** The benchmark's tables (Markdown), one column group per dev-server mode. */
import { execFileSync } from 'node:child_process';
import { cpus, release, totalmem } from 'node:os';
import { CYCLE_SHARD_SIZE } from '../../workflows/cycle-contract';
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

export function report(results: Map<Mode, ModeFigures>, sizes: Sizes): string {
  const modes = [...results.keys()];
  const figures = [...results.values()];
  const label = (m: Mode) => (m === 'file' ? 'file (SQLite, WAL, synchronous=NORMAL)' : 'memory (no --db-filename)');
  const out: string[] = [];

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
  compare(`decision latency p50 (${sizes.decisions}, one at a time): \`POST /r/:token\` vs \`decide\` Update`, (f) => latency(f.decisions, 'p50Ms'));
  compare('decision latency p99', (f) => latency(f.decisions, 'p99Ms'));
  compare(`cycle over ${sizes.projects} projects: \`POST /v1/cycles\` → \`202\``, (f) => [ms(f.cycle.acceptedMs), '', '']);
  compare('cycle over a list of 10,000 ids (of no project): `202`, p50 / slowest of 5', (f) => [
    `${ms(f.cycle.longListAccepted.p50Ms)} / ${ms(f.cycle.longListAccepted.maxMs)}`,
    '',
    '',
  ]);
  compare(`cycle: \`202\` → every milestone step open (visibility) vs starting ${sizes.projects} workflows`, (f) => [
    ms(f.cycle.visibleMs),
    ms(f.cycle.rawStartMs),
    ratio(f.cycle.visibleMs, f.cycle.rawStartMs),
  ]);
  compare('cycle: `202` → every step mailed and reported to the cycle', (f) => [
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
  line('submission: CPU ms per project, product', (f) => cpu(f.submissions.product.cpuPerOp, ['api', 'server', 'worker', 'bench']));
  line('submission: CPU ms per project, raw', (f) => cpu(f.submissions.raw.cpuPerOp, ['api', 'server', 'worker', 'bench']));
  line('submission: CPU ms per request, API alone (400)', (f) => cpu(f.submissions.apiOnly.cpuPerOp, ['api', 'bench']));
  line('decision: the API alone — bad decision → 400, p50 / p99', (f) => `${ms(f.decisions.apiOnly.p50Ms)} / ${ms(f.decisions.apiOnly.p99Ms)}`);
  line('decision, raw: Update accepted (p50) · whole Update (p50)', (f) => `${ms(f.decisions.rawAcceptedP50Ms)} · ${ms(f.decisions.raw.p50Ms)}`);
  line('decision: CPU ms per decision, product', (f) => cpu(f.decisions.product.cpuPerOp, ['api', 'server', 'worker', 'bench']));
  line('decision: CPU ms per decision, raw', (f) => cpu(f.decisions.raw.cpuPerOp, ['api', 'server', 'worker', 'bench']));
  line('cycle: `POST` → a shard signalled the last project', (f) => ms(f.cycle.phases.fanOutMs));
  line('cycle, per project p50 / p99: `POST` → signal in the project', (f) => spread(f.cycle.phases.signalArrived));
  line('… signal → step opened and e-mail scheduled (workflow task)', (f) => spread(f.cycle.phases.openTask));
  line('… e-mail activity scheduled → started (waiting for a slot)', (f) => spread(f.cycle.phases.mailWait));
  line('… e-mail activity started → completed (SMTP)', (f) => spread(f.cycle.phases.mailSend));
  line('… e-mail done → reported to the cycle (workflow task)', (f) => spread(f.cycle.phases.reportTask));
  line(
    "SMTP send to MailDev alone, p50: a new connection per e-mail (pool=false) · pooled (the worker's transport)",
    (f) => `${ms(f.smtp.perMailConnectionMs)} · ${ms(f.smtp.pooledMs)}`,
  );
  line('cycle, per project: history events · workflow tasks · search-attribute/memo upserts · activities', (f) => {
    const p = f.cycle.phases;
    return `${p.events} · ${p.workflowTasks} · ${p.upserts} · ${p.activities} (${p.sampled} sampled)`;
  });
  line('cycle: CPU ms per project, `202` → all reported', (f) => cpu(f.cycle.cpuPerProject, ['server', 'worker', 'maildev', 'api', 'bench']));
  line('cycle workflow history events', (f) => num(f.cycle.phases.cycleHistoryEvents));
  line(`cycle: largest shard's history events (${CYCLE_SHARD_SIZE} projects a shard)`, (f) => num(f.cycle.phases.shardHistoryEvents));
  line(`preparation (not measured): ${sizes.projects} projects to active through the client`, (f) => ms(f.cycle.prepMs));

  // 3. Worker memory.
  out.push(
    '',
    row(['worker memory (a process of its own), project workflows open in grant review', ...modes.map(label)]),
    row(['---', ...modes.map(() => '---:')]),
  );
  line('worker maxCachedWorkflows (from WORKER_MEMORY_MIB, default 1024: (budget − 350 MiB) ÷ 0.5 MiB)', (f) =>
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
      return r?.prepCpuPerProject ? `${ms(r.prepMs)} (${num(r.open)} open) · ${cpu(r.prepCpuPerProject, ['server', 'worker', 'maildev', 'bench'])}` : 'not run';
    });
  }
  out.push('', `run time: ${figures.map((f, i) => `${modes[i]} ${f.minutes.toFixed(1)} min`).join(', ')}`);
  return out.join('\n');
}
