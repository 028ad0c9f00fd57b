/** A real Temporal dev server per test file (the pinned CLI, no download, no time skipping). */
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, makeTelemetryFilterString, Runtime, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { searchAttributes } from '../../workflows/definitions';
import { temporalCliPath } from '../../scripts/lib/stack';
import { workflowsPath } from '../../worker/create-worker';
import { noteStart, recordHistories } from '../replay/histories';

/** `extraArgs` go to `temporal server start-dev`, e.g. `--dynamic-config-value KEY=VALUE`. */
/** The server's limits lowered from 10,000 signals, 51,200 events and 2 MB, for the tests that prove histories bounded. */
export const LOWERED_LIMITS = { signals: 50, events: 2000, payloadBytes: 64 * 1024 } as const;

/** Dev-server flags that apply LOWERED_LIMITS. */
export const loweredLimitArgs = (): string[] => [
  ...['--dynamic-config-value', `history.maximumSignalsPerExecution=${LOWERED_LIMITS.signals}`],
  ...['--dynamic-config-value', `limit.historyCount.error=${LOWERED_LIMITS.events}`],
  ...['--dynamic-config-value', `limit.blobSize.error=${LOWERED_LIMITS.payloadBytes}`],
];

export async function startTestEnv(extraArgs: string[] = []): Promise<TestWorkflowEnvironment> {
  quietWorkerLogs();
  const env = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: temporalCliPath() },
      searchAttributes: Object.values(searchAttributes),
      extraArgs: ['--log-level', 'error', ...extraArgs],
    },
  });
  if (process.env.RECORD_HISTORIES) {
    // Which test started each workflow (directly or through the API, which uses this client) names its recorded history.
    const workflows = env.client.workflow;
    const start = workflows.start.bind(workflows);
    workflows.start = ((type: string, options: { workflowId: string }) => {
      noteStart(options.workflowId, expect.getState().currentTestName);
      return start(type, options as never);
    }) as typeof workflows.start;
    // The test file's histories (test/replay/histories/<test file>/) are written before its dev server goes away.
    const testFile = expect.getState().testPath ?? 'unknown.test.ts';
    const teardown = env.teardown.bind(env);
    env.teardown = async () => {
      await recordHistories(env.client, testFile);
      await teardown();
    };
  }
  return env;
}

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;
/** Workflow code bundled once per test file. */
export function workflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  bundle ??= bundleWorkflowCode({ workflowsPath, logger: { info() {}, warn() {}, error: console.error, debug() {}, trace() {}, log() {} } as never });
  return bundle;
}

/**
 * The SDK logs of the test file's in-process workers from WARN up: at INFO every audit entry
 * and worker state change would print (the tests assert on them instead). Once per test file,
 * before its first worker; a file that installed its own runtime keeps it.
 */
function quietWorkerLogs(): void {
  try {
    Runtime.install({ logger: new DefaultLogger('WARN'), telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: 'WARN' }) } } });
  } catch {
    // already installed or instantiated for this file
  }
}
