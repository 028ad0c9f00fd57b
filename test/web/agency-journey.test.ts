/**
 * An agency reviewer in Chromium, through the pages only: signs in, opens the queue, is refused a deny without legal
 * basis (beside the field), decides the step, and sees it gone from the queue; then reads the figures. axe-core checks
 * each page (no serious or critical violations); screenshots for the README with SCREENSHOTS=1.
 */
import type { Browser } from 'playwright-core';
import request from 'supertest';
import { policySchema } from '../../domain/policy';
import { bearer, KEYS, useApiStack, useServedApp } from '../helpers/api-stack';
import { toGrantReview } from '../helpers/grant-review';
import { setReviewDurations, testPolicyFile } from '../helpers/policy';
import { axeCheck, reportAxe, screenshot, seriousViolations, signInWithKey, useChromium } from '../helpers/web';

// Reviews long enough that no step falls due (or escalates) while a browser on a busy machine reads and decides.
const file = testPolicyFile();
setReviewDurations(file, 600, 1800);
const stack = useApiStack({ policy: policySchema.parse(file) });
const served = useServedApp(stack);

const chromium = useChromium();

/** The project's step in BAFA's queue, once listed (set up through the API: the coordinator's and funder's acts are not this test's). */
async function queuedRef(projectId: string): Promise<string> {
  for (const deadline = Date.now() + 30_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 300))) {
    const res = await request(stack.app).get('/v1/steps').set(bearer(KEYS.agency));
    const step = (res.body.steps as { ref: string; projectId: string }[] | undefined)?.find((s) => s.projectId === projectId);
    if (step) return step.ref;
  }
  throw new Error(`the grant step of ${projectId} was not queued within 30 s`);
}

test('an agency reviewer decides from the queue', async () => {
  const { projectId, title } = await toGrantReview(stack, 'Agency journey');
  const href = `/app/queue/${encodeURIComponent(await queuedRef(projectId))}`;
  const context = await chromium().newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  try {
    await signInWithKey(page, served.base, KEYS.agencyPerson);
    await page.goto(`${served.base}/app`);
    expect(page.url()).toBe(`${served.base}/app/queue`);
    await page.getByRole('heading', { name: "Your agency's queue" }).waitFor();
    const row = page.locator('tr', { hasText: title });
    await expect(row.locator(`a[href="${href}"]`).count()).resolves.toBe(1);
    const queue = await axeCheck(page);
    reportAxe('agency-queue', queue);
    expect(seriousViolations(queue)).toEqual([]);
    await screenshot(page, 'agency-queue');

    await Promise.all([page.waitForURL(`${served.base}${href}`), row.locator(`a[href="${href}"]`).click()]);
    await page.getByRole('heading', { level: 2, name: 'Decide' }).waitFor();
    const decide = await axeCheck(page);
    reportAxe('agency-decide', decide);
    expect(seriousViolations(decide)).toEqual([]);
    await screenshot(page, 'agency-decide');

    // A deny without its legal basis: refused beside the field, the choice and the comment kept.
    await page.getByRole('radio', { name: /^Deny/ }).check();
    await page.getByLabel('Comment').fill('end user not eligible');
    await page.getByRole('button', { name: 'Record the decision' }).click();
    await page.getByRole('heading', { name: 'There is a problem' }).waitFor();
    expect(await page.title()).toMatch(/^Error: /);
    await expect(page.locator('#legalBasis-error').textContent()).resolves.toMatch(/Legal basis: /);
    await expect(page.getByRole('radio', { name: /^Deny/ }).isChecked()).resolves.toBe(true);
    await expect(page.getByLabel('Comment').inputValue()).resolves.toBe('end user not eligible');
    // The summary links to the field.
    await page.locator('.error-summary a[href="#legalBasis"]').click();
    await expect(page.evaluate(() => (globalThis as unknown as { document: { activeElement: { id: string } } }).document.activeElement.id)).resolves.toBe(
      'legalBasis',
    );
    const refused = await axeCheck(page);
    reportAxe('agency-decide-error', refused);
    expect(seriousViolations(refused)).toEqual([]);

    await page.getByRole('radio', { name: /^Approve/ }).check();
    await page.getByLabel('Comment').fill('end use confirmed with the consignee');
    await Promise.all([page.waitForURL(`${served.base}/app/queue?done=decided`), page.getByRole('button', { name: 'Record the decision' }).click()]);
    await page.getByText('Your decision was recorded').waitFor();
    await expect(page.locator(`a[href="${href}"]`).count()).resolves.toBe(0);
    await stack.waitForView(projectId, (v) => v.steps.some((s) => s.stepId === 'grant-agency' && s.status === 'decided'), 'the grant step decided');

    await Promise.all([
      page.waitForURL(`${served.base}/app/figures`),
      page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Figures' }).click(),
    ]);
    await page.getByRole('rowheader', { name: 'Grant review — lead agency' }).waitFor();
    const figures = await axeCheck(page);
    reportAxe('agency-figures', figures);
    expect(seriousViolations(figures)).toEqual([]);
    await screenshot(page, 'agency-figures');
  } finally {
    await context.close();
  }
}, 180_000);
