/**
 * Sign-out everywhere (api/session-revocations.ts): a revocation recorded for a principal refuses every dashboard
 * session cookie issued to it before then, on any replica; a sign-in after it works. Through HTTP against two apps
 * (two replicas) on the real record store; these routes never reach Temporal, so the apps have none.
 */
import request from 'supertest';
import { buildApp } from '../../api/app';
import { apiKeyRing } from '../../config/env';
import { createLogger } from '../../config/logger';
import { testPolicy } from '../helpers/policy';
import { testRecords } from '../helpers/records';
import { uniqueId } from '../helpers/fixtures';

// Principals of their own, so that no other test file's sessions are touched by these revocations.
const who = uniqueId('sess').replace(/-/g, '.');
const KEYS = { coordinator: `sessions-coordinator-key-${who}`, staff: `sessions-staff-key-${who}`, admin: `sessions-admin-key-${who}` };
const keys = apiKeyRing(`coordinator:${who}=${KEYS.coordinator},agency:de-bafa:${who}@bafa.example=${KEYS.staff},admin=${KEYS.admin}`);
const replica = () =>
  buildApp({
    records: testRecords(),
    client: { options: { namespace: 'default' } } as never,
    connection: {} as never,
    config: { apiKeys: keys, policy: testPolicy(), TASK_QUEUE: 'sessions', LINK_SECRET: 'sessions-test-link-secret-0123456789' },
    signer: { sign: () => '', verify: () => ({ ok: false, reason: 'malformed' }) } as never,
    logger: createLogger('silent', 'sessions-test'),
  });
const [a, b] = [replica(), replica()];

async function signIn(app: ReturnType<typeof replica>, key: string): Promise<string> {
  const res = await request(app).post('/dashboard/sign-in').set('Sec-Fetch-Site', 'same-origin').type('form').send({ key });
  expect(res.status).toBe(303);
  return String(res.headers['set-cookie']).split(';')[0];
}
/** A read as the cookie's principal: the coordinator's project list, or agency staff's queue. */
const readWith = (app: ReturnType<typeof replica>, cookie: string, path = '/v1/projects?limit=1') => request(app).get(path).set('Cookie', cookie);
const QUEUE = '/v1/steps?kind=acknowledgement&projectId=none-here';
const revoke = (key: string, body: object = {}) => request(a).post('/v1/sessions/revoke').set('Authorization', `Bearer ${key}`).send(body);

test('a sign-out everywhere refuses every earlier session of the principal on every replica, and no one else’s; a new sign-in works', async () => {
  const [first, second, staff] = [await signIn(a, KEYS.coordinator), await signIn(b, KEYS.coordinator), await signIn(a, KEYS.staff)];
  expect((await readWith(a, first)).status).toBe(200);
  expect((await readWith(b, second)).status).toBe(200);
  expect((await readWith(b, staff, QUEUE)).status).toBe(200);

  const revoked = await revoke(KEYS.coordinator);
  expect(revoked.status).toBe(200);
  expect(revoked.body).toEqual({ principalId: `coordinator:${who}`, revokedAt: expect.any(String) });
  for (const [app, cookie] of [
    [a, first],
    [b, second],
  ] as const) {
    const res = await readWith(app, cookie);
    expect({ status: res.status, message: res.body.error?.message }).toEqual({
      status: 401,
      message: 'you were signed out everywhere: sign in again at /dashboard',
    });
  }
  expect((await readWith(a, staff, QUEUE)).status).toBe(200);
  // The dashboard forgets the refused cookie and asks to sign in again.
  const page = await request(b).get('/dashboard').set('Cookie', first);
  expect(page.text).toContain('You were signed out everywhere');
  await new Promise((r) => setTimeout(r, 5)); // a new session is issued after the revocation
  expect((await readWith(b, await signIn(b, KEYS.coordinator))).status).toBe(200);
});

test("the dashboard's button signs out everywhere; only an admin ends another principal's sessions; bad input changes nothing", async () => {
  const staff = await signIn(a, KEYS.staff);
  const other = await signIn(b, KEYS.staff);
  expect((await request(a).post('/dashboard/sign-out-everywhere').set('Cookie', staff)).status).toBe(403); // not from the page
  expect((await readWith(b, other, QUEUE)).status).toBe(200);
  const button = await request(a).post('/dashboard/sign-out-everywhere').set('Sec-Fetch-Site', 'same-origin').set('Cookie', staff);
  expect({ status: button.status, location: button.headers.location }).toEqual({ status: 303, location: '/dashboard' });
  expect((await readWith(b, other, QUEUE)).status).toBe(401);

  const coordinator = await signIn(a, KEYS.coordinator);
  const notAdmin = await revoke(KEYS.staff, { principalId: `coordinator:${who}` });
  expect({ status: notAdmin.status, message: notAdmin.body.error.message }).toEqual({
    status: 403,
    message: "only an admin ends another principal's sessions",
  });
  const unknown = await revoke(KEYS.admin, { principalId: 'coordinator:nobody-here' });
  expect({ status: unknown.status, paths: unknown.body.error.details.map((d: { path: string }) => d.path) }).toEqual({
    status: 404,
    paths: ['body.principalId'],
  });
  expect((await revoke(KEYS.admin, { principalId: 7 })).status).toBe(400);
  expect((await readWith(a, coordinator)).status).toBe(200);
  expect((await revoke(KEYS.admin, { principalId: `coordinator:${who}` })).status).toBe(200);
  expect((await readWith(a, coordinator)).status).toBe(401);
});
