/**
 * How the API and the worker reach Temporal, by Temporal's own environment
 * configuration conventions (@temporalio/envconfig): TEMPORAL_ADDRESS,
 * TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TEMPORAL_TLS and TEMPORAL_TLS_* (client
 * certificate and key, server CA, server name), or a profile of a TOML file
 * (TEMPORAL_CONFIG_FILE, TEMPORAL_PROFILE). The same build then runs against
 * the dev server, a self-hosted cluster with mTLS, or Temporal Cloud.
 */
import { loadClientConnectConfig } from '@temporalio/envconfig';
import type { NativeConnectionOptions } from '@temporalio/worker';
import type { Config } from './env';

export interface TemporalConnectSettings {
  /** For NativeConnection.connect (worker) and Connection.connect / Connection.lazy (client). */
  connection: NativeConnectionOptions;
  namespace: string;
}

export function temporalConnectSettings(
  config: Pick<Config, 'TEMPORAL_ADDRESS' | 'TEMPORAL_NAMESPACE'>,
  env: NodeJS.ProcessEnv = process.env,
): TemporalConnectSettings {
  const vars = Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => typeof e[1] === 'string'));
  const loaded = loadClientConnectConfig({ profile: env.TEMPORAL_PROFILE, overrideEnvVars: vars });
  // Our validated defaults fill what neither the environment nor a profile sets.
  return {
    connection: { ...loaded.connectionOptions, address: loaded.connectionOptions.address ?? config.TEMPORAL_ADDRESS },
    namespace: loaded.namespace ?? config.TEMPORAL_NAMESPACE,
  };
}
