/** API process: listens on PORT; on SIGINT/SIGTERM stops accepting, finishes in-flight requests (up to 25 s), exits. */
import { Client, Connection, defaultGrpcRetryOptions, makeGrpcRetryInterceptor } from '@temporalio/client';
import { LinkSigner } from '../activities/link-tokens';
import { ConfigError, loadConfig } from '../config/env';
import { createLogger } from '../config/logger';
import { temporalConnectSettings } from '../config/temporal-connection';
import { buildApp } from './app';
import { migrateRecords, openRecords } from '../records/database';
import { documentStoreFor } from '../storage/from-config';

async function main() {
  const config = loadConfig();
  const logger = createLogger(config.LOG_LEVEL, 'api');
  const legacy = config.apiKeys.legacyKeyIds();
  if (legacy.length) logger.warn({ keyIds: legacy }, 'PRINCIPALS_FILE holds scrypt hashes: reissue these keys with npm run principal-key, then revoke them');
  // Lazy: the API starts and answers 503 while Temporal is down, and recovers by itself.
  // - gRPC's reconnect backoff grows to 2 minutes by default: after an outage of a minute or more the API
  //   stayed 503 for tens of seconds after Temporal was back. Capped at 3 s (a refused connect costs nothing).
  // - The client retries an unreachable server with sleeps of up to 5 s that do not stop at a call's deadline,
  //   so a request answered 503 up to 5 s after its deadline. Sleeps of at most 1 s keep it within a second.
  const retry = defaultGrpcRetryOptions();
  const temporal = temporalConnectSettings(config);
  const connection = Connection.lazy({
    ...temporal.connection,
    channelArgs: { 'grpc.initial_reconnect_backoff_ms': 500, 'grpc.max_reconnect_backoff_ms': 3000 },
    interceptors: [makeGrpcRetryInterceptor({ ...retry, delayFunction: (attempt, status) => Math.min(1000, retry.delayFunction(attempt, status)) })],
  });
  const client = new Client({ connection, namespace: temporal.namespace });
  const records = openRecords(config.DATABASE_URL);
  await migrateRecords(records);
  const documentStore = documentStoreFor(config);
  const app = buildApp({
    documentStore,
    records,
    client,
    connection,
    config: { ...config, TEMPORAL_NAMESPACE: temporal.namespace },
    signer: new LinkSigner(config.LINK_SECRET, config.LINK_SECRET_PREVIOUS),
    logger,
    rateLimits: config.rateLimits,
  });
  const ready = () =>
    logger.info({ port: config.PORT, host: config.HOST ?? 'every interface', publicUrl: config.PUBLIC_URL, documents: documentStore.description }, 'api ready');
  const server = config.HOST ? app.listen(config.PORT, config.HOST, ready) : app.listen(config.PORT, ready);

  const shutdown = (signal: string) => {
    logger.info({ signal }, 'api stopping');
    server.close(() => {
      void Promise.allSettled([connection.close(), records.destroy()]).finally(() => process.exit(0));
    });
    server.closeIdleConnections();
    // A decision waits up to 10 s for Temporal to accept it and 10 s more for its result; then it is forced.
    setTimeout(() => process.exit(1), 25_000).unref();
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

main().catch((err) => {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(1);
});
