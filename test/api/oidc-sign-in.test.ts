/**
 * Dashboard sign-in by OpenID Connect, through Chromium: a real OpenID provider
 * (oidc-provider, its own process), the API as a process of its own (its real
 * entry point, with OIDC_ISSUER and a principals file) and a Temporal dev
 * server. The verified e-mail address of the ID token names the principal, and
 * its first sign-in binds the principal to the provider's account (iss, sub);
 * an address no principal has, one not verified (`email_verified` false, the
 * string "false", or missing), or another account with the bound address is
 * refused; a callback that this browser did not start is refused. In production with OpenID Connect, API keys sign no one in.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import request from 'supertest';
import { buildApp } from '../../api/app';
import { KeyRing, type PrincipalsFile } from '../../config/principals';
import { createLogger } from '../../config/logger';
import { freePorts, httpOk, launch, ROOT, startDevServer, startTsEntry, stop, temporalReachable, waitUntil, type Managed } from '../../scripts/lib/stack';
import { launchChromium } from '../helpers/browser';
import { testPolicy } from '../helpers/policy';
import { testRecords } from '../helpers/records';

const CLIENT = { id: 'licence-reviews-dashboard', secret: 'oidc-test-client-secret-0123456789' };
const PRINCIPALS: PrincipalsFile = {
  principals: [
    // No keys: these people sign in through their organisation only.
    { id: 'coordinator:a.weber', role: 'coordinator', scope: 'a.weber', name: 'Anna Weber', email: 'a.weber@kit.example', keys: [] },
    { id: 'funder:horizon-eu', role: 'funder', scope: 'horizon-eu', name: 'Horizon Europe', email: 'programme-officer@horizon-eu.example', keys: [] },
  ],
};
/** Logins at the provider, and the claims it gives each. */
const ACCOUNTS = {
  aweber: { email: 'A.Weber@kit.example', email_verified: true },
  stranger: { email: 'someone@elsewhere.example', email_verified: true },
  unverified: { email: 'programme-officer@horizon-eu.example', email_verified: false },
  unverifiedString: { email: 'programme-officer@horizon-eu.example', email_verified: 'false' },
  unverifiedMissing: { email: 'programme-officer@horizon-eu.example' },
  // Another account at the provider with A. Weber's (verified) address: after her first sign-in, it is not her.
  impostor: { email: 'a.weber@kit.example', email_verified: true },
};

let dir: string;
let api: string;
const processes: Managed[] = [];
let browser: Browser;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'oidc-'));
  const [temporalPort, uiPort, apiPort, providerPort] = await freePorts(4);
  api = `http://127.0.0.1:${apiPort}`;
  const issuer = `http://127.0.0.1:${providerPort}`;
  writeFileSync(path.join(dir, 'principals.json'), JSON.stringify(PRINCIPALS));
  processes.push(startDevServer({ port: temporalPort, uiPort, logFile: path.join(dir, 'temporal.log') }));
  processes.push(
    launch('oidc-provider', process.execPath, [path.join(ROOT, 'test/helpers/oidc-provider-server.mjs')], {
      env: {
        ...process.env,
        OIDC_PORT: String(providerPort),
        OIDC_CLIENT_ID: CLIENT.id,
        OIDC_CLIENT_SECRET: CLIENT.secret,
        OIDC_REDIRECT_URI: `${api}/dashboard/oidc/callback`,
        OIDC_ACCOUNTS: JSON.stringify(ACCOUNTS),
      },
      logFile: path.join(dir, 'provider.log'),
    }),
  );
  processes.push(
    startTsEntry(
      'api',
      'api/main.ts',
      {
        ...process.env,
        NODE_ENV: 'test',
        PORT: String(apiPort),
        PUBLIC_URL: api,
        TEMPORAL_ADDRESS: `127.0.0.1:${temporalPort}`,
        LINK_SECRET: 'oidc-test-link-secret-0123456789',
        PRINCIPALS_FILE: path.join(dir, 'principals.json'),
        API_KEYS: '',
        OIDC_ISSUER: issuer,
        OIDC_CLIENT_ID: CLIENT.id,
        OIDC_CLIENT_SECRET: CLIENT.secret,
        LOG_LEVEL: 'warn',
      },
      path.join(dir, 'api.log'),
    ),
  );
  await waitUntil('the OpenID provider', () => httpOk(`${issuer}/.well-known/openid-configuration`), 60_000, processes[1]);
  await waitUntil('the API', () => httpOk(`${api}/healthz`), 60_000, processes[2]);
  await waitUntil('Temporal', () => temporalReachable(`127.0.0.1:${temporalPort}`), 60_000, processes[0]);
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await Promise.all(processes.map((p) => stop(p)));
  rmSync(dir, { recursive: true, force: true });
}, 60_000);

/** Signs in at the provider as `login` from the dashboard's sign-in page; returns the page where the browser lands. */
async function signInAs(login: string) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${api}/dashboard`);
  await page.click('#oidc');
  await page.fill('input[name="login"]', login);
  await page.fill('input[name="password"]', 'any password');
  await page.click('button[type="submit"]');
  // The provider asks for consent the first time; then it redirects back to the API.
  await page.waitForURL((url) => url.origin === api || url.pathname.includes('/interaction/'), { timeout: 60_000 });
  if (new URL(page.url()).origin !== api) await page.click('button[type="submit"]');
  await page.waitForURL((url) => url.origin === api, { timeout: 60_000 });
  return { context, page };
}

test('the verified e-mail of the ID token names the principal, and the dashboard opens signed in as them', async () => {
  const { context, page } = await signInAs('aweber');
  try {
    await page.waitForURL(`${api}/dashboard`, { timeout: 60_000 });
    await page.waitForSelector('text=Signed in as', { timeout: 60_000 });
    expect(await page.textContent('.who strong')).toBe('coordinator:a.weber');
    const cookies = await context.cookies(api);
    expect(cookies.find((c) => c.name === 'lr_session')).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
    expect(cookies.find((c) => c.name === 'lr_oidc')).toBeUndefined();
    // The session reads the API as that principal.
    const res = await page.request.get(`${api}/v1/milestones/stalled`);
    expect(res.status()).toBe(200);
  } finally {
    await context.close();
  }
}, 150_000);

test('an e-mail address no principal has, one the provider has not verified, or another account with a bound address signs no one in', async () => {
  for (const [login, message] of [
    ['stranger', 'No one with the e-mail address someone@elsewhere.example may use this system'],
    ['unverified', 'email_verified is false, not true'],
    ['unverifiedString', 'email_verified is "false", not true'],
    ['unverifiedMissing', 'did not say that programme-officer@horizon-eu.example is verified'],
    ['impostor', 'a.weber@kit.example signs in with another account at the identity provider'],
  ]) {
    const { context, page } = await signInAs(login);
    try {
      await page.waitForSelector('h1', { timeout: 60_000 });
      expect(await page.textContent('body')).toContain(message);
      expect((await context.cookies(api)).find((c) => c.name === 'lr_session')).toBeUndefined();
    } finally {
      await context.close();
    }
  }
}, 150_000);

test('a callback this browser did not start is refused', async () => {
  const res = await fetch(`${api}/dashboard/oidc/callback?code=stolen&state=guessed`);
  expect(res.status).toBe(400);
  expect(res.headers.get('set-cookie') ?? '').not.toContain('lr_session');
});

test('in production with OpenID Connect, the dashboard takes no API key', async () => {
  const app = buildApp({
    records: testRecords(),
    client: { options: { namespace: 'default' } } as never,
    connection: {} as never,
    config: {
      apiKeys: KeyRing.fromFile(PRINCIPALS),
      policy: testPolicy(),
      TASK_QUEUE: 'oidc',
      NODE_ENV: 'production',
      PUBLIC_URL: 'https://reviews.example',
      OIDC_ISSUER: 'https://id.example',
      OIDC_CLIENT_ID: CLIENT.id,
    },
    signer: { sign: () => '', verify: () => ({ ok: false, reason: 'malformed' }) } as never,
    logger: createLogger('silent', 'oidc-test'),
  });
  const page = await request(app).get('/dashboard');
  expect(page.text).toContain('/dashboard/oidc/start');
  expect(page.text).not.toContain('name="key"');
  const keyed = await request(app).post('/dashboard/sign-in').set('Sec-Fetch-Site', 'same-origin').type('form').send({ key: 'anything-at-all-0123' });
  expect(keyed.status).toBe(403);
  expect(keyed.headers['set-cookie']).toBeUndefined();
});
