/** Worker process: runs every workflow and activity until SIGINT/SIGTERM, then drains and exits. */
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { ConfigError, loadConfig } from '../config/env';
import { createLogger } from '../config/logger';
import { createWorker } from './create-worker';

async function main() {
  const config = loadConfig();
  const log = createLogger(config.LOG_LEVEL, 'worker');
  const connection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
  const clientConnection = await Connection.connect({ address: config.TEMPORAL_ADDRESS });
  try {
    const client = new Client({ connection: clientConnection, namespace: config.TEMPORAL_NAMESPACE });
    const worker = await createWorker({ connection, client, config });
    log.info({ taskQueue: config.TASK_QUEUE, namespace: config.TEMPORAL_NAMESPACE, address: config.TEMPORAL_ADDRESS }, 'worker ready');
    await worker.run(); // returns after SIGINT/SIGTERM once in-flight tasks finish
    log.info('worker stopped');
  } finally {
    await clientConnection.close();
    await connection.close();
  }
}

main().catch((err) => {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(1);
});
