/**
 * The technology control plan on the coordinator's pages, on the real stack: the project page's section (who may
 * access the controlled component, with status, authority, basis and since; screening and training), the training
 * form refusing a bad date beside its field with nothing kept, then a certificate and a deliverable sent through the
 * forms; and in Chromium, the plan's own page of an active project whose foreign researcher's deemed-export review is
 * open, checked by axe-core (and its screenshot, SCREENSHOTS=1).
 */
import request from 'supertest';
import { bearer, KEYS, useApiStack, useServedApp } from '../helpers/api-stack';
import { projectWithPeople, SIGNED_PDF, uniqueId } from '../helpers/fixtures';
import { decideByLink } from '../helpers/grant-review';
import { expectAccessible, formTokens, screenshot, signedInAgent, signedInPage, useChromium } from '../helpers/web';

const stack = useApiStack();
const served = useServedApp(stack);
const chromium = useChromium();
const asCoordinator = bearer(KEYS.coordinator);
const api = () => request(stack.app);
const errorBeside = (id: string, message: string) => `<span class="field-error" id="${id}-error"><span class="muted">Error:</span> ${message}</span>`;
const day = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);

/** Submits a project with Li Wei (CN) and Jo Smith (US) on c9 (3E001) and waits until both are screened. */
async function submitted(title: string) {
  const project = projectWithPeople(uniqueId('cpw'), `${title} ${uniqueId('t')}`);
  expect((await api().post('/v1/projects').set(asCoordinator).send(project)).status).toBe(201);
  await stack.waitForView(project.projectId, (v) => (v.people ?? []).length === 2 && v.people!.every((p) => p.screening), 'the people screened');
  return project;
}

const documentCount = async (projectId: string) => (await api().get(`/v1/projects/${projectId}/documents`).set(asCoordinator).expect(200)).body.items.length;

test('the project page shows the control plan; the training form refuses a bad date beside its field, keeps nothing, then records', async () => {
  const project = await submitted('Control plan page');
  const agent = await signedInAgent(stack.app, KEYS.coordinator);
  const page = await agent.get(`/app/projects/${project.projectId}`);
  expect(page.status).toBe(200);
  expect(page.text).toContain('<h2 id="control-plan-title">Technology control plan</h2>');
  expect(page.text).toContain('<caption>Readout design data <span class="mono muted">(c9)</span>: technology, 3E001</caption>');
  const rowOf = (name: string) =>
    new RegExp(`<tr><td>${name}<br><span class="mono muted">[a-z-]+</span></td><td>(<span class="tag [a-z]+">[a-z ]+</span>)</td>`);
  expect(rowOf('Li Wei').exec(page.text)?.[1]).toBe('<span class="tag todo">not authorised</span>');
  expect(rowOf('Jo Smith').exec(page.text)?.[1]).toBe('<span class="tag done">authorised</span>');
  expect(page.text).toContain('awaiting the deemed-export review (opens when the project is active)');
  expect(page.text).toContain('Jo Smith is a citizen or permanent resident of US: not a foreign person');
  expect(page.text).toContain('<span class="tag done">clear</span>');

  const url = `/app/projects/${project.projectId}/people/li-wei/training`;
  expect(page.text).toContain(`<a href="${url}">Add a certificate<span class="muted"> for Li Wei</span></a>`);
  const form = await agent.get(url);
  expect(form.status).toBe(200);
  expect(form.text).toContain('<label for="completedAt">Completed on</label>');
  const before = await documentCount(project.projectId);
  const bad = await agent
    .post(url)
    .field(formTokens(form.text))
    .field('course', 'EAR basics')
    .field('completedAt', '2026-02-30x')
    .field('expiresAt', day(700))
    .attach('file', SIGNED_PDF, { filename: 'certificate.pdf', contentType: 'application/pdf' });
  expect(bad.status).toBe(422);
  const message = 'Completed on: must be a date such as 2027-06-30, or an ISO 8601 date-time such as 2027-06-30T00:00:00Z';
  expect(bad.text).toContain(`<a href="#completedAt">${message}</a>`);
  expect(bad.text).toContain(errorBeside('completedAt', message));
  expect(bad.text).toContain('value="EAR basics"');
  expect(await documentCount(project.projectId)).toBe(before);

  const good = await agent
    .post(url)
    .field(formTokens(bad.text))
    .field('course', 'EAR basics')
    .field('completedAt', day(-10))
    .field('expiresAt', day(700))
    .attach('file', SIGNED_PDF, { filename: 'certificate.pdf', contentType: 'application/pdf' });
  expect(good.status).toBe(303);
  expect(good.headers.location).toBe(`/app/projects/${project.projectId}?done=training-recorded`);
  const after = await agent.get(good.headers.location);
  expect(after.text).toContain('The training certificate was recorded.');
  expect(after.text).toContain('<td>training-certificate</td><td>person <span class="mono muted">li-wei</span></td>');
  expect(after.text).toMatch(/<li>EAR basics: completed <time [^>]+>[^<]+<\/time>, valid until <time [^>]+>[^<]+<\/time><\/li>/);

  const deliverableUrl = `/app/projects/${project.projectId}/deliverables/ethics-deliverable`;
  expect(after.text).toContain(`<a href="${deliverableUrl}">Upload<span class="muted"> the Ethics deliverable`);
  const deliverableForm = await agent.get(deliverableUrl);
  const noFile = await agent.post(deliverableUrl).field(formTokens(deliverableForm.text));
  expect(noFile.status).toBe(422);
  expect(noFile.text).toContain(errorBeside('file', 'Deliverable: missing'));
  const sent = await agent
    .post(deliverableUrl)
    .field(formTokens(noFile.text))
    .attach('file', SIGNED_PDF, { filename: 'ethics.pdf', contentType: 'application/pdf' });
  expect(sent.status).toBe(303);
  expect((await agent.get(`/app/projects/${project.projectId}/control-plan`)).text).toMatch(/<span class="tag done">received<\/span>/);
  expect((await agent.get(`/app/projects/${project.projectId}/people/nobody/training`)).status).toBe(404);
});

test('the control plan page of an active project: one authorised (not required), one not authorised while BIS reviews; accessible', async () => {
  const project = await submitted('Plasma diagnostics');
  expect((await api().post(`/v1/projects/${project.projectId}/scoping`).set(asCoordinator).send({})).status).toBe(200);
  for (const step of ['grant-funder', 'grant-agency']) await decideByLink(stack, project.projectId, project.title, step, { decision: 'approve' });
  await stack.waitForView(project.projectId, (v) => v.openSteps.some((s) => s.stepId === 'deemed-c9--li-wei'), 'the deemed-export review');
  const certificate = (personId: string, course: string, completedAt: string, expiresAt: string) =>
    api()
      .post(`/v1/projects/${project.projectId}/people/${personId}/training`)
      .set(asCoordinator)
      .field({ course, completedAt, expiresAt })
      .attach('file', Buffer.concat([SIGNED_PDF, Buffer.from(`% ${personId} ${course}\n`)]), { filename: 'certificate.pdf', contentType: 'application/pdf' });
  expect((await certificate('li-wei', 'Export control and deemed exports (EAR)', day(-20), day(710))).status).toBe(201);
  expect((await certificate('jo-smith', 'Export control basics', day(-800), day(-35))).status).toBe(201);

  const { page, close } = await signedInPage(chromium(), served.base, KEYS.coordinator);
  try {
    await page.goto(`${served.base}/app/projects/${project.projectId}`);
    await expect(page.locator('#control-plan-title').textContent()).resolves.toBe('Technology control plan');
    await expectAccessible(page, 'project-page-control-plan');
    await Promise.all([page.waitForURL(/\/control-plan$/), page.getByRole('link', { name: 'The control plan on its own page' }).click()]);
    await expect(page.locator('h1').textContent()).resolves.toBe('Technology control plan');
    const c9 = page.locator('table', { has: page.locator('caption', { hasText: 'Readout design data' }) });
    await expect(c9.locator('tr', { hasText: 'Li Wei' }).textContent()).resolves.toMatch(
      /not authorised.*deemed-export review by U\.S\. Department of Commerce, Bureau of Industry and Security open since/s,
    );
    await expect(c9.locator('tr', { hasText: 'Jo Smith' }).textContent()).resolves.toMatch(/authorised\s*not required/);
    await expect(page.locator('tr', { hasText: 'Export control basics' }).locator('.tag.bad').textContent()).resolves.toBe('expired');
    await expectAccessible(page, 'control-plan');
    await screenshot(page, 'control-plan');

    await page.goto(`${served.base}/app/projects/${project.projectId}/people/li-wei/training`);
    await expectAccessible(page, 'training-form');
  } finally {
    await close();
  }
});
