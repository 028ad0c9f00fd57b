/** Builds the worker from its dependencies; `main.ts` wires the real ones, tests their own. */
import type { Client } from '@temporalio/client';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities } from '../activities';
import { LinkSigner } from '../activities/link-tokens';
import { loadReferenceData } from '../activities/reference-data';
import type { Config } from '../config/env';
import type { Records } from '../records/database';
import type { ActivityDeps } from '../activities';
import { workflowCode } from './workflow-code';

export const workflowsPath = require.resolve('../workflows');

export interface WorkerSetup {
  connection: NativeConnection;
  /** For activities that read visibility. */
  client?: Client;
  /** The system of record the record activities write to. */
  records: Records;
  /** Where e-mail goes (activities/mail/transport.ts); the caller closes it after the worker stops. */
  transport: ActivityDeps['transport'];
  config: Pick<
    Config,
    | 'TEMPORAL_NAMESPACE'
    | 'TASK_QUEUE'
    | 'SMTP_URL'
    | 'MAIL_FROM'
    | 'PUBLIC_URL'
    | 'LINK_SECRET'
    | 'CONTROL_LIST_FILE'
    | 'RESTRICTED_PARTIES_FILE'
    | 'WORKFLOW_BUNDLE'
  > &
    Partial<Pick<Config, 'WORKER_MEMORY_MIB'>>;
  overrides?: Partial<WorkerOptions>;
}

export function createProductionActivities(config: WorkerSetup['config'], records: Records, transport: ActivityDeps['transport'], client?: Client) {
  return createActivities({
    client,
    records,
    transport,
    mailFrom: config.MAIL_FROM,
    publicUrl: config.PUBLIC_URL,
    signer: new LinkSigner(config.LINK_SECRET),
    referenceData: loadReferenceData(config.CONTROL_LIST_FILE, config.RESTRICTED_PARTIES_FILE),
  });
}

/**
 * What the worker needs beside its workflow cache (Node, the SDK's core, the bundle, activities), and what each
 * cached project workflow adds: measured by `npm run bench` (docs/PERFORMANCE.md: 346–381 MiB idle; 602 KiB per
 * cached workflow with 10,000 open, which broke a 1 GiB budget at 0.5 MiB), with a margin of 6%.
 */
const WORKER_BASE_MIB = 350;
const CACHED_WORKFLOW_MIB = 0.625;

/** How many workflows the worker keeps cached within `memoryMib`. */
export function workflowCacheSize(memoryMib: number): number {
  return Math.max(100, Math.floor((memoryMib - WORKER_BASE_MIB) / CACHED_WORKFLOW_MIB));
}

export async function createWorker({ connection, client, records, transport, config, overrides }: WorkerSetup): Promise<Worker> {
  return Worker.create({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TASK_QUEUE,
    maxCachedWorkflows: workflowCacheSize(config.WORKER_MEMORY_MIB ?? 1024),
    ...workflowCode(config.WORKFLOW_BUNDLE, workflowsPath),
    activities: createProductionActivities(config, records, transport, client),
    ...overrides,
  });
}
