/** Four eyes that are two people (domain/four-eyes.ts): the rule itself, with no server. */
import { decidedByPerson, fourEyesRefusal, seatPool, type StepFacts } from '../../domain/four-eyes';
import { policySchema } from '../../domain/policy';
import { testPolicyFile } from '../helpers/policy';

const JUNIOR = 'ausfuhr@bafa.example';
const COLLEAGUE = 'ausfuhr-2@bafa.example';
const SENIOR = 'referatsleitung@bafa.example';
const SENIOR_2 = 'referatsleitung-2@bafa.example';

const file = testPolicyFile();
const bafa = file.agencies.find((a) => a.id === 'de-bafa')!;
bafa.reviewers = [JUNIOR, COLLEAGUE];
bafa.seniorReviewers = [SENIOR, SENIOR_2];
const bmvg = file.agencies.find((a) => a.id === 'de-bmvg')!;
bmvg.seniorReviewers = [];
const policy = policySchema.parse(file);

const step = (kind: StepFacts['kind'], party = 'de-bafa'): StepFacts => ({ stepId: `c3-${party}-${kind}`, kind, party, partyName: party.toUpperCase() });

describe('seatPool: who may decide a step through a seat', () => {
  test.each([
    ['grant-agency', [JUNIOR, COLLEAGUE]],
    ['tier-lowering', [JUNIOR, COLLEAGUE]],
    ['issuer-review', [JUNIOR, COLLEAGUE]],
    ['consultation', [JUNIOR, COLLEAGUE]],
    ['senior-sign-off', [SENIOR, SENIOR_2]],
    ['escalation', [SENIOR, SENIOR_2]],
  ] as const)('a %s step: %j', (kind, pool) => {
    expect(seatPool(policy, step(kind))).toEqual(pool);
  });

  test('a party with no senior reviewers: its reviewers take the second look (routing gives them the step), and the same-person rule still holds', () => {
    expect(seatPool(policy, step('senior-sign-off', 'de-bmvg'))).toEqual(bmvg.reviewers);
  });

  test("a step a senior holds (a silent reviewer's sanction decision, passed on as the same kind) is decided by the seniors", () => {
    expect(seatPool(policy, { ...step('sanction-decision'), reviewer: SENIOR })).toEqual([SENIOR, SENIOR_2]);
    expect(seatPool(policy, { ...step('sanction-decision'), reviewer: JUNIOR })).toEqual([JUNIOR, COLLEAGUE]);
  });

  test('a party the policy does not list has no seat pool', () => {
    expect(seatPool(policy, step('ruling', 'us-oc'))).toEqual([]);
  });
});

describe('fourEyesRefusal', () => {
  const at = (kind: StepFacts['kind']) => ({ step: step(kind), pool: seatPool(policy, step(kind)) });

  test('an agency key that names no person never decides, whatever the step', () => {
    for (const kind of ['grant-agency', 'issuer-review', 'senior-sign-off', 'escalation'] as const) {
      expect(fourEyesRefusal({ ...at(kind), person: undefined, earlier: [] })?.refusal).toBe('NoPerson');
    }
    expect(fourEyesRefusal({ ...at('issuer-review'), person: undefined, earlier: [] })?.message).toMatch(/names no person .* never decides/);
  });

  test("a junior decides a reviewer's step, never a senior's; a senior decides a senior's step, never a reviewer's", () => {
    expect(fourEyesRefusal({ ...at('issuer-review'), person: JUNIOR, earlier: [] })).toBeUndefined();
    expect(fourEyesRefusal({ ...at('issuer-review'), person: COLLEAGUE.toUpperCase(), earlier: [] })).toBeUndefined();
    expect(fourEyesRefusal({ ...at('senior-sign-off'), person: JUNIOR, earlier: [] })).toEqual({
      refusal: 'NotInReviewerPool',
      message: `${JUNIOR} is not one of DE-BAFA's senior reviewers, who decide a senior-sign-off step (${SENIOR}, ${SENIOR_2})`,
    });
    expect(fourEyesRefusal({ ...at('escalation'), person: JUNIOR, earlier: [] })?.refusal).toBe('NotInReviewerPool');
    expect(fourEyesRefusal({ ...at('senior-sign-off'), person: SENIOR, earlier: [] })).toBeUndefined();
    expect(fourEyesRefusal({ ...at('issuer-review'), person: SENIOR, earlier: [] })?.refusal).toBe('NotInReviewerPool');
    expect(fourEyesRefusal({ ...at('issuer-review'), person: 'someone@elsewhere.example', earlier: [] })?.refusal).toBe('NotInReviewerPool');
  });

  test('whoever decided an earlier step of the component does not decide its senior sign-off or escalation; someone else of the pool does', () => {
    const earlier = [
      { stepId: 'c3-de-bafa', kind: 'issuer-review' as const },
      { stepId: 'c3-de-bafa-esc', kind: 'escalation' as const, decidedBy: SENIOR.toUpperCase() },
    ];
    expect(fourEyesRefusal({ ...at('senior-sign-off'), person: SENIOR, earlier })).toEqual({
      refusal: 'DecidedEarlierStep',
      message:
        `${SENIOR} decided c3-de-bafa-esc (escalation) of this component, so another person ` +
        `must decide its senior-sign-off c3-de-bafa-senior-sign-off: pass it to a colleague`,
    });
    expect(fourEyesRefusal({ ...at('senior-sign-off'), person: SENIOR_2, earlier })).toBeUndefined();
    // By link (no pool): the same rule.
    expect(fourEyesRefusal({ step: step('senior-sign-off'), person: SENIOR, earlier })?.refusal).toBe('DecidedEarlierStep');
    // A reviewer's step is not a second look: deciding twice there is the workflow's business (one decision a step).
    expect(fourEyesRefusal({ ...at('issuer-review'), person: JUNIOR, earlier: [{ stepId: 'x', kind: 'consultation', decidedBy: JUNIOR }] })).toBeUndefined();
  });

  test('a party without seniors: the junior who decided the issuer review cannot also sign it off; a colleague can', () => {
    const signOff = step('senior-sign-off', 'de-bmvg');
    const pool = seatPool(policy, signOff);
    const [first, second = 'second@bmvg.example'] = pool;
    const earlier = [{ stepId: 'c3-de-bmvg', kind: 'defence-review' as const, decidedBy: first }];
    expect(fourEyesRefusal({ step: signOff, pool, person: first, earlier })?.refusal).toBe('DecidedEarlierStep');
    expect(fourEyesRefusal({ step: signOff, pool: [...pool, second], person: second, earlier })).toBeUndefined();
  });
});

describe('decidedByPerson: the person behind a recorded decision', () => {
  const emails: Record<string, string> = { 'agency:de-bafa:k.schmidt': 'k.schmidt@bafa.example' };
  const emailOf = (id: string) => emails[id];
  test.each([
    ['a link names the reviewer', { decidedBy: 'Ausfuhr@bafa.example', reviewer: JUNIOR }, JUNIOR],
    ['a seat names the principal, known by its e-mail', { decidedBy: 'agency:de-bafa:k.schmidt', reviewer: JUNIOR }, 'k.schmidt@bafa.example'],
    ["an agency's shared key decided in the holder's name", { decidedBy: 'agency:de-bafa', reviewer: JUNIOR }, JUNIOR],
    ['silence decides as no one', { reviewer: JUNIOR }, undefined],
    ['a principal no longer configured is no one known', { decidedBy: 'agency:de-bafa:gone', reviewer: JUNIOR }, undefined],
  ])('%s', (_what, decided, person) => {
    expect(decidedByPerson(decided, emailOf)).toBe(person);
  });
});
