/** Opens the system of record (PostgreSQL, or PGlite served over the wire protocol) and brings its schema up to date. */
import { Kysely, Migrator, PostgresDialect, sql, type MigrationResultSet, type Transaction } from 'kysely';
import { Pool, types, type PoolConfig } from 'pg';
import type { Database } from './schema';
import { migrations } from './migrations';

// bigint (count(*), bigserial) as a JavaScript number: the counts here stay far below 2^53.
types.setTypeParser(types.builtins.INT8, (v) => Number(v));

export type Records = Kysely<Database>;

/** A pool of connections to `url` (postgres://…), 10 unless `pool` says otherwise. */
export function openRecords(url: string, config: PoolConfig = {}): Records {
  const pool = new Pool({ connectionString: url, max: 10, ...config });
  // An idle connection the server closed (a restart) is dropped by the pool and the next query opens another;
  // unhandled, its 'error' event would end the process.
  pool.on('error', () => undefined);
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}

/**
 * Runs `read` in one repeatable-read transaction: its queries see one snapshot (a project's row and its steps
 * agree). It is also what makes PGlite safe to share: its socket server keeps a transaction's statements together,
 * but interleaves the protocol messages of statements outside transactions, from different connections, and
 * breaks them ("unnamed prepared statement does not exist"). So every statement here runs in a transaction.
 */
export function snapshot<T>(db: Records, read: (tx: Transaction<Database>) => Promise<T>): Promise<T> {
  return db.transaction().setIsolationLevel('repeatable read').execute(read);
}

/**
 * Runs every migration not yet applied; concurrent callers (worker and API starting together) wait on Kysely's lock.
 * Kysely's Migrator checks its own tables with statements outside a transaction, which PGlite's socket server can
 * interleave between two processes (see snapshot): so an up-to-date store is recognised in a transaction first, and a
 * run that failed that way is tried again.
 */
export async function migrateRecords(db: Records): Promise<string[]> {
  if (await upToDate(db)) return [];
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
  for (let attempt = 1; ; attempt += 1) {
    const { error, results }: MigrationResultSet = await migrator.migrateToLatest();
    if (!error) return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
    const message = error instanceof Error ? error.message : String(error);
    if (attempt === 3 || !/prepared statement/.test(message)) throw new Error(`the record store's migrations failed: ${message}`, { cause: error });
    await new Promise((r) => setTimeout(r, 100 * attempt));
  }
}

/** Whether every migration is applied (Kysely's table lists them). */
async function upToDate(db: Records): Promise<boolean> {
  return db.transaction().execute(async (tx) => {
    const { rows } = await sql<{ table: string | null }>`select to_regclass('kysely_migration')::text as table`.execute(tx);
    if (!rows[0]?.table) return false;
    const applied = await sql<{ name: string }>`select name from kysely_migration`.execute(tx);
    const names = new Set(applied.rows.map((r) => r.name));
    return Object.keys(migrations).every((m) => names.has(m));
  });
}
