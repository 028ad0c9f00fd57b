/**
 * `GET /v1/projects/:id/components/:componentId/letter.pdf` on the real stack: a T1 project driven through the API
 * and its reviewers' e-mailed links to a licence issued with a reviewer's conditions (then acknowledged), and to a
 * refusal; each letter fetched over HTTP, read back with pdftotext and checked field by field, and the acknowledged
 * licence's first page rendered to test-output/licence-letter.png.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import request from 'supertest';
import { countryName } from '../../letters/letter-data';
import { utc } from '../../letters/pdf-page';
import type { ProjectView, ReviewStep } from '../../workflows/definitions';
import { bearer, KEYS, useApiStack } from '../helpers/api-stack';
import { smallProject } from '../helpers/fixtures';
import { AGENCY_REVIEWER, decideByLink, toLicenceReview } from '../helpers/grant-review';
import { firstPagePng, flat, pdfText } from '../helpers/pdf';

const stack = useApiStack();
const api = () => request(stack.app);
const asCoordinator = bearer(KEYS.coordinator);
const PNG = path.resolve(__dirname, '../../test-output/licence-letter.png');
const BAFA = 'Bundesamt für Wirtschaft und Ausfuhrkontrolle (BAFA)';
const CONDITIONS = ['No re-export without BAFA consent', 'Yearly end-use statement to BAFA'];

const letterUrl = (projectId: string, componentId = 'c1') => `/v1/projects/${projectId}/components/${componentId}/letter.pdf`;

/** The letter as the coordinator downloads it: a PDF whose headers carry the SHA-256 of its bytes. */
async function fetchLetter(projectId: string, key: string = KEYS.coordinator): Promise<{ bytes: Buffer; sha256: string; text: string; disposition: string }> {
  const res = await api()
    .get(letterUrl(projectId))
    .set(bearer(key))
    .buffer(true)
    .parse((r, done) => {
      const chunks: Buffer[] = [];
      r.on('data', (c: Buffer) => chunks.push(c));
      r.on('end', () => done(null, Buffer.concat(chunks)));
    });
  expect({ status: res.status, type: res.headers['content-type'] }).toEqual({ status: 200, type: 'application/pdf' });
  const bytes = res.body as Buffer;
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  expect({ header: res.headers['x-content-sha256'], etag: res.headers.etag }).toEqual({ header: sha256, etag: `"${sha256}"` });
  expect(bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
  return { bytes, sha256, text: await pdfText(bytes), disposition: res.headers['content-disposition'] };
}

/** The parties, items and destinations both letters show, as smallProject submits them. */
function expectCase(text: string, view: ProjectView) {
  const p = smallProject();
  const [kit, ornl] = [p.partners.find((x) => x.id === 'kit')!, p.partners.find((x) => x.id === 'ornl')!];
  const c1 = p.components[0];
  const line = flat(text);
  expect(line).toContain(`Issuing authority ${BAFA}`);
  expect(line).toContain(`Exporter ${kit.name}, ${countryName(kit.country)} (${kit.country})`);
  expect(line).toContain(`Recipient ${ornl.name}, ${countryName(ornl.country)} (${ornl.country})`);
  expect(line).toContain(`Coordinator (applicant) ${view.coordinator.name} <${view.coordinator.email}>, ${kit.name}, Germany (DE)`);
  expect(line).toContain(`Item ${c1.name} (component c1)`);
  expect(line).toContain(`Description ${c1.description}`);
  expect(line).toContain(`End use ${c1.endUse}`);
  expect(line).toContain('Review tier T1');
  const described = view.components[0].classification!.matchedEntries.find((e) => e.code === '3A001')!.description;
  expect(line).toContain(`Control codes 3A001 - ${described}`);
  expect(line).toContain('Destinations United States (US)');
  expect(line).toContain(`Project ${view.title} (${view.projectId})`);
}

test('no letter before a decision: 404 naming the licence state; an unknown component and a foreign caller get 404 too', async () => {
  const { projectId } = await toLicenceReview(stack, 'dl', 'Decision letters');
  const res = await api().get(letterUrl(projectId)).set(asCoordinator);
  expect({ status: res.status, body: res.body }).toEqual({
    status: 404,
    body: {
      error: {
        code: 'NOT_FOUND',
        message: 'component c1 has no decision letter: its licence is in-review, neither issued nor refused',
        details: [{ path: 'path.componentId', message: 'no decision letter yet (licence in-review)' }],
      },
    },
  });
  const unknown = await api().get(letterUrl(projectId, 'c9')).set(asCoordinator);
  expect({ status: unknown.status, message: unknown.body.error?.message }).toEqual({ status: 404, message: `project ${projectId} has no component c9` });
  const foreign = await api().get(letterUrl(projectId)).set(bearer(KEYS.otherCoordinator));
  expect({ status: foreign.status, code: foreign.body.error?.code }).toEqual({ status: 404, code: 'NOT_FOUND' });
});

test('the licence letter: id, authority, parties, items and codes, destinations, each condition with who set it, validity, acknowledgements', async () => {
  const { projectId, title } = await toLicenceReview(stack, 'dl', 'Decision letters');
  await decideByLink(stack, projectId, title, 'c1-de-bafa', { decision: 'approve', conditions: CONDITIONS });
  const view = await stack.waitForView(projectId, (v) => v.components[0].licence.status === 'approved', 'the licence');
  const { licence } = view.components[0];
  const reviewer = view.steps.find((s) => s.stepId === 'c1-de-bafa')!;

  const issued = await fetchLetter(projectId);
  expect(issued.disposition).toBe(`attachment; filename=licence-${licence.licenceId}.pdf`);
  const line = flat(issued.text);
  expect(issued.text).toMatch(/^\s*Bundesamt für Wirtschaft und Ausfuhrkontrolle \(BAFA\)\n/);
  expect(line).toContain(`Export licence Licence ${licence.licenceId}`);
  expect(line).toContain(`Licence number ${licence.licenceId}`);
  expect(line).toContain('Regime EU');
  expect(line).toContain('Status approved');
  expect(line).toContain(`Valid from ${utc(licence.validFrom!)}`);
  expect(line).toContain(`Valid until ${utc(licence.validUntil!)}`);
  expect(licence.basis).toEqual(expect.any(String)); // the EU regime names the authorisation and its law
  expect(line).toContain(`Legal basis ${licence.basis}`);
  expectCase(issued.text, view);
  // The tier's conditions come from the policy; the reviewer's two carry who set them.
  const standard = stack.policy.licenceConditions.T1;
  expect(licence.conditions).toHaveLength(standard.length + CONDITIONS.length);
  const numbered = [
    ...standard.map((c) => `${c} Set by: standard condition for T1 licences (policy ${view.policyVersion})`),
    ...CONDITIONS.map((c) => `${c} Set by: ${reviewer.partyName} (${AGENCY_REVIEWER})`),
  ];
  numbered.forEach((c, i) => expect(line).toContain(`${i + 1}. ${c}`));
  expect(line).toContain('Written acknowledgements of the conditions 1 acknowledgement(s) still owed');

  // Same record, same bytes; the acknowledgement changes the record, and the letter lists who acknowledged and when.
  expect((await fetchLetter(projectId)).sha256).toBe(issued.sha256);
  await decideByLink(stack, projectId, title, 'c1-acknowledgement', { decision: 'acknowledge', comment: 'Signed for KIT' });
  const inUse = await stack.waitForView(projectId, (v) => !!v.components[0].licence.acknowledgement?.acknowledgedAt, 'the acknowledgement');
  const ack = inUse.steps.find((s) => s.stepId === 'c1-acknowledgement') as ReviewStep;
  const acknowledged = await fetchLetter(projectId);
  expect(acknowledged.sha256).not.toBe(issued.sha256);
  await firstPagePng(acknowledged.bytes, PNG);
  expect(flat(acknowledged.text)).toContain(
    `1. ${ack.partyName}: acknowledged by ${inUse.coordinator.email} On ${utc(ack.decidedAt!)} Every acknowledgement the conditions require has been given.`,
  );
  // Once in use, the compliance monitor holds the licence's record: the letter stays the same, byte for byte, and the
  // project's funder reads that too.
  await stack.waitForView(projectId, (v) => 'compliance' in v.components[0].licence, 'the compliance monitor holding the licence');
  expect((await fetchLetter(projectId, KEYS.funder)).sha256).toBe(acknowledged.sha256);
  // Each distinct letter is kept once as a document with its hash: the letter as issued, then as acknowledged.
  expect(await keptLetters(projectId)).toEqual([
    { kind: 'licence-letter', filename: `licence-${licence.licenceId}.pdf`, sha256: issued.sha256, uploadedBy: 'system' },
    { kind: 'licence-letter', filename: `licence-${licence.licenceId}.pdf`, sha256: acknowledged.sha256, uploadedBy: 'system' },
  ]);
});

/** The letters the project's documents hold, in the order they were kept. */
async function keptLetters(projectId: string) {
  const res = await api().get(`/v1/projects/${projectId}/documents`).set(bearer(KEYS.coordinator));
  expect(res.status).toBe(200);
  return (res.body.items as { kind: string; filename: string; sha256: string; uploadedBy: string }[])
    .filter((d) => d.kind.endsWith('-letter'))
    .map(({ kind, filename, sha256, uploadedBy }) => ({ kind, filename, sha256, uploadedBy }));
}

test('the refusal letter: legal basis, the refusing decision, the appeal body, time allowed and deadline', async () => {
  const { projectId, title } = await toLicenceReview(stack, 'dl', 'Decision letters');
  const legalBasis = 'AWV §8: end use not established';
  await decideByLink(stack, projectId, title, 'c1-de-bafa', { decision: 'deny', legalBasis });
  const view = await stack.waitForView(
    projectId,
    (v) => v.components[0].licence.status === 'denied' && v.openSteps.some((s) => s.kind === 'appeal'),
    'the denial and its appeal window',
  );
  const denial = view.steps.find((s) => s.stepId === 'c1-de-bafa')!;
  const window = view.openSteps.find((s) => s.kind === 'appeal')!;
  const body = stack.policy.agencies.find((a) => a.id === 'de-bafa')!.appealBody!;

  const refusal = await fetchLetter(projectId);
  expect(refusal.disposition).toBe(`attachment; filename=refusal-${projectId}-c1.pdf`);
  const line = flat(refusal.text);
  expect(line).toContain(`Refusal of an export licence ${view.title}: Radiation-hardened FPGA board`);
  expect(line).toContain(`Date of refusal ${utc(window.openedAt)}`);
  expect(line).toContain(`Legal basis ${view.components[0].licence.basis}`);
  expect(view.components[0].licence.basis).toContain(legalBasis);
  expectCase(refusal.text, view);
  expect(line).toContain(`1. ${denial.partyName}: refused under ${legalBasis} By ${AGENCY_REVIEWER} on ${utc(denial.decidedAt!)}`);
  expect(line).toContain(`Appeal to ${body.name}`);
  expect(line).toContain('Time allowed 1 minute from the refusal');
  expect(line).toContain(`Appeal deadline ${utc(window.dueAt)}`);
  expect(line).toContain('Appeal status The appeal window is open');
  expect((await fetchLetter(projectId)).sha256).toBe(refusal.sha256);
  expect(await keptLetters(projectId)).toEqual([
    { kind: 'refusal-letter', filename: `refusal-${projectId}-c1.pdf`, sha256: refusal.sha256, uploadedBy: 'system' },
  ]);
});
