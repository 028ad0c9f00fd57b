/**
 * The cluster's configuration, read by the Temporal server build itself (no cluster started): the dynamic
 * configuration validates, and cluster.yaml renders, for each Temporal container of docker-compose.yml with that
 * container's environment, to the service, database and addresses compose means. The deployment-files test checks
 * the compose file's shape; this checks what the server makes of it.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { CLUSTER_CONFIG, CLUSTER_SERVICES, serviceKind, temporalServerDir } from '../../scripts/lib/cluster';

const ROOT = path.resolve(__dirname, '../..');
const server = path.join(temporalServerDir(), 'temporal-server');
const compose = parse(readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, { environment?: Record<string, string> }>;
};

/** A compose value as compose would give it: `${VAR:?…}` and `${VAR:-default}` filled from `values`. */
function interpolate(value: string, values: Record<string, string>): string {
  return value.replace(/\$\{([A-Z_]+)(?::[?-]([^}]*))?\}/g, (_m, name: string, fallback: string) => values[name] ?? fallback ?? '');
}

/** cluster.yaml as the server renders it with `env` (only), parsed. */
function rendered(env: Record<string, string>): Record<string, any> {
  const out = execFileSync(server, ['--root', ROOT, '--config', CLUSTER_CONFIG.dir, '--env', CLUSTER_CONFIG.env, 'render-config'], {
    env: { PATH: process.env.PATH, ...env },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return parse(out); // the YAML on stdout; the loader's own lines go to stderr
}

test('the dynamic configuration is valid: known keys, right types, no warnings', () => {
  const file = path.join(ROOT, CLUSTER_CONFIG.dir, 'dynamicconfig.yaml');
  const out = execFileSync(server, ['validate-dynamic-config', file], { encoding: 'utf8' });
  expect(out.trim()).toBe(file);
});

test.each(CLUSTER_SERVICES)("compose's temporal-%s renders to that service on compose's PostgreSQL, listening on every interface", (service) => {
  const env = Object.fromEntries(
    Object.entries(compose.services[`temporal-${service}`].environment ?? {}).map(([k, v]) => [k, interpolate(String(v), { POSTGRES_PASSWORD: 'a-password' })]),
  );
  const config = rendered({ ...env, TEMPORAL_BROADCAST_ADDRESS: '172.18.0.5' });
  const stores = config.persistence.datastores;
  expect(config.persistence.numHistoryShards).toBe(16);
  for (const store of [config.persistence.defaultStore, config.persistence.visibilityStore]) {
    expect(stores[store].sql).toMatchObject({ pluginName: 'postgres12', connectAddr: 'postgresql:5432', user: 'temporal' });
  }
  expect([stores[config.persistence.defaultStore].sql.databaseName, stores[config.persistence.visibilityStore].sql.databaseName]).toEqual([
    'temporal',
    'temporal_visibility',
  ]);
  expect(config.global.membership.broadcastAddress).toBe('172.18.0.5');
  // Every process writes this to the database at start: one value for all, or their writes conflict.
  expect(config.clusterMetadata.clusterInformation.active.rpcAddress).toBe('temporal-frontend:7233');
  expect(config.services[serviceKind(service)].rpc.bindOnIP).toBe('0.0.0.0');
  expect(config.dynamicConfigClient.filepath).toBe(env.TEMPORAL_DYNAMIC_CONFIG);
});
