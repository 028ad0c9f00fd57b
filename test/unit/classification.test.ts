/** Tier rules of domain/classification.ts, against the shipped control list and restricted-party list. */
import path from 'node:path';
import { loadReferenceData } from '../../activities/reference-data';
import { classifyComponent, indexRestrictedParties } from '../../domain/classification';
import type { Component, Partner, Project } from '../../domain/project';
import { allTiersProject } from '../helpers/fixtures';
import { testPolicy } from '../helpers/policy';

const ROOT = path.resolve(__dirname, '../..');
const reference = loadReferenceData(path.join(ROOT, 'reference-data/control-list.json'), path.join(ROOT, 'reference-data/restricted-parties.json'));
const parties = indexRestrictedParties(reference.restrictedParties);
const rules = testPolicy().classification;

const kit: Partner = { id: 'kit', name: 'Karlsruhe Institute of Technology', country: 'DE' };
const ornl: Partner = { id: 'ornl', name: 'Oak Ridge National Laboratory', country: 'US' };

/** A DE-led project with one component sent to `recipient`; the base component is civilian and unlisted (T0). */
function classify(change: Partial<Component> = {}, recipient: Partner = ornl, classificationRules = rules) {
  const component: Component = {
    id: 'c1',
    name: 'Component',
    description: '',
    controlCodes: [],
    endUse: 'fundamental-research',
    destinations: [recipient.country],
    recipients: [recipient.id],
    ...change,
  };
  const project: Project = {
    projectId: 'p-classify',
    title: 'Classification test',
    funderId: 'horizon-eu',
    coordinator: { name: 'A. Weber', email: 'a.weber@kit.example', partnerId: 'kit' },
    partners: [kit, recipient],
    components: [component],
    milestones: [],
  };
  return classifyComponent(project, component, reference.catalogue, parties, classificationRules);
}

describe('T3 rules', () => {
  it('a military-list code is T3 even for a civilian end use and a pre-approved destination', () => {
    const c = classify({ controlCodes: ['ML22'], endUse: 'civilian-research' });
    expect(c.tier).toBe('T3');
    expect(c.rule.id).toBe('military-list');
    expect(c.matchedEntries.map((e) => e.list)).toEqual(['military']);
  });

  it('a recipient on the restricted-party list is T3 even when nothing is listed', () => {
    const c = classify({}, { id: 'np', name: 'Northwind Precision Instruments', country: 'AE' });
    expect(c.tier).toBe('T3');
    expect(c.rule.id).toBe('restricted-party');
    expect(c.restrictedPartyHits).toEqual([
      { partnerId: 'np', partnerName: 'Northwind Precision Instruments', listedName: 'Northwind Precision Instruments', list: 'Entity List (sample)' },
    ]);
  });

  it('a person with access to the component who is on the restricted-party list makes it T3 (by alias too); one without access does not', () => {
    const component: Component = {
      ...{ id: 'c1', name: 'Design data', description: '', controlCodes: ['3E001'], endUse: 'civilian-research' },
      ...{ destinations: ['US'], recipients: ['ornl'], access: ['av'] },
    };
    const av = { id: 'av', name: 'A. Volkonsky', email: 'av@kit.example', partnerId: 'kit', citizenship: ['RU'], residence: 'DE' };
    const project: Project = {
      ...{ projectId: 'p-person', title: 'People', funderId: 'horizon-eu', partners: [kit, ornl], components: [component], milestones: [] },
      coordinator: { name: 'A. Weber', email: 'a.weber@kit.example', partnerId: 'kit' },
      people: [av],
    };
    const c = classifyComponent(project, component, reference.catalogue, parties, rules);
    expect(c).toMatchObject({ tier: 'T3', rule: { id: 'restricted-person' } });
    expect(c.restrictedPersonHits).toEqual([
      { personId: 'av', personName: 'A. Volkonsky', listedName: 'Arkady Volkonsky', list: 'EU sanctions list (sample)' },
    ]);
    const withoutAccess = classifyComponent(project, { ...component, access: [] }, reference.catalogue, parties, rules);
    expect(withoutAccess).toMatchObject({ tier: 'T1', rule: { id: 'pre-approved' } });
    expect(withoutAccess.restrictedPersonHits).toBeUndefined();
  });

  it('matches a restricted party by alias', () => {
    const c = classify({}, { id: 'np', name: 'NPI Trading', country: 'AE' });
    expect(c.rule.id).toBe('restricted-party');
    expect(c.restrictedPartyHits[0].listedName).toBe('Northwind Precision Instruments');
  });

  it('matches regardless of case, punctuation and legal form', () => {
    const c = classify({}, { id: 'md', name: 'MERIDIAN-DYNAMICS Research Lab, Ltd.', country: 'GB' });
    expect(c.tier).toBe('T3');
    expect(c.restrictedPartyHits[0].listedName).toBe('Meridian Dynamics Research Lab');
  });

  it('does not match a name that merely shares words with a listed party', () => {
    const c = classify({}, { id: 'nw', name: 'Northwind University', country: 'GB' });
    expect(c.restrictedPartyHits).toEqual([]);
    expect(c.tier).toBe('T0');
  });

  it('an embargoed destination is T3', () => {
    const c = classify({ destinations: ['US', 'IR'] });
    expect(c.tier).toBe('T3');
    expect(c.rule.id).toBe('embargoed-destination');
    expect(c.rule.text).toContain('IR');
  });
});

describe('T2 rules', () => {
  it('a code missing from the catalogue is T2, even beside a pre-approved listed code', () => {
    const c = classify({ controlCodes: ['3A001', '3A999'], endUse: 'civilian-research' });
    expect(c.tier).toBe('T2');
    expect(c.rule.id).toBe('unknown-code');
    expect(c.unmatchedCodes).toEqual(['3A999']);
  });

  it('a listed code with a sensitive reason for control is T2 when not pre-approved', () => {
    const c = classify({ controlCodes: ['6A003'], endUse: 'plasma-diagnostics' });
    expect(c.tier).toBe('T2');
    expect(c.rule.id).toBe('sensitive-reason');
    expect(c.reasons).toEqual(['AT', 'NS', 'RS']);
  });

  it('a listed code without a sensitive reason is still T2 when destination or end use is not pre-approved', () => {
    // Every shipped entry carries NS, NP, MT or CB, so this rule is only reachable under a policy that treats fewer reasons as sensitive.
    const c = classify({ controlCodes: ['3A002'], endUse: 'plasma-diagnostics' }, ornl, { ...rules, sensitiveReasons: ['CB'] });
    expect(c.tier).toBe('T2');
    expect(c.rule.id).toBe('destination-not-pre-approved');
  });
});

describe('T1 and T0 rules', () => {
  it('a listed code whose destinations and end use are all pre-approved is T1', () => {
    const c = classify({ controlCodes: ['3A001'], endUse: 'civilian-research' });
    expect(c.tier).toBe('T1');
    expect(c.rule.id).toBe('pre-approved');
  });

  it('one destination outside the pre-approved list is enough to lose T1', () => {
    const c = classify({ controlCodes: ['3A001'], endUse: 'civilian-research', destinations: ['US', 'BR'] });
    expect(c.tier).toBe('T2');
  });

  it('an unlisted component with a civilian end use is T0, cleared with its rule', () => {
    const c = classify();
    expect(c.tier).toBe('T0');
    expect(c.rule.id).toBe('civilian-unlisted');
    expect(c.matchedEntries).toEqual([]);
  });

  it('an unlisted component with a non-civilian end use falls to the catch-all T1', () => {
    const c = classify({ endUse: 'defence-research' });
    expect(c.tier).toBe('T1');
    expect(c.rule.id).toBe('catch-all');
  });

  it('EAR99 counts as unlisted: neither matched nor unknown', () => {
    const civilian = classify({ controlCodes: ['EAR99'] });
    expect(civilian).toMatchObject({ tier: 'T0', rule: { id: 'civilian-unlisted' }, matchedEntries: [], unmatchedCodes: [] });
    expect(classify({ controlCodes: ['EAR99'], endUse: 'defence-research' }).rule.id).toBe('catch-all');
  });
});

it('the all-tiers fixture classifies as its name promises (other tests rely on it)', () => {
  const project = allTiersProject('p-fixture');
  const tiers = project.components.map((c) => classifyComponent(project, c, reference.catalogue, parties, rules).tier);
  expect(tiers).toEqual(['T0', 'T1', 'T2', 'T3']);
});
