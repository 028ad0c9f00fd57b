/**
 * A coordinator's journey in a real browser (Debian chromium through playwright-core), through the pages only: a
 * three-component project submitted through the task list, a page per part (a row added with "Add another", one
 * removed) and check your answers. The first sending is refused (a partner's country typed as a name): the page of
 * every part shows the error beside its field with all that was typed; corrected there, the project is recorded.
 * Then scoping confirmed, BAFA's request for information answered with a file, and, once the licence is granted, the
 * first compliance report filed. The other parties act by their e-mailed links; the browser opens no /v1 route.
 * axe-core checks each kind of page.
 */
import type { Browser, Page } from 'playwright-core';
import type { MonitoredLicenceView } from '../../workflows/compliance-contract';
import request from 'supertest';
import { bearer, KEYS, useApiStack, useServedApp } from '../helpers/api-stack';
import { uniqueId } from '../helpers/fixtures';
import { decideByLink } from '../helpers/grant-review';
import { setReviewDurations, testPolicyFile } from '../helpers/policy';
import { policySchema } from '../../domain/policy';
import { expectAccessible, screenshot, signInWithKey, useChromium } from '../helpers/web';

// Reviews long enough that no step falls due while a browser on a busy machine reads and answers.
const file = testPolicyFile();
setReviewDurations(file, 600, 1800);
const stack = useApiStack({ policy: policySchema.parse(file) });
const served = useServedApp(stack);
const api = () => request(stack.app);

const chromium = useChromium();

const press = (page: Page, name: string) => page.getByRole('button', { name, exact: true }).click();

const COMPONENTS = [
  { name: 'Open analysis software', codes: '', endUse: 'fundamental-research', destinations: 'US' },
  { name: 'Radiation-hardened FPGA board', codes: '3A001', endUse: 'civilian-research', destinations: 'US' },
  { name: 'High-speed camera', codes: '6A003', endUse: 'plasma-diagnostics', destinations: 'US' },
];

test('a coordinator submits a three-component project, confirms scoping, answers a request for information with a file, and files a report', async () => {
  const page = await chromium().newPage();
  const apiRequests: string[] = [];
  page.on('request', (r) => new URL(r.url()).pathname.startsWith('/v1/') && apiRequests.push(r.url()));
  const title = `Plasma diagnostics ${uniqueId()}`;
  await signInWithKey(page, served.base, KEYS.coordinator);
  await page.goto(`${served.base}/app`); // the coordinator's first page; "Submit a project" is in the navigation
  await page.getByRole('navigation').getByRole('link', { name: 'Submit a project' }).click();
  expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Submit a project');
  await expectAccessible(page, 'submission-task-list');

  await press(page, 'Project details');
  await page.getByLabel('Title').fill(title);
  await page.getByLabel('Funder').selectOption('horizon-eu');
  await page.getByLabel("Coordinator's name").fill('A. Weber');
  await page.getByLabel("Coordinator's e-mail address").fill('a.weber@kit.example');
  await page.getByLabel("Coordinator's organisation").fill('kit'); // no partners yet: their reference, typed
  await press(page, 'Save and go back to the task list');

  await press(page, 'Partners');
  await page.fill('#partners-0-id', 'kit');
  await page.fill('#partners-0-name', 'Karlsruhe Institute of Technology');
  await page.fill('#partners-0-country', 'DE');
  await press(page, 'Add another partner');
  await page.fill('#partners-1-id', 'ornl');
  await page.fill('#partners-1-name', 'Oak Ridge National Laboratory');
  await page.fill('#partners-1-country', 'United States'); // refused: a country is its two-letter code
  await page.press('#partners-1-country', 'Enter'); // the Enter key saves the page (it removes no row)
  expect(await page.locator('ol.tasks').textContent()).toContain('2 added');

  await press(page, 'Components');
  for (const [i, c] of COMPONENTS.entries()) {
    if (i > 0) await press(page, 'Add another component');
    await page.fill(`#components-${i}-name`, c.name);
    await page.fill(`#components-${i}-controlCodes`, c.codes);
    await page.fill(`#components-${i}-endUse`, c.endUse);
    await page.fill(`#components-${i}-destinations`, c.destinations);
    await page.check(`#components-${i}-recipients-1`); // ornl
  }
  await press(page, 'Add another component');
  await press(page, 'Remove component 4'); // a row added by mistake, removed
  expect(await page.locator('fieldset.rows').count()).toBe(3);
  await expectAccessible(page, 'submission-components');
  await press(page, 'Save and go back to the task list');
  expect(await page.locator('ol.tasks').textContent()).toContain('3 added');
  await screenshot(page, 'submission-task-list');

  await press(page, 'Milestones');
  await page.fill('#milestones-0-title', 'Prototype');
  await page.fill('#milestones-0-dueAt', '2027-06-30');
  await page.check('#milestones-0-componentIds-1'); // c2, the FPGA board
  await press(page, 'Save and check your answers');
  expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Check your answers before sending the project');
  await expectAccessible(page, 'submission-check-answers');
  await screenshot(page, 'submission-check-answers');

  // Refused: the page of every part, the summary focused, the error beside its field, everything typed kept.
  await press(page, 'Submit the project');
  expect(await page.title()).toMatch(/^Error: Correct the project/);
  const summary = page.locator('.error-summary');
  expect(await summary.evaluate((el) => el === el.ownerDocument.activeElement)).toBe(true);
  await summary.getByRole('link', { name: /^Partner 2 country: must be an ISO 3166/ }).click();
  expect(page.url()).toMatch(/#partners-1-country$/);
  expect(await page.locator('#partners-1-country-error').textContent()).toContain('Partner 2 country: must be an ISO 3166');
  expect(await page.inputValue('#partners-1-country')).toBe('United States');
  expect(await page.inputValue('#components-2-name')).toBe('High-speed camera');
  expect(await page.inputValue('#milestones-0-title')).toBe('Prototype');
  await expectAccessible(page, 'submission-error');
  await screenshot(page, 'submission-error');
  const none = await api()
    .get(`/v1/projects?q=${encodeURIComponent(title)}`)
    .set(bearer(KEYS.coordinator));
  expect(none.body.items).toEqual([]);

  await page.fill('#partners-1-country', 'US');
  await press(page, 'Check your answers');
  await Promise.all([page.waitForURL(/\/app\/projects\/[^/?]+\?done=submitted$/), press(page, 'Submit the project')]);
  const projectId = /\/app\/projects\/([^/?]+)\?/.exec(page.url())![1];
  const view = (await api().get(`/v1/projects/${projectId}`).set(bearer(KEYS.coordinator))).body;
  expect(view.title).toBe(title);
  expect(view.components.map((c: { name: string }) => c.name)).toEqual(COMPONENTS.map((c) => c.name));
  expect(view.milestones).toHaveLength(1);
  const board = view.components.find((c: { name: string }) => c.name === 'Radiation-hardened FPGA board').id;
  const licenceStep = `${board}-de-bafa`;

  // Scoping, from the project page.
  await stack.waitForView(projectId, (v) => v.components.every((c) => c.tier !== null), 'classification');
  await page.reload();
  await Promise.all([page.waitForURL(/\/scoping$/), page.getByRole('link', { name: 'Confirm scoping' }).click()]);
  await expectAccessible(page, 'coordinator-scoping');
  await Promise.all([page.waitForURL(/done=scoping-confirmed/), press(page, 'Confirm scoping')]);

  // The funder and the lead agency approve the grant, and BAFA asks about the board, each by its e-mailed link.
  for (const step of ['grant-funder', 'grant-agency']) await decideByLink(stack, projectId, title, step, { decision: 'approve' });
  const question = 'Which FPGA part number, and its total-dose rating?';
  await decideByLink(stack, projectId, title, licenceStep, { decision: 'request-info', comment: question });
  await stack.waitForView(projectId, (v) => !!v.steps.find((s) => s.stepId === licenceStep)?.infoRequest, 'information request');
  await page.goto(`${served.base}/app/projects/${projectId}`);
  await Promise.all([page.waitForURL(/\/info\//), page.getByRole('link', { name: /^Answer the information request from/ }).click()]);
  expect(await page.getByText(question).count()).toBe(1);
  await page.getByLabel('Your answer').fill('XQRKU060, rated 300 krad(Si): datasheet attached.');
  await page.getByLabel('Files').setInputFiles({ name: 'datasheet.txt', mimeType: 'text/plain', buffer: Buffer.from('XQRKU060: 300 krad(Si)\n') });
  await Promise.all([page.waitForURL(/done=info-answered$/), press(page, 'Send the answer')]);
  const documents = (await api().get(`/v1/projects/${projectId}/documents`).set(bearer(KEYS.coordinator))).body.items;
  expect(documents).toEqual([expect.objectContaining({ filename: 'datasheet.txt', componentId: board })]);

  // BAFA grants the licence; its first report is asked for, and the coordinator files it from the project page.
  await decideByLink(stack, projectId, title, licenceStep, { decision: 'approve' });
  await stack.waitForAudit(projectId, (e) => e.some((x) => x.action === 'report-requested'), 'report request');
  await page.goto(`${served.base}/app/projects/${projectId}`);
  await Promise.all([page.waitForURL(/\/reports\/new/), page.getByRole('link', { name: 'File a compliance report' }).click()]);
  await page.getByLabel('Licence').selectOption(board);
  await page.getByLabel('Reporting period').fill('1');
  await page.getByLabel('Yes').check();
  await page.locator('#shipments-0-destination').fill('US');
  await page.locator('#shipments-0-endUser').fill('Oak Ridge National Laboratory');
  await page.locator('#shipments-0-date').fill('2027-03-01');
  await expectAccessible(page, 'coordinator-report');
  await Promise.all([page.waitForURL(/done=report-filed$/), press(page, 'File the report')]);
  const reported = await stack.waitForView(
    projectId,
    (v) => (v.components.find((c) => c.id === board)!.licence as MonitoredLicenceView).compliance?.reports[0].status === 'received',
    'report received',
  );
  expect((reported.components.find((c) => c.id === board)!.licence as MonitoredLicenceView).compliance.reports[0]).toMatchObject({ anomalies: [] });
  expect(apiRequests).toEqual([]);
  await page.close();
}, 300_000);
