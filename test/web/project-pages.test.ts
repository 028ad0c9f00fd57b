/**
 * The coordinator's project list, project page, scoping and withdraw, over HTTP on the real stack (dev server,
 * worker, MailDev): every page reads through the JSON API as the person signed in, and every form acts through it.
 * Other parties' acts (the reviewers' decisions) are set up through their e-mail links.
 */
import { createHash } from 'node:crypto';
import request from 'supertest';
import { bearer, COORDINATOR_ID, KEYS, useApiStack } from '../helpers/api-stack';
import { projectWith, smallProject, uniqueId } from '../helpers/fixtures';
import { decideByLink, toLicenceReview } from '../helpers/grant-review';
import { formTokens, signedInAgent } from '../helpers/web';

const stack = useApiStack();
const api = () => request(stack.app);
const asCoordinator = bearer(KEYS.coordinator);

async function submit(project: ReturnType<typeof smallProject>): Promise<string> {
  const res = await api().post('/v1/projects').set(asCoordinator).send(project);
  expect(res.status).toBe(201);
  return project.projectId;
}
const classified = (projectId: string) => stack.waitForView(projectId, (v) => v.components.every((c) => c.tier !== null), 'classification');
const view = async (projectId: string) => (await api().get(`/v1/projects/${projectId}`).set(asCoordinator)).body;
/** The project ids linked from a list page, in order. */
const linkedIds = (page: string) => [...page.matchAll(/<a href="\/app\/projects\/([^"/?]+)">/g)].map((m) => m[1]).filter((id) => id !== 'new');

test('the list: search, stage and funder filters, pages with a next link; only the projects the person may see', async () => {
  const word = uniqueId('Lumen');
  const ids = [];
  for (const n of [1, 2, 3]) ids.push(await submit({ ...smallProject(), title: `${word} beamline ${n}` }));
  const other = await submit({ ...smallProject(), title: 'Another project entirely' });
  const agent = await signedInAgent(stack.app, KEYS.coordinator);

  const all = await agent.get('/app/projects');
  expect(all.status).toBe(200);
  expect(all.text).toContain('newest first. <a href="/app/projects/new">Submit a project</a>');
  expect(all.text).toContain('<label for="q">Search</label>');

  const found = await agent.get(`/app/projects?q=${encodeURIComponent(word)}`);
  expect(linkedIds(found.text)).toEqual([...ids].reverse()); // newest first
  expect(found.text).not.toContain(other);
  expect(found.text).toContain(`value="${word}"`); // the search is kept in its field
  // The exact id finds one project.
  expect(linkedIds((await agent.get(`/app/projects?q=${ids[1]}`)).text)).toEqual([ids[1]]);

  // Filters: stage and funder, with the search; a stage none of them is in finds none.
  const scoping = await agent.get(`/app/projects?q=${encodeURIComponent(word)}&stage=scoping&funderId=horizon-eu`);
  expect(linkedIds(scoping.text)).toHaveLength(3);
  expect(scoping.text).toMatch(/<option value="scoping" selected>Scoping<\/option>/);
  const active = await agent.get(`/app/projects?q=${encodeURIComponent(word)}&stage=active`);
  expect(linkedIds(active.text)).toEqual([]);
  expect(active.text).toContain('No project matches these filters.');
  expect(linkedIds((await agent.get(`/app/projects?q=${encodeURIComponent(word)}&funderId=ukri`)).text)).toEqual([]);

  // Pages: two at a time, the next link carries the filters and the API's cursor.
  const first = await agent.get(`/app/projects?q=${encodeURIComponent(word)}&limit=2`);
  expect(linkedIds(first.text)).toEqual([ids[2], ids[1]]);
  const next = /<a href="([^"]+)" rel="next">Next page<\/a>/.exec(first.text)?.[1].replace(/&amp;/g, '&');
  expect(next).toMatch(/^\/app\/projects\?q=.+&limit=2&cursor=/);
  const second = await agent.get(next!);
  expect(linkedIds(second.text)).toEqual([ids[0]]);
  expect(second.text).not.toContain('rel="next"');

  // A search the API refuses (too long) is shown beside its field.
  const long = await agent.get(`/app/projects?q=${'x'.repeat(201)}`);
  expect(long.status).toBe(400);
  expect(long.text).toMatch(/<span class="field-error" id="q-error"><span class="muted">Error:<\/span> Search: [^<]+<\/span>/);

  // Another coordinator sees none of them.
  const stranger = await signedInAgent(stack.app, KEYS.otherCoordinator);
  expect(linkedIds((await stranger.get(`/app/projects?q=${encodeURIComponent(word)}`)).text)).toEqual([]);
});

test('the project page: components, steps open and decided, an information request to answer, documents, calendar, trail, the licence letter', async () => {
  const { projectId, title } = await toLicenceReview(stack, 'page', 'Project page');
  // A specification sheet, filed through the API; BAFA then asks the coordinator a question.
  const sheet = Buffer.from('%PDF-1.4\n% specification sheet\n%%EOF\n');
  const uploaded = await api()
    .post(`/v1/projects/${projectId}/documents`)
    .set(asCoordinator)
    .field('componentId', 'c1')
    .field('kind', 'specification')
    .attach('file', sheet, { filename: 'board spec.pdf', contentType: 'application/pdf' });
  expect(uploaded.status).toBe(201);
  await decideByLink(stack, projectId, title, 'c1-de-bafa', { decision: 'request-info', comment: 'Which detector does the board read out?' });
  await stack.waitForView(projectId, (v) => !!v.openSteps.find((s) => s.stepId === 'c1-de-bafa')?.infoRequest, 'the information request');

  const agent = await signedInAgent(stack.app, KEYS.coordinator);
  const page = await agent.get(`/app/projects/${projectId}?done=scoping-confirmed`);
  expect(page.status).toBe(200);
  const text = page.text;
  expect(text).toContain(`<h1>${title}</h1>`);
  expect(text).toContain('<div class="banner" role="status"><p>Scoping was confirmed.');
  // Components, with tier and licence.
  expect(text).toMatch(/Radiation-hardened FPGA board<br><span class="mono muted">c1<\/span><\/td><td><strong>T1<\/strong>/);
  expect(text).toContain('<span class="tag todo">in-review</span>');
  // Steps: the grant decisions with their outcome and who; BAFA's open step, its clock stopped, with the question to answer.
  const decided = text.slice(text.indexOf('id="decided-title"'));
  expect(decided).toMatch(/Grant review — funder[\s\S]*?<span class="tag done">approved<\/span>/);
  expect(decided).toMatch(/Grant review — lead agency[\s\S]*?<span class="tag done">approved<\/span>/);
  const open = text.slice(text.indexOf('id="open-title"'), text.indexOf('id="decided-title"'));
  expect(open).toContain('<strong>They ask you:</strong> Which detector does the board read out?');
  expect(open).toContain('<span class="tag todo">clock stopped</span>');
  expect(text).toContain(`<a href="/app/projects/${projectId}/info/c1-de-bafa">Answer the information request from`);
  // What the project is not waiting for is not offered: scoping is done, no licence yet to report on.
  expect(text).not.toContain(`/app/projects/${projectId}/scoping`);
  expect(text).not.toContain(`/app/projects/${projectId}/reports/new`);
  expect(text).toContain(`<a href="/app/projects/${projectId}/withdraw">Withdraw this project</a>`);
  expect(text).toContain(`<a href="/app/projects/${projectId}/delegates/new">Add a delegate</a>`);
  // The trail: newest first, with the scoping confirmation and the CSV; the calendar.
  expect(text).toContain('scoping-confirmed');
  expect(text).toContain(`<a href="/app/projects/${projectId}/audit.csv" download>`);
  expect(text).toContain(`<a href="/app/projects/${projectId}/calendar.ics" download>`);

  // The document, downloaded through the page: the bytes filed.
  const { documentId, sha256 } = uploaded.body as { documentId: string; sha256: string };
  expect(text).toContain(`<a href="/app/projects/${projectId}/documents/${documentId}" download>board spec.pdf</a>`);
  expect(text).toContain(sha256);
  const download = await agent
    .get(`/app/projects/${projectId}/documents/${documentId}`)
    .buffer(true)
    .parse((r, done) => {
      const chunks: Buffer[] = [];
      r.on('data', (c: Buffer) => chunks.push(c));
      r.on('end', () => done(null, Buffer.concat(chunks)));
    });
  expect(download.status).toBe(200);
  expect(download.headers['content-disposition']).toContain('board spec.pdf');
  expect(download.headers['x-content-type-options']).toBe('nosniff');
  expect(
    createHash('sha256')
      .update(download.body as Buffer)
      .digest('hex'),
  ).toBe(sha256);
  const ics = await agent.get(`/app/projects/${projectId}/calendar.ics`);
  expect(ics.status).toBe(200);
  expect(ics.headers['content-type']).toContain('text/calendar');
  expect(ics.text).toContain('BEGIN:VCALENDAR');
  const csv = await agent.get(`/app/projects/${projectId}/audit.csv`);
  expect(csv.text.split('\r\n')[0]).toBe('at,actor,actorName,action,channel,componentId,stepId,detail');

  // The coordinator answers (through the API here: its own page is another's), BAFA approves: the licence letter, from the page.
  const answered = await api().post(`/v1/projects/${projectId}/info`).set(asCoordinator).send({ stepId: 'c1-de-bafa', answer: 'The pixel detector.' });
  expect(answered.status).toBe(200);
  await decideByLink(stack, projectId, title, 'c1-de-bafa', { decision: 'approve' });
  await stack.waitForView(projectId, (v) => v.components[0].licence.status === 'approved', 'the licence');
  const licensed = (await agent.get(`/app/projects/${projectId}`)).text;
  expect(licensed).toContain(`<a href="/app/projects/${projectId}/components/c1/letter.pdf">Licence letter (PDF)`);
  expect(licensed).toContain(`<a href="/app/projects/${projectId}/reports/new">File a compliance report</a>`);
  const letter = await agent.get(`/app/projects/${projectId}/components/c1/letter.pdf`).buffer(true);
  expect({ status: letter.status, type: letter.headers['content-type'] }).toEqual({ status: 200, type: 'application/pdf' });
  expect(letter.headers['content-disposition']).toMatch(/^attachment; filename=/);

  // Not theirs: the page, and its files, are "not found".
  const stranger = await signedInAgent(stack.app, KEYS.otherCoordinator);
  expect((await stranger.get(`/app/projects/${projectId}`)).status).toBe(404);
  expect((await stranger.get(`/app/projects/${projectId}/documents/${documentId}`)).status).toBe(404);
});

test('confirm scoping: a lowering without justification is refused beside its field, then a raise with a reason confirms', async () => {
  const projectId = await submit(projectWith('c1', 'c2'));
  await classified(projectId);
  const agent = await signedInAgent(stack.app, KEYS.coordinator);
  const project = await agent.get(`/app/projects/${projectId}`);
  expect(project.text).toContain(`<a href="/app/projects/${projectId}/scoping">Confirm scoping</a>`);

  const form = await agent.get(`/app/projects/${projectId}/scoping`);
  expect(form.status).toBe(200);
  expect(form.text).toContain('Proposed tier: <strong>T1</strong>');
  expect(form.text).toContain('Proposed tier: <strong>T2</strong>');
  expect(form.text).toContain('<label for="overrides-1-tier">Tier for High-speed camera</label>');

  // c2 lowered from T2 to T1 with no justification: only that row is sent, and the API's refusal lands on it.
  const fields = (c1: string, c2: string, why2 = '') => ({
    'overrides[0][componentId]': 'c1',
    'overrides[0][tier]': c1,
    'overrides[0][justification]': '',
    'overrides[1][componentId]': 'c2',
    'overrides[1][tier]': c2,
    'overrides[1][justification]': why2,
  });
  const refused = await agent
    .post(`/app/projects/${projectId}/scoping`)
    .type('form')
    .send({ ...formTokens(form.text), ...fields('', 'T1') });
  expect(refused.status).toBe(422);
  expect(refused.text).toContain('<title>Error: Confirm scoping');
  expect(refused.text).toMatch(
    /<a href="#overrides-1-justification">Justification for High-speed camera: lowering c2 from T2 to T1 needs a written justification<\/a>/,
  );
  expect(refused.text).toContain(
    '<span class="field-error" id="overrides-1-justification-error"><span class="muted">Error:</span> Justification for High-speed camera: lowering c2',
  );
  expect(refused.text).toMatch(
    /<select id="overrides-1-tier" name="overrides\[1\]\[tier\]">\s*<option value="">Keep T2 \(as classified\)<\/option>.*<option value="T1" selected>/s,
  );
  let now = await view(projectId);
  expect(now.components.map((c: { tier: string; pendingTier?: string }) => [c.tier, c.pendingTier])).toEqual([
    ['T1', undefined],
    ['T2', undefined],
  ]);

  const confirmed = await agent
    .post(`/app/projects/${projectId}/scoping`)
    .type('form')
    .send({ ...formTokens(refused.text), ...fields('T2', ''), 'overrides[0][justification]': 'Shared with a defence partner' });
  expect(confirmed.status).toBe(303);
  expect(confirmed.headers.location).toBe(`/app/projects/${projectId}?done=scoping-confirmed`);
  now = await view(projectId);
  expect(now.components.map((c: { tier: string }) => c.tier)).toEqual(['T2', 'T2']);
  const trail = (await api().get(`/v1/projects/${projectId}/audit`).set(asCoordinator)).body.entries as { action: string; actor: string; detail: string }[];
  expect(trail.find((e) => e.action === 'tier-raised')).toMatchObject({
    actor: `coordinator:${COORDINATOR_ID}`,
    detail: 'T1 → T2: Shared with a defence partner',
  });
  // Confirmed once: a second confirmation is the API's conflict, shown at the top of the form.
  const again = await agent.get(`/app/projects/${projectId}/scoping`);
  const twice = await agent
    .post(`/app/projects/${projectId}/scoping`)
    .type('form')
    .send({ ...formTokens(again.text), ...fields('', '') });
  expect(twice.status).toBe(422);
  expect(twice.text).toContain('<li>Scoping can no longer be confirmed: the project is already confirmed</li>');
});

test('withdraw: the page says what happens; nothing is sent until "yes" is chosen; then the project is withdrawn with its reason', async () => {
  const projectId = await submit(smallProject());
  await classified(projectId);
  const agent = await signedInAgent(stack.app, KEYS.coordinator);
  const page = await agent.get(`/app/projects/${projectId}/withdraw`);
  expect(page.status).toBe(200);
  expect(page.text).toContain('<strong>Withdrawing cannot be undone.</strong>');
  expect(page.text).toContain('<button type="submit" class="warning">Withdraw the project</button>');

  // No answer to "are you sure": the question's error beside it, the reason kept, the project unchanged.
  const unanswered = await agent
    .post(`/app/projects/${projectId}/withdraw`)
    .type('form')
    .send({ ...formTokens(page.text), reason: 'Funding ended' });
  expect(unanswered.status).toBe(422);
  expect(unanswered.text).toContain('<a href="#confirm">Select yes to withdraw the project, or no to keep it</a>');
  expect(unanswered.text).toContain('<span class="field-error" id="confirm-error">');
  expect(unanswered.text).toContain('>Funding ended</textarea>');
  const no = await agent
    .post(`/app/projects/${projectId}/withdraw`)
    .type('form')
    .send({ ...formTokens(unanswered.text), reason: 'Funding ended', confirm: 'no' });
  expect(no.status).toBe(303);
  expect(no.headers.location).toBe(`/app/projects/${projectId}`);
  expect((await view(projectId)).stage).toBe('scoping');

  const yes = await agent
    .post(`/app/projects/${projectId}/withdraw`)
    .type('form')
    .send({ ...formTokens(unanswered.text), reason: 'Funding ended', confirm: 'yes' });
  expect(yes.status).toBe(303);
  expect(yes.headers.location).toMatch(new RegExp(`^/app/projects/${projectId}\\?done=withdraw(n|ing)$`));
  await stack.waitForView(projectId, (v) => v.stage === 'withdrawn', 'withdrawn');
  const trail = (await api().get(`/v1/projects/${projectId}/audit`).set(asCoordinator)).body.entries as { action: string; detail: string }[];
  expect(trail.find((e) => e.action === 'withdrawal-requested')?.detail).toBe('Funding ended');
  const after = await agent.get(yes.headers.location);
  expect(after.text).toContain('<span class="tag bad">Withdrawn</span>');
  expect(after.text).not.toContain(`/app/projects/${projectId}/withdraw"`);

  // Withdrawn already: the API's refusal, at the top of the form, and nothing changes.
  const form = await agent.get(`/app/projects/${projectId}/withdraw`);
  const again = await agent
    .post(`/app/projects/${projectId}/withdraw`)
    .type('form')
    .send({ ...formTokens(form.text), confirm: 'yes' });
  expect(again.status).toBe(422);
  expect(again.text).toMatch(/<li>Project .+ (is withdrawn and cannot be withdrawn|can no longer change)<\/li>/i);
});
