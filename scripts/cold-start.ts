/**
 * `npm run cold-start`: how long a worker process takes from its spawn until it
 * polls the task queue, started from the pre-bundled workflow code
 * (WORKFLOW_BUNDLE set, as the image runs it) and without (the worker bundles
 * the workflow code with webpack at start). Like `npm run bench`, a script and
 * not a test: the figures depend on the machine; the ratio is what carries over.
 *
 * The worker is the compiled one, as in the image: `tsc -p tsconfig.build.json`
 * into a scratch folder under test-output/ (inside the package, so node_modules
 * and the package root resolve), its `worker/main.js` run with plain `node`, and
 * the bundle written next to it by `npm run bundle-workflows`'s code. Each run
 * has a task queue of its own on one in-memory dev server; "polling" is the
 * server listing the process (its pid) among the queue's workflow pollers.
 * After one unmeasured start each way, the runs alternate which way goes first.
 *
 *   npm run cold-start                 5 runs each way
 *   npm run cold-start -- --runs 10
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Connection } from '@temporalio/client';
import { machine } from './bench/report';
import { writeWorkflowBundle } from './bundle-workflows';
import { ROOT, freePorts, launch, startDevServer, stop, temporalReachable, waitUntil, type Managed } from './lib/stack';

const args = process.argv.slice(2);
if (args.length && !(args.length === 2 && args[0] === '--runs')) throw new Error('usage: npm run cold-start [-- --runs N]');
const runs = Number(args[1] ?? 5);
if (!Number.isInteger(runs) || runs < 1) throw new Error('--runs must be a whole number ≥ 1');

type Way = 'bundle' | 'sources';
const LABEL: Record<Way, string> = { bundle: 'WORKFLOW_BUNDLE set (pre-bundled)', sources: 'WORKFLOW_BUNDLE unset (bundles at start)' };
const POLL_EVERY_MS = 20;

const running: Managed[] = [];
let scratch: string | undefined;
async function cleanUp() {
  for (const p of running.reverse()) await stop(p);
  if (scratch) rmSync(scratch, { recursive: true, force: true });
}
process.once('SIGINT', () => void cleanUp().finally(() => process.exit(130)));

/** Milliseconds from spawning the compiled worker until the server lists it as a poller of its task queue. */
async function coldStart(way: Way, entry: string, bundle: string, address: string, connection: Connection): Promise<number> {
  const taskQueue = `cold-start-${way}-${Date.now()}`;
  const env = {
    NODE_ENV: 'development',
    LOG_LEVEL: 'warn',
    TEMPORAL_ADDRESS: address,
    TASK_QUEUE: taskQueue,
    // Over launch()'s process.env; undefined leaves a variable out of the child's environment.
    WORKFLOW_BUNDLE: way === 'bundle' ? bundle : undefined,
    WORKER_METRICS_ADDRESS: undefined,
  };
  const started = performance.now();
  const worker = launch(`worker (${way})`, process.execPath, [entry], { env });
  running.push(worker);
  try {
    for (;;) {
      if (worker.child.exitCode !== null) throw new Error(`the worker exited with code ${worker.child.exitCode}:\n${worker.recentOutput()}`);
      const res = await connection.workflowService.describeTaskQueue({ namespace: 'default', taskQueue: { name: taskQueue }, taskQueueType: 1 });
      if ((res.pollers ?? []).some((p) => p.identity?.startsWith(`${worker.child.pid}@`))) return performance.now() - started;
      if (performance.now() - started > 120_000) throw new Error(`the worker did not poll within 120 s:\n${worker.recentOutput()}`);
      await new Promise((r) => setTimeout(r, POLL_EVERY_MS));
    }
  } finally {
    await stop(worker);
    running.splice(running.indexOf(worker), 1);
  }
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

async function main() {
  mkdirSync(path.join(ROOT, 'test-output'), { recursive: true });
  scratch = mkdtempSync(path.join(ROOT, 'test-output', 'cold-start-'));
  console.error(`compiling with tsconfig.build.json into ${path.relative(ROOT, scratch)}/ …`);
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', path.join(ROOT, 'tsconfig.build.json'), '--outDir', scratch], {
    cwd: ROOT,
    stdio: 'inherit',
  });
  const entry = path.join(scratch, 'worker/main.js');
  const bundle = path.join(scratch, 'workflow-bundle.js');
  const bundleStarted = performance.now();
  const bytes = await writeWorkflowBundle(bundle);
  console.error(`bundle: ${(bytes / 1024).toFixed(0)} KiB, written in ${seconds(performance.now() - bundleStarted)}`);

  const [port, uiPort] = await freePorts(2);
  const address = `127.0.0.1:${port}`;
  const server = startDevServer({ port, uiPort });
  running.push(server);
  await waitUntil('Temporal dev server', () => temporalReachable(address), 60_000, server);
  const connection = await Connection.connect({ address });
  try {
    const times: Record<Way, number[]> = { bundle: [], sources: [] };
    console.error('one unmeasured start each way …');
    for (const way of ['bundle', 'sources'] as const) await coldStart(way, entry, bundle, address, connection);
    for (let i = 0; i < runs; i++) {
      const order: Way[] = i % 2 ? ['sources', 'bundle'] : ['bundle', 'sources'];
      for (const way of order) {
        const ms = await coldStart(way, entry, bundle, address, connection);
        times[way].push(ms);
        console.error(`run ${i + 1}/${runs} ${way.padEnd(7)} ${seconds(ms)}`);
      }
    }

    const rows = (['bundle', 'sources'] as const).map((way) => [
      LABEL[way],
      String(times[way].length),
      seconds(median(times[way])),
      seconds(Math.min(...times[way])),
      seconds(Math.max(...times[way])),
    ]);
    const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
    console.log(`\n${machine()}`);
    console.log(`compiled worker (node ${path.relative(ROOT, entry)}), spawn → polling its task queue; bundle ${(bytes / 1024).toFixed(0)} KiB\n`);
    console.log(line(['worker cold start', 'runs', 'median', 'min', 'max']));
    console.log(line(['---', '---:', '---:', '---:', '---:']));
    for (const r of rows) console.log(line(r));
    console.log(
      `\nmedian without the bundle ÷ with it: ${(median(times.sources) / median(times.bundle)).toFixed(2)}× ` +
        `(${seconds(median(times.sources) - median(times.bundle))} saved per start)`,
    );
  } finally {
    await connection.close();
  }
}

main()
  .catch((err) => {
    console.error(err);
    process.exitCode = 1;
  })
  .finally(cleanUp);
