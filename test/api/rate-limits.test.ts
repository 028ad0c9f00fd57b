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
import { apiKeyRing, type RateLimits } from '../../config/env';
import { createLogger } from '../../config/logger';
import { projectWorkflowId } from '../../workflows/definitions';
import { expectStatus, readAnswered, UNANSWERED } from '../helpers/api-read';
import { bearer, KEYS, useApiStack } from '../helpers/api-stack';
import { smallProject, uniqueId } from '../helpers/fixtures';
import { toGrantReview } from '../helpers/grant-review';
import { testRecords } from '../helpers/records';

const stack = useApiStack();

function appWith(limits: Partial<RateLimits>) {
  return buildApp({
    records: testRecords(),
    client: stack.client,
    connection: stack.env.connection,
    config: {
      apiKeys: apiKeyRing(`coordinator:a.weber=${KEYS.coordinator},admin=${KEYS.admin},funder:horizon-eu=${KEYS.funder}`),
      policy: stack.policy,
      TASK_QUEUE: stack.taskQueue,
    },
    signer: stack.signer,
    logger: createLogger('silent', 'rate-limit-test'),
    rateLimits: { windowMs: 60_000, reviewPages: 100_000, writes: 100_000, failedAuth: 100_000, ...limits },
  });
}

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
  test('counts on every method, reads and /metrics included, per address; good keys do not count', async () => {
    const app = appWith({ failedAuth: 4 });
    const asCoordinator = bearer(KEYS.coordinator);
    // Successful authentication is never counted, however often.
    for (let i = 0; i < 6; i++) expect((await request(app).get('/v1/milestones/stalled').set(asCoordinator)).status).not.toBe(401);
    const wrong = bearer('a-guessed-key-0123456789');
    expect((await request(app).get('/v1/projects/any').set(wrong)).status).toBe(401);
    expect((await request(app).head('/v1/milestones/stalled').set(wrong)).status).toBe(401);
    expect((await request(app).delete('/v1/projects/any').set(wrong)).status).toBe(401);
    expect(
      (await request(app).post('/dashboard/sign-in').set('Sec-Fetch-Site', 'same-origin').type('form').send({ key: 'a-guessed-key-0123456789' })).status,
    ).toBe(401);
    // The fifth attempt, whatever it is, waits; the right key from the same address too, until the window ends.
    const limited = await request(app).get('/v1/milestones/stalled').set(wrong);
    expect(limited.status).toBe(429);
    retryAfter(limited, 60_000);
    expect((await request(app).get('/v1/milestones/stalled').set(asCoordinator)).status).toBe(429);
  });

  test('/metrics asks for METRICS_TOKEN when one is set, and a wrong one counts as a failed authentication', async () => {
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
    expect((await request(app).get('/metrics').set(bearer(token))).status).toBe(429);
    const other = withToken(100);
    const scrape = await request(other).get('/metrics').set(bearer(token));
    expect(scrape.status).toBe(200);
    expect(scrape.text).toMatch(/^licence_review_api_process_resident_memory_bytes \d+/m);
  });
});
