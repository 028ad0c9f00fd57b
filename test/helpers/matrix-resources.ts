/**
 * What the authorization matrix (test/api/authorization-matrix.test.ts) sends its requests at: for each kind of
 * resource an `own` one (the test principals' own: coordinator a.weber's project funded by horizon-eu, horizon-eu's
 * cycle, de-bafa's step and its reviewer's link, de-bafa, horizon-eu), a `foreign` one (coordinator j.martin's project
 * funded by nsf and led from the US, nsf's cycle, the US lead agency's step and its link, that agency, nsf) and a
 * `missing` one (an id nothing has).
 * And the snapshot of everything a request could change, read through the typed client with the admin key.
 *
 * Everything is made through the typed client, as a client of the document would. The projects are taken into
 * grant review (scoping confirmed) so that each has an open agency step; with the shipped policy's durations (days)
 * nothing moves on its own while the matrix runs, so any change a snapshot shows was made by a request.
 */
import type { ProjectSubmission } from '../../domain/project';
import { stepRef } from '../../api/step-refs';
import type { ProjectView, ReviewStep } from '../../workflows/definitions';
import { projectWorkflowId } from '../../workflows/definitions';
import { describeAnswer, expectStatus, readAnswered, type FetchAnswer } from './api-read';
import { bearer, KEYS, type ApiStack } from './api-stack';
import { smallProject, uniqueId } from './fixtures';
import { answerOf, type ApiClient } from './openapi-client';

export type ResourceName = 'own' | 'foreign' | 'missing';
export const RESOURCE_NAMES: ResourceName[] = ['own', 'foreign', 'missing'];

/** The kinds of resource a path names, and the path parameter that names it. */
export const RESOURCE_PARAMS = { project: 'id', cycle: 'id', step: 'ref', link: 'token', agency: 'agencyId', funder: 'funderId' } as const;
export type ResourceKind = keyof typeof RESOURCE_PARAMS;

export type MatrixResources = Record<ResourceKind, Record<ResourceName, string>>;

/** Everything a request of the matrix could change, as the API shows it to an admin, and what it could have started or sent. */
export interface Snapshot {
  ownProject: unknown;
  ownAudit: unknown;
  foreignProject: unknown;
  foreignAudit: unknown;
  ownCycle: unknown;
  foreignCycle: unknown;
  /** Every workflow execution the dev server knows (a started project or cycle shows here). */
  workflows: number;
  /** Every e-mail MailDev holds (a decision or an assignment mails someone). */
  mails: number;
}

const admin = bearer(KEYS.admin);
const FAR = 30 * 24 * 3600_000;

function ok(res: FetchAnswer, status: number) {
  return expectStatus(res, status).body;
}

/** A read through the typed client, sent again while it answers 503 (a query not answered in time, as under load). */
const read = (what: string, send: () => Promise<{ data?: unknown; error?: unknown; response: Response }>) =>
  readAnswered(async () => answerOf(await send(), what));

const projectView = (api: ApiClient, id: string) =>
  read(`GET /v1/projects/${id}`, () => api.GET('/v1/projects/{id}', { params: { path: { id } }, headers: admin }));
const projectAudit = (api: ApiClient, id: string) =>
  read(`GET /v1/projects/${id}/audit`, () => api.GET('/v1/projects/{id}/audit', { params: { path: { id } }, headers: admin }));
const cycleView = (api: ApiClient, id: string) => read(`GET /v1/cycles/${id}`, () => api.GET('/v1/cycles/{id}', { params: { path: { id } }, headers: admin }));

async function waitForView(api: ApiClient, id: string, ready: (v: ProjectView) => boolean, what: string): Promise<ProjectView> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const res = await projectView(api, id);
    if (res.status === 200 && ready(res.body as ProjectView)) return res.body as ProjectView;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last seen: ${describeAnswer(res)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Submits the project as `key`'s coordinator, confirms its scoping as classified, and returns its open lead-agency step. */
async function projectInGrantReview(api: ApiClient, key: string, project: ProjectSubmission & { projectId: string }): Promise<ReviewStep> {
  const id = project.projectId;
  ok(answerOf(await api.POST('/v1/projects', { body: project, headers: bearer(key) }), 'POST /v1/projects'), 201);
  await waitForView(api, id, (v) => v.components.every((c) => c.tier !== null), `${id} classified`);
  const scoping = await api.POST('/v1/projects/{id}/scoping', { params: { path: { id } }, body: {}, headers: bearer(key) });
  ok(answerOf(scoping, `POST /v1/projects/${id}/scoping`), 200);
  const view = await waitForView(api, id, (v) => v.openSteps.some((s) => s.stepId === 'grant-agency'), `${id} in grant review`);
  return view.openSteps.find((s) => s.stepId === 'grant-agency')!;
}

async function launchCycle(api: ApiClient, key: string, projectId: string): Promise<string> {
  const cycleId = uniqueId('mx-cycle');
  const closesAt = new Date(Date.now() + FAR).toISOString();
  const res = await api.POST('/v1/cycles', { body: { cycleId, name: `Matrix ${cycleId}`, closesAt, projectIds: [projectId] }, headers: bearer(key) });
  ok(answerOf(res, 'POST /v1/cycles'), 202);
  return cycleId;
}

export async function createMatrixResources(api: ApiClient, stack: ApiStack): Promise<MatrixResources> {
  const own = smallProject(uniqueId('mx-own'));
  // Another coordinator's, another funder's, led from the US: its lead agency is not the agency key's (de-bafa).
  const base = smallProject(uniqueId('mx-foreign'));
  const foreign = { ...base, funderId: 'nsf', coordinator: { ...base.coordinator, partnerId: 'ornl' } };
  const [ownStep, foreignStep] = await Promise.all([
    projectInGrantReview(api, KEYS.coordinator, own),
    projectInGrantReview(api, KEYS.otherCoordinator, foreign),
  ]);
  if (ownStep.party !== 'de-bafa' || foreignStep.party === 'de-bafa') throw new Error(`unexpected lead agencies: ${ownStep.party}, ${foreignStep.party}`);
  const [ownCycle, foreignCycle] = await Promise.all([launchCycle(api, KEYS.funder, own.projectId), launchCycle(api, KEYS.otherFunder, foreign.projectId)]);

  const missing = uniqueId('mx-missing');
  const link = (s: { workflowId: string; stepId: string; reviewer: string; runId?: string }) =>
    stack.signer.sign({ workflowId: s.workflowId, stepId: s.stepId, reviewer: s.reviewer, expiresAt: Date.now() + FAR, run: s.runId });
  const missingStep = { workflowId: projectWorkflowId(missing), stepId: 'grant-agency', reviewer: 'nobody@reviews.test' };
  return {
    project: { own: own.projectId, foreign: foreign.projectId, missing },
    cycle: { own: ownCycle, foreign: foreignCycle, missing },
    step: {
      own: stepRef(ownStep.workflowId, ownStep.stepId),
      foreign: stepRef(foreignStep.workflowId, foreignStep.stepId),
      missing: stepRef(missingStep.workflowId, missingStep.stepId),
    },
    link: { own: link(ownStep), foreign: link(foreignStep), missing: link(missingStep) },
    // The agency key's agency against the foreign project's lead agency; the funder key's funder against nsf.
    agency: { own: ownStep.party, foreign: foreignStep.party, missing },
    funder: { own: own.funderId, foreign: foreign.funderId, missing },
  };
}

export async function snapshot(api: ApiClient, stack: ApiStack, r: MatrixResources): Promise<Snapshot> {
  const [ownProject, ownAudit, foreignProject, foreignAudit, ownCycle, foreignCycle, workflows, mails] = await Promise.all([
    projectView(api, r.project.own).then((res) => ok(res, 200)),
    projectAudit(api, r.project.own).then((res) => ok(res, 200)),
    projectView(api, r.project.foreign).then((res) => ok(res, 200)),
    projectAudit(api, r.project.foreign).then((res) => ok(res, 200)),
    cycleView(api, r.cycle.own).then((res) => ok(res, 200)),
    cycleView(api, r.cycle.foreign).then((res) => ok(res, 200)),
    stack.client.workflow.count().then((c) => c.count),
    stack.mails().then((m) => m.length),
  ]);
  return { ownProject, ownAudit, foreignProject, foreignAudit, ownCycle, foreignCycle, workflows, mails };
}

/** The paths at which two JSON values differ (`stage`, `entries[7]`, `steps[1].reviewer`), each with both values. */
function differences(before: unknown, after: unknown, at: string): string[] {
  if (JSON.stringify(before) === JSON.stringify(after)) return [];
  const short = (v: unknown) => {
    const s = JSON.stringify(v) ?? 'absent';
    return s.length > 200 ? `${s.slice(0, 200)}…` : s;
  };
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
  if (!isObject(before) || !isObject(after) || Array.isArray(before) !== Array.isArray(after)) return [`${at}: ${short(before)} → ${short(after)}`];
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
  return keys.flatMap((k) => differences(before[k], after[k], Array.isArray(before) ? `${at}[${k}]` : `${at}.${k}`));
}

/** What differs between two snapshots, one line per value that changed (at most 5 per part). */
export function changes(before: Snapshot, after: Snapshot): string[] {
  return (Object.keys(before) as (keyof Snapshot)[]).flatMap((k) => {
    const found = differences(before[k], after[k], k);
    return found.length > 5 ? [...found.slice(0, 5), `${k}: and ${found.length - 5} more`] : found;
  });
}

/**
 * The snapshot once the set-up has come to rest (the cycles launched, the review requests mailed): two snapshots
 * a second apart that agree, the cycles no longer launching.
 */
export async function settledSnapshot(api: ApiClient, stack: ApiStack, r: MatrixResources, timeoutMs = 60_000): Promise<Snapshot> {
  const deadline = Date.now() + timeoutMs;
  let last = await snapshot(api, stack, r);
  for (;;) {
    await new Promise((res) => setTimeout(res, 1000));
    const next = await snapshot(api, stack, r);
    const launching = [next.ownCycle, next.foreignCycle].some((c) => (c as { status?: string }).status === 'launching');
    const moved = changes(last, next);
    if (!launching && moved.length === 0) return next;
    if (Date.now() > deadline) throw new Error(`the matrix's resources did not come to rest in ${timeoutMs} ms:\n${moved.join('\n')}`);
    last = next;
  }
}
