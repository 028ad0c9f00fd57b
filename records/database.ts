/** Opens the system of record (PostgreSQL, or PGlite served over the wire protocol) and brings its schema up to date. */
import { Kysely, Migrator, PostgresDialect, type MigrationResultSet } from 'kysely';
import { Pool, types, type PoolConfig } from 'pg';
import type { Database } from './schema';
import { migrations } from './migrations';

// bigint (count(*), bigserial) as a JavaScript number: the counts here stay far below 2^53.
types.setTypeParser(types.builtins.INT8, (v) => Number(v));

export type Records = Kysely<Database>;

/** A pool of connections to `url` (postgres://…), 10 unless `pool` says otherwise. */
export function openRecords(url: string, pool: PoolConfig = {}): Records {
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool: new Pool({ connectionString: url, max: 10, ...pool }) }) });
}

/** Runs every migration not yet applied; concurrent callers (worker and API starting together) wait on Kysely's lock. */
export async function migrateRecords(db: Records): Promise<string[]> {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
  const { error, results }: MigrationResultSet = await migrator.migrateToLatest();
  if (error) throw new Error(`the record store's migrations failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
