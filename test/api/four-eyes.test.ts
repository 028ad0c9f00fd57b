/**
 * Four eyes that are two people (DESIGN §9 "The right person", domain/four-eyes.ts), on the real stack: agency
 * persons from a principals file (each with the e-mail that places them in a pool) decide through their seat, and
 * reviewers through their links.
 *
 * One licence is driven to its end: a T3 component of a German-led project (c1, raised to T3 at scoping), whose
 * issuer review (BAFA) is left silent until it escalates to a senior, who approves the escalation; then the senior
 * sign-off, which goes to that same senior by routing, is refused to them (by seat and by link) and signed off by
 * the other senior. On each kind of step on the way the matrix below is asked: every person × every kind, each
 * with a body no route accepts, so 400 means "may decide, nothing done" and 403 "refused"; nothing changes.
 */
import request from 'supertest';
import { buildApp } from '../../api/app';
import { stepRef } from '../../api/step-refs';
import { createLogger } from '../../config/logger';
import { hashKey, KeyRing, newFileKey, type PrincipalsFile } from '../../config/principals';
import { policySchema } from '../../domain/policy';
import type { StepKind } from '../../domain/step-kinds';
import type { ReviewStep } from '../../workflows/definitions';
import { expectStatus, readAnswered } from '../helpers/api-read';
import { bearer, KEYS, useApiStack } from '../helpers/api-stack';
import { smallProject, uniqueId } from '../helpers/fixtures';
import { setReviewDurations, testPolicyFile } from '../helpers/policy';
import { testRecords } from '../helpers/records';

const JUNIOR = 'ausfuhr@bafa.example';
const COLLEAGUE = 'ausfuhr-2@bafa.example';
const SENIOR = 'referatsleitung@bafa.example';
const SENIOR_2 = 'referatsleitung-2@bafa.example';

/** BAFA with two reviewers and two seniors; its own review escalates after 15 s, everything else waits 10 minutes. */
function fourEyesPolicy() {
  const file = testPolicyFile();
  setReviewDurations(file, 600, 3000);
  file.sla.agencyReview = '15s';
  const bafa = file.agencies.find((a) => a.id === 'de-bafa')!;
  bafa.reviewers = [JUNIOR, COLLEAGUE];
  bafa.seniorReviewers = [SENIOR, SENIOR_2];
  return policySchema.parse(file);
}

const stack = useApiStack({ policy: fourEyesPolicy() });

/** Who calls: BAFA's shared key (no person) and four persons of BAFA's staff, from a principals file. */
const PEOPLE = {
  shared: { id: 'agency:de-bafa', email: 'ausfuhrkontrolle@bafa.example' },
  junior: { id: 'agency:de-bafa:j.jung', email: JUNIOR },
  colleague: { id: 'agency:de-bafa:k.kollege', email: COLLEAGUE },
  senior: { id: 'agency:de-bafa:s.senior', email: SENIOR },
  senior2: { id: 'agency:de-bafa:t.zweite', email: SENIOR_2 },
} as const;
type Person = keyof typeof PEOPLE;
const PERSONS = Object.keys(PEOPLE) as Person[];

/**
 * What each caller gets on a step of each kind (a body no route accepts: 400 is "may decide"). The senior sign-off
 * row is asked once the senior has decided the component's escalation: they are refused as the same person.
 */
// prettier-ignore
const KINDS_TABLE: Partial<Record<StepKind, Record<Person, number>>> = {
  'grant-agency':    { shared: 403, junior: 400, colleague: 400, senior: 403, senior2: 403 },
  'tier-lowering':   { shared: 403, junior: 400, colleague: 400, senior: 403, senior2: 403 },
  'no-licence-finding': { shared: 403, junior: 400, colleague: 400, senior: 403, senior2: 403 },
  'issuer-review':   { shared: 403, junior: 400, colleague: 400, senior: 403, senior2: 403 },
  escalation:        { shared: 403, junior: 403, colleague: 403, senior: 400, senior2: 400 },
  'senior-sign-off': { shared: 403, junior: 403, colleague: 403, senior: 403, senior2: 400 },
};
/** Why each refusal is refused (the error's message). */
const WHY: Record<string, RegExp> = {
  shared: /names no person .* never decides/,
  pool: /is not one of .*'s (senior )?reviewers/,
  same: new RegExp(`${SENIOR} decided c1-de-bafa-esc \\(escalation\\) of this component, so another person must decide its senior-sign-off`),
};

const keys: Record<Person, string> = {} as Record<Person, string>;
let app: ReturnType<typeof buildApp>;
beforeAll(() => {
  const file: PrincipalsFile = { principals: [] };
  for (const person of PERSONS) {
    const { id, email } = PEOPLE[person];
    const { keyId, key } = newFileKey();
    keys[person] = key;
    const scope = id.slice('agency:'.length);
    file.principals.push({ id, role: 'agency', scope, name: person, email, keys: [{ keyId, hash: hashKey(key.slice(keyId.length + 1)) }] });
  }
  app = buildApp({
    records: testRecords(),
    client: stack.client,
    connection: stack.env.connection,
    config: { apiKeys: KeyRing.fromFile(file), policy: stack.policy, TASK_QUEUE: stack.taskQueue },
    signer: stack.signer,
    logger: createLogger('silent', 'four-eyes-test'),
  });
});

const REFUSED_BODY = ['four eyes: not a request body'];
const decide = (step: ReviewStep, person: Person, body: unknown) =>
  readAnswered(() =>
    request(app)
      .post(`/v1/steps/${stepRef(step.workflowId, step.stepId)}/decision`)
      .set(bearer(keys[person]))
      .send(body as object),
  );
const linkOf = (step: ReviewStep, reviewer = step.reviewer) =>
  stack.signer.sign({ workflowId: step.workflowId, stepId: step.stepId, reviewer, expiresAt: Date.now() + 3_600_000, run: step.runId });
const decideByLink = (step: ReviewStep, body: object, reviewer?: string) =>
  readAnswered(() =>
    request(app)
      .post(`/r/${linkOf(step, reviewer)}`)
      .set('Accept', 'application/json')
      .send(body),
  );

async function openStep(projectId: string, stepId: string, what: string): Promise<ReviewStep> {
  const view = await stack.waitForView(projectId, (v) => v.openSteps.some((s) => s.stepId === stepId), what, 60_000);
  return view.openSteps.find((s) => s.stepId === stepId)!;
}

const decisionsOf = async (projectId: string) => (await stack.audit(projectId)).filter((e) => e.action === 'decision-recorded').length;

/** Asks every caller of KINDS_TABLE's row for the step's kind; the step stays open and nothing is decided. */
async function askRow(projectId: string, step: ReviewStep, why: Partial<Record<Person, RegExp>> = {}): Promise<void> {
  const row = KINDS_TABLE[step.kind]!;
  const before = await decisionsOf(projectId);
  const got: Record<string, number> = {};
  const problems: string[] = [];
  for (const person of PERSONS) {
    const res = await decide(step, person, REFUSED_BODY);
    got[person] = res.status;
    if (res.status === 403) {
      expect(res.body.error.code).toBe('FORBIDDEN');
      const want = why[person] ?? (person === 'shared' ? WHY.shared : WHY.pool);
      if (!want.test(res.body.error.message)) problems.push(`${person}: ${res.body.error.message} does not match ${want}`);
    } else if (res.status === 400) {
      expect(res.body.error.details.map((d: { path: string }) => d.path)).toEqual(['body']);
    }
  }
  expect({ kind: step.kind, got }).toEqual({ kind: step.kind, got: row });
  expect(problems).toEqual([]);
  expect((await stack.view(projectId)).steps.find((s) => s.stepId === step.stepId)?.status).toBe('open');
  expect(await decisionsOf(projectId)).toBe(before);
}

async function submit(tier: 'T0' | 'T3', title: string): Promise<string> {
  const projectId = uniqueId('4e');
  const coordinator = bearer(KEYS.coordinator);
  expectStatus(
    await request(stack.app)
      .post('/v1/projects')
      .set(coordinator)
      .send({ ...smallProject(projectId), title }),
    201,
  );
  await stack.waitForView(projectId, (v) => v.components.every((c) => c.tier !== null), 'classification');
  const overrides = [{ componentId: 'c1', tier, justification: `four-eyes test: ${tier}` }];
  expectStatus(await request(stack.app).post(`/v1/projects/${projectId}/scoping`).set(coordinator).send({ overrides }), 200);
  return projectId;
}

test(
  'a tier lowering (a listed item to T0: a no-licence finding) is decided by a ' +
    'reviewer of the component’s issuer, never by a senior nor by the shared key',
  async () => {
    const projectId = await submit('T0', 'Four eyes lowering');
    const finding = await openStep(projectId, 'tier-c1', 'the tier-lowering step');
    expect({ kind: finding.kind, party: finding.party }).toEqual({ kind: 'no-licence-finding', party: 'de-bafa' });
    await askRow(projectId, finding);
  },
  120_000,
);

test('T3: a senior who decided the escalation does not sign off too, by seat or by link; the other senior does', async () => {
  const projectId = await submit('T3', 'Four eyes T3');

  // Grant review: the funder by link; the lead agency's step by the junior's seat, once the row is asked.
  const grantAgency = await openStep(projectId, 'grant-agency', 'the grant steps');
  await askRow(projectId, grantAgency);
  const funderStep = (await stack.view(projectId)).openSteps.find((s) => s.stepId === 'grant-funder')!;
  expectStatus(await decideByLink(funderStep, { decision: 'approve' }), 200);
  const byJunior = expectStatus(await decide(grantAgency, 'junior', { decision: 'approve' }), 200);
  expect(byJunior.body.decidedBy).toBe(PEOPLE.junior.id);

  // The licence review: BAFA issues. Its own review is asked, then left to escalate to the first senior.
  const issuerReview = await openStep(projectId, 'c1-de-bafa', "BAFA's review");
  expect(issuerReview.kind).toBe('issuer-review');
  await askRow(projectId, issuerReview);
  const escalation = await openStep(projectId, 'c1-de-bafa-esc', 'the escalation to a senior');
  expect({ kind: escalation.kind, reviewer: escalation.reviewer }).toEqual({ kind: 'escalation', reviewer: SENIOR });
  await askRow(projectId, escalation);
  expectStatus(await decide(escalation, 'senior', { decision: 'approve', comment: 'reviewed in the junior’s place' }), 200);

  // The other steps of the first phase, by their reviewers' links.
  const view = await stack.view(projectId);
  for (const step of view.openSteps.filter((s) => s.componentId === 'c1' && s.party !== 'de-bafa')) {
    expectStatus(await decideByLink(step, { decision: 'approve' }), 200);
  }

  // The senior sign-off goes to the first senior by routing: they decided the escalation, so they may not.
  const signOff = await openStep(projectId, 'c1-senior', 'the senior sign-off');
  expect({ kind: signOff.kind, reviewer: signOff.reviewer }).toEqual({ kind: 'senior-sign-off', reviewer: SENIOR });
  await askRow(projectId, signOff, { senior: WHY.same });
  const byLink = await decideByLink(signOff, { decision: 'approve' });
  expect({ status: byLink.status, code: byLink.body.error?.code }).toEqual({ status: 403, code: 'FORBIDDEN' });
  expect(byLink.body.error.message).toMatch(WHY.same);
  const page = await request(app)
    .post(`/r/${linkOf(signOff)}`)
    .type('form')
    .send({ decision: 'approve' });
  expect(page.status).toBe(403);
  expect(page.text).toContain('A second person must decide');
  expect((await stack.view(projectId)).steps.find((s) => s.stepId === 'c1-senior')?.status).toBe('open');

  // The other senior signs off: two people, and the record names each.
  const signed = expectStatus(await decide(signOff, 'senior2', { decision: 'approve' }), 200);
  expect(signed.body).toMatchObject({ outcome: 'approved', decidedBy: PEOPLE.senior2.id });
  const done = await stack.waitForView(projectId, (v) => v.components[0].licence?.status === 'approved', 'the licence granted');
  const by = (stepId: string) => done.steps.find((s) => s.stepId === stepId)?.decidedBy;
  expect([by('grant-agency'), by('c1-de-bafa-esc'), by('c1-senior')]).toEqual([PEOPLE.junior.id, PEOPLE.senior.id, PEOPLE.senior2.id]);
}, 180_000);
