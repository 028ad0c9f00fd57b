/**
 * The pages of /app from a test: over HTTP with supertest (a signed-in agent that keeps its cookies, and each form's
 * CSRF token read from the page), and in Chromium (sign-in through the dashboard's form, and axe-core's checks).
 */
import { readFileSync } from 'node:fs';
import type { Express } from 'express';
import type { Browser, Page } from 'playwright-core';
import request from 'supertest';
import { launchChromium } from './browser';

/** A browser's session over HTTP: signed in with `key` through the dashboard's form; cookies kept between requests. */
export async function signedInAgent(app: Express, key: string) {
  const agent = request.agent(app);
  const res = await agent.post('/dashboard/sign-in').set('Sec-Fetch-Site', 'same-origin').type('form').send({ key });
  if (res.status !== 303) throw new Error(`sign-in answered ${res.status}`);
  return agent;
}

/** The CSRF token and form key of the first form on a page. */
export function formTokens(page: string): { _csrf: string; _key?: string } {
  const csrf = /name="_csrf" value="([^"]+)"/.exec(page)?.[1];
  if (!csrf) throw new Error('the page has no form with a CSRF token');
  const key = /name="_key" value="([^"]+)"/.exec(page)?.[1];
  return { _csrf: csrf, ...(key && { _key: key }) };
}

/** Signs in through the dashboard's form, as a person would; the browser then lands on /dashboard. */
export async function signInWithKey(page: Page, base: string, key: string): Promise<void> {
  await page.goto(`${base}/dashboard`);
  await page.getByLabel('API key').fill(key);
  await Promise.all([page.waitForURL(`${base}/dashboard`), page.getByRole('button', { name: 'Sign in' }).click()]);
}

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}
export interface AxeResult {
  url: string;
  violations: AxeViolation[];
  passes: number;
  incomplete: number;
}

const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/**
 * axe-core's WCAG 2.x A and AA rules on the page as it stands. Evaluated through the DevTools protocol, which the
 * page's CSP does not govern: the page itself still allows no script.
 */
export async function axeCheck(page: Page): Promise<AxeResult> {
  await page.evaluate(AXE);
  const result = await page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run: (ctx: unknown, opts: unknown) => Promise<any> } }).axe;
    const r = await axe.run((globalThis as unknown as { document: unknown }).document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
    });
    return {
      violations: r.violations.map((v: any) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n: any) => ({ target: n.target })) })),
      passes: r.passes.length,
      incomplete: r.incomplete.length,
    };
  });
  return { url: page.url(), ...result };
}

/** The violations that fail a page: axe's serious and critical ones. */
export const seriousViolations = (r: AxeResult) => r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');

/** Where the page tests write screenshots for docs/, when asked (SCREENSHOTS=1): the README shows them. */
export async function screenshot(page: Page, name: string): Promise<void> {
  if (process.env.SCREENSHOTS !== '1') return;
  await page.screenshot({ path: `docs/screens/${name}.png`, fullPage: true });
}

/** Appends a page's axe results to AXE_REPORT (a JSON-lines file), when set: the figures for the notes. */
export function reportAxe(name: string, result: AxeResult): void {
  const file = process.env.AXE_REPORT;
  if (!file) return;
  const { appendFileSync } = require('node:fs') as typeof import('node:fs');
  appendFileSync(file, JSON.stringify({ name, ...result }) + '\n');
}

/** Chromium for a file's tests: launched before them, closed after. Returns the browser's getter. */
export function useChromium(): () => Browser {
  let browser: Browser | undefined;
  beforeAll(async () => {
    browser = await launchChromium();
  }, 60_000);
  afterAll(() => browser?.close());
  return () => browser!;
}

/** axe-core on the page as it stands, kept for the notes (AXE_REPORT): the test fails on a serious or critical violation. */
export async function expectAccessible(page: Page, name: string): Promise<void> {
  const result = await axeCheck(page);
  reportAxe(name, result);
  expect(seriousViolations(result)).toEqual([]);
}

/** A fresh browser context (no cookies), signed in with `key`; close it when done. */
export async function signedInPage(browser: Browser, base: string, key: string): Promise<{ page: Page; close: () => Promise<void> }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await signInWithKey(page, base, key);
  return { page, close: () => context.close() };
}
