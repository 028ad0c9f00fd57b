/**
 * The EU dual-use rules as the shipped policy encodes them (domain/eu-dual-use.ts, domain/routing.ts), without a
 * server. Sources: Regulation (EU) 2021/821 Art. 2(2) (export: leaving the customs territory of the Union), Art. 3(1)
 * (an export of an Annex I item needs an authorisation), Art. 11(1) (intra-Union transfers of Annex IV items need
 * one), Art. 14(1) (consultation of the Member State where the items are located, for destinations outside EU001 or
 * Annex IV items; its objection binds), Art. 14(2) (essential-security request: not binding), Annex II Section A Part 2
 * (EU001's destinations).
 */
import type { Classification } from '../../domain/classification';
import { euDualUseRuling, inAnnexIV } from '../../domain/eu-dual-use';
import { policySchema, type Tier } from '../../domain/policy';
import type { Component, Project } from '../../domain/project';
import { phaseVerdict } from '../../domain/regimes';
import { authorisationOf, componentReviewPlan, essentialSecurityPlan, type StepPlan } from '../../domain/routing';
import { STEP_KINDS } from '../../domain/step-kinds';
import { testPolicy, testPolicyFile } from '../helpers/policy';

const policy = testPolicy();
const union = policy.regimes.EU.union!;

/** TU Delft (NL) exports a 3A001 board; partners in France, Japan and Korea. */
const project: Project = {
  projectId: 'p-eu',
  title: 'EU consultation',
  funderId: 'horizon-eu',
  coordinator: { name: 'J. de Vries', email: 'j.devries@tudelft.example', partnerId: 'tudelft' },
  partners: [
    { id: 'tudelft', name: 'TU Delft', country: 'NL' },
    { id: 'cnrs', name: 'CNRS', country: 'FR' },
    { id: 'riken', name: 'RIKEN', country: 'JP' },
    { id: 'kaist', name: 'KAIST', country: 'KR' },
  ],
  components: [],
  milestones: [],
};
const board = (to: string, recipient: string, extra: Partial<Component> = {}): Component => ({
  id: 'c1',
  name: 'Radiation-hardened FPGA board',
  description: '',
  controlCodes: ['3A001'],
  endUse: 'plasma-diagnostics',
  destinations: [to],
  recipients: [recipient],
  ...extra,
});
const classified = (tier: Tier, hits = false): Classification => ({
  componentId: 'c1',
  matchedEntries: [],
  unmatchedCodes: [],
  reasons: ['NS', 'MT', 'NP', 'AT'],
  restrictedPartyHits: hits ? [{ partnerId: 'cnrs', partnerName: 'CNRS', listedName: 'CNRS', list: 'test' }] : [],
  tier,
  rule: { id: 'test', text: 'test' },
});
const parties = (phases: StepPlan[][]) => Object.fromEntries(phases.flat().map((s) => [s.party, s.kind]));

describe('Art. 2(2), Art. 3(1), Art. 11(1): inside the Union no export authorisation, except Annex IV transfers', () => {
  test('NL → FR, 3A001 (not in Annex IV): no authorisation required, with the basis', () => {
    const ruling = authorisationOf(policy, project, board('FR', 'cnrs'), classified('T2'));
    expect(ruling).toEqual({ required: false, basis: expect.stringContaining('Regulation (EU) 2021/821 Art. 2(2), Art. 3(1)') });
    expect(ruling!.basis).toContain('every destination (FR) is in the Union');
  });
  test('NL → FR, 0B001 (Annex IV Part II): an intra-Union transfer authorisation (Art. 11(1)), and no Art. 14(1) consultation', () => {
    const c = board('FR', 'cnrs', { controlCodes: ['0B001'], heldIn: 'DE' });
    expect(authorisationOf(policy, project, c, classified('T2'))).toEqual({ required: true, basis: expect.stringContaining('Art. 11(1)') });
    expect(parties(componentReviewPlan(policy, project, c, classified('T2'), 'T2'))).toEqual({ 'nl-cdiu': 'issuer-review' });
  });
  test('a recipient on a restricted-party list keeps the issuer’s review even inside the Union (a sanctions matter 2021/821 does not clear)', () => {
    expect(authorisationOf(policy, project, board('FR', 'cnrs'), classified('T3', true))).toMatchObject({ required: true });
  });
  test('a US issuer is untouched: its regime names no EU authorisation', () => {
    const us: Project = { ...project, partners: [...project.partners, { id: 'ornl', name: 'ORNL', country: 'US' }] };
    expect(authorisationOf(policy, us, board('FR', 'cnrs', { exporter: 'ornl' }), classified('T2'))).toBeUndefined();
  });
});

describe('Art. 14(1): the state where the items are held is consulted, for destinations outside EU001 or Annex IV items', () => {
  test(
    'EU001 (Annex II Section A Part 2) is the policy’s list: Australia, Canada, ' +
      'Iceland, Japan, New Zealand, Norway, Switzerland with Liechtenstein, UK, US',
    () => {
      expect([...union.generalAuthorisationDestinations].sort()).toEqual(['AU', 'CA', 'CH', 'GB', 'IS', 'JP', 'LI', 'NO', 'NZ', 'US']);
      expect(union.members).toHaveLength(27);
    },
  );
  test('to KR (outside EU001), held in FR: France is consulted, with the article; its window is the regime’s 10 working days', () => {
    const plan = componentReviewPlan(policy, project, board('KR', 'kaist', { heldIn: 'FR' }), classified('T2'), 'T2');
    expect(parties(plan)).toEqual({ 'nl-cdiu': 'issuer-review', 'fr-sbdu': 'consultation' });
    expect(plan[0].find((s) => s.party === 'fr-sbdu')!.question).toContain('Art. 14(1): the items are held in FR, and KR is outside EU001');
  });
  test('to JP (in EU001), held in FR: nobody is consulted under Art. 14(1); Japan, outside the regime, advises', () => {
    expect(parties(componentReviewPlan(policy, project, board('JP', 'riken', { heldIn: 'FR' }), classified('T2'), 'T2'))).toEqual({
      'nl-cdiu': 'issuer-review',
      'jp-meti': 'advisory-review',
    });
  });
  test('to JP, held in FR, an Annex IV item: France is consulted (Art. 14(1), "any destination" for Annex IV)', () => {
    const plan = componentReviewPlan(policy, project, board('JP', 'riken', { heldIn: 'FR', controlCodes: ['1C001'] }), classified('T2'), 'T2');
    expect(parties(plan)).toMatchObject({ 'fr-sbdu': 'consultation' });
    expect(plan[0].find((s) => s.party === 'fr-sbdu')!.question).toContain('1C001 is in Annex IV');
  });
  test('held where the exporter is (the default): nobody is consulted; the rule applies at T1 too, as the law sets no tier', () => {
    expect(parties(componentReviewPlan(policy, project, board('KR', 'kaist'), classified('T2'), 'T2'))).toEqual({ 'nl-cdiu': 'issuer-review' });
    expect(parties(componentReviewPlan(policy, project, board('KR', 'kaist', { heldIn: 'FR' }), classified('T1'), 'T1'))).toEqual({
      'nl-cdiu': 'issuer-review',
      'fr-sbdu': 'consultation',
    });
  });
  test('held outside the Union: no Member State to consult', () => {
    expect(euDualUseRuling(union, { exporter: 'NL', heldIn: 'CH', destinations: ['KR'], codes: ['3A001'] })).toEqual({
      authorisation: 'export',
      basis: expect.stringContaining('individual export authorisation to KR'),
    });
  });
  test('the consulted state’s objection binds the issuer (Art. 14(1)): the phase denies, naming the state', () => {
    const verdict = phaseVerdict(policy.regimes.EU, [
      { party: 'nl-cdiu', partyName: 'CDIU', reviewer: 'r', country: 'NL', standing: 'issuer', outcome: 'approved' },
      { party: 'fr-sbdu', partyName: 'SBDU', reviewer: 'r', country: 'FR', standing: 'consulted', outcome: 'denied', legalBasis: 'Art. 14(1)' },
    ]);
    expect(verdict).toMatchObject({ verdict: 'deny', basis: 'objection by SBDU (FR): Art. 14(1)' });
  });
  test('Annex IV entries match a code, its sub-items, and a declared heading that contains a listed sub-item', () => {
    expect([inAnnexIV(union, '0B001'), inAnnexIV(union, '0B001.a'), inAnnexIV(union, '1C351'), inAnnexIV(union, '3A001')]).toEqual([true, true, true, false]);
  });
});

describe('Art. 14(2): a Member State’s essential-security request is its own kind of step, non-binding, 10 working days', () => {
  const c = board('KR', 'kaist');
  test('the requesting state is asked on its own calendar, and its objection is advice only', () => {
    const step = essentialSecurityPlan(policy, project, c, 'FR', 'T2');
    expect(step).toMatchObject({ kind: 'essential-security', party: 'fr-sbdu', standing: 'advisory', workingDays: { days: 10, country: 'FR' } });
    expect(step.question).toContain('Art. 14(2)');
    expect(STEP_KINDS['essential-security']).toMatchObject({ silence: 'no-objection', conditions: false });
    const verdict = phaseVerdict(policy.regimes.EU, [
      { party: 'nl-cdiu', partyName: 'CDIU', reviewer: 'r', country: 'NL', standing: 'issuer', outcome: 'approved' },
      { party: 'fr-sbdu', partyName: 'SBDU', reviewer: 'r', country: 'FR', standing: step.standing!, outcome: 'denied', legalBasis: 'security' },
    ]);
    expect(verdict).toMatchObject({ verdict: 'proceed' });
  });
  test('only another Member State may ask, and only of an EU issuer', () => {
    expect(() => essentialSecurityPlan(policy, project, c, 'JP', 'T2')).toThrow(/JP is not a Member State/);
    expect(() => essentialSecurityPlan(policy, project, c, 'NL', 'T2')).toThrow(/NL issues this licence/);
  });
});

test('a policy whose Member-State regime lacks the Union’s lists is refused, naming what is missing', () => {
  const file = testPolicyFile();
  delete file.regimes.EU.union;
  const result = policySchema.safeParse(file);
  expect(result.success ? [] : result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`)).toEqual([
    'regimes.EU.union: regime EU consults Member States, so it needs "union": its members, the EU001 destinations and the Annex IV entries',
  ]);
});
