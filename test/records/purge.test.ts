/**
 * Purging expired records (records/purge.ts and `npm run purge-records`), on both databases: only projects past
 * their record-keeping period go, with every row that belongs to them; the purge is recorded with who did it;
 * a dry run deletes nothing; the command refuses to run without naming who purges.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { snapshot } from '../../records/database';
import { readAuditTrail, recordedProject } from '../../records/project-reads';
import { writeProjectRecord } from '../../records/project-writes';
import { purgeExpiredRecords } from '../../records/purge';
import { uniqueId } from '../helpers/fixtures';
import { firstWrite, STORES, useRecordStore } from '../helpers/record-stores';

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '../..');

describe.each(STORES)('%s', (_name, start) => {
  const s = useRecordStore(start);

  /** A project closed at `closedAt`, kept until `keepUntil` (or still open). */
  async function project(keepUntil?: string): Promise<string> {
    const id = uniqueId('purge');
    await writeProjectRecord(s.db, firstWrite(id));
    if (keepUntil)
      await writeProjectRecord(s.db, {
        ...firstWrite(id),
        version: 2,
        steps: [],
        audit: [],
        auditFrom: 2,
        closed: { at: '2020-01-01T00:00:00.000Z', keepUntil },
      });
    return id;
  }
  const rows = (id: string) =>
    snapshot(s.db, async (tx) =>
      Promise.all(
        (['projects', 'steps', 'decisions', 'audit_entries', 'licences', 'parties'] as const).map(
          async (t) =>
            (
              await tx
                .selectFrom(t)
                .select((eb) => eb.fn.countAll<number>().as('n'))
                .where('project_id', '=', id)
                .executeTakeFirstOrThrow()
            ).n,
        ),
      ),
    );

  test('only projects past their keeping period go, with all their rows; the purge names who did it', async () => {
    const expired = await project('2025-01-01T00:00:00.000Z');
    const kept = await project('2031-01-01T00:00:00.000Z');
    const open = await project();
    const now = new Date('2026-12-01T00:00:00.000Z');

    const dry = await purgeExpiredRecords(s.db, { now, actor: 'records officer', dryRun: true });
    expect(dry.purged.map((p) => p.projectId)).toContain(expired);
    expect(await rows(expired)).toEqual([1, 2, 0, 2, 1, 2]);

    const done = await purgeExpiredRecords(s.db, { now, actor: 'records officer' });
    expect(done.purged).toContainEqual({ projectId: expired, keepUntil: '2025-01-01T00:00:00.000Z' });
    expect(done.purged.map((p) => p.projectId)).not.toEqual(expect.arrayContaining([kept]));
    expect(await rows(expired)).toEqual([0, 0, 0, 0, 0, 0]);
    expect(await recordedProject(s.db, kept)).toEqual({ keepUntil: '2031-01-01T00:00:00.000Z' });
    expect(await recordedProject(s.db, open)).toEqual({});
    expect((await readAuditTrail(s.db, kept)).length).toBe(2);
    const event = await snapshot(s.db, (tx) => tx.selectFrom('record_events').selectAll().orderBy('id', 'desc').executeTakeFirstOrThrow());
    expect(event).toMatchObject({ actor: 'records officer', action: 'records-purged', detail: expect.stringContaining(`${expired} (kept until 2025-01-01`) });
  });

  test('npm run purge-records: a dry run lists what would go; without --actor it refuses, naming the flag', async () => {
    const expired = await project('2025-06-01T00:00:00.000Z');
    const script = path.join(ROOT, 'scripts/purge-records.ts');
    const env = { ...process.env, DATABASE_URL: s.url };
    const { stdout } = await run(process.execPath, ['--import', 'tsx', script, '--actor', 'ops', '--dry-run'], { env, cwd: ROOT });
    expect(stdout).toContain(`would purge ${expired} (kept until 2025-06-01T00:00:00.000Z)`);
    expect(await rows(expired)).toEqual([1, 2, 0, 2, 1, 2]);
    await expect(run(process.execPath, ['--import', 'tsx', script], { env, cwd: ROOT })).rejects.toMatchObject({ stderr: expect.stringContaining('--actor') });
    const purged = await run(process.execPath, ['--import', 'tsx', script, '--actor', 'ops'], { env, cwd: ROOT });
    expect(purged.stdout).toContain(`purged ${expired}`);
    expect(await rows(expired)).toEqual([0, 0, 0, 0, 0, 0]);
  }, 60_000);
});
