/**
 * The funder's pages over HTTP on the real stack: the portfolio; launching a cycle through the form (a close date in
 * the past refused beside its field, what was typed kept, nothing launched); the cycle's page showing the outcome once
 * it comes in; its CSV export; the held and stalled milestones with who is awaited.
 */
import request from 'supertest';
import { bearer, KEYS, useApiStack } from '../helpers/api-stack';
import { parseCsv } from '../helpers/csv';
import { formTokens, signedInAgent } from '../helpers/web';
import { activeProject, inSeconds } from '../helpers/active-project';

const stack = useApiStack();
const HORIZON = 'European Commission, Horizon Europe';

test('a funder launches a cycle through the form, follows its outcome by reloading, exports it and sees who is awaited', async () => {
  const { projectId, title } = await activeProject(stack);
  const agent = await signedInAgent(stack.app, KEYS.funder);

  const portfolio = await agent.get('/app/portfolio').query({ q: projectId });
  expect(portfolio.status).toBe(200);
  expect(portfolio.text).toContain(title);
  expect(portfolio.text).toMatch(/Radiation-hardened FPGA board <span class="tag done">approved<\/span>/);
  // Another funder's portfolio does not list it.
  const other = await signedInAgent(stack.app, KEYS.otherFunder);
  expect((await other.get('/app/portfolio').query({ q: projectId })).text).toContain('No projects match.');

  const form = await agent.get('/app/cycles/new');
  expect(form.status).toBe(200);
  expect(form.text).toContain(`name="projectIds[]" value="${projectId}"`);

  // "Check your answers" shows what will be sent, and launches nothing yet; "Change" goes back with it all kept.
  const typed = { name: 'Spring, "first" review', allActive: 'chosen', projectIds: [projectId], closesAt: '2020-01-01 12:00' };
  const check = await agent
    .post('/app/cycles/new/check')
    .type('form')
    .send({ ...formTokens(form.text), ...typed });
  expect(check.status).toBe(200);
  expect(check.text).toContain('<dt>Name of the cycle</dt><dd>Spring, &quot;first&quot; review</dd>');
  expect(check.text).toContain(`<li>${title} <span class="mono">${projectId}</span></li>`);
  expect(check.text).toContain('<dt>Close date</dt><dd><time datetime="2020-01-01T12:00:00Z">2020-01-01 12:00 UTC</time></dd>');
  expect(check.text).toContain(`<input type="hidden" name="projectIds[]" value="${projectId}">`);
  expect(check.text).toContain(`name="_key" value="${formTokens(form.text)._key}"`);
  const change = await agent
    .post('/app/cycles/new/change')
    .type('form')
    .send({ ...formTokens(check.text), ...typed });
  expect(change.status).toBe(200);
  expect(change.text).toContain('value="2020-01-01 12:00"');
  expect(change.text).toMatch(new RegExp(`value="${projectId}" checked`));

  // Launched from the check page: the API refuses the close in the past, and the form comes back with the error beside it.
  const past = await agent
    .post('/app/cycles/new')
    .type('form')
    .send({ ...formTokens(check.text), ...typed });
  expect(past.status).toBe(422);
  expect(past.text).toContain('<title>Error: Launch a review cycle');
  expect(past.text).toContain('<a href="#closesAt">Close date: must be in the future</a>');
  expect(past.text).toContain('<span class="field-error" id="closesAt-error"><span class="muted">Error:</span> Close date: must be in the future</span>');
  expect(past.text).toContain('value="2020-01-01 12:00"');
  expect(past.text).toContain('value="Spring, &quot;first&quot; review"');
  expect(past.text).toMatch(new RegExp(`value="${projectId}" checked`));

  // Neither a list nor "all": the API's words, beside the list.
  const none = await agent
    .post('/app/cycles/new')
    .type('form')
    .send({ ...formTokens(past.text), name: 'Spring', allActive: 'chosen', closesAt: inSeconds(3600) });
  expect(none.status).toBe(422);
  expect(none.text).toContain('<a href="#projectIds">');

  const closesAt = new Date(Date.now() + 6000).toISOString().slice(0, 19).replace('T', ' ');
  const launched = await agent
    .post('/app/cycles/new')
    .type('form')
    .send({ ...formTokens(none.text), name: 'Spring, "first" review', allActive: 'chosen', projectIds: [projectId], closesAt });
  expect(launched.status).toBe(303);
  const cycleId = /^\/app\/cycles\/([^/?]+)\?done=launched$/.exec(launched.headers.location)?.[1];
  expect(cycleId).toBeDefined();
  const cycle = (await request(stack.app).get(`/v1/cycles/${cycleId}`).set(bearer(KEYS.funder))).body;
  // The typed time, read as UTC.
  expect({ name: cycle.name, closesAt: Date.parse(cycle.closesAt) }).toEqual({
    name: 'Spring, "first" review',
    closesAt: Date.parse(`${closesAt.replace(' ', 'T')}Z`),
  });

  // Reloading the page until the outcome comes in: nobody decides the milestone, so at the close it is stalled.
  let page = await agent.get(launched.headers.location);
  expect(page.text).toContain('The cycle was launched');
  expect(page.text).toMatch(/Read at <time datetime="[^"]+">/);
  for (const deadline = Date.now() + 45_000; !page.text.includes('class="tag bad">Stalled') && Date.now() < deadline;) {
    await new Promise((r) => setTimeout(r, 500));
    page = await agent.get(`/app/cycles/${cycleId}`);
  }
  expect(page.status).toBe(200);
  expect(page.text).toContain(`<td class="mono">${projectId}</td><td>m1</td><td><span class="tag bad">Stalled</span></td>`);
  expect(page.text).toContain(`<td>${HORIZON}</td>`);
  // Another funder's cycle is not found.
  expect((await other.get(`/app/cycles/${cycleId}`)).status).toBe(404);

  const csv = await agent.get(`/app/cycles/${cycleId}/outcomes.csv`);
  expect(csv.status).toBe(200);
  expect(csv.headers['content-type']).toMatch(/^text\/csv/);
  expect(csv.headers['content-disposition']).toMatch(new RegExp(`^attachment; filename="?cycle-${cycleId}-outcomes\\.csv"?$`));
  const rows = parseCsv(csv.text);
  expect(rows[0]).toEqual(['project', 'milestones', 'outcome', 'reported at', 'awaited', 'detail', 'licence due at', 'reason']);
  expect(rows).toHaveLength(2);
  expect(rows[1].slice(0, 3)).toEqual([projectId, 'm1', 'stalled']);
  expect(rows[1][4]).toBe(HORIZON);
  expect(csv.text).toContain(`"${HORIZON}"`); // the comma is inside a quoted cell

  const stalled = await agent.get('/app/stalled').query({ cycleId });
  expect(stalled.status).toBe(200);
  expect(stalled.text).toContain(`${title}<br><span class="mono">${projectId}</span>`);
  expect(stalled.text).toMatch(new RegExp(`<span class="mono">m1-${cycleId}</span></td>\\s*<td>${HORIZON}`));
}, 180_000);
