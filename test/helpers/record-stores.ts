/** The two databases the record store runs on, each started fresh for a test file, and a project record to write. */
import type { ProjectRecordWrite } from '../../records/contract';
import { migrateRecords, openRecords, type Records } from '../../records/database';
import { embeddedDatabaseUrl, embeddedPostgresReady, freePorts, startEmbeddedPostgres, stop, waitUntil } from '../../scripts/lib/stack';
import type { Licence, ReviewStep } from '../../workflows/definitions';
import { startPostgres } from '../../scripts/lib/postgres';

export interface Store {
  url: string;
  stop(): Promise<void>;
}

/** An in-memory PGlite served over the wire protocol, as `npm start` runs it (but on a free port, and not migrated). */
export async function startEmbeddedStore(): Promise<Store> {
  const [port] = await freePorts(1);
  const p = startEmbeddedPostgres({ dataDir: 'memory://', port });
  const url = embeddedDatabaseUrl(port);
  await waitUntil('PGlite', () => embeddedPostgresReady(p, url), 60_000, p);
  return { url, stop: () => stop(p) };
}

export const STORES: [string, () => Promise<Store>][] = [
  ['PGlite over the wire protocol', startEmbeddedStore],
  ['PostgreSQL', startPostgres],
];

/** The describe block's database, started fresh (and migrated unless `migrate` is false): `db` and `url` once beforeAll has run. */
export function useRecordStore(start: () => Promise<Store>, { migrate = true } = {}): { db: Records; url: string } {
  const s = {} as { db: Records; url: string };
  let store: Store | undefined;
  beforeAll(async () => {
    store = await start();
    Object.assign(s, { url: store.url, db: openRecords(store.url, { max: 4 }) });
    if (migrate) await migrateRecords(s.db);
  }, 90_000);
  afterAll(async () => {
    await s.db?.destroy();
    await store?.stop();
  });
  return s;
}

export function step(projectId: string, stepId: string, over: Partial<ReviewStep> = {}): ReviewStep {
  return {
    stepId,
    workflowId: `project-${projectId}`,
    kind: 'grant-funder',
    party: 'horizon-eu',
    partyName: 'Horizon Europe',
    reviewer: 'reviewer@funder.example',
    question: 'Fund it?',
    slaMs: 86_400_000,
    openedAt: '2026-12-01T10:00:00.000Z',
    dueAt: '2026-12-02T10:00:00.000Z',
    status: 'open',
    remindersSent: 0,
    stoppedMs: 0,
    ...over,
  };
}

export function firstWrite(projectId: string, run = 'run-1'): ProjectRecordWrite {
  return {
    projectId,
    run,
    source: `project-${projectId}`,
    version: 1,
    core: {
      projectId,
      title: 'Quantum sensors',
      funderId: 'horizon-eu',
      coordinator: { name: 'Anna Weber', email: 'a.weber@uni.example', partnerId: 'tum' },
      leadAgency: 'de-bafa',
      policyVersion: 'test',
      stage: 'grant-review',
      submittedAt: '2026-12-01T09:59:00.000Z',
      components: [
        { id: 'c1', name: 'Sensor', tier: 'T1', classifiedTier: 'T1', tierReason: 'r', classification: null, licence: { status: 'in-review', conditions: [] } },
      ],
      milestones: [],
      disputes: [],
      owner: 'coordinator:a.weber',
      delegates: [],
    },
    parties: [
      { partyId: 'tum', role: 'partner', name: 'TU München', country: 'DE' },
      { partyId: 'horizon-eu', role: 'funder', name: 'Horizon Europe' },
    ],
    steps: [step(projectId, 'grant-funder'), step(projectId, 'grant-agency', { party: 'de-bafa', partyName: 'BAFA', kind: 'grant-agency' })],
    auditFrom: 0,
    audit: [
      { at: '2026-12-01T09:59:00.000Z', actor: 'coordinator:a.weber', action: 'project-submitted', channel: 'api', detail: 'submitted' },
      { at: '2026-12-01T10:00:00.000Z', actor: 'system', action: 'stage-changed', channel: 'system', detail: 'scoping → grant-review' },
    ],
  };
}

/** The first write of the project's licence review of c1: its licence, as the review holds it. */
export function licenceWrite(projectId: string, licence: Licence = { status: 'in-review', conditions: [] }): ProjectRecordWrite {
  return {
    projectId,
    run: 'run-1',
    source: `licence-${projectId}--c1`,
    version: 1,
    steps: [],
    auditFrom: 0,
    audit: [],
    licence: { componentId: 'c1', licence },
  };
}
