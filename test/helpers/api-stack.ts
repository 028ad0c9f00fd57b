/**
 * The API on real collaborators, for one test file: a Temporal dev server, a
 * worker with the production activities (real SMTP into a MailDev process),
 * and the Express app from `buildApp`. Tests drive the app with supertest and
 * read the e-mails as they arrived, through MailDev's REST API.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { Socket, type AddressInfo, type Server } from 'node:net';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import type { Express } from 'express';
import request from 'supertest';
import { LinkSigner } from '../../activities/link-tokens';
import { buildApp } from '../../api/app';
import { apiKeyRing, type Config, type RateLimits } from '../../config/env';
import { createLogger } from '../../config/logger';
import type { Policy } from '../../domain/policy';
import { httpOk, startMailDev, stop as stopProcess, waitUntil, type Managed } from '../../scripts/lib/stack';
import { createWorker } from '../../worker/create-worker';
import { createMailTransport } from '../../activities/mail/transport';
import type { AuditEntry, ProjectView } from '../../workflows/definitions';
import { describeAnswer, expectStatus, readAnswered, UNANSWERED } from './api-read';
import { fetchMails, freePorts, type Mail } from './maildev';
import { testPolicy } from './policy';
import { testRecords } from './records';
import { migrateRecords, openRecords, type Records } from '../../records/database';
import { startEmbeddedStore } from './record-stores';
import { startTestEnv, workflowBundle } from './temporal';
import type { DocumentStore } from '../../storage/document-store';
import { LocalDocumentStore } from '../../storage/local-store';

const ROOT = path.resolve(__dirname, '../..');

/** The API keys the app accepts; tests send them as `Authorization: Bearer …`. */
export const KEYS = {
  coordinator: 'test-coordinator-key',
  funder: 'test-funder-key', // funder:horizon-eu, the fixtures' funder
  otherFunder: 'test-nsf-key', // funder:nsf
  admin: 'test-admin-key',
  agency: 'test-agency-key', // agency:de-bafa: the agency's shared key, which names no person (lists and assigns, never decides)
  agencyPerson: 'test-agency-person-key', // agency:de-bafa:ausfuhr@bafa.example, BAFA's first reviewer (a person named by their e-mail)
  otherCoordinator: 'test-other-coordinator-key', // coordinator:j.martin, who owns none of the tests' projects
} as const;
/** The coordinator's user id: the audit trail names them `coordinator:<id>`. */
export const COORDINATOR_ID = 'a.weber';
const API_KEYS = [
  `coordinator:${COORDINATOR_ID}=${KEYS.coordinator}`,
  `funder:horizon-eu=${KEYS.funder}`,
  `funder:nsf=${KEYS.otherFunder}`,
  `admin=${KEYS.admin}`,
  `agency:de-bafa=${KEYS.agency}`,
  `agency:de-bafa:ausfuhr@bafa.example=${KEYS.agencyPerson}`,
  `coordinator:j.martin=${KEYS.otherCoordinator}`,
].join(',');

export const bearer = (key: string) => ({ Authorization: `Bearer ${key}` });

export const PUBLIC_URL = 'http://reviews.test';
/** Where the dashboard's links to workflows point; nothing listens there. */
export const TEMPORAL_UI_URL = 'http://temporal-ui.test:8233';
export const LINK_SECRET = 'api-test-link-secret-0123456789';

export type { Mail };

export interface ApiStack {
  app: Express;
  /** The record store the worker writes and the app reads. */
  records: Records;
  client: Client;
  env: TestWorkflowEnvironment;
  policy: Policy;
  taskQueue: string;
  /** Signs with the worker's secret: lets a test forge tokens that only differ in their claims. */
  signer: LinkSigner;
  smtpPort: number;
  webPort: number;
  /** Every e-mail MailDev holds, oldest first. */
  mails(): Promise<Mail[]>;
  /** Polls MailDev until an e-mail matches; fails with what did arrive. */
  waitForMail(predicate: (m: Mail) => boolean, timeoutMs?: number): Promise<Mail>;
  /** `GET /v1/projects/:id` as the coordinator, read again while 503 (see api-read.ts); throws with the answer unless 200. */
  view(projectId: string): Promise<ProjectView>;
  /** `GET /v1/projects/:id/audit` as the coordinator, read again while 503; throws with the answer unless 200. */
  audit(projectId: string): Promise<AuditEntry[]>;
  /** Polls the project through the API until `ready` holds (a 503 is polled again). */
  waitForView(projectId: string, ready: (v: ProjectView) => boolean, what: string, timeoutMs?: number): Promise<ProjectView>;
  /** Polls the audit trail through the API until `ready` holds. */
  waitForAudit(projectId: string, ready: (entries: AuditEntry[]) => boolean, what: string, timeoutMs?: number): Promise<AuditEntry[]>;
  stop(): Promise<void>;
}

/**
 * Reads `url` until `ready` holds. A 503 (a query not answered in time, as under load) is read again like a
 * value not ready yet; any other status than 200 fails at once. The timeout names the last value or answer seen.
 */
async function poll<T>(
  get: (url: string) => PromiseLike<request.Response>,
  url: string,
  pick: (body: any) => T,
  ready: (v: T) => boolean,
  what: string,
  timeoutMs: number,
  describe: (v: T) => string,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await get(url);
    let seen: string;
    if (res.status === UNANSWERED) seen = describeAnswer(res, `GET ${url}`);
    else {
      const value = pick(expectStatus(res, 200, `GET ${url}`).body);
      if (ready(value)) return value;
      seen = describe(value);
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last seen: ${seen}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

async function tcpOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('error', () => done(false));
    socket.connect(port, '127.0.0.1', () => done(true));
  });
}

/** The decision-page tokens in a text (normally an e-mail body): the part after `<PUBLIC_URL>/r/`. */
export function linkTokens(text: string): string[] {
  const base = PUBLIC_URL.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return [...text.matchAll(new RegExp(`${base}/r/([A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+)`, 'g'))].map((m) => m[1]);
}

/** On, but out of reach of the suites that do not test the limits themselves. */
const GENEROUS_LIMITS: RateLimits = { windowMs: 60_000, reviewPages: 100_000, writes: 100_000, failedAuth: 100_000 };

export interface ApiStackOptions {
  /** The policy the app hands to new projects; default: the shipped policy with durations in seconds. */
  policy?: Policy;
  rateLimits?: RateLimits;
  /** The record store (migrated here); default: the suite's (DATABASE_URL of the global setup). */
  databaseUrl?: string;
  /**
   * A record store of its own (an in-memory PGlite), for a file that counts what lists across the portfolio show
   * (the dashboard, the stalled list, the metrics): the suite's store holds every other file's projects too.
   */
  ownRecordStore?: boolean;
  /** Where the app keeps documents; default: a local store in a temporary directory of the stack's own. */
  documentStore?: DocumentStore;
}

export async function startApiStack({
  policy = testPolicy(),
  rateLimits = GENEROUS_LIMITS,
  databaseUrl,
  ownRecordStore,
  documentStore,
}: ApiStackOptions = {}): Promise<ApiStack> {
  const cleanups: (() => Promise<unknown>)[] = [];
  const cleanup = async () => {
    // Reverse order of start; keep going when one fails so nothing is left running.
    for (const fn of cleanups.splice(0).reverse()) await fn().catch((err) => console.error('api-stack cleanup:', err));
  };
  try {
    const [smtpPort, webPort] = await freePorts(2);
    let records = testRecords();
    if (ownRecordStore) {
      const store = await startEmbeddedStore();
      cleanups.push(() => store.stop());
      databaseUrl = store.url;
    }
    if (databaseUrl) {
      const own = (records = openRecords(databaseUrl, { max: 4 }));
      cleanups.push(() => own.destroy());
      await migrateRecords(records);
    }

    // MailDev boots while the dev server does. Stopped in reverse: worker, MailDev, then Temporal.
    const maildev: Managed = startMailDev({ smtpPort, webPort });
    const env = await startTestEnv().catch(async (err) => {
      await stopProcess(maildev, 'SIGTERM', 5_000);
      throw err;
    });
    cleanups.push(() => env.teardown());
    cleanups.push(() => stopProcess(maildev, 'SIGTERM', 5_000));
    await waitUntil('MailDev web API', () => httpOk(`http://127.0.0.1:${webPort}/api/healthz`), 30_000, maildev);
    await waitUntil('MailDev SMTP', () => tcpOpen(smtpPort), 30_000, maildev);

    const taskQueue = `api-test-${randomUUID()}`;
    const config = {
      TEMPORAL_NAMESPACE: env.namespace ?? 'default',
      TASK_QUEUE: taskQueue,
      SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
      MAIL_FROM: 'Licence reviews <reviews@licence-review.example>',
      PUBLIC_URL,
      LINK_SECRET,
      CONTROL_LIST_FILE: path.join(ROOT, 'reference-data/control-list.json'),
      RESTRICTED_PARTIES_FILE: path.join(ROOT, 'reference-data/restricted-parties.json'),
    } satisfies Partial<Config>;
    const transport = createMailTransport(`smtp://127.0.0.1:${smtpPort}`);
    cleanups.push(async () => transport.close());
    const worker: Worker = await createWorker({
      transport,
      connection: env.nativeConnection,
      client: env.client,
      records,
      config,
      // workflowsPath is dropped (not just shadowed) so the SDK does not warn that it is ignored.
      overrides: { workflowsPath: undefined, workflowBundle: await workflowBundle() },
    });
    const running = worker.run();
    running.catch(() => undefined); // a crash surfaces when stop() awaits it, not as an unhandled rejection
    cleanups.push(async () => {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
    });

    const signer = new LinkSigner(LINK_SECRET);
    if (!documentStore) {
      const dir = mkdtempSync(path.join(tmpdir(), 'api-documents-'));
      cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
      documentStore = new LocalDocumentStore(dir);
    }
    const app = buildApp({
      documentStore,
      records,
      client: env.client,
      connection: env.connection,
      config: {
        apiKeys: apiKeyRing(API_KEYS),
        policy,
        TASK_QUEUE: taskQueue,
        LINK_SECRET,
        PUBLIC_URL,
        TEMPORAL_UI_URL,
        TEMPORAL_NAMESPACE: config.TEMPORAL_NAMESPACE,
      },
      signer,
      logger: createLogger('silent', 'api-test'),
      rateLimits,
    });

    const mails = () => fetchMails(`http://127.0.0.1:${webPort}`);
    const waitForMail = async (predicate: (m: Mail) => boolean, timeoutMs = 20_000): Promise<Mail> => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const all = await mails();
        const found = all.find(predicate);
        if (found) return found;
        if (Date.now() > deadline) {
          const seen = all.map((m) => `  ${m.to.map((t) => t.address).join(',')}: ${m.subject}`).join('\n');
          throw new Error(`no matching e-mail after ${timeoutMs} ms; MailDev holds ${all.length}:\n${seen}`);
        }
        await new Promise((r) => setTimeout(r, 200));
      }
    };

    const get = (url: string) => request(app).get(url).set(bearer(KEYS.coordinator));
    const getJson = async (url: string) => expectStatus(await readAnswered(() => get(url)), 200, `GET ${url}`).body;
    const view = (id: string): Promise<ProjectView> => getJson(`/v1/projects/${id}`);
    const audit = async (id: string): Promise<AuditEntry[]> => (await getJson(`/v1/projects/${id}/audit`)).entries;
    const describeView = (v: ProjectView) =>
      `stage ${v.stage}, tiers ${v.components.map((c) => `${c.id}=${c.tier}`)}, open ${v.openSteps.map((s) => s.stepId)}`;
    const waitForView = (id: string, ready: (v: ProjectView) => boolean, what: string, timeoutMs = 30_000) =>
      poll(get, `/v1/projects/${id}`, (body: ProjectView) => body, ready, what, timeoutMs, describeView);
    const waitForAudit = (id: string, ready: (e: AuditEntry[]) => boolean, what: string, timeoutMs = 30_000) =>
      poll(
        get,
        `/v1/projects/${id}/audit`,
        (body: { entries: AuditEntry[] }) => body.entries,
        ready,
        what,
        timeoutMs,
        (e) => e.map((x) => `${x.action}${x.stepId ? `(${x.stepId})` : ''}`).join(', '),
      );

    return {
      app,
      records,
      client: env.client,
      env,
      policy,
      taskQueue,
      signer,
      smtpPort,
      webPort,
      mails,
      waitForMail,
      view,
      audit,
      waitForView,
      waitForAudit,
      stop: cleanup,
    };
  } catch (err) {
    await cleanup();
    throw err;
  }
}

/**
 * The stack for one test file: started before its tests and stopped after them.
 * The returned object is filled in when the stack is up, so tests use it as `stack.app`, `stack.view(…)`.
 */
export function useApiStack(options?: ApiStackOptions): ApiStack {
  const stack = {} as ApiStack;
  beforeAll(async () => {
    Object.assign(stack, await startApiStack(options));
  }, 120_000);
  afterAll(() => stack.stop?.(), 60_000);
  return stack;
}

/** The stack's app listening on a free port for the test file, for clients that need a real URL (fetch, a browser). */
export function useServedApp(stack: ApiStack): { base: string } {
  const served = { base: '' };
  let server: Server | undefined;
  beforeAll(async () => {
    server = stack.app.listen(0, '127.0.0.1');
    await new Promise((r) => server!.once('listening', r));
    served.base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((r) => (server ? server.close(r) : r(undefined))));
  return served;
}
