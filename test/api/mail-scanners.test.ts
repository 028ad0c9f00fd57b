/**
 * Mail scanners open every link in an e-mail before the reviewer does: with
 * HEAD and GET, following redirects, and in a real browser that renders the
 * page and runs whatever it is given. None of that may decide anything. The
 * decision form needs a deliberate choice: nothing is pre-selected, it never
 * submits itself, and pressing the button without a choice sends nothing.
 */
import type { Browser, Page, Request as PageRequest } from 'playwright-core';
import { expectStatus, fetchAnswered } from '../helpers/api-read';
import { PUBLIC_URL, useApiStack, useServedApp } from '../helpers/api-stack';
import { launchChromium, reloadWhileUnanswered } from '../helpers/browser';
import { toGrantReview, type GrantReview } from '../helpers/grant-review';

declare const document: { querySelectorAll(selector: string): ArrayLike<{ checked?: boolean }> };

const stack = useApiStack();
const served = useServedApp(stack);
let browser: Browser;

beforeAll(async () => {
  browser = await launchChromium();
}, 90_000);
afterAll(() => browser?.close());

/** Every link in the review e-mails, pointed at the app under test instead of the public address. */
function linksIn(g: GrantReview): string[] {
  const all = [g.funderMail, g.agencyMail].flatMap((m) => m.text.match(/https?:\/\/[^\s>")]+/g) ?? []);
  expect(all.length).toBeGreaterThanOrEqual(2);
  return all.map((url) => url.replace(PUBLIC_URL, served.base));
}

/**
 * Opens a link in the browser, again while it answers 503: the page reads the step from its workflow (a query),
 * which under load may not answer in time. A GET changes nothing, however often it is sent.
 */
async function gotoAnswered(page: Page, url: string, options?: Parameters<Page['goto']>[1]) {
  const res = await reloadWhileUnanswered(page, page.goto(url, options), options);
  expect({ url, status: res?.status() }).toEqual({ url, status: 200 });
}

/** What a decision would change: the steps, the stage and the audit trail. */
async function state(projectId: string) {
  const view = await stack.view(projectId);
  return { stage: view.stage, steps: view.steps, audit: await stack.audit(projectId) };
}

test('HEAD, GET with redirects followed, and a browser rendering each link change nothing; the form sends nothing without a choice', async () => {
  const g = await toGrantReview(stack, 'Scanned');
  const before = await state(g.projectId);
  const links = linksIn(g);

  for (const url of links) {
    for (const method of ['HEAD', 'GET']) {
      expectStatus(await fetchAnswered(url, { method, redirect: 'follow' }), 200);
    }
  }

  const context = await browser.newContext({ javaScriptEnabled: true });
  const sent: PageRequest[] = [];
  context.on('request', (r) => sent.push(r));
  try {
    for (const url of links) {
      const page = await context.newPage();
      await gotoAnswered(page, url, { waitUntil: 'networkidle' });
      await page.screenshot(); // rendered, as a preview pane would
      expect(await page.evaluate(() => document.querySelectorAll('script').length)).toBe(0);
      expect(await page.evaluate(() => Array.from(document.querySelectorAll('input[type=radio]')).filter((r) => r.checked).length)).toBe(0);
      // A scanner that presses the button without choosing: the browser refuses (the choice is required), nothing is sent.
      await page.click('button[type=submit]');
      await page.waitForTimeout(300);
      expect(page.url()).toBe(url);
      await page.close();
    }
    expect(sent.filter((r) => r.method() !== 'GET')).toEqual([]);
    expect(await state(g.projectId)).toEqual(before);

    // The same form with a deliberate choice does send, so the checks above could see a submission.
    const page = await context.newPage();
    const funderLink = links.find((l) => l.includes(g.funderToken))!;
    await gotoAnswered(page, funderLink);
    await page.check('input[value=approve]');
    await Promise.all([page.waitForURL(funderLink, { waitUntil: 'load' }), page.click('button[type=submit]')]);
    expect(await page.textContent('body')).toContain('Your decision was recorded');
    expect(sent.filter((r) => r.method() === 'POST').map((r) => r.url())).toEqual([funderLink]);
  } finally {
    await context.close();
  }
  const after = await state(g.projectId);
  expect(after.audit.filter((e) => e.action === 'decision-recorded').map((e) => e.stepId)).toEqual(['grant-funder']);
}, 90_000);
