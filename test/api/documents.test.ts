/**
 * Documents on the real stack (dev server, worker, MailDev, the app through supertest): an upload whose type is
 * named from its bytes, refusals that store nothing (a type the bytes disagree with, a type not allowed, a file over
 * the policy's limit, a caller who may not), the list, the download, the audit trail with each hash, the reviewers'
 * signed links (valid, expired, tampered with), and files with an answer to a request for information.
 */
import { createHash } from 'node:crypto';
import request from 'supertest';
import { DocumentLinks } from '../../api/document-links';
import { documentsForStep } from '../../api/step-documents';
import type { AuditEntry } from '../../workflows/definitions';
import { bearer, KEYS, LINK_SECRET, linkTokens, useApiStack } from '../helpers/api-stack';
import { AGENCY_REVIEWER, toGrantReview } from '../helpers/grant-review';

const stack = useApiStack();
const api = () => request(stack.app);
const asCoordinator = bearer(KEYS.coordinator);
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** A small real PDF (one empty page). */
const PDF = Buffer.from(
  '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n' +
    '3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n',
);
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 0, 0, 1, 0, 0, 0, 1]);
const EXE = Buffer.concat([Buffer.from([0x4d, 0x5a, 0x90, 0x00]), Buffer.alloc(60)]);

let projectId: string;
let title: string;
let decisionToken: string;
let spec: { documentId: string; sha256: string; contentType: string; size: number };

const upload = (file: Buffer, name: string, type: string, fields: Record<string, string> = {}, key: string = KEYS.coordinator) => {
  let req = api().post(`/v1/projects/${projectId}/documents`).set(bearer(key));
  for (const [k, v] of Object.entries(fields)) req = req.field(k, v);
  return req.attach('file', file, { filename: name, contentType: type });
};
const listed = async () => (await api().get(`/v1/projects/${projectId}/documents`).set(asCoordinator).expect(200)).body.items as { documentId: string }[];
const documentEvents = async () => (await stack.audit(projectId)).filter((e) => e.action.startsWith('document-'));

beforeAll(async () => {
  ({ projectId, title, agencyToken: decisionToken } = await toGrantReview(stack, 'Documents'));
}, 120_000);

test('a PDF uploaded for a component: 201 with its id, its SHA-256, the type named from its bytes and its size', async () => {
  // Declared as nothing in particular: the bytes name it.
  const res = await upload(PDF, 'FPGA board specification.pdf', 'application/octet-stream', { componentId: 'c1', kind: 'specification' });
  expect(res.status).toBe(201);
  expect(res.body).toMatchObject({ sha256: sha(PDF), contentType: 'application/pdf', size: PDF.length, kind: 'specification' });
  expect(res.body.documentId).toMatch(/^doc-[0-9a-f]{24}$/);
  expect(res.headers.location).toBe(`/v1/projects/${projectId}/documents/${res.body.documentId}`);
  spec = res.body;
});

test('refusals name what is wrong and store nothing: a type the bytes disagree with, a type not allowed, a file over the limit', async () => {
  const before = { docs: await listed(), events: await documentEvents() };
  const disagree = await upload(PNG, 'spec.pdf', 'application/pdf');
  expect(disagree.status).toBe(415);
  expect(disagree.body.error).toMatchObject({
    code: 'UNSUPPORTED_MEDIA_TYPE',
    message: 'spec.pdf was declared application/pdf, but its bytes are image/png or image/apng',
  });
  const unknown = await upload(EXE, 'setup.exe', 'application/pdf');
  expect(unknown.status).toBe(415);
  expect(unknown.body.error.message).toMatch(/setup\.exe/);
  const limit = stack.policy.documents.maxBytes;
  const oversize = await upload(Buffer.concat([PDF, Buffer.alloc(limit)]), 'big.pdf', 'application/pdf');
  expect(oversize.status).toBe(413);
  expect(oversize.body.error).toMatchObject({
    code: 'PAYLOAD_TOO_LARGE',
    message: `the file in part "file" is larger than the policy's limit of ${limit} bytes`,
  });
  const noFile = await api().post(`/v1/projects/${projectId}/documents`).set(asCoordinator).field('kind', 'other');
  expect(noFile.status).toBe(400);
  const badComponent = await upload(PDF, 'x.pdf', 'application/pdf', { componentId: 'c9' });
  expect(badComponent.status).toBe(400);
  expect(badComponent.body.error.details).toEqual([{ path: 'body.componentId', message: 'is not a component of this project' }]);
  expect({ docs: await listed(), events: await documentEvents() }).toEqual(before);
});

test('who may: another coordinator and another funder get 404, the funder 403 on an upload; the funder and the routed agency read', async () => {
  const before = await listed();
  expect((await upload(PDF, 'x.pdf', 'application/pdf', {}, KEYS.otherCoordinator)).status).toBe(404);
  expect((await upload(PDF, 'x.pdf', 'application/pdf', {}, KEYS.funder)).status).toBe(403);
  expect((await upload(PDF, 'x.pdf', 'application/pdf', {}, KEYS.agencyPerson)).status).toBe(403);
  expect((await api().get(`/v1/projects/${projectId}/documents`).set(bearer(KEYS.otherFunder))).status).toBe(404);
  expect((await api().get(`/v1/projects/${projectId}/documents/${spec.documentId}`).set(bearer(KEYS.otherCoordinator))).status).toBe(404);
  for (const key of [KEYS.funder, KEYS.agencyPerson, KEYS.admin]) {
    const res = await api().get(`/v1/projects/${projectId}/documents`).set(bearer(key));
    expect(res.status).toBe(200);
    expect(res.body.items.map((d: { documentId: string }) => d.documentId)).toEqual([spec.documentId]);
  }
  expect(await listed()).toEqual(before);
});

test('the list and the download: the bytes as uploaded, as an attachment with its name, never sniffed, with its digest', async () => {
  const [doc] = (await api().get(`/v1/projects/${projectId}/documents?componentId=c1`).set(asCoordinator).expect(200)).body.items;
  expect(doc).toMatchObject({
    documentId: spec.documentId,
    filename: 'FPGA board specification.pdf',
    componentId: 'c1',
    attachedTo: { type: 'component', id: 'c1' },
    uploadedBy: 'coordinator:a.weber',
  });
  const res = await api().get(`/v1/projects/${projectId}/documents/${spec.documentId}`).set(bearer(KEYS.funder)).responseType('blob');
  expect(res.status).toBe(200);
  expect(sha(res.body)).toBe(spec.sha256);
  expect(res.headers['content-type']).toBe('application/pdf');
  expect(res.headers['content-disposition']).toBe('attachment; filename="FPGA board specification.pdf"');
  expect(res.headers['x-content-type-options']).toBe('nosniff');
  expect(res.headers['repr-digest']).toBe(`sha-256=:${Buffer.from(spec.sha256, 'hex').toString('base64')}:`);
  expect((await api().get(`/v1/projects/${projectId}/documents/doc-000000000000000000000000`).set(asCoordinator)).status).toBe(404);
});

test('every upload and download is in the audit trail, with the hash and who', async () => {
  const events = await documentEvents();
  const of = (action: string) => events.filter((e: AuditEntry) => e.action === action && e.documentId === spec.documentId);
  expect(of('document-uploaded')).toEqual([
    expect.objectContaining({
      actor: 'coordinator:a.weber',
      channel: 'api',
      componentId: 'c1',
      sha256: spec.sha256,
      detail: expect.stringContaining(spec.sha256),
    }),
  ]);
  expect(of('document-downloaded')).toEqual([expect.objectContaining({ actor: 'funder:horizon-eu', channel: 'api', sha256: spec.sha256 })]);
  const csv = await api().get(`/v1/projects/${projectId}/audit?format=csv`).set(asCoordinator).expect(200);
  expect(csv.text).toContain(`sha256 ${spec.sha256}`);
});

test("a reviewer's signed link: the decision page's list links each document; valid once, then expired or tampered with it is refused", async () => {
  const links = new DocumentLinks(LINK_SECRET);
  const deps = { records: stack.records, links, linkValidFor: stack.policy.documents.linkValidFor };
  const step = { projectId, componentId: 'c1', stepId: 'grant-agency', reviewer: AGENCY_REVIEWER };
  const docs = await documentsForStep(deps, step);
  expect(docs).toEqual([expect.objectContaining({ documentId: spec.documentId, sha256: spec.sha256, href: expect.stringMatching(/^\/d\/[\w-]+\.[\w-]+$/) })]);
  expect(Date.parse(docs[0].expiresAt) - Date.now()).toBeLessThanOrEqual(stack.policy.documents.linkValidFor);

  const res = await api().get(docs[0].href).responseType('blob');
  expect(res.status).toBe(200);
  expect(sha(res.body)).toBe(spec.sha256);
  expect(res.headers['content-disposition']).toContain('FPGA board specification.pdf');
  const byLink = (await documentEvents()).filter((e) => e.action === 'document-downloaded' && e.channel === 'email-link');
  expect(byLink).toEqual([expect.objectContaining({ actor: AGENCY_REVIEWER, stepId: 'grant-agency', sha256: spec.sha256 })]);

  const expired = links.sign({ documentId: spec.documentId, reader: AGENCY_REVIEWER, expiresAt: Date.now() - 1 });
  expect((await api().get(`/d/${expired}`)).status).toBe(410);
  const [payload, mac] = docs[0].href.slice(3).split('.');
  const other = Buffer.from(JSON.stringify({ d: spec.documentId, r: 'someone@else.example', e: Date.now() + 3_600_000 })).toString('base64url');
  for (const forged of [`${other}.${mac}`, `${payload}.${mac.replace(/^./, (c) => (c === 'A' ? 'B' : 'A'))}`]) {
    const refused = await api().get(`/d/${forged}`);
    expect(refused.status).toBe(400);
    expect(refused.body.error.message).toMatch(/damaged/);
  }
  // A decision link is not a download link.
  expect((await api().get(`/d/${decisionToken}`)).status).toBe(400);
  expect((await documentEvents()).filter((e) => e.channel === 'email-link')).toHaveLength(1);
});

test('an answer to a request for information takes files the same way (JSON keeps working)', async () => {
  // Grant approved by both reviewers' links, then BAFA asks for information on c1.
  for (const stepId of ['grant-funder', 'grant-agency']) await decideByLink(stepId, { decision: 'approve' });
  await decideByLink('c1-de-bafa', { decision: 'request-info', comment: 'Send the datasheet' });
  await stack.waitForView(projectId, (v) => !!v.steps.find((s) => s.stepId === 'c1-de-bafa')?.infoRequest, 'info request');
  const refused = await api()
    .post(`/v1/projects/${projectId}/info`)
    .set(asCoordinator)
    .field('stepId', 'c1-de-bafa')
    .field('answer', 'Datasheet attached')
    .attach('file', EXE, { filename: 'datasheet.pdf', contentType: 'application/pdf' });
  expect(refused.status).toBe(415);
  expect((await stack.view(projectId)).steps.find((s) => s.stepId === 'c1-de-bafa')?.infoRequest).toBeDefined(); // nothing was answered

  const datasheet = Buffer.concat([PDF, Buffer.from('% datasheet\n')]);
  const res = await api()
    .post(`/v1/projects/${projectId}/info`)
    .set(asCoordinator)
    .field('stepId', 'c1-de-bafa')
    .field('answer', 'Datasheet attached')
    .attach('file', datasheet, { filename: 'datasheet.pdf', contentType: 'application/pdf' });
  expect(res.status).toBe(200);
  expect(res.body.documents).toEqual([expect.objectContaining({ filename: 'datasheet.pdf', kind: 'information-answer', sha256: sha(datasheet) })]);
  const view = await stack.view(projectId);
  const step = view.steps.find((s) => s.stepId === 'c1-de-bafa')!;
  expect(step.infoRequest).toBeUndefined();
  const items = (await api().get(`/v1/projects/${projectId}/documents`).set(asCoordinator).expect(200)).body.items;
  expect(items.at(-1)).toMatchObject({ componentId: 'c1', attachedTo: { type: 'info-answer', id: `${step.workflowId}/c1-de-bafa` } });
  const uploaded = (await documentEvents()).filter((e) => e.action === 'document-uploaded' && e.stepId === 'c1-de-bafa');
  expect(uploaded).toEqual([expect.objectContaining({ sha256: sha(datasheet) })]);
});

test('an appeal takes files the same way, its JSON in one part named body', async () => {
  await decideByLink('c1-de-bafa', { decision: 'deny', legalBasis: 'AWV §8: end use not established' });
  await stack.waitForView(projectId, (v) => v.openSteps.some((s) => s.kind === 'appeal' && s.componentId === 'c1'), 'appeal window');
  const statement = Buffer.from('End-use statement\nThe board reads out plasma diagnostics only.\n');
  const res = await api()
    .post(`/v1/projects/${projectId}/appeals`)
    .set(asCoordinator)
    .field('body', JSON.stringify({ componentId: 'c1', legalBasis: 'The end-use statement attached establishes the end use' }))
    .attach('file', statement, { filename: 'end-use-statement.txt', contentType: 'text/plain' });
  expect(res.status).toBe(202);
  expect(res.body).toMatchObject({ componentId: 'c1', outcome: 'appealed' });
  expect(res.body.documents).toEqual([expect.objectContaining({ filename: 'end-use-statement.txt', kind: 'appeal', contentType: 'text/plain' })]);
  const appeal = (await stack.view(projectId)).steps.find((s) => s.stepId === res.body.stepId)!;
  const items = (await api().get(`/v1/projects/${projectId}/documents?componentId=c1`).set(asCoordinator).expect(200)).body.items;
  expect(items.at(-1)).toMatchObject({ attachedTo: { type: 'appeal', id: `${appeal.workflowId}/${appeal.stepId}` }, sha256: sha(statement) });
});

/** Decides a step from the link in its e-mail, as the reviewer would. */
async function decideByLink(stepId: string, body: Record<string, string>) {
  const view = await stack.waitForView(projectId, (v) => v.openSteps.some((s) => s.stepId === stepId), `step ${stepId}`);
  const step = view.openSteps.find((s) => s.stepId === stepId)!;
  const mail = await stack.waitForMail((m) => m.to[0]?.address === step.reviewer && m.subject.includes(title) && m.text.includes(step.question.slice(0, 40)));
  const res = await api()
    .post(`/r/${linkTokens(mail.text)[0]}`)
    .set('Accept', 'application/json')
    .send(body);
  expect(res.status).toBe(200);
}
