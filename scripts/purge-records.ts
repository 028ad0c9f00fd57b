/**
 * `npm run purge-records -- --actor <who> [--dry-run]`: deletes the records of projects and cycles whose
 * record-keeping period has passed (records/purge.ts), against DATABASE_URL, and records who did it in
 * record_events. Prints each project and cycle purged (or, with --dry-run, that would be) with the date it was
 * kept until.
 */
import { parseArgs } from 'node:util';
import { purgeExpiredRecords } from '../records/purge';
import { runWithRecords } from './lib/record-store-command';

runWithRecords(async (db) => {
  const { values } = parseArgs({ options: { actor: { type: 'string' }, 'dry-run': { type: 'boolean', default: false } } });
  const actor = values.actor?.trim();
  if (!actor) throw new Error('name who purges: --actor <name> (it is recorded with the purge)');
  const result = await purgeExpiredRecords(db, { now: new Date(), actor, dryRun: values['dry-run'] });
  const verb = result.dryRun ? 'would purge' : 'purged';
  for (const p of result.purged) console.log(`${verb} ${p.projectId} (kept until ${p.keepUntil})`);
  for (const c of result.cycles) console.log(`${verb} cycle ${c.cycleId} (kept until ${c.keepUntil})`);
  const counts = `${result.purged.length} project(s), ${result.cycles.length} cycle(s) and ${result.targetSets} cycle target set(s)`;
  console.log(`${counts} ${result.dryRun ? 'past their keeping period (dry run: nothing deleted)' : 'purged'}`);
});
