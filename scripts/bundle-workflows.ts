/**
 * Bundles the workflow code once, ahead of time, so a worker started with
 * WORKFLOW_BUNDLE=<file> loads it instead of bundling with webpack at every
 * start (the Dockerfile runs this in its build stage; the image sets the variable).
 *
 *   npm run bundle-workflows                       writes dist/workflow-bundle.js
 *   npm run bundle-workflows -- /tmp/bundle.js     writes that file
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { workflowsPath } from '../worker/create-worker';

const ROOT = path.resolve(__dirname, '..');
export const DEFAULT_BUNDLE_FILE = path.join(ROOT, 'dist/workflow-bundle.js');

/** Writes the bundle of every workflow the worker registers to `file`; returns its size in bytes. */
export async function writeWorkflowBundle(file: string): Promise<number> {
  // The SDK's default logger prints webpack's progress; errors still throw.
  const quiet = { log() {}, trace() {}, debug() {}, info() {}, warn: console.warn, error: console.error };
  const { code } = await bundleWorkflowCode({ workflowsPath, logger: quiet });
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, code);
  return Buffer.byteLength(code);
}

if (require.main === module) {
  const args = process.argv.slice(2);
  if (args.length > 1 || args[0]?.startsWith('-')) {
    console.error('usage: npm run bundle-workflows [-- <output file>]   (default dist/workflow-bundle.js)');
    process.exit(2);
  }
  const file = path.resolve(args[0] ?? DEFAULT_BUNDLE_FILE);
  const started = Date.now();
  writeWorkflowBundle(file).then(
    (bytes) =>
      console.log(
        `${file}: ${(bytes / 1024).toFixed(0)} KiB of workflow code from ${path.relative(ROOT, workflowsPath)}, ` +
          `bundled in ${((Date.now() - started) / 1000).toFixed(1)} s; start the worker with WORKFLOW_BUNDLE=${file}`,
      ),
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}
