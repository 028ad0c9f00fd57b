/**
 * The worker started from pre-bundled workflow code (WORKFLOW_BUNDLE), as the
 * image runs it: bundled by the same code as `npm run bundle-workflows`, then a
 * real project workflow run to completion on a real dev server.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { ConfigError } from '../../config/env';
import { writeWorkflowBundle } from '../../scripts/bundle-workflows';
import { createWorker, workflowsPath, type WorkerSetup } from '../../worker/create-worker';
import { workflowCode } from '../../worker/workflow-code';
import { smallProject } from '../helpers/fixtures';
import { testPolicy } from '../helpers/policy';
import { testRecords } from '../helpers/records';
import { startTestEnv } from '../helpers/temporal';
import { harness, mockActivities } from '../helpers/workflow-harness';

const ROOT = path.resolve(__dirname, '../..');
const dir = mkdtempSync(path.join(tmpdir(), 'workflow-bundle-'));
const bundleFile = path.join(dir, 'workflow-bundle.js');
const missingFile = path.join(dir, 'no-such-bundle.js');

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  [env] = await Promise.all([startTestEnv(), writeWorkflowBundle(bundleFile)]);
}, 120_000);
afterAll(async () => {
  await env?.teardown();
  rmSync(dir, { recursive: true, force: true });
});
const { start, confirm, decide } = harness(() => env, testPolicy());
/** The mail activities are mocked here: the worker's transport is never used. */
const unusedTransport = { sendMail: () => Promise.reject(new Error('the mail activities are mocked in this test')) };

function config(taskQueue: string, WORKFLOW_BUNDLE?: string): WorkerSetup['config'] {
  return {
    TEMPORAL_NAMESPACE: 'default',
    TASK_QUEUE: taskQueue,
    SMTP_URL: 'smtp://127.0.0.1:1', // never used: the mail activities are mocked
    MAIL_FROM: 'test@example',
    PUBLIC_URL: 'http://test',
    LINK_SECRET: 'test-secret-0123456789',
    CONTROL_LIST_FILE: path.join(ROOT, 'reference-data/control-list.json'),
    RESTRICTED_PARTIES_FILE: path.join(ROOT, 'reference-data/restricted-parties.json'),
    WORKFLOW_BUNDLE,
  };
}

test('a worker started from the bundle file runs a project workflow to completion, without bundling', async () => {
  const taskQueue = `prebundled-${randomUUID()}`;
  const worker = await createWorker({
    connection: env.nativeConnection,
    client: env.client,
    records: testRecords(),
    transport: unusedTransport,
    config: config(taskQueue, bundleFile),
    overrides: { activities: mockActivities() },
  });
  // The code comes from the file; no workflowsPath was given for the SDK to bundle.
  expect(worker.options.workflowBundle).toEqual({ codePath: bundleFile });
  expect(worker.options.workflowsPath).toBeUndefined();

  const outcome = await worker.runUntil(async () => {
    // The shortest path to an end: the funder denies the grant, so the project is rejected.
    const handle = await start(taskQueue, smallProject());
    await confirm(handle);
    await decide(handle, ['grant-funder'], () => ({ decision: 'deny', legalBasis: 'Horizon Europe Art. 18: civil activities only' }));
    await decide(handle, ['grant-agency']);
    return handle.result();
  });
  expect(outcome).toBe('rejected');
});

test('WORKFLOW_BUNDLE unset: the worker bundles the workflow sources itself', () => {
  expect(workflowCode(undefined, workflowsPath)).toEqual({ workflowsPath });
  expect(workflowCode(bundleFile, workflowsPath)).toEqual({ workflowBundle: { codePath: bundleFile } });
});

test('a WORKFLOW_BUNDLE that is not a file stops the worker with an error naming the setting and the path', async () => {
  for (const bundle of [missingFile, dir]) {
    const creating = createWorker({
      connection: env.nativeConnection,
      records: testRecords(),
      transport: unusedTransport,
      config: config(`prebundled-${randomUUID()}`, bundle),
      overrides: { activities: mockActivities() },
    });
    await expect(creating).rejects.toThrow(ConfigError);
    await expect(creating).rejects.toThrow(`WORKFLOW_BUNDLE ${bundle} is not a file`);
  }
});

test('the worker process exits at start with that error, said in one line', async () => {
  const { WORKER_METRICS_ADDRESS: _unused, ...inherited } = process.env;
  const run = promisify(execFile)(process.execPath, ['--import', 'tsx', path.join(ROOT, 'worker/main.ts')], {
    cwd: ROOT,
    env: { ...inherited, NODE_ENV: 'development', TEMPORAL_ADDRESS: env.address, TASK_QUEUE: `prebundled-${randomUUID()}`, WORKFLOW_BUNDLE: missingFile },
    timeout: 60_000,
  });
  const failure = await run.then(
    () => undefined,
    (err: { code: number; stderr: string }) => err,
  );
  expect(failure?.code).toBe(1);
  expect(failure?.stderr.trim()).toBe(
    `WORKFLOW_BUNDLE ${missingFile} is not a file: write one with \`npm run bundle-workflows\`, or unset WORKFLOW_BUNDLE to bundle the workflow code at start`,
  );
});
