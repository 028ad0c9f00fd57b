/**
 * End to end, the README's way: `npm start` brings up the whole stack; the
 * test acts as the coordinator (HTTP) and as every reviewer (the e-mail in
 * MailDev, the link in it, the page it opens, the form on it). Half-way it
 * stops the stack with Ctrl-C and starts it again, and the project resumes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { decisionOutcome, type AuditEntry, type Decision, type ProjectView } from '../../workflows/definitions';
import { expectStatus, fetchAnswered } from '../helpers/api-read';
import { allTiersProject, exportedFromUs, SIGNED_PDF } from '../helpers/fixtures';
import { decisionLinks, fetchMails, freePorts, waitForMails, type Mail } from '../helpers/maildev';

const ROOT = path.resolve(__dirname, '../..');
const KEY = 'e2e-coordinator-key';
let ports: { api: number; temporal: number; ui: number; smtp: number; web: number; records: number };
let dataDir: string;
let stack: ChildProcess | undefined;
let output = '';

function startStack(): Promise<number> {
  const t0 = Date.now();
  output = '';
  // The suite's record store is not the newcomer's: npm start runs its own, embedded, under DATA_DIR.
  const { DATABASE_URL: _suite, ...inherited } = process.env;
  stack = spawn('npm', ['start'], {
    cwd: ROOT,
    detached: true, // its own process group, like a terminal: Ctrl-C is sent to the group
    env: {
      ...inherited,
      RECORDS_PORT: String(ports.records),
      NODE_ENV: 'development', // as on a newcomer's machine (Jest sets "test")
      DATA_DIR: dataDir,
      PORT: String(ports.api),
      TEMPORAL_PORT: String(ports.temporal),
      TEMPORAL_UI_PORT: String(ports.ui),
      SMTP_PORT: String(ports.smtp),
      MAILDEV_WEB_PORT: String(ports.web),
      TASK_QUEUE: 'e2e-licence-review',
      API_KEYS: `coordinator:a.weber=${KEY},admin=e2e-admin-key`,
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  stack.stdout!.on('data', (d) => (output += d));
  stack.stderr!.on('data', (d) => (output += d));
  return new Promise((resolve, reject) => {
    const timer = setInterval(() => {
      if (/Ready in/.test(output)) {
        clearInterval(timer);
        resolve(Date.now() - t0);
      } else if (stack!.exitCode !== null) {
        clearInterval(timer);
        reject(new Error(`npm start exited ${stack!.exitCode}:\n${output}`));
      }
    }, 100);
  });
}

/** Ctrl-C: SIGINT to the process group (npm dies of it, as in a terminal); the supervisor must stop everything in order. */
async function stopStack(): Promise<boolean> {
  if (!stack) return true;
  const exited = new Promise<void>((r) => (stack!.exitCode !== null || stack!.signalCode ? r() : stack!.once('exit', () => r())));
  process.kill(-stack.pid!, 'SIGINT');
  await exited;
  stack = undefined;
  const deadline = Date.now() + 30_000;
  while (!output.includes('Stopped.') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  return output.includes('Stopped.');
}

const api = (p: string, init: RequestInit = {}) =>
  fetch(`http://127.0.0.1:${ports.api}${p}`, { ...init, headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json', ...init.headers } });
const mailWeb = () => `http://127.0.0.1:${ports.web}`;

/**
 * A read through the API as the coordinator. Project and audit reads are workflow queries: under load one may
 * not answer within the API's deadline (503), so it is read again; any other answer than 200 fails, showing it.
 */
const read = async (p: string) =>
  expectStatus(await fetchAnswered(`http://127.0.0.1:${ports.api}${p}`, { headers: { authorization: `Bearer ${KEY}` } }), 200).body;
const project = async (id: string): Promise<ProjectView> => (await read(`/v1/projects/${id}`)) as ProjectView;
const audit = async (id: string): Promise<AuditEntry[]> => ((await read(`/v1/projects/${id}/audit`)) as { entries: AuditEntry[] }).entries;

/** Waits until the previous decision's consequences (signals, e-mails) are done, so a change now would be the GET's. */
/** Waits until the project's view and trail stop changing (a licence's monitor, say, writes its record after the licence). */
async function settled(projectId: string) {
  let last = '';
  for (;;) {
    const now = JSON.stringify([await project(projectId), (await audit(projectId)).length]);
    if (now === last) return;
    last = now;
    await new Promise((r) => setTimeout(r, 400));
  }
}

/** Opens the link as a reviewer: GET must change nothing; then the form is filled in and sent. */
async function decideFromMail(projectId: string, mail: Mail, decision: Decision, legalBasis = '') {
  const [link] = decisionLinks(mail);
  expect(link).toBeDefined();
  await settled(projectId);
  const before = { view: await project(projectId), audit: (await audit(projectId)).length };
  // The page reads the step from the records (opened again should it answer 503 under load); a GET changes nothing.
  const html = expectStatus(await fetchAnswered(link.replace(/^https?:\/\/[^/]+/, `http://127.0.0.1:${ports.api}`)), 200).text;
  expect(html).toContain('<form method="post"');
  expect(html).toContain(`value="${decision}"`);
  expect(html).not.toMatch(/checked/);
  expect(await project(projectId)).toEqual(before.view);
  expect((await audit(projectId)).length).toBe(before.audit);

  const action = /<form method="post" action="([^"]+)"/.exec(html)![1].replace(/&amp;/g, '&');
  const fields = { decision, comment: `e2e ${decision}`, legalBasis };
  // An acknowledgement's page takes the signed document (required on a recipient's behalf): multipart, as a browser sends it.
  const multipart = html.includes('enctype="multipart/form-data"');
  const form = multipart ? new FormData() : new URLSearchParams(fields);
  if (form instanceof FormData) {
    for (const [name, value] of Object.entries(fields)) form.append(name, value);
    form.append('file', new Blob([new Uint8Array(SIGNED_PDF)], { type: 'application/pdf' }), 'signed-acknowledgement.pdf');
  }
  const res = await fetch(`http://127.0.0.1:${ports.api}${action}`, {
    method: 'POST',
    body: form,
    ...(!multipart && { headers: { 'content-type': 'application/x-www-form-urlencoded' } }),
  });
  const text = await res.text();
  expect({ status: res.status, text }).toEqual({ status: 200, text: expect.stringContaining(decisionOutcome[decision]) });
}

const BASIS = 'EAR §742.4(b): national security';
/** The e-mails of one project that carry a decision link. */
const linkMails = (mails: Mail[], projectId: string) => mails.filter((m) => m.text.includes(`(${projectId})`) && decisionLinks(m).length > 0);
const to = (m: Mail) => m.to[0].address;

beforeAll(async () => {
  const [api, temporal, ui, smtp, web, records] = await freePorts(6);
  ports = { api, temporal, ui, smtp, web, records };
  dataDir = mkdtempSync(path.join(tmpdir(), 'licence-e2e-'));
});
afterAll(async () => {
  await stopStack();
  rmSync(dataDir, { recursive: true, force: true });
});

test('a project with components in all four tiers goes from submission to active through e-mail links, across a restart', async () => {
  const readyMs = await startStack();
  console.log(`npm start: ready in ${(readyMs / 1000).toFixed(1)} s`);
  const submission = allTiersProject();
  const id = submission.projectId;

  const created = await api('/v1/projects', { method: 'POST', body: JSON.stringify(submission) });
  expect(created.status).toBe(201);
  await waitForMails(mailWeb(), (m) => m.some((x) => x.subject.startsWith('Scoping ready')), 'scoping notice');
  expect((await project(id)).components.map((c) => c.tier)).toEqual(['T0', 'T1', 'T2', 'T3']);
  expect((await api(`/v1/projects/${id}/scoping`, { method: 'POST', body: '{}' })).status).toBe(200);

  // Grant review: the funder and the lead agency, in parallel.
  let mails = await waitForMails(mailWeb(), (m) => linkMails(m, id).length === 2, 'two grant e-mails');
  for (const mail of linkMails(mails, id)) await decideFromMail(id, mail, 'approve');
  const handled = new Set(linkMails(mails, id).map((m) => m.id));

  // Licensing, every component exported from Germany (EU-issued by BAFA): T1 BAFA; T2 BAFA and the US's advice;
  // T3 BAFA, the US's advice and BMVg's defence review; the T3 senior sign-off comes after.
  mails = await waitForMails(mailWeb(), (m) => linkMails(m, id).length === 2 + 6, 'first licence e-mails');
  expect((await project(id)).stage).toBe('active');

  // Ctrl-C in the middle of the reviews, and start again on the same data: nothing is lost.
  expect(await stopStack()).toBe(true);
  await expect(fetch(`http://127.0.0.1:${ports.api}/healthz`)).rejects.toThrow();
  await startStack();
  expect((await project(id)).openSteps).toHaveLength(6);
  // The US advises on the camera through Commerce, and on the ML22 item through the State Department (DDTC).
  expect(
    linkMails(await fetchMails(mailWeb()), id)
      .filter((m) => m.subject.startsWith('Advice requested'))
      .map(to)
      .sort(),
  ).toEqual(['licensing@bis.example', 'licensing@ddtc.example']);

  // BAFA denies the camera (T2), and the US advises against it; the coordinator then accepts the denial from the appeal-window e-mail.
  // Once BAFA's senior signs off, the T3 conditions ask each recipient's written acknowledgement (ORNL names no
  // contact: the coordinator acknowledges for it).
  const decisionFor = (m: Mail): [Decision, string?] =>
    m.subject.startsWith('Appeal window')
      ? ['accept']
      : m.subject.startsWith('Acknowledge')
        ? ['acknowledge']
        : m.subject.includes('High-speed camera')
          ? ['deny', BASIS]
          : ['approve'];
  for (let round = 0; round < 3; round++) {
    for (const mail of linkMails(await fetchMails(mailWeb()), id)) {
      if (handled.has(mail.id)) continue;
      handled.add(mail.id);
      await decideFromMail(id, mail, ...decisionFor(mail));
    }
    if (round === 0) {
      const next = (m: Mail[]) =>
        linkMails(m, id).some((x) => to(x) === 'referatsleitung@bafa.example') && linkMails(m, id).some((x) => x.subject.startsWith('Appeal window'));
      await waitForMails(mailWeb(), next, 'senior sign-off and appeal-window e-mails');
    }
    if (round === 1) await waitForMails(mailWeb(), (m) => linkMails(m, id).some((x) => x.subject.startsWith('Acknowledge')), 'the acknowledgement e-mail');
  }

  const deadline = Date.now() + 30_000;
  let view = await project(id);
  while (
    (view.components.some((c) => c.licence.status === 'in-review') || !view.components[3].licence.acknowledgement?.acknowledgedAt) &&
    Date.now() < deadline
  ) {
    await new Promise((r) => setTimeout(r, 200));
    view = await project(id);
  }
  expect(view.stage).toBe('active');
  expect(view.openSteps).toEqual([]);
  expect(view.components.map((c) => [c.id, c.tier, c.licence.status])).toEqual([
    ['c0', 'T0', 'cleared'],
    ['c1', 'T1', 'approved'],
    ['c2', 'T2', 'denied'],
    ['c3', 'T3', 'approved'],
  ]);
  expect(view.components[3].licence.validUntil).toBeDefined();

  // The audit trail tells the whole story: every classification, every e-mail, every decision once.
  mails = await waitForMails(mailWeb(), (m) => m.some((x) => x.subject.startsWith('Licence decisions complete')), 'completion notice');
  // A mail arrives before its send is recorded (the activity completes, then its workflow records it), and the last
  // mails (the licence holder's) may still be going out: wait until the trail and MailDev agree, or fail saying how not.
  let trail = await audit(id);
  const sends = () => trail.filter((e) => e.action === 'email-sent').length;
  for (const until = Date.now() + 30_000; sends() !== mails.length && Date.now() < until;) {
    await settled(id);
    [trail, mails] = [await audit(id), await fetchMails(mailWeb())];
  }
  const count = (action: string) => trail.filter((e) => e.action === action).length;
  expect(count('classified')).toBe(4);
  // Ten reviews and rulings, and the recipient's acknowledgement of the T3 licence's conditions.
  expect(count('decision-recorded')).toBe(11);
  expect(new Set(trail.filter((e) => e.action === 'decision-recorded').map((e) => e.stepId)).size).toBe(11);
  expect(count('advice-noted')).toBe(1);
  expect(count('email-sent')).toBe(mails.length);
  expect(count('licence-granted')).toBe(2);
  expect(count('licence-denied')).toBe(1);
  expect(count('cleared-deemed-to-comply')).toBe(1);
  expect(trail.filter((e) => e.action === 'decision-recorded').every((e) => e.channel === 'email-link')).toBe(true);
  // No step was mailed twice, restart included.
  const ids = mails.map((m) => m.headers['message-id']);
  expect(new Set(ids).size).toBe(ids.length);
}, 300_000);

test('a US-issued component: a dispute from Commerce and DoD’s conflict to the final ruling, through the chairs’ and parties’ e-mails', async () => {
  const submission = allTiersProject();
  const id = submission.projectId;
  // The camera exported from ORNL: Commerce issues; DoD and State are consulted; BAFA advises.
  const body = { ...submission, title: `Dispute journey ${id}`, components: [exportedFromUs(submission.components[2])], milestones: [] };
  expect((await api('/v1/projects', { method: 'POST', body: JSON.stringify(body) })).status).toBe(201);
  await waitForMails(mailWeb(), (m) => m.some((x) => x.subject === `Scoping ready to confirm: ${body.title}`), 'scoping notice');
  expect((await api(`/v1/projects/${id}/scoping`, { method: 'POST', body: '{}' })).status).toBe(200);

  const handled = new Set<string>();
  /** Waits for the project's next unhandled link e-mail that matches. */
  const next = async (match: (m: Mail) => boolean, what: string) => {
    const mails = await waitForMails(mailWeb(), (m) => linkMails(m, id).some((x) => !handled.has(x.id) && match(x)), what);
    const mail = linkMails(mails, id).find((x) => !handled.has(x.id) && match(x))!;
    handled.add(mail.id);
    return mail;
  };
  const byReviewer =
    (address: string, prefix = '') =>
    (m: Mail) =>
      to(m) === address && m.subject.startsWith(prefix);

  for (const r of ['portfolio-manager@ukri.example', 'ausfuhr@bafa.example']) await decideFromMail(id, await next(byReviewer(r), `grant: ${r}`), 'approve');
  // DoD objects to the camera; Commerce and State approve (BAFA's advice is no position): a conflict, so a dispute opens at the Operating Committee.
  await decideFromMail(id, await next(byReviewer('export-review@dtsa.example', 'Consultation requested'), 'DoD consultation'), 'deny', BASIS);
  await decideFromMail(id, await next(byReviewer('licensing@bis.example', 'Review requested'), 'Commerce review'), 'approve');
  await decideFromMail(id, await next(byReviewer('export-review@isn.example', 'Consultation requested'), 'State consultation'), 'approve');
  await decideFromMail(id, await next(byReviewer('ausfuhr@bafa.example', 'Advice requested'), 'BAFA advice'), 'approve');
  await decideFromMail(id, await next(byReviewer('oc-chair@bis.example', 'Ruling requested'), 'Operating Committee'), 'deny', BASIS);

  // Commerce appeals the denial to ACEP. Without a legal basis it is refused, and nothing changes.
  const appealMail = await next(byReviewer('licensing@bis.example', 'Appeal window'), 'appeal window');
  await settled(id);
  const before = await audit(id);
  const link = decisionLinks(appealMail)[0].replace(/^https?:\/\/[^/]+/, `http://127.0.0.1:${ports.api}`);
  const refused = await fetch(link, {
    method: 'POST',
    body: new URLSearchParams({ decision: 'appeal', legalBasis: '' }),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
  expect(refused.status).toBe(400);
  expect(await refused.text()).toContain('an appeal must state its legal basis, in writing');
  expect(await audit(id)).toEqual(before);
  await decideFromMail(id, appealMail, 'appeal', 'EO 12981 §5(f): end-use assurances were not weighed');

  await decideFromMail(id, await next(byReviewer('acep-chair@commerce.example', 'Ruling requested'), 'ACEP'), 'approve');
  await decideFromMail(id, await next(byReviewer('export-review@dtsa.example', 'Appeal window'), 'DoD appeal window'), 'accept');

  let view = await project(id);
  for (const deadline = Date.now() + 30_000; view.components[0].licence.status !== 'approved' && Date.now() < deadline;) {
    await new Promise((r) => setTimeout(r, 200));
    view = await project(id);
  }
  expect(view.components[0].licence.status).toBe('approved');
  expect(view.disputes).toEqual([
    expect.objectContaining({ reason: 'conflict', status: 'final', finalRuling: 'approved', levelName: 'Advisory Committee on Export Policy' }),
  ]);
  expect(view.disputes[0].rulings.map((r) => r.outcome)).toEqual(['denied', 'approved']);
  expect(view.openSteps).toEqual([]);
  const actions = (await audit(id)).map((e) => e.action);
  expect(actions).toEqual(expect.arrayContaining(['dispute-opened', 'appealed', 'ruling-final', 'ruling-binds', 'licence-granted']));
  // State's appeal window was closed when Commerce appealed, and State was told.
  const closures = (await fetchMails(mailWeb()))
    .filter((m) => m.subject === `No longer needed: ${body.title} — High-speed camera`)
    .map(to)
    .sort();
  expect(closures).toEqual(['export-review@isn.example']);

  expect(await stopStack()).toBe(true);
}, 300_000);
