/**
 * `npm run bench`: the product against raw Temporal on the same dev server,
 * per persistence mode: first each of the targets on a line (the
 * figure, the target, met or not), then tables. A script, not a test: the
 * figures depend on the machine; the ratios are what carries over. The raw
 * arms are the product's own workflow driven with the client, and bare
 * workflows (scripts/bench/bare-workflows.ts) on a worker of their own.
 *
 *   --mode file|memory|both   dev server on a SQLite file (as `npm start`) or in memory (as the tests); default both
 *   --submissions 200 --concurrency 20   project submissions, and how many in flight
 *   --decisions 200           decisions, one at a time
 *   --projects 1000           projects in the funder cycle (10000 for the large-cycle target)
 *   --open 1000,10000         open project workflows for the worker's memory: every size in the last mode run,
 *                             the smallest in the others (the worker's memory does not depend on the server's
 *                             persistence; the smallest size shows it); --open-everywhere measures every size in each
 *   --quick                   small sizes, for a smoke run
 *   --json FILE               also write the figures and the targets as JSON
 */
import { writeFileSync } from 'node:fs';
import { machine, report, targetResults, type ModeFigures, type Sizes } from './bench/report';
import { cycle, decisions, memory, smtp, submissions } from './bench/scenarios';
import { BenchStack, type Mode } from './bench/stack';

const VALUED = ['mode', 'submissions', 'concurrency', 'decisions', 'projects', 'open', 'json'];
const FLAGS = ['quick', 'open-everywhere'];
const args = process.argv.slice(2);
for (let i = 0; i < args.length; i++) {
  const name = args[i].replace(/^--/, '');
  if (!args[i].startsWith('--') || ![...VALUED, ...FLAGS].includes(name))
    throw new Error(`unknown argument ${args[i]}; the options are in the comment at the top of scripts/bench.ts`);
  if (VALUED.includes(name)) i++; // its value
}

function option(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return undefined;
  const value = process.argv[i + 1];
  if (!value || value.startsWith('--')) throw new Error(`--${name} needs a value`);
  return value;
}
function count(name: string, fallback: number): number {
  const value = Number(option(name) ?? fallback);
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a whole number ≥ 1`);
  return value;
}

const quick = process.argv.includes('--quick');
const sizes: Sizes = {
  submissions: count('submissions', quick ? 20 : 200),
  concurrency: count('concurrency', quick ? 5 : 20),
  decisions: count('decisions', quick ? 10 : 200),
  projects: count('projects', quick ? 30 : 1000),
  open: (option('open') ?? (quick ? '50,100' : '1000,10000')).split(',').map(Number),
};
if (sizes.open.some((n) => !Number.isInteger(n) || n < 1)) throw new Error('--open is a list of whole numbers, e.g. 1000,10000');
const modeOption = option('mode') ?? 'both';
if (!['file', 'memory', 'both'].includes(modeOption)) throw new Error('--mode is file, memory or both');
const modes: Mode[] = modeOption === 'both' ? ['file', 'memory'] : [modeOption as Mode];
const jsonFile = option('json');
const openEverywhere = process.argv.includes('--open-everywhere');
const openSizes = (mode: Mode) => (openEverywhere || mode === modes.at(-1) ? sizes.open : [Math.min(...sizes.open)]);

const started = Date.now();
const progress = (mode: Mode, what: string) => console.error(`[${((Date.now() - started) / 60_000).toFixed(1)} min] [${mode}] ${what}`);

let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (interrupted) return;
    interrupted = true;
    console.error(`\nbench: ${signal}, stopping what it started...`);
    void Promise.all([...BenchStack.live].map((stack) => stack.stop(false))).finally(() => process.exit(130));
  });
}

async function runMode(mode: Mode): Promise<ModeFigures> {
  const t0 = Date.now();
  progress(mode, 'starting the dev server, MailDev, the worker and the API...');
  const stack = await BenchStack.start(mode);
  let ok = false;
  try {
    progress(mode, `${sizes.submissions} submissions, ${sizes.concurrency} in flight...`);
    const subs = await submissions(stack, sizes.submissions, sizes.concurrency);
    progress(mode, `${sizes.decisions} decisions, one at a time...`);
    const decs = await decisions(stack, sizes.decisions);
    progress(mode, `a cycle over ${sizes.projects} projects...`);
    const cyc = await cycle(stack, sizes.projects);
    const mail = await smtp(stack);
    progress(mode, `worker memory with ${openSizes(mode).join(', ')} open workflows...`);
    const mem = await memory(stack, openSizes(mode));
    ok = true;
    return { submissions: subs, decisions: decs, cycle: cyc, memory: mem, smtp: mail, minutes: (Date.now() - t0) / 60_000 };
  } finally {
    progress(mode, 'stopping...');
    await stack.stop(ok);
  }
}

function print(results: Map<Mode, ModeFigures>) {
  const sizeLine = `sizes: ${sizes.submissions} submissions (${sizes.concurrency} in flight), ${sizes.decisions} decisions (one at a time), a cycle over ${sizes.projects} projects, ${sizes.open.join(' and ')} open workflows${quick ? ' (--quick)' : ''}`;
  console.log(`\n${machine()}\n${sizeLine}; total ${((Date.now() - started) / 60_000).toFixed(1)} min\n`);
  console.log(report(results, sizes));
  if (jsonFile) {
    const json = { machine: machine(), sizes, quick, targets: targetResults(results), results: Object.fromEntries(results) };
    writeFileSync(jsonFile, JSON.stringify(json, null, 2));
  }
}

async function main() {
  const results = new Map<Mode, ModeFigures>();
  for (const mode of modes) {
    try {
      results.set(mode, await runMode(mode));
    } catch (err) {
      // What the modes before it measured is still worth having.
      if (results.size && !interrupted) print(results);
      throw err;
    }
  }
  print(results);
}

main().then(
  () => process.exit(0),
  (err) => {
    if (interrupted) return;
    console.error(err);
    process.exit(1);
  },
);
