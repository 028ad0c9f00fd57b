/**
 * The pattern every form of /app follows, over HTTP on the real stack: a signed-in cookie writes only with the form's
 * CSRF token; a refusal shows the form again with what was typed, the error summary and the error beside its field,
 * and changes nothing; a form that passes acts through the JSON API as the person signed in.
 */
import request from 'supertest';
import { bearer, COORDINATOR_ID, KEYS, useApiStack } from '../helpers/api-stack';
import { smallProject } from '../helpers/fixtures';
import { formTokens, signedInAgent } from '../helpers/web';

const stack = useApiStack();
const api = () => request(stack.app);

async function submitted(): Promise<string> {
  const project = smallProject();
  const res = await api().post('/v1/projects').set(bearer(KEYS.coordinator)).send(project);
  expect(res.status).toBe(201);
  return project.projectId;
}

test('add a delegate: no token refused, a bad id shown beside its field with the input kept, then added as the owner', async () => {
  const projectId = await submitted();
  const agent = await signedInAgent(stack.app, KEYS.coordinator);
  const form = await agent.get(`/app/projects/${projectId}/delegates/new`);
  expect(form.status).toBe(200);
  expect(form.text).toContain('<label for="userId">User id</label>');

  // The cookie alone writes nothing: no token, or a token from another session, is refused before the API hears of it.
  const bare = await agent.post(`/app/projects/${projectId}/delegates/new`).type('form').send({ userId: 'm.garcia' });
  expect(bare.status).toBe(403);
  expect(bare.text).toContain('Nothing was changed');
  const other = await signedInAgent(stack.app, KEYS.otherCoordinator);
  const foreign = await other
    .post(`/app/projects/${projectId}/delegates/new`)
    .type('form')
    .send({ ...formTokens(form.text), userId: 'm.garcia' });
  expect(foreign.status).toBe(403);
  // Nor does the cookie write through the JSON API directly.
  expect((await agent.post(`/v1/projects/${projectId}/delegates`).send({ userId: 'm.garcia' })).status).toBe(401);

  const bad = await agent
    .post(`/app/projects/${projectId}/delegates/new`)
    .type('form')
    .send({ ...formTokens(form.text), userId: 'not an id!' });
  expect(bad.status).toBe(422);
  expect(bad.text).toContain('<title>Error: Add a delegate');
  expect(bad.text).toMatch(/<div class="error-summary"[^>]*autofocus>/);
  expect(bad.text).toContain('<a href="#userId">User id: a user id: letters, digits, and . _ @ -</a>');
  expect(bad.text).toContain(
    '<span class="field-error" id="userId-error"><span class="muted">Error:</span> User id: a user id: letters, digits, and . _ @ -</span>',
  );
  expect(bad.text).toContain('value="not an id!"');
  expect(bad.text).toContain('aria-describedby="userId-hint userId-error" aria-invalid="true"');
  let view = (await api().get(`/v1/projects/${projectId}`).set(bearer(KEYS.coordinator))).body;
  expect(view.delegates ?? []).toEqual([]);

  const good = await agent
    .post(`/app/projects/${projectId}/delegates/new`)
    .type('form')
    .send({ ...formTokens(bad.text), userId: 'j.martin' });
  expect(good.status).toBe(303);
  expect(good.headers.location).toBe(`/app/projects/${projectId}?done=delegate-added`);
  view = (await api().get(`/v1/projects/${projectId}`).set(bearer(KEYS.coordinator))).body;
  expect(view.delegates).toEqual(['coordinator:j.martin']);
  const trail = (await api().get(`/v1/projects/${projectId}/audit`).set(bearer(KEYS.coordinator))).body.entries;
  expect(trail.find((e: { action: string }) => /delegate/.test(e.action))).toMatchObject({ actor: `coordinator:${COORDINATOR_ID}` });
});

test('not signed in: every page sends the browser to the sign-in', async () => {
  const res = await api().get('/app/projects');
  expect(res.status).toBe(303);
  expect(res.headers.location).toBe('/dashboard');
});

test('a file over the policy limit: a page that says so, and nothing sent on', async () => {
  const projectId = await submitted();
  const agent = await signedInAgent(stack.app, KEYS.coordinator);
  const form = await agent.get(`/app/projects/${projectId}/delegates/new`);
  const tooLarge = Buffer.alloc(stack.policy.documents.maxBytes + 1, 1);
  const res = await agent
    .post(`/app/projects/${projectId}/delegates/new`)
    .field('_csrf', formTokens(form.text)._csrf)
    .field('userId', 'j.martin')
    .attach('file', tooLarge, 'big.pdf');
  expect(res.status).toBe(413);
  expect(res.text).toContain(`A file may be at most ${stack.policy.documents.maxBytes} bytes. Nothing was changed.`);
  const view = (await api().get(`/v1/projects/${projectId}`).set(bearer(KEYS.coordinator))).body;
  expect(view.delegates ?? []).toEqual([]);
});
