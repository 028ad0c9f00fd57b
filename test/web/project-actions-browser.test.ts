/**
 * The coordinator's information answer and compliance report in a real browser (Debian chromium through
 * playwright-core), on the real stack: the agency's acts come by their e-mail links, the coordinator's through the
 * pages only. axe-core checks each form blank and with its errors shown: no serious or critical violation.
 */
import type { Browser, Page } from 'playwright-core';
import { policySchema } from '../../domain/policy';
import type { MonitoredLicenceView } from '../../workflows/compliance-contract';
import request from 'supertest';
import { bearer, KEYS, useApiStack, useServedApp } from '../helpers/api-stack';
import { decideByLink, toLicenceReview } from '../helpers/grant-review';
import { setReviewDurations, testPolicyFile } from '../helpers/policy';
import { expectAccessible, screenshot, signedInPage, useChromium } from '../helpers/web';

// Reviews long enough that no step falls due while a browser on a busy machine reads and answers.
const file = testPolicyFile();
setReviewDurations(file, 600, 1800);
// And an appeal window that stays open while the browser first resolves a corrective action.
for (const agency of file.agencies) if (agency.appealBody) agency.appealBody = { ...agency.appealBody, appealWithin: '600s' };
const stack = useApiStack({ policy: policySchema.parse(file) });
const served = useServedApp(stack);

const chromium = useChromium();

const signedIn = () => signedInPage(chromium(), served.base, KEYS.coordinator);

test('the coordinator answers a request for information with a file, through the page', async () => {
  const { projectId, title } = await toLicenceReview(stack, 'bi', 'Info in a browser');
  await decideByLink(stack, projectId, title, 'c1-de-bafa', { decision: 'request-info', comment: 'Which FPGA part number, and its total-dose rating?' });
  await stack.waitForView(projectId, (v) => !!v.steps.find((s) => s.stepId === 'c1-de-bafa')?.infoRequest, 'information request');

  const { page, close } = await signedIn();
  try {
    await page.goto(`${served.base}/app/projects/${projectId}/info/c1-de-bafa`);
    await expect(page.getByText('Which FPGA part number, and its total-dose rating?').count()).resolves.toBe(1);
    await expectAccessible(page, 'info-answer');
    await page.getByLabel('Your answer').fill('XQRKU060, rated 300 krad(Si): datasheet attached.');
    await screenshot(page, 'info-answer');
    await page.getByLabel('Your answer').fill('');

    // Sent empty: the summary at the top, focused, and the same words beside the field.
    await page.getByRole('button', { name: 'Send the answer' }).click();
    await expect(page.title()).resolves.toMatch(/^Error: Answer a request for information/);
    await expect(page.locator('.error-summary a').textContent()).resolves.toBe('Your answer: must not be empty');
    await expect(
      page.evaluate(() => (globalThis as unknown as { document: { activeElement: { className: string } } }).document.activeElement.className),
    ).resolves.toBe('error-summary');
    await expectAccessible(page, 'info-answer (errors)');

    await page.getByLabel('Your answer').fill('XQRKU060, rated 300 krad(Si): datasheet attached.');
    await page.getByLabel('Files').setInputFiles({ name: 'datasheet.txt', mimeType: 'text/plain', buffer: Buffer.from('XQRKU060: 300 krad(Si)\n') });
    await Promise.all([
      page.waitForURL(`${served.base}/app/projects/${projectId}?done=info-answered`),
      page.getByRole('button', { name: 'Send the answer' }).click(),
    ]);
  } finally {
    await close();
  }
  const view = await stack.view(projectId);
  expect(view.steps.find((s) => s.stepId === 'c1-de-bafa')?.infoRequest).toBeUndefined();
  const documents = (await request(stack.app).get(`/v1/projects/${projectId}/documents`).set(bearer(KEYS.coordinator)).expect(200)).body.items;
  expect(documents).toEqual([expect.objectContaining({ filename: 'datasheet.txt', kind: 'information-answer' })]);
}, 120_000);

test('the coordinator files a compliance report with two shipments, after a refused row', async () => {
  const { projectId, title } = await toLicenceReview(stack, 'br', 'Report in a browser');
  await decideByLink(stack, projectId, title, 'c1-de-bafa', { decision: 'approve' });
  await stack.waitForAudit(projectId, (e) => e.some((x) => x.action === 'report-requested'), 'report request');

  const { page, close } = await signedIn();
  try {
    await page.goto(`${served.base}/app/projects/${projectId}/reports/new`);
    await expectAccessible(page, 'compliance-report');
    await page.getByLabel('Yes').check();
    await page.locator('#shipments-0-destination').fill('US');
    await page.locator('#shipments-0-endUser').fill('Oak Ridge National Laboratory');
    await page.locator('#shipments-0-quantity').fill('2');
    await page.locator('#shipments-0-date').fill('2027-03-01');
    // A second row, without script: the button sends the form back with one more row and all that was typed.
    await page.getByRole('button', { name: 'Add another shipment' }).click();
    await expect(page.locator('#shipments-0-endUser').inputValue()).resolves.toBe('Oak Ridge National Laboratory');
    await page.locator('#shipments-1-destination').fill('Germany');
    await page.locator('#shipments-1-endUser').fill('Oak Ridge National Laboratory');
    await page.locator('#shipments-1-date').fill('2027-03-05');
    await page.getByRole('button', { name: 'File the report' }).click();

    await expect(page.title()).resolves.toMatch(/^Error: File a compliance report/);
    const summaryLink = page.locator('.error-summary a[href="#shipments-1-destination"]');
    await expect(summaryLink.count()).resolves.toBe(1);
    const beside = await page.locator('#shipments-1-destination-error').textContent();
    expect(beside).toBe(`Error: ${await summaryLink.textContent()}`);
    await expect(page.locator('#shipments-1-destination').inputValue()).resolves.toBe('Germany');
    await expectAccessible(page, 'compliance-report (errors)');
    await screenshot(page, 'compliance-report');

    await page.locator('#shipments-1-destination').fill('US');
    await page.getByLabel('Notes (optional)').fill('Two boards to ORNL, shipped a few days apart.');
    await Promise.all([
      page.waitForURL(`${served.base}/app/projects/${projectId}?done=report-filed`),
      page.getByRole('button', { name: 'File the report' }).click(),
    ]);
  } finally {
    await close();
  }
  const view = await stack.waitForView(
    projectId,
    (v) => (v.components[0].licence as MonitoredLicenceView).compliance?.reports[0].status === 'received',
    'report received',
  );
  expect((view.components[0].licence as MonitoredLicenceView).compliance.reports[0]).toMatchObject({ anomalies: [] });
}, 120_000);

test('the coordinator resolves a corrective action and appeals a denial, each after a refusal shown beside its field', async () => {
  // Set up through the API: a report whose CN shipment opens a corrective action, and a denial by the agency's link.
  const reported = await toLicenceReview(stack, 'bc', 'Action in a browser');
  await decideByLink(stack, reported.projectId, reported.title, 'c1-de-bafa', { decision: 'approve' });
  await stack.waitForAudit(reported.projectId, (e) => e.some((x) => x.action === 'report-requested'), 'report request');
  const shipment = { destination: 'CN', endUser: 'Institute of High Energy Physics', date: '2027-03-01' };
  const report = { componentId: 'c1', period: 1, endUseConfirmed: true, shipments: [shipment] };
  await request(stack.app).post(`/v1/projects/${reported.projectId}/reports`).set(bearer(KEYS.coordinator)).send(report).expect(200);
  const denied = await toLicenceReview(stack, 'bd', 'Appeal in a browser');
  await decideByLink(stack, denied.projectId, denied.title, 'c1-de-bafa', { decision: 'deny', legalBasis: 'AWV §8: end use not established' });
  await stack.waitForView(denied.projectId, (v) => v.openSteps.some((s) => s.kind === 'appeal'), 'appeal window');

  const { page, close } = await signedIn();
  try {
    // From the report page, where the action to resolve is listed.
    await page.goto(`${served.base}/app/projects/${reported.projectId}/reports/new`);
    await page.getByRole('link', { name: 'c1-ca-1' }).click();
    await expect(page.title()).resolves.toMatch(/^Resolve corrective action c1-ca-1/);
    await expectAccessible(page, 'corrective-action');
    await page.getByRole('button', { name: 'Resolve the action' }).click();
    await expect(page.locator('#note-error').textContent()).resolves.toBe('Error: What was done: must not be empty');
    await expectAccessible(page, 'corrective-action (errors)');
    await page.getByLabel('What was done').fill('The CN row was a mislabelled US delivery; the shipment list is corrected.');
    await Promise.all([
      page.waitForURL(`${served.base}/app/projects/${reported.projectId}?done=action-resolved`),
      page.getByRole('button', { name: 'Resolve the action' }).click(),
    ]);

    await page.goto(`${served.base}/app/projects/${denied.projectId}/appeals/new?componentId=c1`);
    await expect(page.getByText('AWV §8: end use not established').count()).resolves.toBe(1);
    await expectAccessible(page, 'appeal');
    await page.getByLabel('Comment (optional)').fill('The statement is annexed.');
    await page.getByRole('button', { name: 'Send the appeal' }).click();
    await expect(page.locator('#legalBasis-error').textContent()).resolves.toBe('Error: Legal basis: an appeal must state its legal basis, in writing');
    await expect(page.getByLabel('Comment (optional)').inputValue()).resolves.toBe('The statement is annexed.');
    await expectAccessible(page, 'appeal (errors)');
    await screenshot(page, 'appeal');
    await page.getByLabel('Legal basis').fill('The end-use statement was filed on 2027-01-10');
    await Promise.all([
      page.waitForURL(`${served.base}/app/projects/${denied.projectId}?done=appealed`),
      page.getByRole('button', { name: 'Send the appeal' }).click(),
    ]);
  } finally {
    await close();
  }
  const action = (await stack.view(reported.projectId)).components[0].licence as MonitoredLicenceView;
  expect(action.compliance.correctiveActions[0]).toMatchObject({ actionId: 'c1-ca-1', status: 'resolved' });
  const trail = await stack.audit(denied.projectId);
  expect(trail.find((e) => e.stepId === 'c1-appeal-1' && e.action === 'decision-recorded')).toMatchObject({ actor: 'coordinator:a.weber' });
}, 180_000);
