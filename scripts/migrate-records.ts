/** `npm run migrate-records`: brings the record store at DATABASE_URL up to date (the worker and the API also do at start-up). */
import { runWithRecords } from './lib/record-store-command';

runWithRecords(async (_db, applied) => {
  console.log(applied.length ? `applied: ${applied.join(', ')}` : 'the record store is up to date');
});
