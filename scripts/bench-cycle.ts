/**
 * `npm run bench:cycle [-- --projects 1000]`: a funder review cycle over N
 * active projects, launched through the API, on a dev server of its own
 * (SQLite file with WAL), a real worker and real SMTP into MailDev. Prints the
 * time to the API's 202 and the time until every project's milestone review
 * step is open. A script, not a test: the figures depend on the machine.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { LinkSigner } from '../activities/link-tokens';
import { buildApp } from '../api/app';
import { parseApiKeys, loadPolicy } from '../config/env';
import { createLogger } from '../config/logger';
import type { ProjectSubmission } from '../domain/project';
import { createWorker } from '../worker/create-worker';
import { cycleWorkflowId, cycleViewQuery } from '../workflows/cycle-contract';
import { confirmScopingUpdate, decideUpdate, projectViewQuery, projectWorkflowId, searchAttributes } from '../workflows/definitions';
import { freePorts, httpOk, ROOT, startDevServer, startMailDev, stop, temporalReachable, waitUntil } from './lib/stack';

const N = Number(process.argv[process.argv.indexOf('--projects') + 1] || 1000);
const CONCURRENCY = 50;
const KEY = 'bench-funder-key';

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** Runs `fn` over `items`, `limit` at a time. */
async function pool<T>(items: T[], limit: number, fn: (item: T) => Promise<void>) {
  let next = 0;
  await Promise.all(Array.from({ length: limit }, async () => {
    while (next < items.length) await fn(items[next++]);
  }));
}

async function poll<T>(read: () => Promise<T>, done: (v: T) => boolean, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, 250));
  }
}

function project(projectId: string): ProjectSubmission & { projectId: string } {
  return {
    projectId,
    title: `Bench project ${projectId}`,
    funderId: 'horizon-eu',
    coordinator: { name: 'Bench Coordinator', email: 'coordinator@bench.example', partnerId: 'kit' },
    partners: [
      { id: 'kit', name: 'Karlsruhe Institute of Technology', country: 'DE' },
      { id: 'ornl', name: 'Oak Ridge National Laboratory', country: 'US' },
    ],
    components: [{ id: 'c0', name: 'Open analysis software', description: '', controlCodes: [], endUse: 'fundamental-research', destinations: ['US'], recipients: ['ornl'] }],
    milestones: [{ id: 'm1', title: 'Prototype', dueAt: new Date(Date.now() + 3600_000).toISOString(), componentIds: ['c0'] }],
  };
}

async function main() {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'bench-cycle-'));
  const [temporalPort, uiPort, smtpPort, webPort, apiPort] = await freePorts(5);
  const address = `127.0.0.1:${temporalPort}`;
  const temporal = startDevServer({ dbFile: path.join(dataDir, 'temporal.db'), port: temporalPort, uiPort, logFile: path.join(dataDir, 'temporal.log') });
  const mail = startMailDev({ smtpPort, webPort });
  const policy = loadPolicy(path.join(ROOT, 'policy/default.json'));
  const taskQueue = 'bench-cycle';
  const cleanups: (() => Promise<unknown>)[] = [() => stop(temporal), () => stop(mail)];
  try {
    await waitUntil('Temporal', () => temporalReachable(address), 120_000, temporal);
    await waitUntil('MailDev', () => httpOk(`http://127.0.0.1:${webPort}/api/healthz`), 60_000, mail);
    const connection = await Connection.connect({ address });
    const client = new Client({ connection });
    const native = await NativeConnection.connect({ address });
    const secret = 'bench-link-secret-0123456789';
    const config = {
      TEMPORAL_NAMESPACE: 'default',
      TASK_QUEUE: taskQueue,
      SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
      MAIL_FROM: 'bench@licence-review.example',
      PUBLIC_URL: `http://127.0.0.1:${apiPort}`,
      LINK_SECRET: secret,
      CONTROL_LIST_FILE: path.join(ROOT, 'reference-data/control-list.json'),
      RESTRICTED_PARTIES_FILE: path.join(ROOT, 'reference-data/restricted-parties.json'),
    };
    const worker = await createWorker({ connection: native, client, config });
    const running = worker.run();
    cleanups.unshift(async () => {
      worker.shutdown();
      await running;
      await native.close();
      await connection.close();
    });
    const app = buildApp({ client, connection, config: { apiKeys: parseApiKeys(`funder:horizon-eu=${KEY}`), policy, TASK_QUEUE: taskQueue }, signer: new LinkSigner(secret), logger: createLogger('silent', 'bench') });
    const server = app.listen(apiPort);
    cleanups.unshift(() => new Promise((r) => server.close(r)));

    // Preparation (not measured): N projects driven to `active` directly through the client.
    const ids = Array.from({ length: N }, (_, i) => `bench-${String(i).padStart(5, '0')}`);
    const t0 = Date.now();
    await pool(ids, CONCURRENCY, async (id) => {
      const handle = await client.workflow.start('projectWorkflow', {
        workflowId: projectWorkflowId(id),
        taskQueue,
        args: [{ project: project(id), policy, submittedBy: 'bench' }],
        typedSearchAttributes: [
          { key: searchAttributes.projectId, value: id },
          { key: searchAttributes.funderId, value: 'horizon-eu' },
        ],
      });
      await poll(() => handle.query(projectViewQuery), (v) => v.components.every((c) => c.tier !== null), 60_000);
      await handle.executeUpdate(confirmScopingUpdate, { args: [{ overrides: [], confirmedBy: 'bench' }] });
      const view = await poll(() => handle.query(projectViewQuery), (v) => v.openSteps.length === 2, 60_000);
      for (const step of view.openSteps) await handle.executeUpdate(decideUpdate, { args: [{ stepId: step.stepId, reviewer: step.reviewer, decision: 'approve' }] });
    });
    const active = await poll(() => client.workflow.count(`WorkflowType = 'projectWorkflow' AND Stage = 'active'`), (c) => c.count === N, 300_000);
    const prepMs = Date.now() - t0;
    console.log(`prepared ${active.count}/${N} active projects in ${seconds(prepMs)}`);

    // Measured: the launch through the API, then until every milestone review step is open.
    const cycleId = `bench-${Date.now()}`;
    const launchedAt = Date.now();
    const res = await fetch(`http://127.0.0.1:${apiPort}/v1/cycles`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ cycleId, name: 'Bench cycle', closesAt: new Date(Date.now() + 24 * 3600_000).toISOString(), projectIds: ids }),
    });
    const acceptedMs = Date.now() - launchedAt;
    if (res.status !== 202) throw new Error(`launch answered ${res.status}: ${await res.text()}`);
    const open = await poll(
      () => client.workflow.count(`${searchAttributes.cycleId.name} = '${cycleId}' AND ${searchAttributes.awaitedParties.name} = 'horizon-eu'`),
      (c) => c.count === N,
      600_000,
    );
    const allOpenMs = Date.now() - launchedAt;
    const cycle = await client.workflow.getHandle(cycleWorkflowId(cycleId)).query(cycleViewQuery);
    const history = (await client.workflow.getHandle(cycleWorkflowId(cycleId)).describe()).historyLength;

    console.log('');
    console.log(`Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`);
    console.log('| measure | value |');
    console.log('|---|---|');
    console.log(`| projects in the cycle | ${N} |`);
    console.log(`| POST /v1/cycles → 202 | ${acceptedMs} ms |`);
    console.log(`| 202 → every milestone review step open (${open.count}/${N}) | ${seconds(allOpenMs)} |`);
    console.log(`| steps opened per second | ${(open.count / (allOpenMs / 1000)).toFixed(0)} |`);
    console.log(`| cycle workflow: launched / history events | ${cycle.launched} / ${history} |`);
    console.log(`| preparation: ${N} projects to active (not part of the cycle) | ${seconds(prepMs)} |`);
  } finally {
    for (const fn of cleanups) await fn().catch((err) => console.error('cleanup:', err));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
