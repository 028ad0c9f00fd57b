/** Who must decide what (domain/routing.ts) under the shipped agencies, with SLAs from the seconds policy. */
import type { Classification } from '../../domain/classification';
import type { Tier } from '../../domain/policy';
import type { Component, Project } from '../../domain/project';
import { componentReviewPlan, grantReviewPlan, reviewerPool, type StepPlan } from '../../domain/routing';
import { tierLoweringPlan } from '../../domain/tier-lowering';
import { allTiersProject } from '../helpers/fixtures';
import { testPolicy, testPolicyFile } from '../helpers/policy';
import { policySchema } from '../../domain/policy';

const policy = testPolicy();
const project: Project = allTiersProject('p-routing'); // DE lead (kit), US recipient (ornl)
const component = (id: string): Component => project.components.find((c) => c.id === id)!;

/** Routing reads only the reasons for control; the rest of the classification is filler. */
function classified(componentId: string, reasons: string[], tier: Tier): Classification {
  return { componentId, matchedEntries: [], unmatchedCodes: [], reasons, restrictedPartyHits: [], tier, rule: { id: 'test', text: 'test' } };
}

const plan = (c: Component, reasons: string[], tier: Tier) => componentReviewPlan(policy, project, c, classified(c.id, reasons, tier), tier);
const parties = (steps: StepPlan[]) => steps.map((s) => s.party).sort();

describe('grant review', () => {
  it('asks the funder and the lead agency of the coordinator’s country', () => {
    const steps = grantReviewPlan(policy, project);
    expect(steps.map((s) => [s.kind, s.party, s.reviewer])).toEqual([
      ['grant-funder', 'ukri', 'portfolio-manager@ukri.example'],
      ['grant-agency', 'de-bafa', 'ausfuhr@bafa.example'],
    ]);
    expect(steps.every((s) => s.slaMs === policy.sla.grantReview)).toBe(true);
  });

  it('follows the coordinator: a US-based coordinator makes Commerce the lead', () => {
    const usLed = { ...project, coordinator: { ...project.coordinator, partnerId: 'ornl' } };
    expect(grantReviewPlan(policy, usLed)[1].party).toBe('us-bis');
  });

  it('refuses a funder the policy does not know', () => {
    expect(() => grantReviewPlan(policy, { ...project, funderId: 'nobody' })).toThrow(/no funder nobody/);
  });
});

describe('component review by tier: the exporter’s licensing agency issues, its regime says who is consulted', () => {
  const kinds = (steps: StepPlan[]) => Object.fromEntries(steps.map((s) => [s.party, s.kind]));
  const fromUs = (c: Component): Component => ({ ...c, exporter: 'ornl', recipients: ['kit'], destinations: ['DE'] });
  const withFrance: Project = { ...project, partners: [...project.partners, { id: 'cnrs', name: 'CNRS', country: 'FR' }] };
  const toFrance = (c: Component): Component => ({ ...c, recipients: ['cnrs'], destinations: ['FR'] });
  // Korea is outside EU001: items held in France on their way there make France the consulted state (Art. 14(1)).
  const withKorea: Project = { ...withFrance, partners: [...withFrance.partners, { id: 'kaist', name: 'KAIST', country: 'KR' }] };
  const toKoreaHeldInFrance = (c: Component): Component => ({ ...c, recipients: ['kaist'], destinations: ['KR'], heldIn: 'FR' });
  const planIn = (p: Project, c: Component, reasons: string[], tier: Tier) => componentReviewPlan(policy, p, c, classified(c.id, reasons, tier), tier);

  it('T0 needs no human step', () => {
    expect(plan(component('c0'), [], 'T0')).toEqual([]);
  });

  it('T1 is one issuer review by the exporter’s country, whatever the reasons', () => {
    expect(plan(component('c1'), ['AT', 'MT', 'NP', 'NS'], 'T1')).toEqual([
      [expect.objectContaining({ party: 'de-bafa', kind: 'issuer-review', reviewer: 'ausfuhr@bafa.example' })],
    ]);
    expect(planIn(project, fromUs(component('c1')), ['NS'], 'T1')).toEqual([[expect.objectContaining({ party: 'us-bis', kind: 'issuer-review' })]]);
  });

  it('US-issued T2 consults the US reviewing agencies by reason for control; a partner country outside the regime advises', () => {
    const [steps] = planIn(project, fromUs(component('c2')), ['AT', 'NS', 'RS'], 'T2');
    // DoD for NS/RS, State for AT; Energy only reviews NP. BAFA (EU) is asked for advice only.
    expect(kinds(steps)).toEqual({ 'us-bis': 'issuer-review', 'us-dod': 'defence-review', 'us-dos': 'consultation', 'de-bafa': 'advisory-review' });
    const consultation = steps.find((s) => s.party === 'us-dos')!;
    expect(consultation.slaMs).toBe(policy.regimes.US.consultation.within);
    expect(steps.find((s) => s.party === 'us-bis')!.slaMs).toBe(policy.sla.agencyReview);
    expect(parties(planIn(project, fromUs(component('c2')), ['NP'], 'T2').flat())).toContain('us-doe');
  });

  it('EU-issued T2 consults the state where the items are held (Art. 14(1) Reg. 2021/821), not the recipients’ states, and nobody by reason', () => {
    const [steps] = planIn(withKorea, toKoreaHeldInFrance(component('c2')), ['AT', 'NS', 'RS'], 'T2');
    expect(kinds(steps)).toEqual({ 'de-bafa': 'issuer-review', 'fr-sbdu': 'consultation' });
    expect(steps.find((s) => s.party === 'fr-sbdu')!.question).toContain('Art. 14(1): the items are held in FR, and KR is outside EU001');
    // A French recipient is not consulted: a delivery inside the Union is not an export (the workflow settles it as not required).
    expect(kinds(planIn(withFrance, toFrance(component('c2')), ['NS'], 'T2')[0])).toEqual({ 'de-bafa': 'issuer-review' });
    // Items going only to the US: the US advises; no EU state is consulted.
    expect(kinds(plan(component('c2'), ['NS'], 'T2')[0])).toEqual({ 'de-bafa': 'issuer-review', 'us-bis': 'advisory-review' });
  });

  it('working-day windows are carried with the deciding agency’s country', () => {
    const file = testPolicyFile();
    file.regimes.EU.consultation.within = '10wd';
    const wd = policySchema.parse(file);
    const [steps] = componentReviewPlan(wd, withKorea, toKoreaHeldInFrance(component('c2')), classified('c2', ['NS'], 'T2'), 'T2');
    expect(steps.find((s) => s.party === 'fr-sbdu')).toMatchObject({ workingDays: { days: 10, country: 'FR' } });
    expect(steps.find((s) => s.party === 'de-bafa')!.workingDays).toBeUndefined();
  });

  it('T3 from Germany always has BMVg, and the consulted state’s defence reviewer; then the issuer’s senior signs off', () => {
    const [reviews, signOff] = planIn(withKorea, toKoreaHeldInFrance(component('c2')), ['NS'], 'T3');
    expect(kinds(reviews)).toEqual({ 'de-bafa': 'issuer-review', 'fr-sbdu': 'consultation', 'de-bmvg': 'defence-review', 'fr-dga': 'defence-review' });
    expect(signOff).toEqual([
      expect.objectContaining({ kind: 'senior-sign-off', party: 'de-bafa', reviewer: 'referatsleitung@bafa.example', slaMs: policy.sla.seniorSignOff }),
    ]);
    // To the US only: BMVg still gives the defence review (it was dropped before the exporter counted).
    expect(kinds(plan(component('c2'), ['NS', 'RS'], 'T3')[0])).toEqual({
      'de-bafa': 'issuer-review',
      'us-bis': 'advisory-review',
      'de-bmvg': 'defence-review',
    });
  });

  it('US-issued T3 keeps a routed DoD, and adds it when no reason routed it', () => {
    expect(kinds(planIn(project, fromUs(component('c2')), ['NS', 'RS'], 'T3')[0])).toEqual({
      'us-bis': 'issuer-review',
      'us-dod': 'defence-review',
      'de-bafa': 'advisory-review',
    });
    expect(kinds(planIn(project, fromUs(component('c2')), ['AT', 'CB'], 'T3')[0])).toEqual({
      'us-bis': 'issuer-review',
      'us-dos': 'consultation',
      'de-bafa': 'advisory-review',
      'us-dod': 'defence-review',
    });
  });

  it('an exporter that is not a partner is a programming error here (the submission schema refuses it first)', () => {
    expect(() => planIn(project, { ...component('c1'), exporter: 'nobody' }, [], 'T1')).toThrow(/exporter nobody of component c1 is not a partner/);
  });
});

it('gives every step of a project a distinct id', () => {
  const tiers: Tier[] = ['T0', 'T1', 'T2', 'T3'];
  const steps = [
    ...grantReviewPlan(policy, project),
    ...project.components.map((c) =>
      tierLoweringPlan(policy, project, { componentId: c.id, from: 'T3', to: 'T2', justification: 'test' }, classified(c.id, [], 'T3')),
    ),
    ...project.components.flatMap((c, i) => plan(c, ['AT', 'NP', 'NS', 'RS'], tiers[i]).flat()),
  ];
  expect(steps.length).toBeGreaterThan(10);
  expect(new Set(steps.map((s) => s.stepId)).size).toBe(steps.length);
});

describe('reviewer pools', () => {
  const file = testPolicyFile();
  file.agencies.find((a) => a.id === 'de-bafa')!.reviewers = ['ausfuhr@bafa.example', 'ausfuhr-2@bafa.example'];
  const policy = policySchema.parse(file);

  it("a step may pass within the list that holds its reviewer: the party's reviewers, or its senior reviewers", () => {
    expect(reviewerPool(policy, 'de-bafa', 'ausfuhr@bafa.example')).toEqual(['ausfuhr@bafa.example', 'ausfuhr-2@bafa.example']);
    expect(reviewerPool(policy, 'de-bafa', 'referatsleitung@bafa.example')).toEqual(['referatsleitung@bafa.example']);
    expect(reviewerPool(policy, 'horizon-eu', 'programme-officer@horizon-eu.example')).toEqual(['programme-officer@horizon-eu.example']);
  });

  it('a party the policy does not list (a dispute chair) has a pool of one', () => {
    expect(reviewerPool(policy, 'us-oc', 'chair@oc.example')).toEqual(['chair@oc.example']);
  });
});
