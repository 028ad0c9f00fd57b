/**
 * Where the worker takes its workflow code from: the pre-bundled file named by
 * WORKFLOW_BUNDLE (written by `npm run bundle-workflows`; the image ships one),
 * or, unset, the workflow sources, which the worker then bundles at start.
 */
import { statSync } from 'node:fs';
import path from 'node:path';
import type { WorkerOptions } from '@temporalio/worker';
import { ConfigError } from '../config/env';

export type WorkflowCode = Required<Pick<WorkerOptions, 'workflowBundle'>> | Required<Pick<WorkerOptions, 'workflowsPath'>>;

/** `{ workflowBundle: { codePath } }` when a bundle is named (it must be a file), else `{ workflowsPath }`. */
export function workflowCode(bundle: string | undefined, workflowsPath: string): WorkflowCode {
  if (bundle === undefined) return { workflowsPath };
  const codePath = path.resolve(bundle);
  // Checked here so a wrong path stops start-up naming the setting, not deep inside the SDK.
  const isFile = (() => {
    try {
      return statSync(codePath).isFile();
    } catch {
      return false;
    }
  })();
  if (!isFile) {
    throw new ConfigError(
      `WORKFLOW_BUNDLE ${codePath} is not a file: write one with \`npm run bundle-workflows\`, or unset WORKFLOW_BUNDLE to bundle the workflow code at start`,
    );
  }
  return { workflowBundle: { codePath } };
}
