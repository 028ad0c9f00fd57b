/**
 * A coordinator submits a three-component project in a real browser (Debian chromium through playwright-core), through
 * the pages only: the task list, a page per part (a row added with "Add another", one removed), check your answers.
 * The first sending is refused (a partner's country typed as a name): the page of every part shows the error beside
 * its field with all that was typed; corrected there, the project is sent and recorded. axe-core checks each kind of page.
 */
import type { Browser, Page } from 'playwright-core';
import request from 'supertest';
import { bearer, KEYS, useApiStack, useServedApp } from '../helpers/api-stack';
import { launchChromium } from '../helpers/browser';
import { uniqueId } from '../helpers/fixtures';
import { axeCheck, reportAxe, screenshot, seriousViolations, signInWithKey } from '../helpers/web';

const stack = useApiStack();
const served = useServedApp(stack);
const api = () => request(stack.app);

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
}, 60_000);
afterAll(() => browser?.close());

/** axe-core on the page as it stands: no serious or critical violation; the figures go to the report. */
async function accessible(page: Page, name: string) {
  const result = await axeCheck(page);
  reportAxe(name, result);
  expect(seriousViolations(result)).toEqual([]);
}

const press = (page: Page, name: string) => page.getByRole('button', { name, exact: true }).click();

const COMPONENTS = [
  { name: 'Open analysis software', codes: '', endUse: 'fundamental-research', destinations: 'US' },
  { name: 'Radiation-hardened FPGA board', codes: '3A001', endUse: 'civilian-research', destinations: 'US' },
  { name: 'High-speed camera', codes: '6A003', endUse: 'plasma-diagnostics', destinations: 'US' },
];

test('a coordinator submits a three-component project through the task list, corrects a refusal, and it is recorded', async () => {
  const page = await browser.newPage();
  const title = `Plasma diagnostics ${uniqueId()}`;
  await signInWithKey(page, served.base, KEYS.coordinator);
  await page.goto(`${served.base}/app`); // the coordinator's first page; "Submit a project" is in the navigation
  await page.getByRole('navigation').getByRole('link', { name: 'Submit a project' }).click();
  expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Submit a project');
  await accessible(page, 'submission-task-list');

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
  await accessible(page, 'submission-components');
  await press(page, 'Save and go back to the task list');
  expect(await page.locator('ol.tasks').textContent()).toContain('3 added');
  await screenshot(page, 'submission-task-list');

  await press(page, 'Milestones');
  await page.fill('#milestones-0-title', 'Prototype');
  await page.fill('#milestones-0-dueAt', '2027-06-30');
  await page.check('#milestones-0-componentIds-1'); // c2, the FPGA board
  await press(page, 'Save and check your answers');
  expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Check your answers before sending the project');
  await accessible(page, 'submission-check-answers');
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
  await accessible(page, 'submission-error');
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
  await page.close();
}, 180_000);
