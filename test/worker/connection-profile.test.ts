/**
 * The real entry points (worker/main.ts, api/main.ts) reach Temporal by its
 * environment conventions alone: no TEMPORAL_ADDRESS, only a TOML file of
 * profiles and the profile's name, as an operator of a self-hosted cluster or
 * Temporal Cloud would write them. The dev server listens on a random port, so
 * the built-in default (localhost:7233) would not reach it.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { freePorts, startTsEntry, stop, waitUntil, workerPolling, type Managed } from '../../scripts/lib/stack';
import { startTestEnv } from '../helpers/temporal';

const dir = mkdtempSync(path.join(tmpdir(), 'envconfig-'));
let env: TestWorkflowEnvironment;
const running: Managed[] = [];

beforeAll(async () => {
  env = await startTestEnv();
}, 120_000);
afterAll(async () => {
  for (const p of running) await stop(p, 'SIGTERM', 10_000);
  await env?.teardown();
  rmSync(dir, { recursive: true, force: true });
});

/** Over the test's own environment (launch() starts from it): every Temporal setting it has, left out. */
function baseEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.keys(process.env)
      .filter((name) => name.startsWith('TEMPORAL_'))
      .map((name) => [name, undefined]),
  );
}

test('worker and API connect with only TEMPORAL_CONFIG_FILE and TEMPORAL_PROFILE; a profile for another address leaves the API unready', async () => {
  const address = (env.connection.options as { address: string }).address;
  const [apiPort, otherPort, wrongPort] = await freePorts(3);
  const file = path.join(dir, 'temporal.toml');
  writeFileSync(
    file,
    `[profile.review]\naddress = "${address}"\nnamespace = "default"\n\n[profile.elsewhere]\naddress = "127.0.0.1:${wrongPort}"\nnamespace = "default"\n`,
  );
  const settings = { ...baseEnv(), NODE_ENV: 'development', TASK_QUEUE: 'envconfig-profile', TEMPORAL_CONFIG_FILE: file, LOG_LEVEL: 'warn' };

  const worker = startTsEntry('worker', 'worker/main.ts', { ...settings, TEMPORAL_PROFILE: 'review' }, path.join(dir, 'worker.log'));
  const api = startTsEntry('api', 'api/main.ts', { ...settings, TEMPORAL_PROFILE: 'review', PORT: String(apiPort) }, path.join(dir, 'api.log'));
  const lost = startTsEntry('api', 'api/main.ts', { ...settings, TEMPORAL_PROFILE: 'elsewhere', PORT: String(otherPort) }, path.join(dir, 'lost.log'));
  running.push(worker, api, lost);

  await waitUntil('worker polling through the profile', () => workerPolling(address, 'default', 'envconfig-profile', worker.child.pid), 90_000, worker);
  const ready = async (port: number) => (await fetch(`http://127.0.0.1:${port}/readyz`, { signal: AbortSignal.timeout(5000) })).status;
  await waitUntil('API ready through the profile', async () => (await ready(apiPort)) === 200, 60_000, api);
  await waitUntil('the other API answering', async () => (await ready(otherPort)) > 0, 60_000, lost);
  expect(await ready(otherPort)).toBe(503);
}, 180_000);

test("a developer's own default profile (namespace, API key) does not pull the local stack's worker away from its dev server", async () => {
  const address = (env.connection.options as { address: string }).address;
  const home = path.join(dir, 'home');
  mkdirSync(path.join(home, '.config/temporalio'), { recursive: true });
  writeFileSync(
    path.join(home, '.config/temporalio/temporal.toml'),
    '[profile.default]\nnamespace = "someone-elses"\napi_key = "a-cloud-key-not-for-this-stack"\n',
  );
  const settings = {
    ...baseEnv(),
    HOME: home,
    XDG_CONFIG_HOME: undefined,
    NODE_ENV: 'development',
    TASK_QUEUE: 'envconfig-home',
    TEMPORAL_ADDRESS: address,
    LOG_LEVEL: 'warn',
  };
  const worker = startTsEntry('worker', 'worker/main.ts', settings, path.join(dir, 'home-worker.log'));
  running.push(worker);
  await waitUntil('worker polling in the default namespace', () => workerPolling(address, 'default', 'envconfig-home', worker.child.pid), 90_000, worker);
}, 120_000);
