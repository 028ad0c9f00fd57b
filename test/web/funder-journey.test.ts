/**
 * A funder's journey in Chromium, through the pages only (no /v1 route is opened in the browser): the programme officer
 * signs in with their key, finds the project in the portfolio, launches a review cycle over it (a close date in the past
 * refused beside its field first), follows the cycle by reloading its page until the outcome comes in, and sees the
 * stalled milestone with who is awaited. axe-core checks each page (and the form's error state).
 */
import type { Browser, Page } from 'playwright-core';
import { KEYS, useApiStack, useServedApp } from '../helpers/api-stack';
import { expectAccessible, screenshot, signInWithKey, useChromium } from '../helpers/web';
import { activeProject } from '../helpers/active-project';

const stack = useApiStack();
const served = useServedApp(stack);
const HORIZON = 'European Commission, Horizon Europe';

const chromium = useChromium();

test('a funder launches a cycle through the pages and sees its outcome by reloading', async () => {
  const { projectId, title } = await activeProject(stack, `Plasma diagnostics ${Date.now().toString(36)}`);

  const context = await chromium().newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (m) => {
    // The refused launch answers 422 on purpose (the form with its errors): Chromium logs it; nothing else may show.
    if (/status of 422/.test(m.text())) return;
    if (m.type() === 'error' || /Content Security Policy/i.test(m.text())) problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(e.message));
  try {
    await signInWithKey(page, served.base, KEYS.funder);
    await page.getByRole('link', { name: 'Open the app' }).click();
    await page.waitForURL(`${served.base}/app/portfolio`);

    // The portfolio, searched for the project: its stage, its licence, nobody awaited.
    await page.getByLabel('Search').fill(projectId);
    await page.getByRole('button', { name: 'Show projects' }).click();
    const row = page.locator('tbody tr', { hasText: projectId });
    await expect(row.count()).resolves.toBe(1);
    await expect(row.locator('td').nth(1).textContent()).resolves.toBe('active');
    await expect(row.locator('td').nth(2).textContent()).resolves.toContain('approved');
    await expectAccessible(page, 'funder-portfolio');
    await screenshot(page, 'funder-portfolio');

    // Launch a cycle over it: first with a close date in the past.
    await page.getByRole('link', { name: 'Launch a review cycle' }).click();
    await page.waitForURL(`${served.base}/app/cycles/new`);
    await page.getByLabel('Name of the cycle').fill('Spring milestone review');
    await page.getByLabel('The projects I choose below').check();
    await page.getByLabel(title).check();
    await page.getByLabel('Close date').fill('2020-03-31');
    await expectAccessible(page, 'cycle-launch');
    await screenshot(page, 'cycle-launch');
    await page.getByRole('button', { name: 'Continue' }).click();
    await expect(page.title()).resolves.toMatch(/^Check your answers/);
    await expect(page.locator('dl.summary').textContent()).resolves.toContain(title);
    await expectAccessible(page, 'cycle-check');
    await screenshot(page, 'cycle-check');
    await page.getByRole('button', { name: 'Launch the cycle' }).click();
    await expect(page.title()).resolves.toMatch(/^Error: Launch a review cycle/);
    // The summary has the focus, links to the field, and says what is said beside it; what was typed is kept.
    await expect(page.evaluate(() => (globalThis as any).document.activeElement?.className)).resolves.toBe('error-summary');
    await expect(page.locator('.error-summary a[href="#closesAt"]').textContent()).resolves.toBe('Close date: must be in the future');
    await expect(page.locator('#closesAt-error').textContent()).resolves.toBe('Error: Close date: must be in the future');
    await expect(page.getByLabel('Close date').inputValue()).resolves.toBe('2020-03-31');
    await expect(page.getByLabel(title).isChecked()).resolves.toBe(true);
    await expectAccessible(page, 'cycle-launch-error');
    await screenshot(page, 'cycle-launch-error');

    // A close a few seconds ahead (UTC, as the hint says): nobody decides the milestone, so it stalls at the close.
    const closesAt = new Date(Date.now() + 12_000).toISOString().slice(0, 19).replace('T', ' ');
    await page.getByLabel('Close date').fill(closesAt);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('button', { name: 'Launch the cycle' }).click();
    await page.waitForURL(/\/app\/cycles\/[^/]+\?done=launched$/);
    await expect(page.locator('.banner').textContent()).resolves.toContain('The cycle was launched');
    const cycleUrl = page.url().replace(/\?.*$/, '');

    // Followed by reloading, as a person would, until the outcome is there.
    const outcome = page.locator('tbody tr', { hasText: projectId });
    for (const deadline = Date.now() + 60_000; (await outcome.count()) === 0 || !(await outcome.textContent())?.includes('Stalled');) {
      if (Date.now() > deadline) throw new Error(`no outcome on ${cycleUrl}: ${await page.locator('main').textContent()}`);
      await new Promise((r) => setTimeout(r, 1000));
      await page.getByRole('link', { name: 'Reload' }).click();
    }
    expect(page.url()).toBe(cycleUrl);
    await expect(outcome.textContent()).resolves.toContain(HORIZON);
    await expectAccessible(page, 'cycle-outcomes');
    await screenshot(page, 'cycle-outcomes');

    // The stalled milestone, with who is awaited.
    await page.getByRole('link', { name: 'Held and stalled in this cycle' }).click();
    const stalled = page.locator('tbody tr', { hasText: projectId });
    await expect(stalled.count()).resolves.toBe(1);
    await expect(stalled.textContent()).resolves.toContain(HORIZON);
    await expectAccessible(page, 'stalled');
    await screenshot(page, 'stalled');
    expect(problems).toEqual([]);
  } finally {
    await context.close();
  }
}, 240_000);
