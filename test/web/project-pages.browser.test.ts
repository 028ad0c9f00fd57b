/**
 * The coordinator's project pages in a real browser (Debian chromium through playwright-core) on the real stack: the
 * list, a project's page with its timeline, confirm scoping with a tier raised, and withdraw with its confirmation,
 * through the pages only (the browser opens no /v1 route). axe-core checks each page: no serious or critical violation.
 */
import type { Browser, Page } from 'playwright-core';
import request from 'supertest';
import { bearer, KEYS, useApiStack, useServedApp } from '../helpers/api-stack';
import { projectWith, uniqueId } from '../helpers/fixtures';
import { decideByLink, toLicenceReview } from '../helpers/grant-review';
import { expectAccessible, screenshot, signInWithKey, useChromium } from '../helpers/web';

const stack = useApiStack();
const served = useServedApp(stack);
const asCoordinator = bearer(KEYS.coordinator);

const chromium = useChromium();

test('a coordinator finds a project, reads its timeline, confirms scoping with a raised tier, and withdraws another', async () => {
  // One project under review (grant approved, BAFA asking a question), one just classified.
  const reviewed = await toLicenceReview(stack, 'browse', 'Detector upgrade');
  await request(stack.app)
    .post(`/v1/projects/${reviewed.projectId}/documents`)
    .set(asCoordinator)
    .field('componentId', 'c1')
    .field('kind', 'specification')
    .attach('file', Buffer.from('%PDF-1.4\n% readout board\n%%EOF\n'), { filename: 'Readout board specification.pdf', contentType: 'application/pdf' });
  await decideByLink(stack, reviewed.projectId, reviewed.title, 'c1-de-bafa', { decision: 'request-info', comment: 'Which detector does it read out?' });
  await stack.waitForView(reviewed.projectId, (v) => !!v.openSteps.find((s) => s.stepId === 'c1-de-bafa')?.infoRequest, 'the information request');
  const fresh = { ...projectWith('c1', 'c2'), title: `Plasma imaging ${uniqueId('pi')}` };
  expect((await request(stack.app).post('/v1/projects').set(asCoordinator).send(fresh)).status).toBe(201);
  await stack.waitForView(fresh.projectId, (v) => v.components.every((c) => c.tier !== null), 'classification');

  const context = await chromium().newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const apiOpened: string[] = [];
  page.on('request', (r) => {
    if (new URL(r.url()).pathname.startsWith('/v1/')) apiOpened.push(r.url());
  });
  try {
    await signInWithKey(page, served.base, KEYS.coordinator);
    await page.goto(`${served.base}/app/projects`);
    await expect(page.locator('h1').textContent()).resolves.toBe('Projects');
    await expectAccessible(page, 'projects-list');
    await screenshot(page, 'projects-list');

    // Search, then open the project under review from the list.
    await page.getByRole('searchbox', { name: 'Search' }).fill('Detector upgrade');
    await Promise.all([page.waitForURL(/q=Detector/), page.getByRole('button', { name: 'Apply filters' }).click()]);
    await Promise.all([page.waitForURL(`${served.base}/app/projects/${reviewed.projectId}`), page.getByRole('link', { name: reviewed.title }).click()]);
    await expect(page.locator('h1').textContent()).resolves.toBe(reviewed.title);
    await expect(page.locator('#open-title + table').textContent()).resolves.toContain('Which detector does it read out?');
    await expect(page.getByRole('link', { name: 'Readout board specification.pdf' }).count()).resolves.toBe(1);
    await expect(page.getByRole('link', { name: /Answer the information request from/ }).count()).resolves.toBe(1);
    await expectAccessible(page, 'project-page');
    await screenshot(page, 'project-page');

    // The new project: confirm scoping, raising the camera's tier with a reason.
    await page.goto(`${served.base}/app/projects?q=${encodeURIComponent(fresh.title)}`);
    await Promise.all([page.waitForURL(`${served.base}/app/projects/${fresh.projectId}`), page.getByRole('link', { name: fresh.title }).click()]);
    await Promise.all([page.waitForURL(/\/scoping$/), page.getByRole('link', { name: 'Confirm scoping' }).click()]);
    await expectAccessible(page, 'scoping');
    await page.getByLabel('Tier for High-speed camera').selectOption('T3');
    await page.getByLabel('Justification for High-speed camera').fill('Imaging data shared with a defence laboratory');
    await screenshot(page, 'scoping');
    await Promise.all([page.waitForURL(/done=scoping-confirmed/), page.getByRole('button', { name: 'Confirm scoping' }).click()]);
    await expect(page.locator('.banner[role=status]').textContent()).resolves.toContain('Scoping was confirmed.');
    await expect(page.locator('#components-title + table').textContent()).resolves.toMatch(/High-speed camerac2T3 \(classified T2\)/);

    // Withdraw it: the confirmation first; unanswered, the error summary; then yes.
    await Promise.all([page.waitForURL(/\/withdraw$/), page.getByRole('link', { name: 'Withdraw this project' }).click()]);
    await expectAccessible(page, 'withdraw');
    await page.getByLabel('Why you are withdrawing it').fill('The camera goes to another programme');
    await page.getByRole('button', { name: 'Withdraw the project' }).click();
    await page.waitForLoadState();
    await expect(page.locator('.error-summary a').textContent()).resolves.toBe('Select yes to withdraw the project, or no to keep it');
    await expectAccessible(page, 'withdraw-error');
    await page.getByLabel('Yes, withdraw it').check();
    await Promise.all([page.waitForURL(/done=withdraw/), page.getByRole('button', { name: 'Withdraw the project' }).click()]);
    await expect(page.locator('.banner[role=status]').textContent()).resolves.toMatch(/withdrawal was accepted|project was withdrawn/);
    expect(apiOpened).toEqual([]);
  } finally {
    await context.close();
  }
  await stack.waitForView(fresh.projectId, (v) => v.stage === 'withdrawn', 'withdrawn');
}, 240_000);
