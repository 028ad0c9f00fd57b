/**
 * The failed-authentication limit (api/failed-auth-limit.ts) on a small app of its own, with its clock in the
 * test's hands: only answered 401s count, per address and per key id; past the limit only a refused credential
 * is answered 429, and the window ends on time.
 */
import express from 'express';
import request from 'supertest';
import { FailedAuthLimit } from '../../api/failed-auth-limit';
import { ApiError, errorHandler } from '../../api/errors';

function appWith(limit: FailedAuthLimit) {
  const app = express();
  app.set('trust proxy', 'loopback');
  // The route stands for authentication: "right" passes, anything else is refused.
  app.get('/', limit.count, (req, res, next) =>
    req.get('authorization') === 'Bearer right' ? res.json({ ok: true }) : next(new ApiError('UNAUTHORIZED', 'unknown API key')),
  );
  app.use(limit.refuse);
  app.use(errorHandler);
  return app;
}

test('counts answered 401s per address; past the limit a wrong key is 429 until the window ends, a right key never', async () => {
  let now = 1_000_000;
  const app = appWith(new FailedAuthLimit(2, 60_000, () => now));
  const get = (key: string, ip = '203.0.113.1') => request(app).get('/').set('Authorization', `Bearer ${key}`).set('X-Forwarded-For', ip);
  expect((await get('wrong')).status).toBe(401);
  expect((await get('wrong')).status).toBe(401);
  const limited = await get('wrong');
  expect({ status: limited.status, retryAfter: limited.headers['retry-after'], code: limited.body.error.code }).toEqual({
    status: 429,
    retryAfter: '60',
    code: 'RATE_LIMITED',
  });
  expect((await get('right')).status).toBe(200);
  expect((await get('wrong', '203.0.113.2')).status).toBe(401);
  now += 30_500;
  expect((await get('wrong')).headers['retry-after']).toBe('30');
  now += 29_500;
  expect((await get('wrong')).status).toBe(401);
});

test('a file key id is counted across addresses; a limit of 0 is off', async () => {
  const app = appWith(new FailedAuthLimit(1, 60_000));
  const get = (key: string, ip: string) => request(app).get('/').set('Authorization', `Bearer ${key}`).set('X-Forwarded-For', ip);
  expect((await get('k-0123456789abcdef.guess-1', '203.0.113.1')).status).toBe(401);
  expect((await get('k-0123456789abcdef.guess-2', '203.0.113.2')).status).toBe(429);
  expect((await get('k-fedcba9876543210.guess-1', '203.0.113.3')).status).toBe(401);

  const off = appWith(new FailedAuthLimit(0, 60_000));
  for (let i = 0; i < 3; i++) expect((await request(off).get('/').set('Authorization', 'Bearer wrong')).status).toBe(401);
});
