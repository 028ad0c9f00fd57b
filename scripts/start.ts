/**
 * `npm start`: the whole system on embedded defaults in one terminal —
 * Temporal dev server (SQLite under data/), the record store (PGlite under
 * data/records, unless DATABASE_URL names a server), MailDev, worker, API. Waits until
 * each is ready, prints where it is, and stops all of them on Ctrl-C.
 * Starting again resumes every project in flight (same SQLite file).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { ConfigError, loadConfig } from '../config/env';
import {
  databaseReady,
  devServerArgs,
  embeddedDatabaseUrl,
  embeddedPostgresReady,
  httpOk,
  startDevServer,
  startEmbeddedPostgres,
  startMailDev,
  startTsEntry,
  stop,
  temporalReachable,
  waitUntil,
  workerPolling,
  ROOT,
  type Managed,
} from './lib/stack';

const envFile = path.join(ROOT, '.env');
if (existsSync(envFile)) process.loadEnvFile(envFile);

function num(name: string, fallback: number): number {
  const value = process.env[name] ?? String(fallback);
  if (!/^\d{1,5}$/.test(value) || Number(value) > 65535) {
    console.error(`Invalid configuration:\n  ${name}: "${value}" must be a port number`);
    process.exit(1);
  }
  return Number(value);
}
const ports = {
  temporal: num('TEMPORAL_PORT', 7233),
  temporalUi: num('TEMPORAL_UI_PORT', 8233),
  smtp: num('SMTP_PORT', 1025),
  mailWeb: num('MAILDEV_WEB_PORT', 1080),
  api: num('PORT', 3000),
  records: num('RECORDS_PORT', 5433),
};
const dataDir = path.resolve(ROOT, process.env.DATA_DIR ?? 'data');
let devArgs: string[];
try {
  devArgs = devServerArgs(process.env.TEMPORAL_DEV_ARGS);
} catch (err) {
  console.error(`Invalid configuration:\n  ${(err as Error).message}`);
  process.exit(1);
}
const env: NodeJS.ProcessEnv = {
  TEMPORAL_ADDRESS: `127.0.0.1:${ports.temporal}`,
  SMTP_URL: `smtp://127.0.0.1:${ports.smtp}`,
  DATABASE_URL: embeddedDatabaseUrl(ports.records),
  PUBLIC_URL: `http://localhost:${ports.api}`,
  TEMPORAL_UI_URL: `http://localhost:${ports.temporalUi}`,
  ...process.env,
  PORT: String(ports.api),
};

const logs = path.join(dataDir, 'logs');
const started: Managed[] = [];
let stopping = false;

async function stopAll(code: number) {
  if (stopping) return;
  stopping = true;
  console.log('\nStopping: API, worker, records, MailDev, Temporal...');
  for (const p of [...started].reverse()) await stop(p);
  console.log('Stopped.');
  process.exit(code);
}

async function main() {
  const config = loadConfig(env); // a bad setting stops here, before anything starts
  process.on('SIGINT', () => void stopAll(0));
  process.on('SIGTERM', () => void stopAll(0));
  const supervise = (p: Managed) => {
    started.push(p);
    void p.exited.then((code) => {
      if (!stopping) {
        console.error(`${p.name} exited unexpectedly (code ${code}); see ${path.join(logs, `${p.name}.log`)}`);
        void stopAll(1);
      }
    });
    return p;
  };
  const ready = (what: string, where: string) => console.log(`  ✔ ${what.padEnd(16)} ${where}`);
  const t0 = Date.now();
  console.log(`Starting the licence-review stack (data in ${dataDir}, logs in ${logs})`);

  const temporal = supervise(
    startDevServer({
      dbFile: path.join(dataDir, 'temporal.db'),
      port: ports.temporal,
      uiPort: ports.temporalUi,
      namespace: config.TEMPORAL_NAMESPACE,
      logFile: path.join(logs, 'temporal.log'),
      extraArgs: devArgs,
    }),
  );
  const mail = supervise(
    startMailDev({ smtpPort: ports.smtp, webPort: ports.mailWeb, mailDir: path.join(dataDir, 'mail'), logFile: path.join(logs, 'maildev.log') }),
  );
  await waitUntil('Temporal dev server', () => temporalReachable(config.TEMPORAL_ADDRESS), 120_000, temporal);
  ready('Temporal', `${config.TEMPORAL_ADDRESS}  (UI http://localhost:${ports.temporalUi})`);
  const embedded = !process.env.DATABASE_URL;
  const records = embedded
    ? supervise(startEmbeddedPostgres({ dataDir: path.join(dataDir, 'records'), port: ports.records, logFile: path.join(logs, 'postgres.log') }))
    : undefined;
  await waitUntil('record store', () => (records ? embeddedPostgresReady(records, config.DATABASE_URL) : databaseReady(config.DATABASE_URL)), 60_000, records);
  ready('records', embedded ? `${config.DATABASE_URL}  (PGlite, data in ${path.join(dataDir, 'records')})` : 'DATABASE_URL');
  await waitUntil('MailDev', () => httpOk(`http://127.0.0.1:${ports.mailWeb}/api/healthz`), 60_000, mail);
  ready('MailDev', `smtp://localhost:${ports.smtp}  (inbox http://localhost:${ports.mailWeb}, REST /api/email)`);

  const worker = supervise(startTsEntry('worker', 'worker/main.ts', env, path.join(logs, 'worker.log')));
  await waitUntil('worker', () => workerPolling(config.TEMPORAL_ADDRESS, config.TEMPORAL_NAMESPACE, config.TASK_QUEUE, worker.child.pid), 120_000, worker);
  ready('worker', `task queue "${config.TASK_QUEUE}"`);
  const api = supervise(startTsEntry('api', 'api/main.ts', env, path.join(logs, 'api.log')));
  await waitUntil('API', () => httpOk(`http://127.0.0.1:${ports.api}/readyz`), 60_000, api);
  ready('API', `${config.PUBLIC_URL}  (/dashboard, /v1/..., /healthz, /readyz)`);

  console.log(`Ready in ${((Date.now() - t0) / 1000).toFixed(1)} s. Press Ctrl-C to stop.`);
}

main().catch((err) => {
  console.error(err instanceof ConfigError ? err.message : `Start-up failed: ${(err as Error).message}`);
  void stopAll(1);
});
