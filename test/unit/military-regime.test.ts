/**
 * Military-list items under each exporter country's military regime (domain/military.ts, domain/routing.ts), as the
 * shipped policy encodes them, without a server. Sources: Regulation (EU) 2021/821 Art. 2(1) (dual-use items only;
 * Annex I's General Note 1 sends military goods to the Member States' own lists); Council Common Position
 * 2008/944/CFSP (each state decides its own military exports; consultation among states is not a veto);
 * Directive 2009/43/EC (transfer licences between Member States); DE: AWG and AWV § 8 with BAFA, KWKG § 3 for war
 * weapons; FR: Code de la défense L2335-3, R2335-11 (Prime Minister, after the CIEEMG's opinion); US: AECA 22 U.S.C.
 * 2778 and the ITAR, 22 CFR 120–130 (State Department, DDTC).
 */
import type { Classification } from '../../domain/classification';
import { isMilitaryCode } from '../../domain/military';
import { policySchema } from '../../domain/policy';
import type { Component, Project } from '../../domain/project';
import { phaseVerdict } from '../../domain/regimes';
import { authorisationOf, componentReviewPlan, issuerOf, standingOf, type StepPlan } from '../../domain/routing';
import { testPolicy, testPolicyFile } from '../helpers/policy';

const policy = testPolicy();
const project: Project = {
  projectId: 'p-ml',
  title: 'Military regime',
  funderId: 'ukri',
  coordinator: { name: 'A. Weber', email: 'a.weber@kit.example', partnerId: 'kit' },
  partners: [
    { id: 'kit', name: 'Karlsruhe Institute of Technology', country: 'DE' },
    { id: 'onera', name: 'ONERA', country: 'FR' },
    { id: 'ornl', name: 'Oak Ridge National Laboratory', country: 'US' },
  ],
  components: [],
  milestones: [],
};
const ml = (code: string, to: string, recipient: string, exporter?: string): Component => ({
  id: 'c3',
  name: 'Fire-control interface study',
  description: '',
  controlCodes: [code],
  endUse: 'defence-research',
  destinations: [to],
  recipients: [recipient],
  ...(exporter && { exporter }),
});
const t3: Classification = {
  componentId: 'c3',
  matchedEntries: [],
  unmatchedCodes: [],
  reasons: ['NS', 'RS'],
  restrictedPartyHits: [],
  tier: 'T3',
  rule: { id: 'military-list', text: 'military list entry' },
};
const kinds = (steps: StepPlan[]) => Object.fromEntries(steps.map((s) => [s.party, s.kind]));

test('ML1–ML22 are military entries; dual-use codes are not', () => {
  expect(['ML1', 'ML22', 'ML8a', '3A001', 'EAR99'].map(isMilitaryCode)).toEqual([true, true, true, false, false]);
});

describe('DE: BAFA licenses military exports under the AWG/AWV; 2021/821 does not apply', () => {
  const toFrance = ml('ML22', 'FR', 'onera');
  test('a German ML22 transfer to France is issued by BAFA under its military regime, as a transfer licence (Directive 2009/43/EC)', () => {
    const { issuer, regime } = issuerOf(policy, project, toFrance);
    expect([issuer.id, issuer.regime]).toEqual(['de-bafa', 'DE-military']);
    expect(regime.consultation.objection).toBe('advisory');
    expect(authorisationOf(policy, project, toFrance, t3)).toEqual({
      required: true,
      basis: 'transfer licence under Directive 2009/43/EC (AWV § 11, issued by BAFA) for FR',
    });
  });
  test('France is asked through its military authority (the Prime Minister after the CIEEMG), for advice; its objection never binds (CP 2008/944/CFSP)', () => {
    const [reviews, signOff] = componentReviewPlan(policy, project, toFrance, t3, 'T3');
    expect(kinds(reviews)).toEqual({ 'de-bafa': 'issuer-review', 'fr-pm-cieemg': 'advisory-review', 'de-bmvg': 'defence-review' });
    expect(signOff).toEqual([expect.objectContaining({ kind: 'senior-sign-off', party: 'de-bafa' })]);
    const { issuer, regime } = issuerOf(policy, project, toFrance);
    const fr = { party: 'fr-pm-cieemg', partyName: 'Premier ministre', reviewer: 'r', country: 'FR', outcome: 'denied', legalBasis: 'CIEEMG opinion' };
    const verdict = phaseVerdict(regime, [
      { party: 'de-bafa', partyName: 'BAFA', reviewer: 'r', country: 'DE', standing: 'issuer', outcome: 'approved' },
      { ...fr, standing: standingOf(policy, issuer, 'fr-pm-cieemg') },
      // France's dual-use service, were it asked, would advise too: the EU regime's binding objection is for dual-use items.
      { party: 'fr-sbdu', partyName: 'SBDU', reviewer: 'r', country: 'FR', outcome: 'denied', standing: standingOf(policy, issuer, 'fr-sbdu') },
    ]);
    expect(verdict.verdict).toBe('proceed');
    expect(verdict.advice.map((a) => a.standing)).toEqual(['advisory', 'advisory']);
  });
  test('an export outside the Union is an export licence under the AWG/AWV', () => {
    expect(authorisationOf(policy, project, ml('ML22', 'US', 'ornl'), t3)!.basis).toMatch(/^export licence under the Außenwirtschaftsgesetz \(AWG\)/);
  });
  test('a war weapon (ML4) also needs the KWKG § 3 approval, a co-issuing step whose denial denies', () => {
    const c = ml('ML4', 'US', 'ornl');
    expect(authorisationOf(policy, project, c, t3)!.basis).toContain('with the war-weapons approval under the Kriegswaffenkontrollgesetz (KWKG) § 3');
    const [reviews] = componentReviewPlan(policy, project, c, t3, 'T3');
    expect(reviews.find((s) => s.party === 'de-bmwe-kwkg')).toMatchObject({ kind: 'issuer-review', standing: 'issuer' });
    // ML22 is technology, not a war weapon: no KWKG step.
    expect(componentReviewPlan(policy, project, ml('ML22', 'US', 'ornl'), t3, 'T3')[0].map((s) => s.party)).not.toContain('de-bmwe-kwkg');
  });
});

test('FR: the Prime Minister, after the CIEEMG’s opinion (Code de la défense R2335-11), issues a French ML export; not the dual-use SBDU', () => {
  const { issuer } = issuerOf(policy, { ...project, coordinator: { ...project.coordinator, partnerId: 'onera' } }, ml('ML11', 'US', 'ornl'));
  expect([issuer.id, issuer.regime]).toEqual(['fr-pm-cieemg', 'FR-military']);
});

test('US: the State Department (DDTC) issues under the ITAR; Defense is asked by reason for control and advises; Germany advises', () => {
  const fromUs = ml('ML22', 'DE', 'kit', 'ornl');
  expect(authorisationOf(policy, project, fromUs, t3)!.basis).toContain('ITAR (22 CFR parts 120–130)');
  const [reviews] = componentReviewPlan(policy, project, fromUs, t3, 'T3');
  expect(kinds(reviews)).toEqual({ 'us-ddtc': 'issuer-review', 'us-dod': 'defence-review', 'de-bafa': 'advisory-review' });
  const { issuer } = issuerOf(policy, project, fromUs);
  expect(['us-dod', 'de-bafa'].map((p) => standingOf(policy, issuer, p))).toEqual(['advisory', 'advisory']);
});

test('a country without a military regime cannot issue a military licence: routing names it (submission refuses it first)', () => {
  const fromJapan: Project = { ...project, partners: [...project.partners, { id: 'riken', name: 'RIKEN', country: 'JP' }] };
  expect(() => issuerOf(policy, fromJapan, ml('ML22', 'US', 'ornl', 'riken'))).toThrow(/no military licensing authority for JP/);
});

test('a military regime must name an agency of its own country, and a defined regime', () => {
  const file = testPolicyFile();
  file.militaryRegimes!.DE = { ...file.militaryRegimes!.DE, authority: 'fr-sbdu', terms: 'XX' };
  const result = policySchema.safeParse(file);
  expect(result.success ? [] : result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`)).toEqual([
    'militaryRegimes.DE.authority: "fr-sbdu" is not an agency of DE',
    'militaryRegimes.DE.terms: regime "XX" is not defined in regimes',
  ]);
});
