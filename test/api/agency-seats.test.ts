/**
 * Agency staff's seat (DESIGN §8 "Who is who"): `GET /v1/steps` lists what their
 * agency owes, `POST /v1/steps/:ref/decision` decides with the link's body and
 * records who decided, `POST /v1/steps/:ref/assign` passes a step within the
 * agency's pool of reviewers (the new holder is mailed a fresh link; the old link
 * stops deciding). Another agency's step answers as a missing one. On the real
 * stack; e-mails read from MailDev.
 */
import request from 'supertest';
import { buildApp } from '../../api/app';
import { apiKeyRing } from '../../config/env';
import { createLogger } from '../../config/logger';
import { policySchema } from '../../domain/policy';
import { expectStatus, readAnswered } from '../helpers/api-read';
import { bearer, KEYS, useApiStack, type Mail } from '../helpers/api-stack';
import { AGENCY_REVIEWER, toGrantReview, tokenOf } from '../helpers/grant-review';
import { testPolicyFile } from '../helpers/policy';
import { testRecords } from '../helpers/records';

const COLLEAGUE = 'ausfuhr-2@bafa.example';

/** BAFA with a pool of two reviewers (the step goes to the first). */
function poolPolicy() {
  const file = testPolicyFile();
  const bafa = file.agencies.find((a) => a.id === 'de-bafa')!;
  bafa.reviewers = [AGENCY_REVIEWER, COLLEAGUE];
  return policySchema.parse(file);
}

const stack = useApiStack({ policy: poolPolicy() });

const STAFF = { person: 'test-bafa-staff-key-colleague', bis: 'test-bis-staff-key' };
/** The stack's app with two more agency principals: one person of BAFA's staff (the colleague, named by their e-mail), and BIS. */
let app: ReturnType<typeof buildApp>;
beforeAll(() => {
  app = buildApp({
    records: testRecords(),
    client: stack.client,
    connection: stack.env.connection,
    config: {
      apiKeys: apiKeyRing(
        `agency:de-bafa:ausfuhr-2@bafa.example=${STAFF.person},agency:us-bis=${STAFF.bis},` +
          `agency:de-bafa=${KEYS.agency},coordinator:a.weber=${KEYS.coordinator}`,
      ),
      policy: stack.policy,
      TASK_QUEUE: stack.taskQueue,
    },
    signer: stack.signer,
    logger: createLogger('silent', 'agency-seats-test'),
  });
});

type Queued = { ref: string; projectId: string; stepId: string; kind: string; reviewer: string; dueAt: string };

async function queue(key: string, query = ''): Promise<Queued[]> {
  const res = expectStatus(await readAnswered(() => request(app).get(`/v1/steps${query}`).set(bearer(key))), 200);
  return res.body.steps;
}

/** Visibility follows the workflows by a moment: read the queue until `ready` holds. */
async function queueUntil(key: string, query: string, ready: (steps: Queued[]) => boolean, what: string): Promise<Queued[]> {
  for (const deadline = Date.now() + 30_000; ;) {
    const steps = await queue(key, query);
    if (ready(steps)) return steps;
    if (Date.now() > deadline) throw new Error(`${what}: not in the queue within 30 s (it holds ${JSON.stringify(steps.map((s) => [s.projectId, s.stepId]))})`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

const post = (path: string, key: string, body: object) => request(app).post(path).set(bearer(key)).send(body);

test("the queue lists the agency's open steps, oldest due first, by project and kind; no other agency's, and no one else's seat", async () => {
  const g1 = await toGrantReview(stack, 'Queue one');
  const g2 = await toGrantReview(stack, 'Queue two');
  const mine = (steps: Queued[]) => steps.filter((s) => s.projectId === g1.projectId || s.projectId === g2.projectId);
  const steps = mine(await queueUntil(KEYS.agency, '', (s) => mine(s).length === 2, 'both grant steps'));
  expect(steps.map((s) => [s.projectId, s.stepId, s.reviewer])).toEqual([
    [g1.projectId, 'grant-agency', AGENCY_REVIEWER],
    [g2.projectId, 'grant-agency', AGENCY_REVIEWER],
  ]);
  const all = await queue(KEYS.agency);
  expect(all.map((s) => s.dueAt)).toEqual([...all.map((s) => s.dueAt)].sort());
  expect((await queue(STAFF.person, `?projectId=${g2.projectId}`)).map((s) => s.projectId)).toEqual([g2.projectId]);
  expect(await queue(STAFF.person, `?projectId=${g2.projectId}&kind=defence-review`)).toEqual([]);
  // BIS owes nothing on these projects; the funder's own step is never in an agency's queue.
  expect(mine(await queue(STAFF.bis))).toEqual([]);
  expect((await request(app).get('/v1/steps').set(bearer(KEYS.coordinator))).status).toBe(403);
  const bad = await request(app).get('/v1/steps?kind=nonsense').set(bearer(KEYS.agency));
  expect({ status: bad.status, paths: bad.body.error.details.map((d: { path: string }) => d.path) }).toEqual({ status: 400, paths: ['query.kind'] });

  // Agency staff's dashboard is their queue.
  const page = expectStatus(await readAnswered(() => request(app).get('/dashboard').set(bearer(STAFF.person))), 200);
  expect(page.text).toContain('Bundesamt');
  expect(page.text).toContain(g1.title);
  expect(page.text).toContain(steps[0].ref);
}, 90_000);

test("passing a step to a colleague of the pool mails them a fresh link; the first reviewer's link no longer decides it", async () => {
  const g = await toGrantReview(stack, 'Passed on');
  const [step] = await queueUntil(STAFF.person, `?projectId=${g.projectId}`, (s) => s.length === 1, 'the grant step');
  const assign = (key: string, reviewer: string) => post(`/v1/steps/${step.ref}/assign`, key, { reviewer });

  // Outside the pool, another agency's principal, a malformed ref: refused, nothing changes.
  const outside = await assign(STAFF.person, 'someone@elsewhere.example');
  expect({ status: outside.status, paths: outside.body.error.details.map((d: { path: string }) => d.path) }).toEqual({ status: 400, paths: ['body.reviewer'] });
  expect(outside.body.error.message).toContain(COLLEAGUE);
  expect((await assign(STAFF.bis, COLLEAGUE)).status).toBe(404);
  expect((await post('/v1/steps/not-a-ref!/assign', STAFF.person, { reviewer: COLLEAGUE })).status).toBe(400);
  expect((await stack.view(g.projectId)).steps.find((s) => s.stepId === 'grant-agency')?.reviewer).toBe(AGENCY_REVIEWER);

  const passed = await assign(STAFF.person, COLLEAGUE);
  expect({ status: passed.status, body: passed.body }).toEqual({
    status: 200,
    body: { stepId: 'grant-agency', reviewer: COLLEAGUE, previous: AGENCY_REVIEWER },
  });
  const toColleague = await stack.waitForMail((m: Mail) => m.to[0]?.address === COLLEAGUE && m.subject.startsWith(`Review requested: ${g.title} — grant`));
  const told = await stack.waitForMail((m: Mail) => m.to[0]?.address === AGENCY_REVIEWER && m.subject.startsWith(`Passed on: ${g.title}`));
  expect(told.text).toContain(`now with ${COLLEAGUE} (passed on by agency:de-bafa:ausfuhr-2@bafa.example)`);
  const audit = await stack.audit(g.projectId);
  expect(audit.find((e) => e.action === 'step-assigned')).toMatchObject({
    actor: 'agency:de-bafa:ausfuhr-2@bafa.example',
    stepId: 'grant-agency',
    channel: 'api',
  });

  const old = await request(app).post(`/r/${g.agencyToken}`).set('Accept', 'application/json').send({ decision: 'approve' });
  expect({ status: old.status, code: old.body.error?.code }).toEqual({ status: 409, code: 'CONFLICT' });
  expect((await stack.view(g.projectId)).steps.find((s) => s.stepId === 'grant-agency')?.status).toBe('open');
  const fresh = await request(app)
    .post(`/r/${tokenOf(toColleague)}`)
    .set('Accept', 'application/json')
    .send({ decision: 'approve' });
  expect({ status: fresh.status, outcome: fresh.body.outcome }).toEqual({ status: 200, outcome: 'approved' });
  // Taken back by its first reviewer? Too late: it is decided.
  expect((await assign(KEYS.agency, AGENCY_REVIEWER)).status).toBe(409);
}, 90_000);

test('a decision through the API takes the link’s body and rules, and names the person who made it', async () => {
  const g = await toGrantReview(stack, 'Decided at the desk');
  const [step] = await queueUntil(STAFF.person, `?projectId=${g.projectId}`, (s) => s.length === 1, 'the grant step');
  const decide = (key: string, body: object) => post(`/v1/steps/${step.ref}/decision`, key, body);

  expect((await decide(STAFF.bis, { decision: 'approve' })).status).toBe(404);
  // The agency's shared key names no person: it lists and assigns, and never decides.
  const shared = await decide(KEYS.agency, { decision: 'approve' });
  expect({ status: shared.status, code: shared.body.error.code }).toEqual({ status: 403, code: 'FORBIDDEN' });
  expect(shared.body.error.message).toMatch(/names no person .* never decides/);
  const noBasis = await decide(STAFF.person, { decision: 'deny' });
  expect({ status: noBasis.status, paths: noBasis.body.error.details.map((d: { path: string }) => d.path) }).toEqual({
    status: 400,
    paths: ['body.legalBasis'],
  });
  expect((await decide(STAFF.person, { decision: 'maybe' })).status).toBe(400);
  expect((await stack.audit(g.projectId)).filter((e) => e.action === 'decision-recorded')).toEqual([]);

  const decided = await decide(STAFF.person, { decision: 'approve', comment: 'end use confirmed by phone' });
  expect({ status: decided.status, outcome: decided.body.outcome, by: decided.body.decidedBy }).toEqual({
    status: 200,
    outcome: 'approved',
    by: 'agency:de-bafa:ausfuhr-2@bafa.example',
  });
  const entry = (await stack.audit(g.projectId)).find((e) => e.action === 'decision-recorded' && e.stepId === 'grant-agency');
  expect(entry).toMatchObject({ actor: 'agency:de-bafa:ausfuhr-2@bafa.example', channel: 'api' });
  expect((await stack.view(g.projectId)).steps.find((s) => s.stepId === 'grant-agency')).toMatchObject({
    status: 'decided',
    outcome: 'approved',
    decidedBy: 'agency:de-bafa:ausfuhr-2@bafa.example',
    decidedVia: 'api',
  });
  expect((await decide(STAFF.person, { decision: 'approve' })).status).toBe(409);
  // The reviewer's own link now finds it decided.
  expect((await request(app).post(`/r/${g.agencyToken}`).set('Accept', 'application/json').send({ decision: 'deny', legalBasis: 'x' })).status).toBe(409);
}, 90_000);
