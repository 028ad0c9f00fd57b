/**
 * The raw arms' worker: runs scripts/bench/bare-workflows.ts, and nothing else, in a process of its own, started as
 * the product's worker is (`node --import tsx`, the same env), so both arms pay for a worker process. It takes the
 * product worker's settings where they change what a workflow task costs (worker/main.ts, worker/create-worker.ts):
 * the same runtime (logs through pino as JSON, Core's lines forwarded), the same workflow cache size from
 * WORKER_MEMORY_MIB, the workflow code bundled at start, the SDK's defaults for everything else, the same shutdown
 * grace. It has no activities (its workflows call none).
 *
 * `GET http://127.0.0.1:$BENCH_BARE_PORT/ran` answers how many bare workflows have run their first task.
 */
import { createServer } from 'node:http';
import { NativeConnection, Worker, type InjectedSinks } from '@temporalio/worker';
import { loadConfig } from '../../config/env';
import { createLogger } from '../../config/logger';
import { temporalConnectSettings } from '../../config/temporal-connection';
import { workflowCacheSize } from '../../worker/create-worker';
import { installWorkerRuntime } from '../../worker/runtime';
import type { BareSinks } from './bare-workflows';

async function main() {
  const config = loadConfig();
  const log = createLogger(config.LOG_LEVEL, 'bench-bare-worker');
  installWorkerRuntime(log, config.WORKER_METRICS_ADDRESS);
  const temporal = temporalConnectSettings(config);
  const connection = await NativeConnection.connect(temporal.connection);

  let ran = 0;
  const sinks: InjectedSinks<BareSinks> = {
    bench: {
      ran: {
        fn: () => {
          ran += 1;
        },
      },
    },
  };
  const port = Number(process.env.BENCH_BARE_PORT);
  if (port) {
    const server = createServer((req, res) => {
      if (req.url !== '/ran') return void res.writeHead(404).end();
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ran }));
    });
    server.listen(port, '127.0.0.1');
    server.unref();
  }

  try {
    const worker = await Worker.create({
      connection,
      namespace: temporal.namespace,
      taskQueue: config.TASK_QUEUE,
      maxCachedWorkflows: workflowCacheSize(config.WORKER_MEMORY_MIB),
      workflowsPath: require.resolve('./bare-workflows'),
      sinks,
      shutdownGraceTime: '30 seconds',
    });
    log.info({ taskQueue: config.TASK_QUEUE, namespace: temporal.namespace }, 'bare worker ready');
    await worker.run();
    log.info('bare worker stopped');
  } finally {
    await connection.close();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
