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
  >;
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

export async function createWorker({ connection, client, records, transport, config, overrides }: WorkerSetup): Promise<Worker> {
  return Worker.create({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TASK_QUEUE,
    ...workflowCode(config.WORKFLOW_BUNDLE, workflowsPath),
    activities: createProductionActivities(config, records, transport, client),
    ...overrides,
  });
}
