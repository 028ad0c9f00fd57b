/** Opens the system of record (PostgreSQL, or PGlite served over the wire protocol) and brings its schema up to date. */
import { Kysely, Migrator, PostgresDialect, type MigrationResultSet, type Transaction } from 'kysely';
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

/** Runs every migration not yet applied; concurrent callers (worker and API starting together) wait on Kysely's lock. */
export async function migrateRecords(db: Records): Promise<string[]> {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
  const { error, results }: MigrationResultSet = await migrator.migrateToLatest();
  if (error) throw new Error(`the record store's migrations failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
