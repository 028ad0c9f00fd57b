/**
 * `/metrics` (Prometheus text format) on the real stack: HTTP latency and
 * status by route pattern (never a token or an id), decisions by outcome, and
 * the stalled steps by the party awaited, read from the records.
 */
import request from 'supertest';
import { policySchema } from '../../domain/policy';
import { readAnswered } from '../helpers/api-read';
import { bearer, KEYS, useApiStack } from '../helpers/api-stack';
import { toGrantReview } from '../helpers/grant-review';
import { testPolicyFile } from '../helpers/policy';

/** Grant reviews due after 3 s, with nobody to escalate to: a silent step stays open, stalled. */
function stallingPolicy() {
  const file = testPolicyFile();
  file.sla = { ...file.sla, grantReview: '3s' };
  for (const party of [...file.funders, ...file.agencies]) party.seniorReviewers = [];
  return policySchema.parse(file);
}

// Its own record store: the stalled gauge counts across the portfolio, which here is this file's.
const stack = useApiStack({ policy: stallingPolicy(), ownRecordStore: true });

const scrape = async () => {
  const res = await request(stack.app).get('/metrics');
  expect(res.status).toBe(200);
  expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
  return res.text;
};

test('requests by route pattern and status, decisions by outcome, stalled steps by the party awaited', async () => {
  const g = await toGrantReview(stack, 'Metrics');
  expect((await request(stack.app).post(`/r/${g.agencyToken}`).set('Accept', 'application/json').send({ decision: 'approve' })).status).toBe(200);
  // A 404 from Temporal (read again should it not answer in time under load: a 503 is counted apart).
  expect((await readAnswered(() => request(stack.app).get('/v1/projects/no-such-project').set(bearer(KEYS.coordinator)))).status).toBe(404);

  // The funder's grant step stays silent past its 3 s deadline.
  await stack.waitForView(
    g.projectId,
    (v) => v.openSteps.some((s) => s.stepId === 'grant-funder' && Date.parse(s.dueAt) < Date.now() - 1000),
    'the funder step past due',
    30_000,
  );
  // The stalled gauge is read from the records, at most every 15 s: scraped again until the step is in it.
  let text = await scrape();
  for (const deadline = Date.now() + 60_000; !/^licence_review_stalled_steps\{/m.test(text) && Date.now() < deadline;) {
    await new Promise((r) => setTimeout(r, 250));
    text = await scrape();
  }

  expect(text).toMatch(/licence_review_http_request_duration_seconds_count\{method="POST",route="\/v1\/projects",status="201"\} 1\b/);
  expect(text).toMatch(/licence_review_http_request_duration_seconds_count\{method="POST",route="\/r\/\{token\}",status="200"\} 1\b/);
  expect(text).toMatch(/licence_review_http_request_duration_seconds_count\{method="GET",route="\/v1\/projects\/\{id\}",status="404"\} 1\b/);
  expect(text).not.toContain(g.agencyToken.slice(0, 20));
  expect(text).not.toContain('no-such-project');
  expect(text).toMatch(/licence_review_decisions_total\{outcome="approved"\} 1\b/);
  expect(text).toMatch(/licence_review_stalled_steps\{awaited="horizon-eu"\} 1\b/);
  expect(text).toMatch(/licence_review_api_process_resident_memory_bytes \d+/);
}, 90_000);
