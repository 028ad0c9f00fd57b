/**
 * Replay: every committed history (test/replay/histories/, recorded from the
 * workflow and API tests with `npm run record-histories`) must replay against
 * the current workflow code. A change that would break workflows in flight
 * fails here, naming the history, before it is deployed; a patch registered in
 * workflows/patches.ts is how to make such a change, and the registry's rules
 * are checked here too (a remove-by date that has passed fails). The last tests
 * prove the checks are real: copies of the workflow code with a changed call
 * order fail on the recorded histories that reach the change, and replay again
 * once the change is guarded by a patch; an overdue entry is named.
 */
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode, DefaultLogger, makeTelemetryFilterString, Runtime, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import * as workflowTypes from '../../workflows';
import { PATCHES, type PatchEntry } from '../../workflows/patches';
import { workflowBundle } from '../helpers/temporal';
import { PATCH_HISTORIES_DIR, readHistories, type RecordedHistory } from './histories';
import { malformedPatches, overduePatches, patchCallsOutsideRegistry } from './patch-registry';

const ROOT = path.resolve(__dirname, '../..');
const recorded = readHistories();
let scratch: string;

beforeAll(() => {
  // A failed replay logs its nondeterminism at WARN; the tests assert on the results instead.
  Runtime.install({ logger: new DefaultLogger('ERROR'), telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: 'ERROR' }) } } });
  mkdirSync(path.join(ROOT, 'test-output'), { recursive: true });
  scratch = mkdtempSync(path.join(ROOT, 'test-output/replay-'));
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Replays the histories on the bundle: each history file and its error, if it failed. */
async function replay(bundle: WorkflowBundleWithSourceMap, histories: RecordedHistory[] = recorded): Promise<Map<string, Error | undefined>> {
  const results = new Map<string, Error | undefined>();
  const input = histories.map((h) => ({ workflowId: h.file, history: h.history }));
  for await (const result of Worker.runReplayHistories({ workflowBundle: bundle, replayName: 'replay-test' }, input))
    results.set(result.workflowId, result.error);
  return results;
}

/** `source` with the one occurrence of `from` replaced; fails loudly when the workflow code no longer has it (update this test with the code). */
function replaceOnce(source: string, from: string, to: string): string {
  expect(source.split(from).length - 1).toBe(1);
  return source.replace(from, () => to);
}

/** The workflow code bundled from a copy in which each of `edits`' workflows/<file> is changed by its function. */
async function bundleChanged(name: string, edits: Record<string, (source: string) => string>): Promise<WorkflowBundleWithSourceMap> {
  const copy = path.join(scratch, name);
  for (const dir of ['workflows', 'domain', 'activities', 'records']) cpSync(path.join(ROOT, dir), path.join(copy, dir), { recursive: true });
  for (const [file, edit] of Object.entries(edits)) {
    const changed = path.join(copy, 'workflows', file);
    writeFileSync(changed, edit(readFileSync(changed, 'utf8')));
  }
  return bundleWorkflowCode({ workflowsPath: path.join(copy, 'workflows/index.ts'), logger: new DefaultLogger('ERROR') });
}

const outcome = (error: Error | undefined) =>
  error === undefined ? 'replays' : error instanceof DeterminismViolationError ? 'DeterminismViolationError' : `${error.name}: ${error.message.split('\n')[0]}`;
const outcomes = (results: Map<string, Error | undefined>) => recorded.map((h) => [h.file, outcome(results.get(h.file))]);

test('the recorded histories include every workflow type the worker registers, and no other', () => {
  const types = new Set(recorded.map((h) => h.workflowType));
  expect(Object.keys(workflowTypes).filter((t) => !types.has(t))).toEqual([]); // a new workflow type: record its histories
  expect(recorded.filter((h) => !(h.workflowType in workflowTypes)).map((h) => h.file)).toEqual([]);
});

describe('the patch registry (workflows/patches.ts)', () => {
  const registry: Record<string, PatchEntry> = PATCHES;
  const today = new Date().toISOString().slice(0, 10);

  test('no entry is past its remove-by date, and each says why, since which release and until when', () => {
    expect(overduePatches(registry, today)).toEqual([]);
    expect(malformedPatches(registry)).toEqual([]);
  });

  test('an entry past its remove-by date is named, with the date and the reason', () => {
    const expired = { 'mail-before-report': { why: 'mail first', since: '0.3.0', removeBy: '2026-01-31' } };
    expect(overduePatches(expired, '2026-02-01')).toEqual(['mail-before-report: remove-by 2026-01-31 has passed (mail first)']);
    expect(overduePatches(expired, '2026-01-31')).toEqual([]);
  });

  test('workflow code patches only through the registry, and each live patch keeps the histories that pin its old branch', () => {
    const sources = readdirSync(path.join(ROOT, 'workflows')).map((f) => ({ file: f, text: readFileSync(path.join(ROOT, 'workflows', f), 'utf8') }));
    expect(patchCallsOutsideRegistry(sources)).toEqual([]);
    expect(patchCallsOutsideRegistry([{ file: 'licence.ts', text: "if (patched('x')) {}" }])).toEqual(['licence.ts']);
    const pinned = new Set(recorded.filter((h) => h.file.startsWith(`${PATCH_HISTORIES_DIR}/`)).map((h) => h.file.split('/')[1]));
    expect(Object.keys(registry).filter((id) => !registry[id].deprecated && !pinned.has(id))).toEqual([]);
    // A history kept for a patch that is gone goes with it.
    expect([...pinned].filter((id) => !(id in registry))).toEqual([]);
  });
});

// 3.5 MB since release 0.4.0: its rules added branches (reconsideration, no-licence findings, recipients'
// acknowledgements, military and intra-Union routing, milestones before closing), each pinned by a history.
test('the recorded histories stay small: under 3.5 MB in all', () => {
  expect(recorded.reduce((n, h) => n + h.bytes, 0)).toBeLessThan(3.5 * 1024 * 1024);
});

test('every recorded history replays against the current workflow code', async () => {
  const results = await replay(await workflowBundle());
  expect([...results.keys()].sort()).toEqual(recorded.map((h) => h.file));
  const failures = [...results]
    .filter(([, error]) => error)
    .map(([file, error]) => `test/replay/histories/${file}: ${error!.name}: ${error!.message.split('\n')[0]}`);
  expect(failures).toEqual([]);
}, 300_000);

/** A run that continued as new from an earlier one (it starts past scoping). */
const continuedRun = (h: RecordedHistory) => !!h.history.events[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId;

test('a timer added before projectWorkflow classifies fails every recorded first run of a project with a DeterminismViolationError, and no other', async () => {
  const bundle = await bundleChanged('project-timer', {
    'project.ts': (source) =>
      replaceOnce(
        `import { sleep } from '@temporalio/workflow';\n${source}`,
        '    const classifications = await reference.classifyProject(',
        "    await sleep('1 second');\n    const classifications = await reference.classifyProject(",
      ),
  });
  const expected = recorded.map((h) => [h.file, h.workflowType === 'projectWorkflow' && !continuedRun(h) ? 'DeterminismViolationError' : 'replays']);
  expect(expected.filter(([, o]) => o !== 'replays').length).toBeGreaterThan(0);
  expect(outcomes(await replay(bundle))).toEqual(expected);
}, 300_000);

/** Whether a monitor's history mailed a corrective action (the notice the branch below sends). */
function mailsCorrectiveAction(h: RecordedHistory): boolean {
  return h.history.events.some((e) => {
    const scheduled = e.activityTaskScheduledEventAttributes;
    const data = scheduled?.activityType?.name === 'sendNotice' ? scheduled.input?.payloads?.[0]?.data : undefined;
    return !!data && (JSON.parse(Buffer.from(data).toString('utf8')) as { intent: { kind: string } }).intent.kind === 'corrective-action';
  });
}

describe('when a corrective action opens, the compliance monitor reports it to the project, then mails the coordinator', () => {
  const reportThenMail = [
    '    await this.publish();',
    "    await this.notify(`${action.actionId}.opened`, { kind: 'corrective-action', licence: this.mailLicence(), action }, 'corrective action notice');",
  ].join('\n');
  const mailThenReport = [
    "    await this.notify(`${action.actionId}.opened`, { kind: 'corrective-action', licence: this.mailLicence(), action }, 'corrective action notice');",
    '    await this.publish();',
  ].join('\n');
  const reachIt = recorded.filter((h) => h.workflowType === 'complianceMonitorWorkflow' && mailsCorrectiveAction(h)).map((h) => h.file);

  test('the recorded histories reach that branch, and also pass it by', () => {
    expect(reachIt.length).toBeGreaterThan(0);
    expect(recorded.filter((h) => h.workflowType === 'complianceMonitorWorkflow' && !reachIt.includes(h.file)).length).toBeGreaterThan(0);
  });

  test('swapping the two calls fails exactly the recorded histories that reach the branch, with a DeterminismViolationError', async () => {
    const bundle = await bundleChanged('monitor-swapped', { 'compliance-monitor.ts': (source) => replaceOnce(source, reportThenMail, mailThenReport) });
    expect(outcomes(await replay(bundle))).toEqual(recorded.map((h) => [h.file, reachIt.includes(h.file) ? 'DeterminismViolationError' : 'replays']));
  }, 300_000);

  test('the same swap guarded by a registered patch replays every recorded history', async () => {
    const guarded = `    if (isPatched('mail-before-report')) {\n${mailThenReport}\n    } else {\n${reportThenMail}\n    }`;
    const register = (source: string) =>
      replaceOnce(
        source,
        'export const PATCHES = {',
        "export const PATCHES = { 'mail-before-report': { why: 'mail first', since: '0.3.0', removeBy: '2099-01-01' },",
      );
    const importIsPatched = (source: string) =>
      /import \{[^}]*\bisPatched\b[^}]*\} from '\.\/patches'/.test(source) ? source : `import { isPatched } from './patches';\n${source}`;
    const bundle = await bundleChanged('monitor-patched', {
      'compliance-monitor.ts': (source) => replaceOnce(importIsPatched(source), reportThenMail, guarded),
      'patches.ts': register,
    });
    expect(outcomes(await replay(bundle))).toEqual(recorded.map((h) => [h.file, 'replays']));
  }, 300_000);
});
