/**
 * `npm run bench [-- --mode file|memory|both] [--quick]`: the product against
 * raw Temporal on the same dev server, per persistence mode, as a table.
 * A script, not a test: the figures depend on the machine; the ratios are
 * what carries over. Sizes: --submissions 200 --concurrency 20 --decisions 200
 * --projects 1000 --open 1000,10000.
 */
import { execFileSync } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import { temporalCliPath } from './lib/stack';
import { cycle, decisions, memoryAt, submissions, type CycleFigures, type Rate } from './bench/scenarios';
import { BenchStack, type Mode } from './bench/stack';

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}
const quick = process.argv.includes('--quick');
const sizes = {
  submissions: Number(option('submissions', quick ? '20' : '200')),
  concurrency: Number(option('concurrency', quick ? '5' : '20')),
  decisions: Number(option('decisions', quick ? '10' : '200')),
  projects: Number(option('projects', quick ? '30' : '1000')),
  open: option('open', quick ? '100,200' : '1000,10000').split(',').map(Number),
};
const modeOption = option('mode', 'both');
if (!['file', 'memory', 'both'].includes(modeOption)) throw new Error('--mode is file, memory or both');
const modes: Mode[] = modeOption === 'both' ? ['file', 'memory'] : [modeOption as Mode];

interface ModeFigures {
  baselineRss: number;
  submissions: { product: Rate; raw: Rate };
  decisions: { product: Rate; raw: Rate };
  cycle: CycleFigures;
  memory: { running: number; rssBytes: number }[];
  minutes: number;
}

const ms = (v: number) => `${v < 10 ? v.toFixed(1) : v.toFixed(0)} ms`;
const s = (v: number) => `${(v / 1000).toFixed(1)} s`;
const mib = (b: number) => `${(b / 2 ** 20).toFixed(0)} MiB`;
const x = (a: number, b: number) => `${(a / b).toFixed(2)}×`;

async function runMode(mode: Mode): Promise<ModeFigures> {
  const t0 = Date.now();
  const stack = await BenchStack.start(mode);
  const stopOnSignal = () => void stack.stop().finally(() => process.exit(130));
  process.once('SIGINT', stopOnSignal);
  process.once('SIGTERM', stopOnSignal);
  try {
    const baselineRss = stack.workerRssBytes();
    console.error(`[${mode}] submissions...`);
    const subs = await submissions(stack, sizes.submissions, sizes.concurrency);
    console.error(`[${mode}] decisions...`);
    const decs = await decisions(stack, sizes.decisions);
    console.error(`[${mode}] cycle over ${sizes.projects} projects...`);
    const cyc = await cycle(stack, sizes.projects);
    const memory = [];
    for (const target of sizes.open) {
      console.error(`[${mode}] ${target} open workflows...`);
      memory.push(await memoryAt(stack, target));
    }
    return { baselineRss, submissions: subs, decisions: decs, cycle: cyc, memory, minutes: (Date.now() - t0) / 60_000 };
  } finally {
    process.off('SIGINT', stopOnSignal);
    process.off('SIGTERM', stopOnSignal);
    await stack.stop();
  }
}

function printHeader() {
  const cli = execFileSync(temporalCliPath(), ['--version'], { encoding: 'utf8' }).trim();
  console.log(`\n${new Date().toISOString().slice(0, 10)} · ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'} · ${(totalmem() / 2 ** 30).toFixed(0)} GiB · Node ${process.version} · ${cli}`);
  console.log(`sizes: ${JSON.stringify(sizes)}\n`);
  console.log('| measure | dev server | product | raw Temporal | product ÷ raw |');
  console.log('|---|---|---|---|---|');
}

/** One mode's rows, printed as soon as the mode is done. */
function print(mode: Mode, f: ModeFigures) {
  {
    const db = mode === 'file' ? 'SQLite file (WAL, synchronous=NORMAL)' : 'in memory';
    const sub = f.submissions;
    console.log(`| project submissions per second (${sizes.concurrency} in flight) | ${db} | ${sub.product.perSecond.toFixed(0)} (POST /v1/projects) | ${sub.raw.perSecond.toFixed(0)} (workflow.start) | ${x(sub.product.perSecond, sub.raw.perSecond)} |`);
    console.log(`| submission latency p50 / p99 | ${db} | ${ms(sub.product.p50Ms)} / ${ms(sub.product.p99Ms)} | ${ms(sub.raw.p50Ms)} / ${ms(sub.raw.p99Ms)} | ${x(sub.product.p50Ms, sub.raw.p50Ms)} / ${x(sub.product.p99Ms, sub.raw.p99Ms)} |`);
    const dec = f.decisions;
    console.log(`| decision latency p50 / p99 (one at a time) | ${db} | ${ms(dec.product.p50Ms)} / ${ms(dec.product.p99Ms)} (POST /r/:token) | ${ms(dec.raw.p50Ms)} / ${ms(dec.raw.p99Ms)} (executeUpdate) | ${x(dec.product.p50Ms, dec.raw.p50Ms)} / ${x(dec.product.p99Ms, dec.raw.p99Ms)} |`);
    const c = f.cycle;
    console.log(`| cycle over ${c.projects} projects: POST /v1/cycles → 202 | ${db} | ${ms(c.acceptedMs)} | | |`);
    console.log(`| cycle: 202 → every milestone step open, vs starting ${c.projects} workflows | ${db} | ${s(c.allOpenMs)} | ${s(c.rawStartMs)} | ${x(c.allOpenMs, c.rawStartMs)} |`);
    console.log(`| cycle workflow history / preparation (not measured) | ${db} | ${c.historyEvents} events / ${s(c.prepMs)} | | |`);
    console.log(`| worker RSS: idle / ${f.memory.map((m) => `${m.running} open`).join(' / ')} | ${db} | ${[f.baselineRss, ...f.memory.map((m) => m.rssBytes)].map(mib).join(' / ')} | | |`);
    console.log(`| run time of this mode | ${db} | ${f.minutes.toFixed(1)} min | | |`);
  }
}

async function main() {
  printHeader();
  for (const mode of modes) print(mode, await runMode(mode));
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
