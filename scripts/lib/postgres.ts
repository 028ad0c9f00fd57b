/**
 * A real PostgreSQL server from the machine's binaries (Debian's postgresql package, or POSTGRES_BIN): a data
 * directory made with initdb (trust authentication on loopback), on a port of our choosing. It can be stopped and
 * started again on the same data and port, as the cluster's fault tests do. PostgreSQL refuses to run as root, so
 * as root it runs as the `postgres` user. Used by the record store's tests, the Temporal cluster and `npm run cluster`.
 */
import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { databaseReady, freePorts, launch, stop, waitUntil, type Managed } from './stack';

function binDir(): string {
  if (process.env.POSTGRES_BIN) return process.env.POSTGRES_BIN;
  const base = '/usr/lib/postgresql';
  const versions = existsSync(base) ? readdirSync(base).filter((v) => existsSync(path.join(base, v, 'bin/postgres'))) : [];
  const latest = versions.sort((a, b) => Number(b) - Number(a))[0];
  if (!latest) throw new Error('no PostgreSQL server under /usr/lib/postgresql/*/bin: run `bash scripts/setup.sh --for-tests`, or set POSTGRES_BIN');
  return path.join(base, latest, 'bin');
}

/** As root: the postgres user's ids (PostgreSQL will not run as root). */
function runAs(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  return { uid: id('-u'), gid: id('-g') };
}

export interface PostgresOptions {
  /** The folder that holds the data directory and the socket (created; kept by `stop`). Default: a new temporary one. */
  dir?: string;
  /** Default: a free port. */
  port?: number;
  /** The superuser initdb creates (default postgres). */
  superuser?: string;
  /** Where the server's output goes. */
  logFile?: string;
  /** More `-c name=value` settings. */
  settings?: string[];
}

export class PostgresServer {
  private running?: Managed;

  private constructor(
    readonly dir: string,
    readonly port: number,
    readonly superuser: string,
    private readonly options: PostgresOptions,
  ) {}

  /** Initialises the data directory unless it exists, then starts the server and waits until it answers. */
  static async start(options: PostgresOptions = {}): Promise<PostgresServer> {
    const user = runAs();
    const dir = options.dir ?? mkdtempSync(path.join(tmpdir(), 'pg-'));
    mkdirSync(dir, { recursive: true });
    if (user) chownSync(dir, user.uid, user.gid);
    const superuser = options.superuser ?? 'postgres';
    if (!existsSync(path.join(dir, 'data', 'PG_VERSION'))) {
      execFileSync(path.join(binDir(), 'initdb'), ['-D', path.join(dir, 'data'), '-U', superuser, '--auth=trust', '--no-sync', '-E', 'UTF8'], {
        stdio: ['ignore', 'ignore', 'pipe'],
        cwd: dir,
        ...user,
      });
    }
    const server = new PostgresServer(dir, options.port ?? (await freePorts(1))[0], superuser, options);
    await server.start();
    return server;
  }

  /** The URL of `database` as the superuser. */
  url(database = 'postgres'): string {
    return `postgres://${this.superuser}@127.0.0.1:${this.port}/${database}`;
  }

  get process(): Managed | undefined {
    return this.running;
  }

  /** Starts the server on its data and port (after `stop`), and waits until it answers. */
  async start(): Promise<void> {
    const args = ['-D', path.join(this.dir, 'data'), '-p', String(this.port), '-k', this.dir];
    for (const setting of ['listen_addresses=127.0.0.1', 'fsync=off', 'max_connections=300', ...(this.options.settings ?? [])]) args.push('-c', setting);
    this.running = launch('postgres', path.join(binDir(), 'postgres'), args, { user: runAs(), logFile: this.options.logFile });
    await waitUntil('PostgreSQL', () => databaseReady(this.url()), 60_000, this.running);
  }

  /** Stops the server: SIGINT is PostgreSQL's fast shutdown (open sessions are ended), SIGKILL a crash. */
  async stop(signal: NodeJS.Signals = 'SIGINT'): Promise<void> {
    const p = this.running;
    this.running = undefined;
    if (p) await stop(p, signal, 10_000);
  }

  /** Stops the server and deletes its folder. */
  async remove(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A throwaway server for one test file (the record store's tests): `url` of its postgres database, `stop` removes it. */
export interface ThrowawayPostgres {
  url: string;
  stop(): Promise<void>;
}

export async function startPostgres(): Promise<ThrowawayPostgres> {
  const server = await PostgresServer.start();
  return { url: server.url(), stop: () => server.remove() };
}
