/** `npm run migrate-records`: brings the record store at DATABASE_URL up to date (the worker and the API also do at start-up). */
import { migrateRecords, openRecords } from '../records/database';

async function main() {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL: set it to the record store (postgres://…)');
  const db = openRecords(url, { max: 1 });
  try {
    const applied = await migrateRecords(db);
    console.log(applied.length ? `applied: ${applied.join(', ')}` : 'the record store is up to date');
  } finally {
    await db.destroy();
  }
}

main().catch((err) => {
  console.error((err as Error).message);
  process.exit(1);
});
