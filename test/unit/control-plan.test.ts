/** The technology control plan (records/control-plan.ts): who may access what, on what authority, since when, without a server. */
import type { Project } from '../../domain/project';
import { controlPlan, type PlanCore } from '../../records/control-plan';
import type { ReviewStep } from '../../workflows/definitions';
import type { PersonView } from '../../workflows/people-contract';
import { smallProject } from '../helpers/fixtures';
import { testPolicy } from '../helpers/policy';

const policy = testPolicy();
const NOW = new Date('2027-03-01T12:00:00Z');
const SUBMITTED = '2027-01-10T09:00:00.000Z';
const SCREENED = '2027-01-10T09:00:05.000Z';

/** ORNL (US) with a Chinese postdoc and a US engineer, KIT (DE) with a Russian visitor; c1 is 3A001 goods, c9 3E001 technology. */
function submission(): Project {
  const p = smallProject('cp-unit');
  return {
    ...p,
    description: '',
    people: [
      { id: 'li', name: 'Li Wei', email: 'li.wei@ornl.example', partnerId: 'ornl', citizenship: ['CN'], residence: 'CN' },
      { id: 'smith', name: 'Jo Smith', email: 'jo.smith@ornl.example', partnerId: 'ornl', citizenship: ['US'], residence: 'US' },
      { id: 'ivanov', name: 'Ivan Ivanov', email: 'i.ivanov@kit.example', partnerId: 'kit', citizenship: ['RU'], residence: 'DE' },
    ],
    components: [
      { ...p.components[0], access: ['li'] },
      {
        id: 'c9',
        name: 'Readout design data',
        description: 'Development technology for the board',
        controlCodes: ['3E001'],
        endUse: 'civilian-research',
        destinations: ['US'],
        recipients: ['ornl'],
        access: ['li', 'smith', 'ivanov'],
      },
    ],
  } as unknown as Project;
}

const screened = (s: Project, at = SCREENED): PersonView[] =>
  (s.people ?? []).map((p) => ({
    ...p,
    screening: { status: 'clear', rule: { id: 'no-match', text: `${p.name} matches no entry of the restricted-party list` }, at },
    training: [],
  }));

const core = (s: Project, people?: PersonView[]): PlanCore => ({ projectId: s.projectId!, title: s.title, submittedAt: SUBMITTED, ...(people && { people }) });

function step(over: Partial<ReviewStep>): ReviewStep {
  return {
    workflowId: 'project-cp-unit',
    stepId: 'deemed-c9--li',
    kind: 'deemed-export',
    party: 'us-bis',
    partyName: 'U.S. Department of Commerce, Bureau of Industry and Security',
    reviewer: 'licensing@bis.example',
    componentId: 'c9',
    personId: 'li',
    question: 'Release?',
    slaMs: 60_000,
    openedAt: '2027-02-01T10:00:00.000Z',
    dueAt: '2027-03-03T10:00:00.000Z',
    status: 'open',
    remindersSent: 0,
    stoppedMs: 0,
    ...over,
  } as ReviewStep;
}

const accessOf = (plan: ReturnType<typeof controlPlan>, componentId: string, personId: string) =>
  plan.components.find((c) => c.componentId === componentId)!.access.find((a) => a.personId === personId)!;

test('components are categorised from their codes; only software and technology are controlled releases', () => {
  const s = submission();
  const plan = controlPlan(policy, core(s, screened(s)), s, [], NOW);
  expect(plan.components.map((c) => [c.componentId, c.category, c.controlled])).toEqual([
    ['c1', 'goods', false],
    ['c9', 'technology', true],
  ]);
  expect(accessOf(plan, 'c1', 'li')).toMatchObject({ status: 'authorised', authority: 'not-required', since: SCREENED, stepId: null });
  expect(accessOf(plan, 'c1', 'li').basis).toMatch(/^goods \(3A001\): access is not a release/);
});

test('a domestic researcher is authorised, not required, since screened; a foreign one waits for a review that is not open yet', () => {
  const s = submission();
  const plan = controlPlan(policy, core(s, screened(s)), s, [], NOW);
  expect(accessOf(plan, 'c9', 'smith')).toEqual({
    personId: 'smith',
    name: 'Jo Smith',
    status: 'authorised',
    authority: 'not-required',
    basis: 'Jo Smith is a citizen or permanent resident of US: not a foreign person',
    since: SCREENED,
    deemedExportTo: [],
    stepId: null,
  });
  expect(accessOf(plan, 'c9', 'li')).toEqual({
    personId: 'li',
    name: 'Li Wei',
    status: 'not-authorised',
    authority: null,
    basis: 'awaiting the deemed-export review (opens when the project is active)',
    since: null,
    deemedExportTo: ['CN'],
    stepId: null,
  });
  // At KIT, under the EU regime, a release inside the Union is not an export (policy data).
  expect(accessOf(plan, 'c9', 'ivanov')).toMatchObject({ status: 'authorised', authority: 'not-required', deemedExportTo: [] });
  expect(accessOf(plan, 'c9', 'ivanov').basis).toMatch(/2021\/821 has no deemed-export rule/);
});

test('before screening the people are as submitted, unscreened, and not-required access dates from the submission', () => {
  const s = submission();
  const plan = controlPlan(policy, core(s), s, [], NOW);
  expect(plan.people.map((p) => [p.id, p.partnerName, p.screening, p.training])).toEqual([
    ['li', 'Oak Ridge National Laboratory', null, []],
    ['smith', 'Oak Ridge National Laboratory', null, []],
    ['ivanov', 'Karlsruhe Institute of Technology', null, []],
  ]);
  expect(accessOf(plan, 'c9', 'smith').since).toBe(SUBMITTED);
});

test('an open review: not authorised, naming the agency and since when it is open', () => {
  const s = submission();
  const plan = controlPlan(policy, core(s, screened(s)), s, [step({})], NOW);
  expect(accessOf(plan, 'c9', 'li')).toMatchObject({
    status: 'not-authorised',
    authority: null,
    basis: 'deemed-export review by U.S. Department of Commerce, Bureau of Industry and Security open since 2027-02-01T10:00:00.000Z',
    since: null,
    deemedExportTo: ['CN'],
    stepId: 'deemed-c9--li',
  });
});

test('an approval without a legal basis authorises under licence, with its conditions; with one, under that exception', () => {
  const s = submission();
  const decided = { status: 'decided' as const, outcome: 'approved' as const, decidedAt: '2027-02-10T08:00:00.000Z', decidedBy: 'licensing@bis.example' };
  const licensed = controlPlan(policy, core(s, screened(s)), s, [step({ ...decided, conditions: ['no access to source outside the lab'] })], NOW);
  expect(accessOf(licensed, 'c9', 'li')).toMatchObject({
    status: 'authorised',
    authority: 'licence',
    basis:
      'licensed by U.S. Department of Commerce, Bureau of Industry and Security (deemed-export review approved by licensing@bis.example), ' +
      'on conditions: no access to source outside the lab',
    since: '2027-02-10T08:00:00.000Z',
  });
  const excepted = controlPlan(policy, core(s, screened(s)), s, [step({ ...decided, legalBasis: 'EAR §740.13 (TSU)' })], NOW);
  expect(accessOf(excepted, 'c9', 'li')).toMatchObject({ status: 'authorised', authority: 'exception', basis: 'EAR §740.13 (TSU)', since: decided.decidedAt });
});

test('a denial refuses access with its legal basis; a review closed without a decision never authorises', () => {
  const s = submission();
  const denied = step({ status: 'decided', outcome: 'denied', legalBasis: 'EAR §744.21', decidedAt: '2027-02-11T08:00:00.000Z' });
  expect(accessOf(controlPlan(policy, core(s, screened(s)), s, [denied], NOW), 'c9', 'li')).toMatchObject({
    status: 'refused',
    authority: null,
    basis: 'EAR §744.21',
    since: '2027-02-11T08:00:00.000Z',
  });
  const closed = step({ status: 'closed', closedReason: 'the project was withdrawn' });
  expect(accessOf(controlPlan(policy, core(s, screened(s)), s, [closed], NOW), 'c9', 'li')).toMatchObject({
    status: 'not-authorised',
    basis: expect.stringContaining('the project was withdrawn'),
  });
});

test("an escalated review is followed to the senior's step, which decides", () => {
  const s = submission();
  const first = step({ status: 'decided', outcome: 'escalated', escalatedTo: 'deemed-c9--li-esc' });
  const senior = step({ stepId: 'deemed-c9--li-esc', kind: 'escalation', personId: undefined, reviewer: 'senior-licensing@bis.example' });
  const open = controlPlan(policy, core(s, screened(s)), s, [first, senior], NOW);
  expect(accessOf(open, 'c9', 'li')).toMatchObject({ status: 'not-authorised', stepId: 'deemed-c9--li-esc' });
  const approved = { ...senior, status: 'decided' as const, outcome: 'approved' as const, decidedAt: '2027-02-20T00:00:00.000Z' };
  expect(accessOf(controlPlan(policy, core(s, screened(s)), s, [first, approved], NOW), 'c9', 'li')).toMatchObject({
    status: 'authorised',
    authority: 'licence',
    since: '2027-02-20T00:00:00.000Z',
  });
});

test('a person on the restricted-party list is reviewed even where the regime would not treat the release as an export', () => {
  const s = submission();
  const people = screened(s).map((p) =>
    p.id === 'smith'
      ? {
          ...p,
          screening: {
            status: 'flagged' as const,
            rule: { id: 'restricted-person', text: 'Jo Smith matches "Jo Smith" on Entity List' },
            listedName: 'Jo Smith',
            list: 'Entity List',
            at: SCREENED,
          },
        }
      : p,
  );
  const plan = controlPlan(policy, core(s, people), s, [], NOW);
  expect(accessOf(plan, 'c9', 'smith')).toMatchObject({
    status: 'not-authorised',
    basis: 'awaiting the deemed-export review (opens when the project is active)',
  });
  expect(plan.people.find((p) => p.id === 'smith')!.screening).toEqual({
    status: 'flagged',
    rule: { id: 'restricted-person', text: 'Jo Smith matches "Jo Smith" on Entity List' },
    listedName: 'Jo Smith',
    list: 'Entity List',
    at: SCREENED,
  });
});

test('training certificates are valid until they expire', () => {
  const s = submission();
  const cert = (certificateId: string, expiresAt: string) => ({
    certificateId,
    course: 'Export control basics',
    completedAt: '2026-01-01T00:00:00.000Z',
    expiresAt,
    documentId: `doc-${'0'.repeat(24)}`,
    sha256: 'a'.repeat(64),
    recordedBy: 'coordinator:a.weber',
    recordedAt: '2026-01-02T00:00:00.000Z',
  });
  const people = screened(s).map((p) =>
    p.id === 'li' ? { ...p, training: [cert('t1', '2027-02-28T00:00:00.000Z'), cert('t2', '2028-01-01T00:00:00.000Z')] } : p,
  );
  const li = controlPlan(policy, core(s, people), s, [], NOW).people.find((p) => p.id === 'li')!;
  expect(li.training.map((t) => [t.certificateId, t.valid])).toEqual([
    ['t1', false],
    ['t2', true],
  ]);
  expect(Object.keys(li.training[0]).sort()).toEqual(['certificateId', 'completedAt', 'course', 'documentId', 'expiresAt', 'sha256', 'valid']);
});

test('a project without people has an empty plan: every component listed, nobody with access', () => {
  const s = smallProject('cp-none') as unknown as Project;
  const plan = controlPlan(policy, core(s), s, [], NOW);
  expect(plan).toEqual({
    projectId: 'cp-none',
    title: s.title,
    readAt: NOW.toISOString(),
    people: [],
    components: [{ componentId: 'c1', name: 'Radiation-hardened FPGA board', category: 'goods', controlCodes: ['3A001'], controlled: false, access: [] }],
  });
});
