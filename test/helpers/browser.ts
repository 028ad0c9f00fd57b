/**
 * A real browser for page tests: Debian's chromium driven by playwright-core
 * (which bundles no browser; `scripts/setup.sh --for-tests` installs chromium).
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page, type Response } from 'playwright-core';
import { UNANSWERED } from './api-read';

export const CHROMIUM = '/usr/bin/chromium';

/** Quiet, offline, no GPU: nothing but the pages the test opens. */
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM))
    throw new Error(`${CHROMIUM} is missing: run "bash scripts/setup.sh --for-tests" (it installs the Debian package chromium) or install it yourself`);
  // launch() (not launchPersistentContext) gives every run a fresh, throw-away user-data-dir: no state from a previous run.
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS, timeout: 60_000 });
}

/**
 * A page's answer, reloaded while it is 503: under load the page's Temporal reads (a query, a visibility list)
 * may not answer in time. A GET changes nothing, however often it is sent. Returns the last answer.
 */
export async function reloadWhileUnanswered(page: Page, first: Promise<Response | null>, options?: Parameters<Page['reload']>[0]): Promise<Response | null> {
  let res = await first;
  for (const deadline = Date.now() + 60_000; res?.status() === UNANSWERED && Date.now() < deadline;) {
    await new Promise((r) => setTimeout(r, 250));
    res = await page.reload(options);
  }
  return res;
}
