/**
 * A real browser for page tests: Debian's chromium driven by playwright-core
 * (which bundles no browser; `scripts/setup.sh --for-tests` installs chromium).
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

/** Quiet, offline, no GPU: nothing but the pages the test opens. */
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: run "bash scripts/setup.sh --for-tests" (it installs the Debian package chromium) or install it yourself`);
  // launch() (not launchPersistentContext) gives every run a fresh, throw-away user-data-dir: no state from a previous run.
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS, timeout: 60_000 });
}
