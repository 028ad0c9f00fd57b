/**
 * Preloaded into the benchmark's memory worker (`node --expose-gc --require
 * scripts/bench/worker-probe.cjs --import tsx worker/main.ts`), so the worker
 * measured is the shipped `worker/main.ts`, unchanged. Plain CommonJS: worker
 * threads inherit `--require` but not tsx, and the workflow thread must answer
 * for its own V8 heap (`process.memoryUsage().heapUsed` covers the main
 * thread only).
 *
 * `GET http://127.0.0.1:$BENCH_PROBE_PORT/memory?gc=1` answers RSS before and
 * after a full GC in every thread, the heap used per thread, and the worker's
 * compiled `maxCachedWorkflows` (read from the Worker the SDK created).
 */
'use strict';
const { createServer } = require('node:http');
const path = require('node:path');
const { getHeapStatistics } = require('node:v8');
const { BroadcastChannel, isMainThread, threadId } = require('node:worker_threads');

const CHANNEL = 'bench-worker-probe';
const gc = globalThis.gc;
const heap = () => ({ threadId, heapUsed: getHeapStatistics().used_heap_size });

if (!isMainThread) {
  const channel = new BroadcastChannel(CHANNEL);
  channel.onmessage = ({ data }) => {
    if (data?.type !== 'measure') return;
    if (data.gc && gc) gc();
    channel.postMessage({ type: 'heap', round: data.round, ...heap() });
  };
  channel.unref(); // never what keeps the thread alive
} else if (process.env.BENCH_PROBE_PORT) {
  // The SDK compiles the options (maxCachedWorkflows defaults from the V8 heap limit): keep what it compiled.
  let maxCachedWorkflows;
  const sdk = require(require.resolve('@temporalio/worker', { paths: [process.cwd()] }));
  const create = sdk.Worker.create.bind(sdk.Worker);
  sdk.Worker.create = async (options) => {
    const worker = await create(options);
    maxCachedWorkflows = worker.options.maxCachedWorkflows;
    return worker;
  };

  const channel = new BroadcastChannel(CHANNEL);
  channel.unref();
  let round = 0;
  /** Asks every other thread for its heap (after a GC if asked), collecting answers for `windowMs`. */
  const threads = (withGc, windowMs) =>
    new Promise((resolve) => {
      const id = ++round;
      const reports = new Map();
      const listener = new BroadcastChannel(CHANNEL);
      listener.onmessage = ({ data }) => {
        if (data?.type === 'heap' && data.round === id) reports.set(data.threadId, { threadId: data.threadId, heapUsed: data.heapUsed });
      };
      channel.postMessage({ type: 'measure', gc: withGc, round: id });
      setTimeout(() => {
        listener.close();
        resolve([...reports.values()]);
      }, windowMs);
    });

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://probe');
    if (url.pathname !== '/memory') return void res.writeHead(404).end();
    void (async () => {
      const withGc = url.searchParams.get('gc') === '1';
      const rssBefore = process.memoryUsage.rss();
      const heapUsedThreads = await threads(withGc, 1500);
      if (withGc && gc) {
        gc();
        gc();
      }
      const usage = process.memoryUsage();
      const body = {
        pid: process.pid,
        gcAvailable: typeof gc === 'function',
        maxCachedWorkflows,
        rssBefore,
        rss: usage.rss,
        heapUsedMain: usage.heapUsed,
        heapUsedThreads,
      };
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    })();
  });
  server.listen(Number(process.env.BENCH_PROBE_PORT), '127.0.0.1');
  server.unref();
}
