/**
 * A real PostgreSQL server for one test file, from the machine's binaries (Debian's postgresql package, or
 * POSTGRES_BIN): a fresh data directory in a temporary folder, trust authentication on loopback, a free port.
 * PostgreSQL refuses to run as root, so as root it runs as the `postgres` user.
 */
import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { databaseReady, freePorts, launch, stop, waitUntil, type Managed } from '../../scripts/lib/stack';

export interface PostgresServer {
  url: string;
  process: Managed;
  stop(): Promise<void>;
}

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

export async function startPostgres(): Promise<PostgresServer> {
  const bin = binDir();
  const user = runAs();
  const dir = mkdtempSync(path.join(tmpdir(), 'records-pg-'));
  if (user) chownSync(dir, user.uid, user.gid);
  const data = path.join(dir, 'data');
  execFileSync(path.join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8'], {
    stdio: ['ignore', 'ignore', 'pipe'],
    cwd: dir,
    ...user,
  });
  const [port] = await freePorts(1);
  const server = launch(
    'postgres',
    path.join(bin, 'postgres'),
    ['-D', data, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off', '-c', 'max_connections=200'],
    { user },
  );
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  await waitUntil('PostgreSQL', () => databaseReady(url), 60_000, server);
  return {
    url,
    process: server,
    async stop() {
      await stop(server, 'SIGINT', 10_000); // fast shutdown
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
