/**
 * `npm run cluster`: a real Temporal cluster on PostgreSQL in one terminal (scripts/lib/cluster.ts): PostgreSQL
 * (data in data/cluster/postgresql), two frontends (7233, 7236), history, matching and the internal worker service,
 * each its own process of the server built once into the cache, from deploy/temporal/. It prints how to run the
 * worker and the API on it, and stops everything on Ctrl-C. Started again on the same folder, it resumes where it
 * stopped (the schema step only applies what is missing). The same code starts the cluster the cluster tests run.
 *   DATA_DIR                 folder for data and logs (default data; the cluster uses DATA_DIR/cluster)
 *   CLUSTER_POSTGRES_PORT    PostgreSQL's port (default 5432)
 */
import path from 'node:path';
import { STANDARD_PORTS, TemporalCluster } from './lib/cluster';
import { launched, ROOT, stop } from './lib/stack';

const dir = path.resolve(ROOT, process.env.DATA_DIR ?? 'data', 'cluster');
const pgPort = process.env.CLUSTER_POSTGRES_PORT ?? String(STANDARD_PORTS.postgres);
if (!/^\d{1,5}$/.test(pgPort) || Number(pgPort) > 65535) {
  console.error(`Invalid configuration:\n  CLUSTER_POSTGRES_PORT: "${pgPort}" must be a port number`);
  process.exit(1);
}

/** Stops whatever has started (the processes run in their own process groups, so Ctrl-C reaches only this one). */
async function stopAll(code: number) {
  console.log('\nStopping the cluster...');
  for (const p of [...launched].reverse()) await stop(p, p.name === 'postgres' ? 'SIGINT' : 'SIGTERM', 20_000);
  console.log('Stopped.');
  process.exit(code);
}

async function main() {
  process.on('SIGINT', () => void stopAll(0));
  process.on('SIGTERM', () => void stopAll(0));
  const t0 = Date.now();
  console.log(`Starting a Temporal cluster on PostgreSQL (data and logs in ${dir})`);
  const cluster = await TemporalCluster.start({ dir, ports: { ...STANDARD_PORTS, postgres: Number(pgPort) }, logLevel: 'info' });
  const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  const t = cluster.timings;
  console.log(`  ✔ server build     ${s(t.build)} (cached after the first time)`);
  console.log(`  ✔ PostgreSQL       127.0.0.1:${cluster.postgres.port} (${s(t.postgres)}); schemas ${s(t.schema)}`);
  console.log(`  ✔ services         history, matching, worker, frontends ${cluster.address()} and ${cluster.address('frontend-2')} (${s(t.services)})`);
  console.log(`  ✔ namespace        ${cluster.namespace} with the search attributes (${s(t.namespace)})`);
  console.log(`Ready in ${s(Date.now() - t0)}; logs in ${path.join(dir, 'logs')}. Press Ctrl-C to stop.`);
  console.log('\nRun the product on it, each in a terminal (MailDev or another SMTP server on SMTP_URL):');
  console.log(`  NODE_ENV=development TEMPORAL_ADDRESS=${cluster.address()} DATABASE_URL=${cluster.databaseUrl()} npm run worker`);
  console.log(`  NODE_ENV=development TEMPORAL_ADDRESS=${cluster.address('frontend-2')} DATABASE_URL=${cluster.databaseUrl()} npm run api`);
}

main().catch((err) => {
  console.error(`Cluster start-up failed: ${(err as Error).message}`);
  void stopAll(1);
});
