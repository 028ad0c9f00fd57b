/**
 * Signed acknowledgements on the real stack: a licence whose conditions each recipient acknowledges (the policy names
 * T1 here, so the small T1 project yields one: ORNL's, which names no contact, so the coordinator acknowledges on its
 * behalf). Without the signed document the acknowledgement is refused (400 naming `body.file`) and nothing changes;
 * with a signed PDF from the e-mailed link's page (multipart), the licence lists who, when and the document's hash,
 * the audit trail holds its upload with the hash, and the licence letter prints it.
 */
import { createHash } from 'node:crypto';
import request from 'supertest';
import { policySchema } from '../../domain/policy';
import { utc } from '../../letters/pdf-page';
import type { AuditEntry } from '../../workflows/definitions';
import { bearer, KEYS, linkTokens, useApiStack } from '../helpers/api-stack';
import { SIGNED_PDF as SIGNED, smallProject, uniqueId } from '../helpers/fixtures';
import { flat, pdfText } from '../helpers/pdf';
import { testPolicyFile } from '../helpers/policy';

const policyFile = testPolicyFile();
policyFile.acknowledgedByEachRecipient = ['T1'];
const stack = useApiStack({ policy: policySchema.parse(policyFile) });
const api = () => request(stack.app);
const asCoordinator = bearer(KEYS.coordinator);
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

const STEP = 'c1-acknowledgement-ornl';

/** The e-mailed link's token for a step, once the step is open. */
async function linkFor(projectId: string, title: string, stepId: string): Promise<string> {
  const view = await stack.waitForView(projectId, (v) => v.openSteps.some((s) => s.stepId === stepId), `step ${stepId}`);
  const step = view.openSteps.find((s) => s.stepId === stepId)!;
  const mail = await stack.waitForMail((m) => m.to[0]?.address === step.reviewer && m.subject.includes(title) && m.text.includes(step.question.slice(0, 40)));
  return linkTokens(mail.text)[0];
}

/** The small T1 project through scoping, grant and BAFA's approval: the licence is issued and ORNL's acknowledgement owed. */
async function toAcknowledgement() {
  const projectId = uniqueId('sa');
  const title = `Signed acknowledgements ${projectId}`;
  expect(
    (
      await api()
        .post('/v1/projects')
        .set(asCoordinator)
        .send({ ...smallProject(projectId), title })
    ).status,
  ).toBe(201);
  await stack.waitForView(projectId, (v) => v.components.every((c) => c.tier !== null), 'classification');
  expect((await api().post(`/v1/projects/${projectId}/scoping`).set(asCoordinator).send({})).status).toBe(200);
  for (const stepId of ['grant-funder', 'grant-agency', 'c1-de-bafa']) {
    const res = await api()
      .post(`/r/${await linkFor(projectId, title, stepId)}`)
      .set('Accept', 'application/json')
      .send({ decision: 'approve' });
    expect(res.status).toBe(200);
  }
  return { projectId, token: await linkFor(projectId, title, STEP) };
}

test('on a recipient’s behalf: refused without its signed document, nothing changed; with a signed PDF, the licence, audit and letter carry its hash', async () => {
  const { projectId, token } = await toAcknowledgement();
  const page = await api().get(`/r/${token}`);
  expect(page.text).toContain('enctype="multipart/form-data"');
  expect(page.text).toContain('<input type="file" id="file" name="file">');

  // Without the document: 400 naming body.file; the step stays open and no document or decision is recorded.
  const bare = await api().post(`/r/${token}`).set('Accept', 'application/json').send({ decision: 'acknowledge' });
  expect({ status: bare.status, code: bare.body.error?.code, paths: bare.body.error?.details.map((d: { path: string }) => d.path) }).toEqual({
    status: 400,
    code: 'VALIDATION_FAILED',
    paths: ['body.file'],
  });
  expect(bare.body.error.message).toContain('attach its signed acknowledgement');
  const unchanged = await stack.view(projectId);
  expect(unchanged.openSteps.map((s) => s.stepId)).toEqual([STEP]);
  expect(unchanged.components[0].licence.acknowledgement).toEqual({ stepId: STEP });
  const before = await stack.audit(projectId);
  expect(before.filter((e) => e.action === 'document-uploaded' || (e.action === 'decision-recorded' && e.stepId === STEP))).toEqual([]);
  expect((await api().get(`/v1/projects/${projectId}/documents`).set(asCoordinator)).body.items).toEqual([]);

  // With the signed PDF, as the page's form sends it (multipart, the file in the part named "file").
  const signed = await api()
    .post(`/r/${token}`)
    .set('Accept', 'application/json')
    .field('decision', 'acknowledge')
    .field('comment', 'Signed by ORNL, countersigned for the consortium')
    .attach('file', SIGNED, { filename: 'ornl-acknowledgement.pdf', contentType: 'application/pdf' });
  expect({ status: signed.status, outcome: signed.body.outcome }).toEqual({ status: 200, outcome: 'acknowledged' });

  const view = await stack.waitForView(projectId, (v) => !!v.components[0].licence.acknowledgement?.acknowledgedAt, 'the licence in use');
  const step = view.steps.find((s) => s.stepId === STEP)!;
  const { acknowledgement } = view.components[0].licence;
  expect(acknowledgement!.given).toEqual([
    {
      stepId: STEP,
      party: 'Oak Ridge National Laboratory',
      by: view.coordinator.email,
      at: step.decidedAt,
      documentId: expect.any(String),
      sha256: sha(SIGNED),
    },
  ]);
  const { documentId } = acknowledgement!.given![0];
  expect(step.signedDocument).toEqual({ documentId, sha256: sha(SIGNED) });

  // The document is the licence's, kept through the documents path and audited with its hash.
  const docs = (await api().get(`/v1/projects/${projectId}/documents`).set(asCoordinator)).body.items;
  expect(docs).toEqual([
    expect.objectContaining({
      documentId,
      kind: 'acknowledgement',
      attachedTo: { type: 'licence', id: 'c1' },
      sha256: sha(SIGNED),
      uploadedBy: view.coordinator.email,
    }),
  ]);
  const trail = await stack.audit(projectId);
  const uploaded = trail.filter((e) => e.action === 'document-uploaded');
  expect(uploaded).toEqual([expect.objectContaining({ documentId, sha256: sha(SIGNED), channel: 'email-link', stepId: STEP, actor: view.coordinator.email })]);
  const decided = trail.find((e: AuditEntry) => e.action === 'decision-recorded' && e.stepId === STEP)!;
  expect(decided.detail).toContain(`signed document ${documentId} (sha256 ${sha(SIGNED)})`);

  // The licence letter prints the hash on the acknowledgement's line.
  const letter = await api()
    .get(`/v1/projects/${projectId}/components/c1/letter.pdf`)
    .set(asCoordinator)
    .buffer(true)
    .parse((r, done) => {
      const chunks: Buffer[] = [];
      r.on('data', (c: Buffer) => chunks.push(c));
      r.on('end', () => done(null, Buffer.concat(chunks)));
    });
  expect(letter.status).toBe(200);
  expect(flat(await pdfText(letter.body as Buffer))).toContain(
    `1. Oak Ridge National Laboratory: acknowledged by ${view.coordinator.email} On ${utc(step.decidedAt!)}; signed document SHA-256 ${sha(SIGNED)}`,
  );
}, 150_000);
