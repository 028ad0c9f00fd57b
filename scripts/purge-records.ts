/**
 * `npm run purge-records -- --actor <who> [--dry-run]`: deletes the records of projects whose record-keeping
 * period has passed (records/purge.ts), against DATABASE_URL, and records who did it in record_events.
 * Prints each project purged (or, with --dry-run, that would be) with the date it was kept until.
 */
import { parseArgs } from 'node:util';
import { purgeExpiredRecords } from '../records/purge';
import { runWithRecords } from './lib/record-store-command';

runWithRecords(async (db) => {
  const { values } = parseArgs({ options: { actor: { type: 'string' }, 'dry-run': { type: 'boolean', default: false } } });
  const actor = values.actor?.trim();
  if (!actor) throw new Error('name who purges: --actor <name> (it is recorded with the purge)');
  const result = await purgeExpiredRecords(db, { now: new Date(), actor, dryRun: values['dry-run'] });
  for (const p of result.purged) console.log(`${result.dryRun ? 'would purge' : 'purged'} ${p.projectId} (kept until ${p.keepUntil})`);
  console.log(`${result.purged.length} project(s) ${result.dryRun ? 'past their record-keeping period (dry run: nothing deleted)' : 'purged'}`);
});
