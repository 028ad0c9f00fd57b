/** What the record store's commands share: DATABASE_URL, one connection, the schema up to date, errors as one line. */
import { migrateRecords, openRecords, type Records } from '../../records/database';

export function runWithRecords(command: (db: Records, applied: string[]) => Promise<void>): void {
  const main = async () => {
    const url = process.env.DATABASE_URL;
    if (!url) throw new Error('DATABASE_URL: set it to the record store (npm start prints it; embedded: postgres://postgres@127.0.0.1:5433/postgres)');
    const db = openRecords(url, { max: 1 });
    try {
      await command(db, await migrateRecords(db));
    } finally {
      await db.destroy();
    }
  };
  main().catch((err) => {
    console.error((err as Error).message);
    process.exit(1);
  });
}
