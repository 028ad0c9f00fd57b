/**
 * People and the technology control plan on the real stack (dev server, worker, MailDev, the app through supertest):
 * the plan of a submitted project with a foreign and a domestic researcher on a 3E001 technology component at a US
 * partner; the training and deliverable uploads' refusals (each names its field, and nothing is kept: no record, no
 * audit event, no bytes in the store); a certificate and a deliverable recorded by the project workflow; a refused
 * Update leaving no document; and, once the project is active, the foreign researcher's deemed-export review open
 * (not authorised) and then approved under a licence exception (authorised).
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import request from 'supertest';
import type { ControlPlan } from '../../records/control-plan';
import { LocalDocumentStore } from '../../storage/local-store';
import type { AuditEntry } from '../../workflows/definitions';
import { bearer, KEYS, useApiStack } from '../helpers/api-stack';
import { readAnswered } from '../helpers/api-read';
import { projectWithPeople, SIGNED_PDF, uniqueId } from '../helpers/fixtures';
import { decideByLink } from '../helpers/grant-review';

const storeDir = mkdtempSync(path.join(tmpdir(), 'control-plan-documents-'));
afterAll(() => rmSync(storeDir, { recursive: true, force: true }));
const stack = useApiStack({ documentStore: new LocalDocumentStore(storeDir) });
const api = () => request(stack.app);
const asCoordinator = bearer(KEYS.coordinator);

/** Every file under the document store's directory: staged bytes that were discarded are gone from it. */
const storedFiles = (dir = storeDir): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? storedFiles(path.join(dir, e.name)) : [path.join(dir, e.name)]));

const plan = async (projectId: string): Promise<ControlPlan> => {
  const res = await readAnswered(() => api().get(`/v1/projects/${projectId}/control-plan`).set(asCoordinator));
  expect(res.status).toBe(200);
  return res.body;
};
const waitForPlan = async (projectId: string, ready: (p: ControlPlan) => boolean, what: string, timeoutMs = 30_000): Promise<ControlPlan> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const p = await plan(projectId);
    if (ready(p)) return p;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last plan: ${JSON.stringify(p)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
};
const accessOf = (p: ControlPlan, componentId: string, personId: string) =>
  p.components.find((c) => c.componentId === componentId)!.access.find((a) => a.personId === personId)!;

const training = (projectId: string, personId: string, fields: Record<string, string>, file?: Buffer) => {
  let req = api().post(`/v1/projects/${projectId}/people/${personId}/training`).set(asCoordinator);
  for (const [k, v] of Object.entries(fields)) req = req.field(k, v);
  return file ? req.attach('file', file, { filename: 'certificate.pdf', contentType: 'application/pdf' }) : req;
};
const deliverable = (projectId: string, conditionId: string, file?: Buffer) => {
  const req = api().post(`/v1/projects/${projectId}/deliverables/${conditionId}`).set(asCoordinator);
  return file ? req.attach('file', file, { filename: 'deliverable.pdf', contentType: 'application/pdf' }) : req;
};
/** A date `days` from today (`2026-12-06`). */
const day = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
const GOOD = { course: 'EAR and deemed exports', completedAt: day(-30), expiresAt: day(3 * 365) };

/** What a refusal must leave as it was: the project's documents, its document events, and the store's bytes. */
async function kept(projectId: string) {
  const docs = (await api().get(`/v1/projects/${projectId}/documents`).set(asCoordinator).expect(200)).body.items as unknown[];
  const events = (await stack.audit(projectId)).filter((e: AuditEntry) => e.action.startsWith('document-') || e.action === 'training-recorded');
  return { docs: docs.length, events: events.length, files: storedFiles().length };
}

let submitted: { projectId: string; title: string };

beforeAll(async () => {
  const project = projectWithPeople();
  expect((await api().post('/v1/projects').set(asCoordinator).send(project)).status).toBe(201);
  submitted = { projectId: project.projectId, title: project.title };
}, 60_000);

test('the plan of a submitted project: the foreign researcher is not authorised for the 3E001 technology, the domestic one is (not required)', async () => {
  const p = await waitForPlan(submitted.projectId, (x) => x.people.every((person) => person.screening !== null), 'the people screened at scoping');
  expect(p.people.map((x) => [x.id, x.partnerName, x.screening?.status, x.screening?.rule.id])).toEqual([
    ['li-wei', 'Oak Ridge National Laboratory', 'clear', 'no-match'],
    ['jo-smith', 'Oak Ridge National Laboratory', 'clear', 'no-match'],
  ]);
  const c9 = p.components.find((c) => c.componentId === 'c9')!;
  expect(c9).toMatchObject({ category: 'technology', controlCodes: ['3E001'], controlled: true });
  expect(accessOf(p, 'c9', 'li-wei')).toEqual({
    personId: 'li-wei',
    name: 'Li Wei',
    status: 'not-authorised',
    authority: null,
    basis: 'awaiting the deemed-export review (opens when the project is active)',
    since: null,
    deemedExportTo: ['CN'],
    stepId: null,
  });
  expect(accessOf(p, 'c9', 'jo-smith')).toEqual({
    personId: 'jo-smith',
    name: 'Jo Smith',
    status: 'authorised',
    authority: 'not-required',
    basis: 'Jo Smith is a citizen or permanent resident of US: not a foreign person',
    since: p.people.find((x) => x.id === 'jo-smith')!.screening!.at,
    deemedExportTo: [],
    stepId: null,
  });
  expect(p.components.find((c) => c.componentId === 'c1')).toMatchObject({ category: 'goods', controlled: false, access: [] });
});

test('the plan is read as the project is: 404 for a stranger, 200 for its funder and an admin, 403 for an agency key', async () => {
  const url = `/v1/projects/${submitted.projectId}/control-plan`;
  expect((await api().get(url).set(bearer(KEYS.otherCoordinator))).status).toBe(404);
  expect((await api().get(url).set(bearer(KEYS.otherFunder))).status).toBe(404);
  expect((await api().get(url).set(bearer(KEYS.funder))).status).toBe(200);
  expect((await api().get(url).set(bearer(KEYS.admin))).status).toBe(200);
  expect((await api().get(url).set(bearer(KEYS.agencyPerson))).status).toBe(403);
  expect(
    (
      await api()
        .get(`/v1/projects/${uniqueId('none')}/control-plan`)
        .set(asCoordinator)
    ).status,
  ).toBe(404);
});

test('a training certificate is refused, naming the field, and nothing is kept: no file, bad dates, expiry before completion, an unknown person', async () => {
  const { projectId } = submitted;
  const before = await kept(projectId);
  const cases: [Record<string, string>, Buffer | undefined, string, RegExp][] = [
    [GOOD, undefined, 'body.file', /missing/],
    [{ ...GOOD, completedAt: '15/01/2027' }, SIGNED_PDF, 'body.completedAt', /must be a date such as 2027-06-30/],
    [{ ...GOOD, expiresAt: day(-31) }, SIGNED_PDF, 'body.expiresAt', /must be after completedAt/],
    [{ ...GOOD, completedAt: '2999-01-01', expiresAt: '2999-06-01' }, SIGNED_PDF, 'body.completedAt', /must not be in the future/],
    [{ completedAt: GOOD.completedAt, expiresAt: GOOD.expiresAt }, SIGNED_PDF, 'body.course', /./],
  ];
  for (const [fields, file, at, message] of cases) {
    const res = await training(projectId, 'li-wei', fields, file);
    expect({ at, status: res.status, code: res.body.error?.code }).toEqual({ at, status: 400, code: 'VALIDATION_FAILED' });
    expect(res.body.error.details).toEqual(expect.arrayContaining([{ path: at, message: expect.stringMatching(message) }]));
  }
  const stranger = await training(projectId, 'nobody-here', GOOD, SIGNED_PDF);
  expect(stranger.status).toBe(404);
  expect(stranger.body.error.message).toBe(`project ${projectId} has no person nobody-here (its people: li-wei, jo-smith)`);
  expect(await kept(projectId)).toEqual(before);
});

test("a deliverable for a condition the funder does not list is 404 naming the funder's deliverables; a training condition takes none", async () => {
  const { projectId } = submitted;
  const before = await kept(projectId);
  const unknown = await deliverable(projectId, 'gender-plan', SIGNED_PDF);
  expect(unknown.status).toBe(404);
  expect(unknown.body.error.message).toBe(
    'funder horizon-eu has no tranche condition gender-plan: its deliverables are ethics-deliverable, security-deliverable',
  );
  const trainingCondition = await deliverable(projectId, 'export-control-training', SIGNED_PDF);
  expect(trainingCondition.status).toBe(400);
  expect(trainingCondition.body.error.details[0].path).toBe('path.conditionId');
  const noFile = await deliverable(projectId, 'ethics-deliverable');
  expect(noFile.status).toBe(400);
  expect(noFile.body.error.details).toEqual([{ path: 'body.file', message: 'missing' }]);
  expect(await kept(projectId)).toEqual(before);
});

test('a certificate and a deliverable are kept as documents, cited by what the project records, and shown in the plan', async () => {
  const { projectId } = submitted;
  const res = await training(projectId, 'li-wei', GOOD, SIGNED_PDF);
  expect(res.status).toBe(201);
  expect(res.body).toEqual({
    certificateId: 'li-wei-training-1',
    personId: 'li-wei',
    documentId: expect.stringMatching(/^doc-[0-9a-f]{24}$/),
    sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
    expiresAt: `${GOOD.expiresAt}T00:00:00.000Z`,
  });
  const docs = (await api().get(`/v1/projects/${projectId}/documents`).set(asCoordinator).expect(200)).body.items;
  expect(docs.find((d: { documentId: string }) => d.documentId === res.body.documentId)).toMatchObject({
    kind: 'training-certificate',
    attachedTo: { type: 'person', id: 'li-wei' },
    sha256: res.body.sha256,
  });
  const li = (await plan(projectId)).people.find((x) => x.id === 'li-wei')!;
  expect(li.training).toEqual([
    {
      certificateId: 'li-wei-training-1',
      course: GOOD.course,
      completedAt: `${GOOD.completedAt}T00:00:00.000Z`,
      expiresAt: `${GOOD.expiresAt}T00:00:00.000Z`,
      documentId: res.body.documentId,
      sha256: res.body.sha256,
      valid: true,
    },
  ]);
  const trail = await stack.audit(projectId);
  // The project's entry says what was recorded; the document's own entry (records/documents.ts) carries its id and hash.
  expect(trail.find((e) => e.action === 'training-recorded')?.detail).toContain(`Li Wei (li-wei): "${GOOD.course}"`);
  expect(trail.find((e) => e.action === 'document-uploaded' && e.documentId === res.body.documentId)).toMatchObject({ sha256: res.body.sha256 });

  const ethics = await deliverable(projectId, 'ethics-deliverable', SIGNED_PDF);
  expect(ethics.status).toBe(201);
  expect(ethics.body).toMatchObject({ conditionId: 'ethics-deliverable', name: expect.stringMatching(/^Ethics deliverable/), documentId: expect.any(String) });
  const view = await stack.view(projectId);
  expect(view.deliverables?.map((d) => [d.conditionId, d.documentId])).toEqual([['ethics-deliverable', ethics.body.documentId]]);
});

test('an Update the project refuses keeps no document: a withdrawn project takes no certificate (409)', async () => {
  const project = projectWithPeople(uniqueId('cpw'));
  expect((await api().post('/v1/projects').set(asCoordinator).send(project)).status).toBe(201);
  await stack.waitForView(project.projectId, (v) => v.components.every((c) => c.tier !== null), 'classification');
  expect((await api().post(`/v1/projects/${project.projectId}/withdraw`).set(asCoordinator).send({ reason: 'consortium dissolved' })).status).toBe(200);
  const before = await kept(project.projectId);
  const res = await training(project.projectId, 'li-wei', GOOD, Buffer.concat([SIGNED_PDF, Buffer.from(`% ${project.projectId}\n`)]));
  expect(res.status).toBe(409);
  expect(res.body.error.message).toMatch(/withdrawn/);
  expect(await kept(project.projectId)).toEqual(before);
});

test('once active, the foreign researcher’s deemed-export review is open (not authorised) until BIS approves it under a licence exception', async () => {
  const { projectId, title } = submitted;
  await stack.waitForView(projectId, (v) => v.components.every((c) => c.tier !== null), 'classification');
  expect((await api().post(`/v1/projects/${projectId}/scoping`).set(asCoordinator).send({})).status).toBe(200);
  for (const step of ['grant-funder', 'grant-agency']) await decideByLink(stack, projectId, title, step, { decision: 'approve' });
  const open = await waitForPlan(projectId, (p) => accessOf(p, 'c9', 'li-wei').stepId !== null, 'the deemed-export review opened');
  expect(accessOf(open, 'c9', 'li-wei')).toMatchObject({
    status: 'not-authorised',
    authority: null,
    basis: expect.stringMatching(/^deemed-export review by U\.S\. Department of Commerce, Bureau of Industry and Security open since \d{4}-/),
    deemedExportTo: ['CN'],
    stepId: 'deemed-c9--li-wei',
  });
  expect(accessOf(open, 'c9', 'jo-smith')).toMatchObject({ status: 'authorised', authority: 'not-required' });
  // The JSON the closing note shows.
  console.log(`technology control plan of ${projectId}, review open:\n${JSON.stringify(open, null, 2)}`);

  await decideByLink(stack, projectId, title, 'deemed-c9--li-wei', { decision: 'approve', legalBasis: 'EAR §740.13(a) (TSU: operation technology)' });
  const approved = await waitForPlan(projectId, (p) => accessOf(p, 'c9', 'li-wei').status !== 'not-authorised', 'the review decided');
  expect(accessOf(approved, 'c9', 'li-wei')).toMatchObject({
    status: 'authorised',
    authority: 'exception',
    basis: 'EAR §740.13(a) (TSU: operation technology)',
    since: expect.stringMatching(/^\d{4}-/),
    stepId: 'deemed-c9--li-wei',
  });
}, 120_000);
