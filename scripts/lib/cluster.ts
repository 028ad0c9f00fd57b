/**
 * A real Temporal cluster on one host, as `npm run cluster` and the cluster tests run it: PostgreSQL (the
 * machine's), Temporal's two databases made by the schema tool, and each Temporal service as its own process of the
 * server build (scripts/ensure-temporal-server.sh) from the configuration in deploy/temporal/: two frontends,
 * history, matching and the internal worker service. Then the namespace and the search attributes are registered
 * with the CLI (deploy/temporal/register-namespace.sh). Every service can be killed and started again on its own.
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { connect } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { Client as PgClient } from 'pg';
import { PostgresServer } from './postgres';
import { freePorts, launch, ROOT, stop, temporalCliPath, temporalReachable, waitUntil, type Managed } from './stack';

const run = promisify(execFile);

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const done = (open: boolean) => {
      socket.destroy();
      resolve(open);
    };
    socket.once('connect', () => done(true)).once('error', () => done(false));
    socket.setTimeout(2000, () => done(false));
  });
}

/** Creates `name` unless it exists. */
async function createDatabase(url: string, name: string): Promise<void> {
  const client = new PgClient({ connectionString: url });
  await client.connect();
  try {
    const { rowCount } = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (!rowCount) await client.query(`create database "${name}"`);
  } finally {
    await client.end();
  }
}

/** The cluster's processes besides PostgreSQL. */
export const CLUSTER_SERVICES = ['history', 'matching', 'frontend', 'frontend-2', 'worker'] as const;
export type ClusterService = (typeof CLUSTER_SERVICES)[number];
export const FRONTENDS = ['frontend', 'frontend-2'] as const;
export type Frontend = (typeof FRONTENDS)[number];

/** The Temporal service a process runs (`--service`): the second frontend is a frontend. */
export const serviceKind = (service: ClusterService) => (service === 'frontend-2' ? 'frontend' : service);

/** The configuration the services load: deploy/temporal/cluster.yaml. */
export const CLUSTER_CONFIG = { root: ROOT, dir: 'deploy/temporal', env: 'cluster' } as const;

/** The folder of the server build: temporal-server, temporal-sql-tool, schema/ (built once). */
export function temporalServerDir(): string {
  return execFileSync('bash', [path.join(ROOT, 'scripts/ensure-temporal-server.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
}

interface ServicePorts {
  grpc: number;
  membership: number;
  http?: number;
}

export interface ClusterOptions {
  /** Where PostgreSQL's data and the logs go (kept across restarts of the cluster on the same folder). */
  dir: string;
  /** Each service's ports and PostgreSQL's; default: free ports. */
  ports?: { postgres: number } & Record<ClusterService, ServicePorts>;
  namespace?: string;
  /** The services' LOG_LEVEL (default warn). */
  logLevel?: string;
}

/** Ports Temporal's documentation uses (frontend 7233), the second frontend beside them; `npm run cluster` listens on these. */
export const STANDARD_PORTS: Required<ClusterOptions>['ports'] = {
  postgres: 5432,
  frontend: { grpc: 7233, membership: 6933, http: 7243 },
  'frontend-2': { grpc: 7236, membership: 6936, http: 7246 },
  history: { grpc: 7234, membership: 6934 },
  matching: { grpc: 7235, membership: 6935 },
  worker: { grpc: 7239, membership: 6939 },
};

/** How many ports a cluster listens on: `clusterPorts` assigns them. */
export const CLUSTER_PORT_COUNT = 13;

/** The cluster's ports from `CLUSTER_PORT_COUNT` free ones (chosen with the caller's own, so none is taken twice). */
export function clusterPorts(p: number[]): Required<ClusterOptions>['ports'] {
  if (p.length !== CLUSTER_PORT_COUNT) throw new Error(`a cluster needs ${CLUSTER_PORT_COUNT} ports, not ${p.length}`);
  return {
    postgres: p[0],
    frontend: { grpc: p[1], membership: p[2], http: p[3] },
    'frontend-2': { grpc: p[4], membership: p[5], http: p[6] },
    history: { grpc: p[7], membership: p[8] },
    matching: { grpc: p[9], membership: p[10] },
    worker: { grpc: p[11], membership: p[12] },
  };
}

export class TemporalCluster {
  private readonly running = new Map<ClusterService, Managed>();
  /** How long each step of `start` took, in ms (reported by the tests and `npm run cluster`). */
  readonly timings: Record<string, number> = {};

  private constructor(
    readonly dir: string,
    readonly ports: Required<ClusterOptions>['ports'],
    readonly namespace: string,
    readonly postgres: PostgresServer,
    private readonly serverDir: string,
    private readonly logLevel: string,
  ) {}

  /** Builds the server if needed, starts PostgreSQL, sets up the schemas, starts every service and registers the namespace. */
  static async start(options: ClusterOptions): Promise<TemporalCluster> {
    const timings: Record<string, number> = {};
    const timed = async <T>(step: string, fn: () => Promise<T> | T): Promise<T> => {
      const t0 = Date.now();
      const value = await fn();
      timings[step] = Date.now() - t0;
      return value;
    };
    const serverDir = await timed('build', () => temporalServerDir());
    const ports = options.ports ?? clusterPorts(await freePorts(CLUSTER_PORT_COUNT));
    mkdirSync(path.join(options.dir, 'logs'), { recursive: true });
    const postgres = await timed('postgres', () =>
      PostgresServer.start({
        dir: path.join(options.dir, 'postgresql'),
        port: ports.postgres,
        superuser: 'temporal',
        logFile: path.join(options.dir, 'logs/postgresql.log'),
      }),
    );
    const cluster = new TemporalCluster(options.dir, ports, options.namespace ?? 'default', postgres, serverDir, options.logLevel ?? 'warn');
    try {
      await timed('schema', () => cluster.setupSchema());
      await createDatabase(postgres.url(), 'records');
      // History first: the first service up writes the cluster's metadata, and two writing it at once fail.
      await timed('services', async () => {
        await cluster.start('history');
        await Promise.all(CLUSTER_SERVICES.filter((s) => s !== 'history').map((s) => cluster.start(s)));
      });
      await timed('namespace', () => cluster.registerNamespace());
      Object.assign(cluster.timings, timings);
      return cluster;
    } catch (err) {
      await cluster.stopAll();
      throw err;
    }
  }

  /** A frontend's gRPC address: what TEMPORAL_ADDRESS names. */
  address(frontend: Frontend = 'frontend'): string {
    return `127.0.0.1:${this.ports[frontend].grpc}`;
  }

  /** The record store's database on the same PostgreSQL, as compose has it (created by `start`; the API and the worker migrate it). */
  databaseUrl(database = 'records'): string {
    return this.postgres.url(database);
  }

  logFile(part: ClusterService | 'postgresql'): string {
    return path.join(this.dir, 'logs', `${part}.log`);
  }

  /** What every Temporal process of this cluster reads (deploy/temporal/cluster.yaml's variables). */
  private env(service: ClusterService): NodeJS.ProcessEnv {
    const own = this.ports[service];
    const prefix = serviceKind(service).toUpperCase();
    return {
      POSTGRES_SEEDS: '127.0.0.1',
      DB_PORT: String(this.ports.postgres),
      POSTGRES_USER: 'temporal',
      POSTGRES_PWD: '',
      BIND_ON_IP: '127.0.0.1',
      TEMPORAL_BROADCAST_ADDRESS: '127.0.0.1',
      TEMPORAL_CLUSTER_ADDRESS: this.address(),
      LOG_LEVEL: this.logLevel,
      [`${prefix}_GRPC_PORT`]: String(own.grpc),
      [`${prefix}_MEMBERSHIP_PORT`]: String(own.membership),
      ...(own.http && { [`${prefix}_HTTP_PORT`]: String(own.http) }),
    };
  }

  async setupSchema(): Promise<void> {
    await run('sh', [path.join(ROOT, CLUSTER_CONFIG.dir, 'setup-schema.sh')], {
      env: {
        ...process.env,
        ...this.env('history'),
        SCHEMA_DIR: path.join(this.serverDir, 'schema'),
        SQL_TOOL: path.join(this.serverDir, 'temporal-sql-tool'),
      },
    });
  }

  async registerNamespace(): Promise<void> {
    await run('sh', [path.join(ROOT, CLUSTER_CONFIG.dir, 'register-namespace.sh')], {
      env: { ...process.env, TEMPORAL_ADDRESS: this.address(), NAMESPACE: this.namespace, TEMPORAL_CLI: temporalCliPath() },
    });
    // Each service reads the namespace's search attributes from its cache (refreshed every 2 s): wait until both frontends take them in a query.
    for (const frontend of FRONTENDS) {
      await waitUntil(`${frontend} knows the search attributes`, () => this.searchAttributesKnown(frontend), 60_000);
    }
  }

  private async searchAttributesKnown(frontend: Frontend): Promise<boolean> {
    const connection = await Connection.connect({ address: this.address(frontend), connectTimeout: 2000 });
    try {
      const client = new Client({ connection, namespace: this.namespace });
      await client.workflow.count(`ProjectId = 'probe' AND NextDueAt > '2000-01-01T00:00:00Z' AND AwaitedParties = 'probe'`);
      return true;
    } finally {
      await connection.close();
    }
  }

  /** Starts one service (again, after `stop`) on its ports; a frontend is waited for until it answers. */
  async start(service: ClusterService): Promise<void> {
    const kind = serviceKind(service);
    const args = ['--root', CLUSTER_CONFIG.root, '--config', CLUSTER_CONFIG.dir, '--env', CLUSTER_CONFIG.env, '--allow-no-auth', 'start', '--service', kind];
    const p = launch(`temporal-${service}`, path.join(this.serverDir, 'temporal-server'), args, { env: this.env(service), logFile: this.logFile(service) });
    this.running.set(service, p);
    // A frontend answers gRPC health checks once it serves; history and matching are ready once their gRPC port
    // listens, the internal worker (which serves no gRPC) once it has joined the membership ring.
    if (kind === 'frontend') await waitUntil(`Temporal ${service}`, () => temporalReachable(this.address(service as Frontend)), 120_000, p);
    else await waitUntil(`Temporal ${service}`, () => portOpen(kind === 'worker' ? this.ports[service].membership : this.ports[service].grpc), 120_000, p);
  }

  /** Stops one service: SIGKILL for a crash, SIGTERM for an orderly stop. */
  async stop(service: ClusterService, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const p = this.running.get(service);
    this.running.delete(service);
    if (p) await stop(p, signal, 20_000);
  }

  alive(service: ClusterService): boolean {
    const p = this.running.get(service);
    return !!p && p.child.exitCode === null && p.child.signalCode === null;
  }

  async stopAll(): Promise<void> {
    for (const service of [...CLUSTER_SERVICES].reverse()) await this.stop(service).catch(() => undefined);
    await this.postgres.stop().catch(() => undefined);
  }
}
