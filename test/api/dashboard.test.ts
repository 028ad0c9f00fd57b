/**
 * Seeing stalled work (issue 3): `GET /v1/milestones/stalled` and the
 * `/dashboard` page, on the real stack (dev server, worker, MailDev), the page
 * in a real browser (Debian chromium through playwright-core).
 *
 * The scenario is built once: grant reviews that fall due after a few seconds
 * and, with nobody to escalate to, stay open past due (silence at grant level
 * is never consent). Projects A, B and C (funder horizon-eu) reach their grant
 * review one after another, so their steps fall due in that order; N is funded
 * by nsf and US-led; P is approved and active, and its licence case passes its
 * legal limit (seconds here) undecided; S waits in scoping, W is withdrawn.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import type { AddressInfo, Server } from 'node:net';
import path from 'node:path';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import request from 'supertest';
import { buildApp } from '../../api/app';
import { apiKeyRing } from '../../config/env';
import { createLogger } from '../../config/logger';
import { policySchema, type Policy } from '../../domain/policy';
import { licenceWorkflowId, projectWorkflowId } from '../../workflows/definitions';
import { describeAnswer, expectStatus, readAnswered } from '../helpers/api-read';
import { bearer, KEYS, linkTokens, startApiStack, TEMPORAL_UI_URL, type ApiStack } from '../helpers/api-stack';
import { launchChromium, reloadWhileUnanswered } from '../helpers/browser';
import { smallProject, uniqueId } from '../helpers/fixtures';
import { testPolicyFile } from '../helpers/policy';
import { testRecords } from '../helpers/records';
import { dashboardProjects } from '../../records/stalled';

// Browser globals for the functions evaluated in the page; the Node type check has no DOM library.
declare const document: { body: unknown };
declare function getComputedStyle(element: unknown): { color: string; backgroundColor: string };

const GRANT_SLA_MS = 5000;
/** The legal limit of a licence case: P's passes it while the rest of the scenario is built. */
const CASE_LIMIT = '8s';
const SCREENSHOT = path.resolve(__dirname, '../../test-output/dashboard.png');

/**
 * Grant reviews due after 5 s and no senior reviewer anywhere: a silent grant step stays open (escalated, not decided).
 * A licence review's steps are due in an hour, but its case's legal limit passes in seconds: out of time, nothing overdue.
 */
function stallingPolicy(): Policy {
  const file = testPolicyFile();
  file.sla = { ...file.sla, grantReview: `${GRANT_SLA_MS / 1000}s`, agencyReview: '1h', seniorSignOff: '1h', tierLoweringReview: '1h', caseLimit: CASE_LIMIT };
  file.reminders = { every: '1h' }; // no reminder mail in the middle of the test
  for (const party of [...file.funders, ...file.agencies]) party.seniorReviewers = [];
  return policySchema.parse(file);
}

let stack: ApiStack;
let server: Server;
let base: string;
const api = () => request(stack.app);
const asCoordinator = bearer(KEYS.coordinator);

interface Scenario {
  A: string;
  B: string;
  C: string;
  N: string;
  P: string;
  S: string;
  W: string;
  titles: Record<string, string>;
}
const s = {} as Scenario;

function submission(label: string, funder: 'horizon-eu' | 'nsf' = 'horizon-eu') {
  const id = uniqueId(label.toLowerCase());
  const base = smallProject(id);
  const body =
    funder === 'horizon-eu'
      ? base
      : // US-led (Oak Ridge coordinates, so BIS is the lead agency), shipping the board to Germany.
        {
          ...base,
          funderId: 'nsf',
          coordinator: { name: 'R. Diaz', email: 'r.diaz@ornl.example', partnerId: 'ornl' },
          components: [{ ...base.components[0], destinations: ['DE'], recipients: ['kit'] }],
        };
  return { ...body, title: `${label}: project ${id}` };
}

async function submitClassified(label: string, funder?: 'horizon-eu' | 'nsf'): Promise<string> {
  const body = submission(label, funder);
  const res = await api().post('/v1/projects').set(asCoordinator).send(body);
  expect(res.status).toBe(201);
  s.titles[body.projectId] = body.title;
  await stack.waitForView(body.projectId, (v) => v.components.every((c) => c.tier !== null), `classification of ${label}`);
  return body.projectId;
}

async function confirmScoping(projectId: string) {
  expect((await api().post(`/v1/projects/${projectId}/scoping`).set(asCoordinator).send({})).status).toBe(200);
  await stack.waitForView(projectId, (v) => v.openSteps.length === 2, 'the two grant steps');
}

/** Both grant reviewers approve from their e-mailed links: the project goes active. */
async function approveGrant(projectId: string) {
  const title = s.titles[projectId];
  for (const step of ['grant-funder', 'grant-agency']) {
    const reviewer = (await stack.view(projectId)).openSteps.find((x) => x.stepId === step)!.reviewer;
    const mail = await stack.waitForMail((m) => m.to[0]?.address === reviewer && m.subject.startsWith(`Review requested: ${title} — grant`));
    const [token] = linkTokens(mail.text);
    expect((await api().post(`/r/${token}`).set('Accept', 'application/json').send({ decision: 'approve' })).status).toBe(200);
  }
  await stack.waitForView(projectId, (v) => v.stage === 'active' && v.openSteps.length > 0, 'active, with its licence review open');
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** `GET /v1/milestones/stalled`, read again while it answers 503 (its visibility read did not answer in time under load). */
async function stalled(query = '', key: string = KEYS.coordinator) {
  return readAnswered(() => api().get(`/v1/milestones/stalled${query}`).set(bearer(key)));
}
/** The stalled items; fails with the status and body unless 200. */
const stalledItems = async (query = '', key: string = KEYS.coordinator) => expectStatus(await stalled(query, key), 200).body.items;
const pairs = (items: { projectId: string; stepId: string }[]) => items.map((i) => [i.projectId, i.stepId]);
const grantPairs = (...ids: string[]) =>
  ids.flatMap((id) => [
    [id, 'grant-agency'],
    [id, 'grant-funder'],
  ]);

beforeAll(async () => {
  // Its own record store: the dashboard and the stalled list count across the portfolio, which here is this file's.
  stack = await startApiStack({ policy: stallingPolicy(), ownRecordStore: true });
  server = stack.app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  s.titles = {};

  s.P = await submitClassified('Active');
  await confirmScoping(s.P);
  await approveGrant(s.P);
  s.S = await submitClassified('Scoping');
  s.W = await submitClassified('Withdrawn');
  expect((await api().post(`/v1/projects/${s.W}/withdraw`).set(asCoordinator).send({ reason: 'consortium dissolved' })).status).toBe(200);

  s.A = await submitClassified('Alpha');
  s.B = await submitClassified('Bravo');
  s.C = await submitClassified('Charlie');
  s.N = await submitClassified('November', 'nsf');
  // A second apart, so the steps fall due in this order and read apart on the page.
  for (const id of [s.A, s.B, s.C, s.N]) {
    await confirmScoping(id);
    await sleep(1000);
  }

  // Until all eight grant steps are past due and the records show every project at its stage.
  const deadline = Date.now() + 45_000;
  for (;;) {
    const [res, { projects }] = await Promise.all([stalled(), dashboardProjects(stack.records, {})]);
    const stages = Object.fromEntries(projects.map((p) => [p.projectId, p.stage]));
    const ready = res.body.count === 8 && res.body.outOfTime?.length === 1;
    if (ready && stages[s.P] === 'active' && stages[s.W] === 'withdrawn' && projects.length === 7) break;
    const seen = res.status === 200 ? JSON.stringify(pairs(res.body.items)) : describeAnswer(res);
    if (Date.now() > deadline) throw new Error(`scenario not reached: stalled ${seen}, stages ${JSON.stringify(stages)}`);
    await sleep(300);
  }
}, 180_000);

afterAll(async () => {
  await new Promise((r) => (server ? server.close(r) : r(undefined)));
  await stack?.stop();
}, 60_000);

describe('GET /v1/milestones/stalled', () => {
  test('lists the stalled grant steps oldest first, with the awaited party and how long', async () => {
    const res = expectStatus(await stalled(), 200);
    const items = res.body.items as {
      projectId: string;
      projectTitle: string;
      stepId: string;
      party: string;
      partyName: string;
      reviewer: string;
      dueAt: string;
      overdueMs: number;
      openForMs: number;
      funderId: string;
    }[];
    // Oldest first: A's steps fell due first, N's last; P (approved), S (scoping) and W (withdrawn) owe nothing.
    expect(pairs(items)).toEqual(grantPairs(s.A, s.B, s.C, s.N));
    const bafa = stack.policy.agencies.find((a) => a.id === 'de-bafa')!;
    const horizon = stack.policy.funders.find((f) => f.id === 'horizon-eu')!;
    expect(items[0]).toMatchObject({
      projectTitle: s.titles[s.A],
      funderId: 'horizon-eu',
      party: 'de-bafa',
      partyName: bafa.name,
      reviewer: bafa.reviewers[0],
    });
    expect(items[1]).toMatchObject({ party: 'horizon-eu', partyName: horizon.name, reviewer: horizon.reviewers[0] });
    expect(items[7]).toMatchObject({ projectId: s.N, funderId: 'nsf', party: 'nsf' });
    expect(items[6]).toMatchObject({ projectId: s.N, party: 'us-bis' });
    for (const [i, item] of items.entries()) {
      expect(item.overdueMs).toBeGreaterThan(0);
      // Open for = the SLA + overdue, to the millisecond (nothing stopped the clock).
      expect(item.openForMs - item.overdueMs).toBe(GRANT_SLA_MS);
      if (i > 0) expect(item.dueAt >= items[i - 1].dueAt).toBe(true);
    }
    // A second apart: A's steps are about 3 s more overdue than N's.
    expect(items[0].overdueMs - items[7].overdueMs).toBeGreaterThan(2500);
    expect(res.body.truncated).toBe(false);
    expect(Date.parse(res.body.asOf)).toBeLessThanOrEqual(Date.now());
  });

  test('lists a licence case past its legal limit as out of time, with its issuer and who it waits on, though no step is overdue', async () => {
    const res = expectStatus(await stalled(), 200);
    const bafa = stack.policy.agencies.find((a) => a.id === 'de-bafa')!;
    const pView = await stack.view(s.P);
    const component = pView.components[0];
    expect(component.licence.outOfTimeSince).toBeDefined();
    expect(res.body.outOfTime).toEqual([
      {
        projectId: s.P,
        projectTitle: s.titles[s.P],
        funderId: 'horizon-eu',
        workflowId: licenceWorkflowId(s.P, component.id),
        componentId: component.id,
        since: component.licence.outOfTimeSince,
        issuer: { agencyId: 'de-bafa', name: bafa.name },
        awaiting: [bafa.name],
      },
    ]);
    // Its step is due in an hour: not a stalled step.
    expect(res.body.items.some((i: { projectId: string }) => i.projectId === s.P)).toBe(false);
    // The funder filter applies; the Prometheus gauge counts it by issuer.
    expect(expectStatus(await stalled('?funderId=nsf'), 200).body.outOfTime).toEqual([]);
    expect(expectStatus(await stalled('', KEYS.funder), 200).body.outOfTime.map((c: { projectId: string }) => c.projectId)).toEqual([s.P]);
    let metrics = '';
    for (const deadline = Date.now() + 30_000; !/^licence_review_out_of_time_cases\{/m.test(metrics) && Date.now() < deadline; await sleep(250)) {
      metrics = (await api().get('/metrics')).text;
    }
    expect(metrics).toMatch(/^licence_review_out_of_time_cases\{issuer="de-bafa"\} 1$/m);
  });

  test('another coordinator sees none of these projects: no stalled step, no case out of time, no row on the dashboard', async () => {
    const other = expectStatus(await stalled('', KEYS.otherCoordinator), 200);
    expect({ items: other.body.items, outOfTime: other.body.outOfTime, filters: other.body.filters }).toEqual({ items: [], outOfTime: [], filters: {} });
    const page = await readAnswered(() => api().get('/dashboard').set(bearer(KEYS.otherCoordinator)));
    expect(page.status).toBe(200);
    expect(page.text).toContain('No projects yet.');
    expect(page.text).not.toContain(s.titles[s.A]);
  });

  test('filters by funder and by agency, and combines them', async () => {
    expect(pairs(await stalledItems('?funderId=nsf'))).toEqual(grantPairs(s.N));
    expect(pairs(await stalledItems('?agency=de-bafa'))).toEqual([s.A, s.B, s.C].map((id) => [id, 'grant-agency']));
    expect(pairs(await stalledItems('?agency=us-bis'))).toEqual([[s.N, 'grant-agency']]);
    expect(pairs(await stalledItems('?funderId=horizon-eu&agency=horizon-eu'))).toEqual([s.A, s.B, s.C].map((id) => [id, 'grant-funder']));
    const none = expectStatus(await stalled('?funderId=ukri'), 200);
    expect(none.body).toMatchObject({ count: 0, items: [], filters: { funderId: 'ukri' } });
  });

  test("a funder's key sees only its own projects, and may not ask for another funder's", async () => {
    const own = expectStatus(await stalled('', KEYS.funder), 200);
    expect(pairs(own.body.items)).toEqual(grantPairs(s.A, s.B, s.C));
    expect(own.body.filters).toEqual({ funderId: 'horizon-eu' });
    expect(pairs(await stalledItems('', KEYS.otherFunder))).toEqual(grantPairs(s.N));
    const foreign = await stalled('?funderId=nsf', KEYS.funder);
    expect(foreign.status).toBe(403);
    expect(foreign.body.error.code).toBe('FORBIDDEN');
  });

  test('a bad filter is 400 naming it', async () => {
    for (const [query, field] of [
      ['?agency=not%20an%20agency', 'query.agency'],
      ['?funderId=-x', 'query.funderId'],
      ['?stage=active', 'query.stage'],
    ]) {
      const res = await stalled(query);
      expect({ status: res.status, code: res.body.error?.code }).toEqual({ status: 400, code: 'VALIDATION_FAILED' });
      expect(res.body.error.details.map((d: { path: string }) => d.path)).toEqual([field]);
    }
    expect((await api().get('/v1/milestones/stalled')).status).toBe(401);
  });
});

describe('the dashboard in a browser', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
  }, 60_000);
  afterAll(() => browser?.close());

  /** A fresh browser context (no cookies) that records CSP violations and script errors. */
  async function openContext(): Promise<{ context: BrowserContext; page: Page; problems: string[] }> {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, acceptDownloads: true });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('console', (m) => {
      // The 401 and 403 pages the test opens on purpose log "Failed to load resource"; anything else is a problem.
      if ((m.type() === 'error' && !m.text().startsWith('Failed to load resource')) || /Content Security Policy/i.test(m.text())) problems.push(m.text());
    });
    page.on('pageerror', (e) => problems.push(e.message));
    return { context, page, problems };
  }

  async function signIn(page: Page, key: string) {
    await page.fill('input[name="key"]', key);
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST' && r.url() === `${base}/dashboard/sign-in`),
      page.click('button[type="submit"]'),
    ]);
    await page.waitForLoadState();
    // Signed in, the redirect lands on the dashboard: reloaded while it could not be built in time (503).
    for (const deadline = Date.now() + 60_000; (await page.locator('h1', { hasText: 'Dashboard unavailable' }).count()) > 0 && Date.now() < deadline;) {
      await sleep(250);
      await page.reload();
    }
    return response;
  }

  const rowOf = (page: Page, table: string, projectId: string) =>
    page.locator(`#${table} tbody tr`).filter({ has: page.locator('.id', { hasText: new RegExp(`^${projectId}$`) }) });

  async function stageCounts(page: Page): Promise<Record<string, number>> {
    return Object.fromEntries(
      await page.$$eval('.cards li', (cards) => cards.map((c) => [c.getAttribute('data-stage'), Number(c.querySelector('.n')?.textContent)])),
    );
  }

  test('sign-in form, a wrong key refused, the coordinator dashboard, its links, the audit trail through the cookie', async () => {
    const { context, page, problems } = await openContext();
    try {
      // Not signed in: the form, nothing else.
      const first = await page.goto(`${base}/dashboard`);
      expect(first?.status()).toBe(200);
      expect(first?.headers()['cache-control']).toBe('no-store');
      await expect(page.locator('input[type="password"][name="key"]').count()).resolves.toBe(1);
      await expect(page.locator('#stalled').count()).resolves.toBe(0);

      // A wrong key: 401, the form again with a clear message, and no cookie.
      const wrong = await signIn(page, 'not-a-key-anybody-issued');
      expect(wrong.status()).toBe(401);
      await expect(page.locator('.notice.bad').textContent()).resolves.toContain('That API key is not valid');
      await expect(page.locator('input[name="key"]').count()).resolves.toBe(1);
      expect(await context.cookies()).toEqual([]);

      // The coordinator's key: redirected to the dashboard, with the session cookie.
      const right = await signIn(page, KEYS.coordinator);
      expect(right.status()).toBe(303);
      expect(page.url()).toBe(`${base}/dashboard`);
      const [cookie, ...more] = await context.cookies();
      expect(more).toEqual([]);
      expect(cookie).toMatchObject({ name: 'lr_session', httpOnly: true, sameSite: 'Strict', path: '/', secure: false });
      expect(cookie.value).not.toContain(KEYS.coordinator);
      expect(cookie.expires * 1000 - Date.now()).toBeGreaterThan(7.9 * 3_600_000);

      await expect(page.locator('h1').textContent()).resolves.toBe('All projects');
      expect(await stageCounts(page)).toEqual({ scoping: 1, 'grant-review': 4, active: 1, rejected: 0, withdrawn: 1, closed: 0 });

      // Stalled: oldest first, each row with its step, the awaited party, and the overdue time emphasised.
      const stalledRows = page.locator('#stalled tbody tr');
      const rows = await stalledRows.evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.innerText.trim())));
      const ids = await stalledRows.evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('.id')].map((e) => e.textContent)));
      expect(ids).toEqual(grantPairs(s.A, s.B, s.C, s.N));
      expect(rows[0][0]).toContain(s.titles[s.A]);
      expect(rows[0][1]).toContain('Grant review — lead agency');
      expect(rows[0][2]).toContain(stack.policy.agencies.find((a) => a.id === 'de-bafa')!.name);
      expect(rows[1][2]).toContain('European Commission, Horizon Europe');
      for (const row of rows) {
        expect(row[3]).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d UTC$/);
        // Human durations ("3 seconds", "less than a second"), never milliseconds.
        expect(row[4]).toMatch(/^(\d+ (second|minute)s?( \d+ seconds?)?|less than a second)$/);
        expect(row[5]).toMatch(/^\d+ (second|minute)s?( \d+ seconds?)?$/);
      }
      await expect(
        page
          .locator('#stalled td.overdue')
          .first()
          .evaluate((td) => getComputedStyle(td).color),
      ).resolves.toBe('rgb(185, 28, 28)');
      await expect(page.locator('#stalled-h .pill').textContent()).resolves.toBe('8');

      // Out of time: P's licence case, named with its issuer, above the stalled steps; flagged in the projects table too.
      const outOfTime = await page
        .locator('#out-of-time tbody tr')
        .evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.innerText.trim()).join(' | ')));
      expect(outOfTime).toHaveLength(1);
      expect(outOfTime[0]).toContain(s.titles[s.P]);
      expect(outOfTime[0]).toContain(stack.policy.agencies.find((a) => a.id === 'de-bafa')!.name);
      expect(await page.locator('#stalled-h ~ .hint').textContent()).toContain('1 licence case past the legal limit.');

      // Who is awaited, per project: the grant parties, the licence reviewers of the active project, the coordinator in scoping.
      const pView = await stack.view(s.P);
      const pRow = await rowOf(page, 'projects', s.P).innerText();
      for (const name of new Set(pView.openSteps.map((x) => x.partyName))) expect(pRow).toContain(name);
      expect(pRow).toContain('Active');
      expect(pRow).toMatch(/Out of time\s+c\d/);
      expect(await rowOf(page, 'projects', s.S).innerText()).toMatch(/Coordinator\s+to confirm scoping/);
      expect(await rowOf(page, 'projects', s.W).innerText()).toContain('Nobody (ended)');
      const aRow = await rowOf(page, 'projects', s.A).innerText();
      expect(aRow).toMatch(/European Commission, Horizon Europe\s+overdue \d+ seconds?/);
      await expect(page.locator('#projects tbody tr').count()).resolves.toBe(7);

      // Links: the audit trail (JSON and CSV) and the workflow in the Temporal UI.
      const namespace = stack.env.namespace ?? 'default';
      for (const id of [s.A, s.N, s.P]) {
        const hrefs = await rowOf(page, 'projects', id)
          .locator('.links a')
          .evaluateAll((as) => as.map((a) => a.getAttribute('href')));
        expect(hrefs).toEqual([
          `/v1/projects/${id}/audit`,
          `/v1/projects/${id}/audit?format=csv`,
          `${TEMPORAL_UI_URL}/namespaces/${namespace}/workflows/${projectWorkflowId(id)}`,
        ]);
      }
      const stalledHrefs = await rowOf(page, 'stalled', s.B)
        .first()
        .locator('.links a')
        .evaluateAll((as) => as.map((a) => a.getAttribute('href')));
      expect(stalledHrefs).toEqual([
        `/v1/projects/${s.B}/audit`,
        `/v1/projects/${s.B}/audit?format=csv`,
        `${TEMPORAL_UI_URL}/namespaces/${namespace}/workflows/${projectWorkflowId(s.B)}`,
      ]);

      // The page is styled (its one inline <style> passes Helmet's CSP) and runs no script.
      await expect(page.evaluate(() => getComputedStyle(document.body).backgroundColor)).resolves.toBe('rgb(244, 246, 248)');
      await expect(page.locator('script').count()).resolves.toBe(0);

      mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
      await page.screenshot({ path: SCREENSHOT, fullPage: true });

      // The CSV link downloads the trail with the session cookie.
      const [download] = await Promise.all([page.waitForEvent('download'), rowOf(page, 'projects', s.A).locator('a', { hasText: 'CSV' }).click()]);
      expect(download.suggestedFilename()).toBe(`audit-${s.A}.csv`);
      const csv = readFileSync((await download.path())!, 'utf8');
      expect(csv.split('\r\n')[0]).toBe('at,actor,actorName,action,channel,componentId,stepId,detail');
      expect(csv).toContain('"escalated"');

      // Following the audit link in the same browser session: the JSON trail, through the cookie.
      const [clicked] = await Promise.all([
        page.waitForResponse((r) => r.url() === `${base}/v1/projects/${s.A}/audit`),
        rowOf(page, 'projects', s.A).locator('a', { hasText: 'Audit' }).click(),
      ]);
      const audit = (await reloadWhileUnanswered(page, Promise.resolve(clicked)))!;
      expect({ status: audit.status(), body: (await audit.text()).slice(0, 500) }).toMatchObject({ status: 200 });
      const trail = (await audit.json()) as { projectId: string; entries: { action: string; stepId?: string }[] };
      expect(trail.projectId).toBe(s.A);
      // Silence at grant level escalated both steps; with no senior to hand them to, they stayed open.
      expect(
        trail.entries
          .filter((e) => e.action === 'escalated')
          .map((e) => e.stepId)
          .sort(),
      ).toEqual(['grant-agency', 'grant-funder']);

      // Signing out forgets the cookie; the trail is closed again.
      await reloadWhileUnanswered(page, page.goto(`${base}/dashboard`));
      await Promise.all([page.waitForURL(`${base}/dashboard`), page.click('text=Sign out')]);
      await expect(page.locator('input[name="key"]').count()).resolves.toBe(1);
      expect(await context.cookies()).toEqual([]);
      expect((await page.goto(`${base}/v1/projects/${s.A}/audit`))?.status()).toBe(401);

      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  test("a funder's sign-in sees only its own projects", async () => {
    const { context, page, problems } = await openContext();
    try {
      await page.goto(`${base}/dashboard`);
      expect((await signIn(page, KEYS.funder)).status()).toBe(303);
      await expect(page.locator('h1').textContent()).resolves.toBe('Projects funded by European Commission, Horizon Europe');
      expect(await stageCounts(page)).toEqual({ scoping: 1, 'grant-review': 3, active: 1, rejected: 0, withdrawn: 1, closed: 0 });
      const stalledIds = await page.locator('#stalled tbody tr').evaluateAll((trs) => trs.map((tr) => tr.querySelector('.id')?.textContent));
      expect(stalledIds).toEqual([s.A, s.A, s.B, s.B, s.C, s.C]);
      const projectIds = await page.locator('#projects tbody tr').evaluateAll((trs) => trs.map((tr) => tr.querySelector('.id')?.textContent));
      expect(new Set(projectIds)).toEqual(new Set([s.A, s.B, s.C, s.P, s.S, s.W]));
      expect(await page.content()).not.toContain(s.N);
      // The cookie carries the funder's scope to the API as well.
      expect((await reloadWhileUnanswered(page, page.goto(`${base}/v1/projects/${s.N}/audit`)))?.status()).toBe(404);
      expect((await reloadWhileUnanswered(page, page.goto(`${base}/v1/projects/${s.A}/audit`)))?.status()).toBe(200);
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });
});

/** What a browser sends with a form posted from the dashboard's own page. */
const SAME_SITE = { 'Sec-Fetch-Site': 'same-origin' };

describe('the sign-in cookie over HTTP', () => {
  async function cookieFor(key: string): Promise<string> {
    const res = await api().post('/dashboard/sign-in').set(SAME_SITE).type('form').send({ key });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/dashboard');
    const [setCookie] = res.headers['set-cookie'] as unknown as string[];
    expect(setCookie).toMatch(/^lr_session=[^;]+; Max-Age=28800; Path=\/; Expires=[^;]+; HttpOnly; SameSite=Strict$/);
    return setCookie.split(';')[0];
  }

  test('reads with the cookie, but never writes: a POST with only the cookie is 401 and starts nothing', async () => {
    const cookie = await cookieFor(KEYS.coordinator);
    expectStatus(await readAnswered(() => api().get(`/v1/projects/${s.S}`).set('Cookie', cookie)), 200);
    expect(expectStatus(await readAnswered(() => api().get('/v1/milestones/stalled').set('Cookie', cookie)), 200).body.count).toBe(8);

    const body = submission('Cookie');
    const post = await api().post('/v1/projects').set('Cookie', cookie).send(body);
    expect(post.status).toBe(401);
    expect(post.body.error).toMatchObject({ code: 'UNAUTHORIZED', message: expect.stringContaining('Authorization: Bearer') });
    await expect(stack.client.workflow.getHandle(projectWorkflowId(body.projectId)).describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);
    expect((await api().post(`/v1/projects/${s.S}/withdraw`).set('Cookie', cookie).send({ reason: 'cookie-borne' })).status).toBe(401);
    expect((await stack.view(s.S)).stage).toBe('scoping');
    // With the key as well, the same cookie gets past authentication (an empty body is then a 400, not a 401).
    expect((await api().post('/v1/projects').set('Cookie', cookie).set(asCoordinator).send({})).status).toBe(400);
  });

  test('a tampered cookie, a wrong key and a sign-in posted from another site are refused, setting nothing', async () => {
    const cookie = await cookieFor(KEYS.funder);
    const [name, value] = cookie.split('=');
    const [payload, mac] = value.split('.');
    // Claim the coordinator role under the funder's signature.
    const forged = Buffer.from(Buffer.from(payload, 'base64url').toString().replace('"role":"funder"', '"role":"coordinator"')).toString('base64url');
    expect((await api().get(`/v1/projects/${s.N}`).set('Cookie', `${name}=${forged}.${mac}`)).status).toBe(401);
    expect((await readAnswered(() => api().get(`/v1/projects/${s.N}`).set('Cookie', cookie))).status).toBe(404); // answered as a missing project
    // On the dashboard, a bad cookie is forgotten and the form asks again.
    const again = await api().get('/dashboard').set('Cookie', `${name}=${forged}.${mac}`);
    expect(again.status).toBe(200);
    expect(again.text).toContain('The sign-in cookie is not valid. Sign in again.');
    expect(again.headers['set-cookie'][0]).toMatch(/^lr_session=; Path=\/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; SameSite=Strict$/);

    const wrong = await api().post('/dashboard/sign-in').set(SAME_SITE).type('form').send({ key: 'nope-nope-nope' });
    expect(wrong.status).toBe(401);
    expect(wrong.headers['set-cookie']).toBeUndefined();
    expect(wrong.text).toContain('That API key is not valid');

    // Another site, a sandboxed page ("null"), or nothing at all to show where it comes from.
    const froms = [
      { Origin: 'https://evil.example' },
      { 'Sec-Fetch-Site': 'cross-site', Origin: 'null' },
      { Origin: 'null' },
      {},
      { 'Sec-Fetch-Site': 'none' },
    ];
    for (const from of froms) {
      const crossSite = await api().post('/dashboard/sign-in').set(from).type('form').send({ key: KEYS.coordinator });
      expect(crossSite.status).toBe(403);
      expect(crossSite.headers['set-cookie']).toBeUndefined();
    }
  });

  test("the CSP allows the page's inline style and no script, and upgrades requests to https only when PUBLIC_URL is https", async () => {
    const csp = (await api().get('/dashboard')).headers['content-security-policy'];
    expect(csp).toContain("style-src 'self' https: 'unsafe-inline'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("form-action 'self'");
    // PUBLIC_URL is http here: upgrading would send the sign-in form (and reviewers' forms) to an https nobody serves.
    expect(csp).not.toContain('upgrade-insecure-requests');
    const https = buildApp({
      records: testRecords(),
      client: stack.client,
      connection: stack.env.connection,
      config: {
        apiKeys: apiKeyRing(`coordinator:a.weber=${KEYS.coordinator}`),
        policy: stack.policy,
        TASK_QUEUE: stack.taskQueue,
        PUBLIC_URL: 'https://reviews.example.org',
      },
      signer: stack.signer,
      logger: createLogger('silent', 'api-test'),
    });
    expect((await request(https).get('/dashboard')).headers['content-security-policy']).toContain('upgrade-insecure-requests');
    const signIn = await request(https).post('/dashboard/sign-in').set({ Origin: 'https://reviews.example.org' }).type('form').send({ key: KEYS.coordinator });
    expect(signIn.headers['set-cookie'][0]).toMatch(/; Secure; SameSite=Strict$/);
  });

  test('a script may read the dashboard with its Bearer key; a bad key gets the JSON error', async () => {
    const page = expectStatus(await readAnswered(() => api().get('/dashboard').set(asCoordinator)), 200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.headers['cache-control']).toBe('no-store');
    expect(page.text).toContain(s.titles[s.A]);
    expect(page.text).not.toContain('Sign out');
    const bad = await api().get('/dashboard').set(bearer('not-a-real-key'));
    expect(bad.status).toBe(401);
    expect(bad.body.error.code).toBe('UNAUTHORIZED');
  });
});
