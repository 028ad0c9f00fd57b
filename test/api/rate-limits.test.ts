/**
 * Rate limits (DESIGN §5, `RATE_LIMITED` 429 with `Retry-After`) on the real
 * stack: the reviewer pages per client address, writes per API key. Each test
 * builds its own app with small limits on the shared dev server and worker, so
 * its counters start at zero; what a refused request would have done is checked
 * not to have happened.
 */
import { WorkflowNotFoundError } from '@temporalio/client';
import request from 'supertest';
import { buildApp } from '../../api/app';
import type { Server } from 'node:http';
import type { Express } from 'express';
import { apiKeyRing, DEFAULT_RATE_LIMITS, type Config, type RateLimits } from '../../config/env';
import { createLogger } from '../../config/logger';
import { projectWorkflowId } from '../../workflows/definitions';
import { expectStatus, readAnswered, UNANSWERED } from '../helpers/api-read';
import { bearer, KEYS, useApiStack } from '../helpers/api-stack';
import { smallProject, uniqueId } from '../helpers/fixtures';
import { toGrantReview } from '../helpers/grant-review';
import { testRecords } from '../helpers/records';

const stack = useApiStack();

function appWith(limits: Partial<RateLimits>, config: Partial<Pick<Config, 'TRUST_PROXY'>> = {}) {
  return buildApp({
    records: testRecords(),
    client: stack.client,
    connection: stack.env.connection,
    config: {
      apiKeys: apiKeyRing(`coordinator:a.weber=${KEYS.coordinator},admin=${KEYS.admin},funder:horizon-eu=${KEYS.funder}`),
      policy: stack.policy,
      TASK_QUEUE: stack.taskQueue,
      ...config,
    },
    signer: stack.signer,
    logger: createLogger('silent', 'rate-limit-test'),
    rateLimits: { windowMs: 60_000, reviewPages: 100_000, writes: 100_000, failedAuth: 100_000, ...limits },
  });
}

const signInForm = (app: Express, key: string) => request(app).post('/dashboard/sign-in').set('Sec-Fetch-Site', 'same-origin').type('form').send({ key });

/** The app on a port of its own, so concurrent requests share one server (supertest would start one per request). */
function listening(app: Express): Promise<Server> {
  return new Promise((resolve) => {
    const server = app.listen(0, '127.0.0.1', () => resolve(server));
  });
}

const tally = (statuses: number[]) => statuses.reduce<Record<number, number>>((n, s) => ({ ...n, [s]: (n[s] ?? 0) + 1 }), {});

/** Retry-After in whole seconds, within the window. */
function retryAfter(res: request.Response, windowMs: number): number {
  const seconds = Number(res.headers['retry-after']);
  expect(Number.isInteger(seconds) && seconds >= 1 && seconds <= windowMs / 1000).toBe(true);
  return seconds;
}

describe('reviewer pages', () => {
  test('past the limit a reviewer gets 429 with Retry-After (a page, or the JSON contract) and a decision sent then is not recorded', async () => {
    const g = await toGrantReview(stack, 'Rate limit');
    const app = appWith({ reviewPages: 3 });
    // Each page reads the step from its workflow (a query): under load it may answer 503, which the limit counts all the same.
    for (let i = 0; i < 3; i++) expectStatus(await request(app).get(`/r/${g.funderToken}`), [200, UNANSWERED]);

    const page = await request(app).get(`/r/${g.funderToken}`);
    expect(page.status).toBe(429);
    retryAfter(page, 60_000);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.text).toContain('Too many requests');

    const json = await request(app).post(`/r/${g.funderToken}`).set('Accept', 'application/json').send({ decision: 'approve' });
    expect(json.status).toBe(429);
    expect(json.body).toEqual({
      error: {
        code: 'RATE_LIMITED',
        message: expect.stringMatching(/^too many requests; try again in \d+ s$/),
        details: [expect.objectContaining({ path: 'request' })],
      },
    });

    // The refused decision never reached the workflow; the same link still works on an app whose limit is not spent.
    const view = await stack.view(g.projectId);
    expect(view.steps.find((s) => s.stepId === 'grant-funder')?.status).toBe('open');
    expect((await stack.audit(g.projectId)).filter((e) => e.action === 'decision-recorded')).toEqual([]);
    expect(
      (
        await request(appWith({ reviewPages: 3 }))
          .post(`/r/${g.funderToken}`)
          .set('Accept', 'application/json')
          .send({ decision: 'approve' })
      ).status,
    ).toBe(200);
  });

  test('forged tokens count against the address too, and the window ends after Retry-After', async () => {
    const windowMs = 2000;
    const app = appWith({ reviewPages: 2, windowMs });
    for (let i = 0; i < 2; i++) expect((await request(app).get(`/r/forged-${i}.x`)).status).toBe(400);
    const limited = await request(app).get('/r/forged-3.x');
    expect(limited.status).toBe(429);
    await new Promise((r) => setTimeout(r, retryAfter(limited, windowMs) * 1000 + 100));
    expect((await request(app).get('/r/forged-4.x')).status).toBe(400);
  });
});

describe('writes', () => {
  test('are counted per key: past the limit 429 and nothing starts, while reads and other keys go on', async () => {
    const app = appWith({ writes: 2 });
    const asCoordinator = bearer(KEYS.coordinator);
    // Refused writes count too: a client cannot probe without limit by sending bad bodies.
    expect((await request(app).post('/v1/projects').set(asCoordinator).send({})).status).toBe(400);
    const first = smallProject(uniqueId('rate'));
    expect((await request(app).post('/v1/projects').set(asCoordinator).send(first)).status).toBe(201);

    const refused = smallProject(uniqueId('rate'));
    const res = await request(app).post('/v1/projects').set(asCoordinator).send(refused);
    expect(res.status).toBe(429);
    retryAfter(res, 60_000);
    expect(res.body.error.code).toBe('RATE_LIMITED');
    await expect(stack.client.workflow.getHandle(projectWorkflowId(refused.projectId)).describe()).rejects.toThrow(WorkflowNotFoundError);

    expectStatus(await readAnswered(() => request(app).get(`/v1/projects/${first.projectId}`).set(asCoordinator)), 200); // reads are not counted
    const byAdmin = smallProject(uniqueId('rate'));
    expect((await request(app).post('/v1/projects').set(bearer(KEYS.admin)).send(byAdmin)).status).toBe(201);
  });

  test('the dashboard sign-in form counts by address; unknown keys on the API are left to the failed-authentication limit', async () => {
    const app = appWith({ writes: 3 });
    for (let i = 0; i < 3; i++)
      expect(
        (
          await request(app)
            .post('/dashboard/sign-in')
            .set('Sec-Fetch-Site', 'same-origin')
            .type('form')
            .send({ key: `guess-${i}-0123456789` })
        ).status,
      ).toBe(401);
    expect((await request(app).post('/dashboard/sign-in').set('Sec-Fetch-Site', 'same-origin').type('form').send({ key: 'guess-4-0123456789' })).status).toBe(
      429,
    );
    expect((await request(app).post('/v1/projects').set(bearer('guess-5-0123456789')).send({})).status).toBe(401);
    // A known key has its own counter.
    expect((await request(app).post('/v1/projects').set(bearer(KEYS.coordinator)).send({})).status).toBe(400);
  });
});

describe('failed authentication', () => {
  const wrong = bearer('a-guessed-key-0123456789');

  test(
    'counts answered 401s on every method, reads and /metrics included, per ' + 'address; past the limit a wrong key waits and the right key does not',
    async () => {
      const app = appWith({ failedAuth: 4 });
      const asCoordinator = bearer(KEYS.coordinator);
      // Successful authentication is never counted, however often.
      for (let i = 0; i < 6; i++) expect((await request(app).get('/v1/milestones/stalled').set(asCoordinator)).status).toBe(200);
      expect((await request(app).get('/v1/projects/any').set(wrong)).status).toBe(401);
      expect((await request(app).head('/v1/milestones/stalled').set(wrong)).status).toBe(401);
      expect((await request(app).delete('/v1/projects/any').set(wrong)).status).toBe(401);
      expect((await signInForm(app, 'a-guessed-key-0123456789')).status).toBe(401);
      // The fifth wrong attempt, whatever it is, waits until the window ends.
      const limited = await request(app).get('/v1/milestones/stalled').set(wrong);
      expect(limited.status).toBe(429);
      retryAfter(limited, 60_000);
      const form = await signInForm(app, 'another-guessed-key-0123456789');
      expect(form.status).toBe(429);
      retryAfter(form, 60_000);
      expect(form.text).toContain('Too many failed sign-ins');
      // The right key, from the same address, is never refused by this limit: on the API and on the sign-in form.
      expect((await request(app).get('/v1/milestones/stalled').set(asCoordinator)).status).toBe(200);
      expect((await request(app).delete('/v1/projects/any').set(asCoordinator)).status).toBe(404);
      const signedIn = await signInForm(app, KEYS.coordinator);
      expect(signedIn.status).toBe(303);
      expect(signedIn.headers['set-cookie']).toEqual([expect.stringMatching(/^lr_session=/)]);
    },
  );

  test('100 concurrent reads with a valid key all answer 200, also from an address whose failures are spent', async () => {
    const projectId = uniqueId('burst');
    const app = appWith(DEFAULT_RATE_LIMITS);
    expect((await request(app).post('/v1/projects').set(bearer(KEYS.coordinator)).send(smallProject(projectId))).status).toBe(201);
    const server = await listening(app);
    try {
      // Spend the address's failures: past the default limit (30 a minute) a wrong key is refused.
      for (let i = 0; i < DEFAULT_RATE_LIMITS.failedAuth; i++) expect((await request(server).get(`/v1/projects/${projectId}`).set(wrong)).status).toBe(401);
      expect((await request(server).get(`/v1/projects/${projectId}`).set(wrong)).status).toBe(429);
      const statuses = await Promise.all(
        Array.from({ length: 100 }, () =>
          request(server)
            .get(`/v1/projects/${projectId}`)
            .set(bearer(KEYS.coordinator))
            .then((res) => res.status),
        ),
      );
      expect(tally(statuses)).toEqual({ 200: 100 });
    } finally {
      await new Promise((r) => server.close(r));
    }
  });

  test('behind a trusted proxy each client is counted by its X-Forwarded-For address; an untrusted proxy is one address for all', async () => {
    const from = (ip: string) => ({ ...wrong, 'X-Forwarded-For': `${ip}, 127.0.0.1` });
    // Two proxies in front (the client, then a proxy at 127.0.0.1, then the test's connection): trust 2 hops.
    const trusted = appWith({ failedAuth: 3 }, { TRUST_PROXY: 2 });
    for (let i = 0; i < 3; i++) expect((await request(trusted).get('/v1/projects/any').set(from('203.0.113.7'))).status).toBe(401);
    expect((await request(trusted).get('/v1/projects/any').set(from('203.0.113.7'))).status).toBe(429);
    expect((await request(trusted).get('/v1/projects/any').set(from('198.51.100.9'))).status).toBe(401);
    expect((await request(trusted).get('/v1/projects/any').set(bearer(KEYS.coordinator)).set('X-Forwarded-For', '203.0.113.7, 127.0.0.1')).status).toBe(404);

    // Trusting no proxy, X-Forwarded-For is ignored: the connection's address (the proxy's) is every client's.
    const untrusted = appWith({ failedAuth: 3 }, { TRUST_PROXY: 0 });
    for (let i = 0; i < 3; i++) expect((await request(untrusted).get('/v1/projects/any').set(from('203.0.113.7'))).status).toBe(401);
    expect((await request(untrusted).get('/v1/projects/any').set(from('198.51.100.9'))).status).toBe(429);
  });

  test('failures are also counted per key id, whatever address they come from', async () => {
    const app = appWith({ failedAuth: 3 });
    const guess = (keyId: string, ip: string) =>
      request(app)
        .get('/v1/projects/any')
        .set(bearer(`${keyId}.guessed-secret-0123456789`))
        .set('X-Forwarded-For', ip);
    for (let i = 0; i < 3; i++) expect((await guess('k-00000000000000aa', `203.0.113.${i + 1}`)).status).toBe(401);
    // A fresh address with the same key id waits; another key id from it is its first failure.
    expect((await guess('k-00000000000000aa', '198.51.100.1')).status).toBe(429);
    expect((await guess('k-00000000000000bb', '198.51.100.1')).status).toBe(401);
  });

  test('/metrics asks for METRICS_TOKEN when one is set; a wrong one counts as a failed authentication, the right one is never refused', async () => {
    const token = 'a-metrics-token-of-at-least-32-characters';
    const withToken = (failedAuth: number) =>
      buildApp({
        records: testRecords(),
        client: stack.client,
        connection: stack.env.connection,
        config: { apiKeys: apiKeyRing(`admin=${KEYS.admin}`), policy: stack.policy, TASK_QUEUE: stack.taskQueue, METRICS_TOKEN: token },
        signer: stack.signer,
        logger: createLogger('silent', 'metrics-token-test'),
        rateLimits: { windowMs: 60_000, reviewPages: 100, writes: 100, failedAuth },
      });
    const app = withToken(2);
    expect((await request(app).get('/metrics')).status).toBe(401);
    // An API key is not the metrics token.
    expect((await request(app).get('/metrics').set(bearer(KEYS.admin))).status).toBe(401);
    // Past the limit a wrong token waits; the right one still scrapes.
    expect((await request(app).get('/metrics').set(bearer('not-the-metrics-token'))).status).toBe(429);
    const scrape = await request(app).get('/metrics').set(bearer(token));
    expect(scrape.status).toBe(200);
    expect(scrape.text).toMatch(/^licence_review_api_process_resident_memory_bytes \d+/m);
  });
});
