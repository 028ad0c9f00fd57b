/**
 * Before any test file: the record store every test shares, an embedded PostgreSQL in memory on a free port,
 * migrated. Its URL reaches the test files (and the processes they start) as DATABASE_URL.
 * A DATABASE_URL already set (a PostgreSQL server) is used as it is, migrated.
 */
import { migrateRecords, openRecords } from '../records/database';
import { embeddedDatabaseUrl, embeddedPostgresReady, freePorts, startEmbeddedPostgres, stop, waitUntil, type Managed } from '../scripts/lib/stack';

/** Where the teardown finds the store (global setup and teardown share the jest process's globals). */
export const holder = globalThis as { embeddedRecordStore?: Managed };

export default async function globalSetup(): Promise<void> {
  if (!process.env.DATABASE_URL) {
    const [port] = await freePorts(1);
    const store = startEmbeddedPostgres({ dataDir: 'memory://', port });
    holder.embeddedRecordStore = store;
    process.env.DATABASE_URL = embeddedDatabaseUrl(port);
    await waitUntil('embedded record store', () => embeddedPostgresReady(store, process.env.DATABASE_URL!), 60_000, store).catch(async (err) => {
      await stop(store, 'SIGKILL');
      throw err;
    });
  }
  const db = openRecords(process.env.DATABASE_URL, { max: 1 });
  try {
    await migrateRecords(db);
  } finally {
    await db.destroy();
  }
}
