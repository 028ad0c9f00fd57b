/**
 * A step passed A → B → A (`POST /v1/steps/:ref/assign`) does not revive A's first links: a link decides only the
 * assignment it was issued for (its `assignment` claim against the step's `assignments` in the records). A's fresh
 * link, mailed when the step came back, decides it. On the real stack; e-mails read from MailDev.
 */
import request from 'supertest';
import { policySchema } from '../../domain/policy';
import { expectStatus, readAnswered } from '../helpers/api-read';
import { bearer, KEYS, useApiStack, type Mail } from '../helpers/api-stack';
import { AGENCY_REVIEWER, toGrantReview, tokenOf } from '../helpers/grant-review';
import { testPolicyFile } from '../helpers/policy';

const COLLEAGUE = 'ausfuhr-2@bafa.example';

/** BAFA with a pool of two reviewers (the step goes to the first). */
function poolPolicy() {
  const file = testPolicyFile();
  file.agencies.find((a) => a.id === 'de-bafa')!.reviewers = [AGENCY_REVIEWER, COLLEAGUE];
  return policySchema.parse(file);
}

const stack = useApiStack({ policy: poolPolicy() });
const app = () => stack.app;

test("a step passed to a colleague and back refuses its first holder's first link; the link mailed on its return decides it", async () => {
  const g = await toGrantReview(stack, 'Passed back');
  const agency = bearer(KEYS.agency);
  let ref: string | undefined;
  for (const deadline = Date.now() + 30_000; !ref; await new Promise((r) => setTimeout(r, 300))) {
    const res = expectStatus(await readAnswered(() => request(app()).get(`/v1/steps?projectId=${g.projectId}`).set(agency)), 200);
    ref = res.body.steps[0]?.ref;
    if (!ref && Date.now() > deadline) throw new Error('the grant step is not in the queue within 30 s');
  }
  const assign = async (reviewer: string) =>
    expectStatus(await request(app()).post(`/v1/steps/${ref}/assign`).set(agency).send({ reviewer }), 200, `assign to ${reviewer}`);
  const requests = (to: string) => (m: Mail) => m.to[0]?.address === to && m.subject.startsWith(`Review requested: ${g.title} — grant`);

  await assign(COLLEAGUE);
  const toColleague = await stack.waitForMail(requests(COLLEAGUE));
  await assign(AGENCY_REVIEWER);
  // Two review requests to the first reviewer now: the first (its link is g.agencyToken) and the one of its return.
  const returned = await stack.waitForMail((m) => requests(AGENCY_REVIEWER)(m) && tokenOf(m) !== g.agencyToken);

  // The first link names the same reviewer and run, but an earlier assignment: its page and its decision are refused.
  const page = await request(app()).get(`/r/${g.agencyToken}`);
  expect({ status: page.status, passedOn: page.text.includes('This step is held by another reviewer') }).toEqual({ status: 409, passedOn: true });
  for (const token of [g.agencyToken, tokenOf(toColleague)]) {
    const refused = await request(app()).post(`/r/${token}`).set('Accept', 'application/json').send({ decision: 'approve' });
    expect({ status: refused.status, code: refused.body.error?.code }).toEqual({ status: 409, code: 'CONFLICT' });
  }
  expect((await stack.view(g.projectId)).steps.find((s) => s.stepId === 'grant-agency')).toMatchObject({ status: 'open', reviewer: AGENCY_REVIEWER });

  const decided = await request(app())
    .post(`/r/${tokenOf(returned)}`)
    .set('Accept', 'application/json')
    .send({ decision: 'approve' });
  expect({ status: decided.status, outcome: decided.body.outcome }).toEqual({ status: 200, outcome: 'approved' });
}, 90_000);
