/**
 * Replay: every committed history (test/replay/histories, recorded from the
 * workflow and API tests with `npm run record-histories`) must replay against
 * the current workflow code. A change that would break a running workflow
 * fails here, before it is deployed; `patched()` is the way to make such a
 * change (README, "Changing workflow code").
 */
import { copyFileSync, cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode, DefaultLogger, makeTelemetryFilterString, Runtime, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import * as workflowTypes from '../../workflows';
import { historyFromObject, readRecordedHistories } from '../helpers/record-histories';
import { workflowBundle } from '../helpers/temporal';

const ROOT = path.resolve(__dirname, '../..');
const recorded = readRecordedHistories();

beforeAll(() => {
  // Replays log every nondeterminism at WARN; the test asserts on them instead.
  Runtime.install({ logger: new DefaultLogger('ERROR'), telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: 'ERROR' }) } } });
});

async function replayAll(bundle: WorkflowBundleWithSourceMap): Promise<Map<string, Error | undefined>> {
  const byId = new Map(recorded.map(({ file, recorded: r }) => [`${r.workflowId}#${file}`, file]));
  const histories = recorded.map(({ file, recorded: r }) => ({ workflowId: `${r.workflowId}#${file}`, history: historyFromObject(r.history) }));
  const results = new Map<string, Error | undefined>();
  for await (const result of Worker.runReplayHistories({ workflowBundle: bundle, replayName: 'replay-test' }, histories)) {
    results.set(byId.get(result.workflowId)!, result.error);
  }
  return results;
}

test('there is a recorded history of every workflow type the worker registers', () => {
  const types = new Set(recorded.map((r) => r.recorded.workflowType));
  expect([...types].sort()).toEqual(Object.keys(workflowTypes).sort());
});

test('every recorded history replays against the current workflow code', async () => {
  const results = await replayAll(await workflowBundle());
  expect(results.size).toBe(recorded.length);
  const failures = [...results].filter(([, error]) => error).map(([file, error]) => `${file}: ${error!.message.split('\n')[0]}`);
  expect(failures).toEqual([]);
}, 300_000);

test('a non-deterministic change to a workflow fails the replay of its histories, and only theirs', async () => {
  // A copy of the workflow code in which projectWorkflow sleeps before doing anything else:
  // a timer where every recorded project history has something else.
  const copy = path.join(ROOT, 'test-output/replay-nondeterministic');
  rmSync(copy, { recursive: true, force: true });
  for (const dir of ['workflows', 'domain', 'activities']) cpSync(path.join(ROOT, dir), path.join(copy, dir), { recursive: true });
  copyFileSync(path.join(ROOT, 'tsconfig.json'), path.join(copy, 'tsconfig.json'));
  const project = path.join(copy, 'workflows/project.ts');
  const source = readFileSync(project, 'utf8');
  const changed = source
    .replace('export async function projectWorkflow(input: ProjectInput): Promise<Stage> {', "export async function projectWorkflow(input: ProjectInput): Promise<Stage> {\n  await sleep('1 ms');")
    .replace(/^/, "import { sleep } from '@temporalio/workflow';\n");
  expect(changed).toContain("await sleep('1 ms')");
  writeFileSync(project, changed);
  const bundle = await bundleWorkflowCode({ workflowsPath: path.join(copy, 'workflows/index.ts'), logger: new DefaultLogger('ERROR') });

  const results = await replayAll(bundle);
  const projectFiles = recorded.filter((r) => r.recorded.workflowType === 'projectWorkflow').map((r) => r.file);
  expect(projectFiles.length).toBeGreaterThan(0);
  for (const [file, error] of results) {
    if (projectFiles.includes(file)) expect({ file, error: error?.constructor.name }).toEqual({ file, error: DeterminismViolationError.name });
    else expect({ file, error }).toEqual({ file, error: undefined });
  }
}, 300_000);
