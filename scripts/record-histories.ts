/**
 * Records the workflow histories the replay test replays (test/replay/histories/):
 * runs the workflow and API tests with RECORD_HISTORIES=1, each test file writing
 * the histories of the workflows it ran, then keeps across all of them the few
 * that cover every step and branch any of them shows, and prints what it kept.
 *
 *   npm run record-histories                                     every workflow and API test
 *   npm run record-histories -- test/workflows/disputes.test.ts  only these test files, then the selection
 *   npm run record-histories -- --select-only                    only the selection (e.g. after adding a history by hand)
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { PATCH_HISTORIES_DIR, coverageOf, HISTORIES_DIR, keepCovering } from '../test/replay/histories';

const ROOT = path.resolve(__dirname, '..');
const args = process.argv.slice(2);
const selectOnly = args.includes('--select-only');
const testPaths = args.filter((a) => a !== '--select-only');

let status = 0;
if (!selectOnly) {
  // A full recording starts afresh, so the histories of removed tests go too (those that pin a patch's old branch stay).
  if (!testPaths.length && existsSync(HISTORIES_DIR)) {
    for (const entry of readdirSync(HISTORIES_DIR))
      if (entry !== PATCH_HISTORIES_DIR) rmSync(path.join(HISTORIES_DIR, entry), { recursive: true, force: true });
  }
  const jest = spawnSync(
    process.execPath,
    [require.resolve('jest/bin/jest'), '--runInBand', ...(testPaths.length ? testPaths : ['test/workflows', 'test/api'])],
    {
      cwd: ROOT,
      stdio: 'inherit',
      env: { ...process.env, RECORD_HISTORIES: '1' },
    },
  );
  status = jest.status ?? 1;
}

const { kept, removed } = keepCovering();
const byType = new Map<string, { count: number; bytes: number; coverage: Set<string> }>();
for (const h of kept) {
  const t = byType.get(h.workflowType) ?? { count: 0, bytes: 0, coverage: new Set<string>() };
  t.count += 1;
  t.bytes += h.bytes;
  for (const u of coverageOf(h.history)) t.coverage.add(u);
  byType.set(h.workflowType, t);
}
const kb = (bytes: number) => `${Math.round(bytes / 1024)} KB`;
console.log(`\n${path.relative(ROOT, HISTORIES_DIR)}: ${kept.length} histories kept (${removed.length} repeating others removed)`);
for (const [type, t] of [...byType].sort())
  console.log(`  ${type.padEnd(28)} ${String(t.count).padStart(3)} histories ${kb(t.bytes).padStart(8)}   ${t.coverage.size} steps and transitions`);
console.log(`  ${'total'.padEnd(28)} ${String(kept.length).padStart(3)} histories ${kb(kept.reduce((s, h) => s + h.bytes, 0)).padStart(8)}`);
if (status) console.error('\nSome tests failed: the histories of their workflows may miss branches. Fix them and record again.');
process.exit(status);
