/**
 * `npm run purge-records -- --actor <who> [--dry-run]`: deletes the records of projects whose record-keeping
 * period has passed (records/purge.ts), against DATABASE_URL, and records who did it in record_events.
 * Prints each project purged (or, with --dry-run, that would be) with the date it was kept until.
 */
import { parseArgs } from 'node:util';
import { migrateRecords, openRecords } from '../records/database';
import { purgeExpiredRecords } from '../records/purge';

async function main() {
  const { values } = parseArgs({ options: { actor: { type: 'string' }, 'dry-run': { type: 'boolean', default: false } } });
  if (!values.actor?.trim()) throw new Error('name who purges: --actor <name> (it is recorded with the purge)');
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL: set it to the record store (npm start prints it; embedded: postgres://postgres@127.0.0.1:5433/postgres)');
  const db = openRecords(url, { max: 1 });
  try {
    await migrateRecords(db);
    const result = await purgeExpiredRecords(db, { now: new Date(), actor: values.actor.trim(), dryRun: values['dry-run'] });
    for (const p of result.purged) console.log(`${result.dryRun ? 'would purge' : 'purged'} ${p.projectId} (kept until ${p.keepUntil})`);
    console.log(`${result.purged.length} project(s) ${result.dryRun ? 'past their record-keeping period (dry run: nothing deleted)' : 'purged'}`);
  } finally {
    await db.destroy();
  }
}

main().catch((err) => {
  console.error((err as Error).message);
  process.exit(1);
});
