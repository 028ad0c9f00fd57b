/**
 * Worker process: runs every workflow and activity until SIGINT/SIGTERM, then
 * stops polling, lets the activity attempts in flight finish, and exits.
 */
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { ConfigError, loadConfig } from '../config/env';
import { createLogger } from '../config/logger';
import { temporalConnectSettings } from '../config/temporal-connection';
import { createWorker } from './create-worker';
import { createMailTransport } from '../activities/mail/transport';
import { migrateRecords, openRecords } from '../records/database';
import { installWorkerRuntime } from './runtime';

/**
 * How long attempts in flight run on after SIGTERM before the SDK cancels them; below docker-compose's
 * stop_grace_period (40 s). Today's activities (an SMTP send, a lookup) do not stop on cancellation, so the
 * worker waits for them in any case (test/faults/graceful-shutdown.test.ts); this bounds any that would.
 */
const SHUTDOWN_GRACE = '30 seconds';

async function main() {
  const config = loadConfig();
  const log = createLogger(config.LOG_LEVEL, 'worker');
  installWorkerRuntime(log, config.WORKER_METRICS_ADDRESS);
  const records = openRecords(config.DATABASE_URL);
  const transport = createMailTransport(config.SMTP_URL);
  const applied = await migrateRecords(records);
  if (applied.length) log.info({ migrations: applied }, 'record store migrated');
  const temporal = temporalConnectSettings(config);
  const connection = await NativeConnection.connect(temporal.connection);
  const clientConnection = await Connection.connect(temporal.connection);
  try {
    const client = new Client({ connection: clientConnection, namespace: temporal.namespace });
    const worker = await createWorker({
      connection,
      client,
      records,
      transport,
      config: { ...config, TEMPORAL_NAMESPACE: temporal.namespace },
      overrides: { shutdownGraceTime: SHUTDOWN_GRACE },
    });
    log.info(
      { taskQueue: config.TASK_QUEUE, namespace: temporal.namespace, address: temporal.connection.address, metrics: config.WORKER_METRICS_ADDRESS ?? 'off' },
      'worker ready',
    );
    await worker.run(); // returns after SIGINT/SIGTERM once in-flight tasks finish
    log.info('worker stopped');
  } finally {
    await clientConnection.close();
    await connection.close();
    await records.destroy();
    transport.close();
  }
}

main().catch((err) => {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(1);
});
