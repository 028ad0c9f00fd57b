/**
 * A reviewer's journey in a real browser (Debian chromium through playwright-core), on the real stack (dev server,
 * worker, MailDev, the app listening on 127.0.0.1): the coordinator files a specification sheet for c1; BAFA's reviewer
 * opens the decision page from the link in their e-mail, sees the sheet with its SHA-256, downloads it (the bytes have
 * that hash, and the audit trail names the reviewer), and approves with conditions typed one per line. The licence
 * letter then holds each condition and who set it.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import PDFDocument from 'pdfkit';
import type { Browser, Page } from 'playwright-core';
import request from 'supertest';
import { policySchema } from '../../domain/policy';
import { bearer, KEYS, linkTokens, useApiStack, useServedApp } from '../helpers/api-stack';
import { launchChromium, reloadWhileUnanswered } from '../helpers/browser';
import { smallProject, uniqueId } from '../helpers/fixtures';
import { AGENCY_REVIEWER, decideByLink } from '../helpers/grant-review';
import { flat, pdfText } from '../helpers/pdf';
import { setReviewDurations, testPolicyFile } from '../helpers/policy';

// Reviews long enough that no step falls due while a browser on a busy machine reads and decides.
const file = testPolicyFile();
setReviewDurations(file, 600, 1800);
const stack = useApiStack({ policy: policySchema.parse(file) });
const served = useServedApp(stack);
const api = () => request(stack.app);
const asCoordinator = bearer(KEYS.coordinator);
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

const SPEC_NAME = 'FPGA board specification.pdf';
/** Typed into the conditions box, one per line (the blank line is dropped). */
const CONDITIONS = ['No re-export without the prior written consent of BAFA', 'Quarterly end-use statement from ORNL to BAFA'];

/** A one-page specification sheet, made with pdfkit as a partner's tools would. */
function specificationSheet(): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const doc = new PDFDocument({ size: 'A4', info: { Title: 'Radiation-hardened FPGA board: specification' } });
    const chunks: Buffer[] = [];
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
    doc.fontSize(16).text('Radiation-hardened FPGA board').moveDown();
    doc.fontSize(11).text('Total dose tolerance 300 krad(Si); single-event latch-up immune above 80 MeV cm2/mg.');
    doc.end();
  });
}

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
}, 60_000);
afterAll(() => browser?.close());

/** The decision link's token in the e-mail that asked the step's reviewer, once the step is open. */
async function mailedToken(projectId: string, title: string, stepId: string): Promise<string> {
  const view = await stack.waitForView(projectId, (v) => v.openSteps.some((s) => s.stepId === stepId), `step ${stepId}`);
  const step = view.openSteps.find((s) => s.stepId === stepId)!;
  const mail = await stack.waitForMail((m) => m.to[0]?.address === step.reviewer && m.subject.includes(title) && m.text.includes(step.question.slice(0, 40)));
  return linkTokens(mail.text)[0];
}

/** The letter PDF as the coordinator downloads it, read back with `pdftotext -layout`. */
async function letterText(projectId: string): Promise<string> {
  const res = await api()
    .get(`/v1/projects/${projectId}/components/c1/letter.pdf`)
    .set(asCoordinator)
    .buffer(true)
    .parse((r, done) => {
      const chunks: Buffer[] = [];
      r.on('data', (c: Buffer) => chunks.push(c));
      r.on('end', () => done(null, Buffer.concat(chunks)));
    });
  expect({ status: res.status, type: res.headers['content-type'] }).toEqual({ status: 200, type: 'application/pdf' });
  return pdfText(res.body as Buffer);
}

/** A page that records CSP violations and script errors. */
async function watchedPage(): Promise<{ page: Page; problems: string[]; close: () => Promise<void> }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || /Content Security Policy/i.test(m.text())) problems.push(`${m.text()} (${m.location().url})`);
  });
  page.on('pageerror', (e) => problems.push(e.message));
  page.on('response', (r) => {
    if (r.status() >= 400) problems.push(`${r.status()} ${r.url()}`);
  });
  return { page, problems, close: () => context.close() };
}

test('a reviewer opens the decision page, downloads the specification, approves with conditions; the licence letter holds them', async () => {
  const projectId = uniqueId('journey');
  const title = `Reviewer journey ${projectId}`;
  expect(
    (
      await api()
        .post('/v1/projects')
        .set(asCoordinator)
        .send({ ...smallProject(projectId), title })
    ).status,
  ).toBe(201);
  await stack.waitForView(projectId, (v) => v.components.every((c) => c.tier !== null), 'classification');

  // The coordinator files the specification sheet for c1 before anyone reviews it.
  const sheet = await specificationSheet();
  const uploaded = await api()
    .post(`/v1/projects/${projectId}/documents`)
    .set(asCoordinator)
    .field('componentId', 'c1')
    .field('kind', 'specification')
    .attach('file', sheet, { filename: SPEC_NAME, contentType: 'application/pdf' });
  expect(uploaded.status).toBe(201);
  expect(uploaded.body).toMatchObject({ sha256: sha256(sheet), contentType: 'application/pdf', kind: 'specification' });
  const spec = uploaded.body as { documentId: string; sha256: string };

  // Scoping and the grant, then BAFA's licence step opens and its reviewer is mailed.
  expect((await api().post(`/v1/projects/${projectId}/scoping`).set(asCoordinator).send({})).status).toBe(200);
  for (const step of ['grant-funder', 'grant-agency']) await decideByLink(stack, projectId, title, step, { decision: 'approve' });
  const token = await mailedToken(projectId, title, 'c1-de-bafa');

  const { page, problems, close } = await watchedPage();
  try {
    // The link from the e-mail, on the server the browser reaches.
    const opened = await reloadWhileUnanswered(page, page.goto(`${served.base}/r/${token}`));
    expect(opened?.status()).toBe(200);
    const documents = page.locator('section#documents');
    const item = documents.locator('li', { has: page.locator('a', { hasText: SPEC_NAME }) });
    await expect(item.count()).resolves.toBe(1);
    await expect(item.locator('code').textContent()).resolves.toBe(spec.sha256);

    // A click downloads the sheet: the bytes the coordinator filed.
    const [download] = await Promise.all([page.waitForEvent('download'), item.locator('a').click()]);
    expect(download.suggestedFilename()).toBe(SPEC_NAME);
    const downloaded = readFileSync((await download.path())!);
    expect(sha256(downloaded)).toBe(spec.sha256);

    // The decision, in the form: approve, with the conditions one per line.
    await page.check('input[name="decision"][value="approve"]');
    await page.fill('textarea#conditions', `${CONDITIONS[0]}\n\n${CONDITIONS[1]}\n`);
    const [posted] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST' && r.url() === `${served.base}/r/${token}`),
      page.click('button[type="submit"]'),
    ]);
    expect(posted.status()).toBe(200);
    await page.waitForLoadState();
    await expect(page.locator('h1').textContent()).resolves.toBe('Thank you');
    await expect(page.locator('.notice.ok').textContent()).resolves.toBe('Your decision was recorded: approved.');
    expect(problems).toEqual([]);
  } finally {
    await close();
  }

  // The licence is issued (no further step for a T1 licence), and its letter holds each condition with who set it.
  const view = await stack.waitForView(projectId, (v) => v.components[0].licence.status === 'approved', 'the licence');
  const bafa = view.steps.find((s) => s.stepId === 'c1-de-bafa')!;
  expect({ reviewer: bafa.reviewer, outcome: bafa.outcome }).toEqual({ reviewer: AGENCY_REVIEWER, outcome: 'approved' });
  const standard = stack.policy.licenceConditions.T1;
  expect(view.components[0].licence.conditions).toHaveLength(standard.length + CONDITIONS.length);
  const line = flat(await letterText(projectId));
  CONDITIONS.forEach((c, i) => expect(line).toContain(`${standard.length + i + 1}. ${c} Set by: ${bafa.partyName} (${AGENCY_REVIEWER})`));

  // The download is in the audit trail: the reviewer, by their link, with the sheet's hash.
  const entries = await stack.audit(projectId);
  expect(entries.filter((e) => e.action === 'document-downloaded' && e.documentId === spec.documentId)).toEqual([
    expect.objectContaining({ actor: AGENCY_REVIEWER, channel: 'email-link', stepId: 'c1-de-bafa', sha256: spec.sha256 }),
  ]);
}, 240_000);
