/** Who must decide what (domain/routing.ts) under the shipped agencies, with SLAs from the seconds policy. */
import type { Classification } from '../../domain/classification';
import type { Tier } from '../../domain/policy';
import type { Component, Project } from '../../domain/project';
import { componentReviewPlan, grantReviewPlan, tierLoweringPlan, type StepPlan } from '../../domain/routing';
import { allTiersProject } from '../helpers/fixtures';
import { testPolicy } from '../helpers/policy';

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

it('lowering a tier is one lead-agency step carrying the justification', () => {
  const step = tierLoweringPlan(policy, project, 'c2', 'T2', 'T1', 'only published data');
  expect(step).toMatchObject({ stepId: 'tier-c2', kind: 'tier-lowering', party: 'de-bafa', componentId: 'c2', slaMs: policy.sla.tierLoweringReview });
  expect(step.question).toMatch(/T2 to T1.*only published data/);
});

describe('component review by tier', () => {
  it('T0 needs no human step', () => {
    expect(plan(component('c0'), [], 'T0')).toEqual([]);
  });

  it('T1 is one review by the lead agency, whatever the reasons', () => {
    const phases = plan(component('c1'), ['AT', 'MT', 'NP', 'NS'], 'T1');
    expect(phases).toHaveLength(1);
    expect(phases[0].map((s) => [s.party, s.kind, s.reviewer])).toEqual([['de-bafa', 'agency-review', 'ausfuhr@bafa.example']]);
  });

  it('T2 routes by reason for control: 6A003 (NS, RS, AT) from DE to US', () => {
    const phases = plan(component('c2'), ['AT', 'NS', 'RS'], 'T2');
    expect(phases).toHaveLength(1);
    const [steps] = phases;
    // Licensing agencies of both countries; DoD for NS/RS, State for AT; Energy only reviews NP.
    expect(parties(steps)).toEqual(['de-bafa', 'us-bis', 'us-dod', 'us-dos']);
    expect(steps.find((s) => s.party === 'us-dod')?.kind).toBe('defence-review');
    expect(steps.filter((s) => s.party !== 'us-dod').every((s) => s.kind === 'agency-review')).toBe(true);
    expect(steps.every((s) => s.slaMs === policy.sla.agencyReview && s.componentId === 'c2')).toBe(true);
  });

  it('T2 with NP brings Energy in', () => {
    expect(parties(plan(component('c1'), ['NP'], 'T2').flat())).toContain('us-doe');
  });

  it('T3 keeps a routed defence reviewer and adds a senior sign-off phase', () => {
    const [reviews, signOff] = plan(component('c3'), ['NS', 'RS'], 'T3');
    expect(parties(reviews)).toEqual(['de-bafa', 'us-bis', 'us-dod']);
    expect(reviews.filter((s) => s.kind === 'defence-review').map((s) => s.party)).toEqual(['us-dod']);
    expect(signOff).toEqual([
      expect.objectContaining({ kind: 'senior-sign-off', party: 'de-bafa', reviewer: 'referatsleitung@bafa.example', slaMs: policy.sla.seniorSignOff }),
    ]);
  });

  it('T3 adds the lead country’s defence reviewer when no reason routed one', () => {
    // CB/AT route State but not DoD, so nobody would give the defence review.
    const [reviews] = plan(component('c3'), ['AT', 'CB'], 'T3');
    expect(parties(reviews)).toEqual(['de-bafa', 'de-bmvg', 'us-bis', 'us-dos']);
    expect(reviews.find((s) => s.party === 'de-bmvg')?.kind).toBe('defence-review');
  });
});

it('gives every step of a project a distinct id', () => {
  const tiers: Tier[] = ['T0', 'T1', 'T2', 'T3'];
  const steps = [
    ...grantReviewPlan(policy, project),
    ...project.components.map((c) => tierLoweringPlan(policy, project, c.id, 'T3', 'T2', 'test')),
    ...project.components.flatMap((c, i) => plan(c, ['AT', 'NP', 'NS', 'RS'], tiers[i]).flat()),
  ];
  expect(steps.length).toBeGreaterThan(10);
  expect(new Set(steps.map((s) => s.stepId)).size).toBe(steps.length);
});
