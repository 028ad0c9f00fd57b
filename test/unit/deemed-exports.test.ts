/** The regimes' rules for releases to foreign persons (domain/deemed-exports.ts), without a server. */
import { assessRelease, deemedExportPlan, itemCategory, personScreening, releaseTier, releasesTechnology } from '../../domain/deemed-exports';
import { policySchema, type Policy } from '../../domain/policy';
import type { Component, Person, Project } from '../../domain/project';
import { testPolicy, testPolicyFile } from '../helpers/policy';

const policy = testPolicy();

/** A project with a US partner (ORNL) and a German one (KIT), each with a person; `component` is opened to them. */
function project(component: Partial<Component> = {}): { project: Project; component: Component } {
  const c: Component = {
    id: 'c1',
    name: 'Detector design data',
    description: 'Design data of a radiation-hardened detector',
    controlCodes: ['3E001'],
    endUse: 'civilian-research',
    destinations: ['DE'],
    recipients: ['kit'],
    exporter: 'ornl',
    ...component,
  };
  const p: Project = {
    projectId: 'p-deemed',
    title: 'Deemed exports',
    funderId: 'nsf',
    coordinator: { name: 'A. Weber', email: 'a.weber@kit.example', partnerId: 'kit' },
    partners: [
      { id: 'kit', name: 'Karlsruhe Institute of Technology', country: 'DE' },
      { id: 'ornl', name: 'Oak Ridge National Laboratory', country: 'US' },
    ],
    components: [c],
    milestones: [],
  };
  return { project: p, component: c };
}

const person = (change: Partial<Person>): Person => ({
  id: 'x',
  name: 'Someone',
  email: 'someone@ornl.example',
  partnerId: 'ornl',
  citizenship: ['US'],
  residence: 'US',
  ...change,
});

const wei = person({ id: 'wei', name: 'Wei Zhang', citizenship: ['CN'], residence: 'CN' });

describe('US: a release of controlled technology to a foreign person is an export to their countries', () => {
  const { project: p, component } = project();

  test('a CN citizen resident in CN at a US partner: reviewed by BIS, an export to CN, tier T2', () => {
    const release = assessRelease(policy, p, component, wei);
    expect(release).toMatchObject({ review: true, countries: ['CN'], agency: { id: 'us-bis', country: 'US' } });
    expect(release.basis).toContain('EAR §734.13(b)');
    expect(releaseTier(policy, release)).toBe('T2');
    const plan = deemedExportPlan(policy, component, wei, release);
    expect(plan).toMatchObject({
      stepId: 'deemed-c1--wei',
      kind: 'deemed-export',
      party: 'us-bis',
      reviewer: 'licensing@bis.example',
      personId: 'wei',
      componentId: 'c1',
      tier: 'T2',
      slaMs: policy.sla.deemedExportReview,
    });
    expect(plan.question).toContain('Wei Zhang (citizen of CN, resident in CN)');
  });

  test('a US citizen needs no review; nor does a permanent resident of the US', () => {
    const citizen = assessRelease(policy, p, component, person({ name: 'Pat Doe' }));
    expect(citizen).toMatchObject({ review: false, countries: [] });
    expect(citizen.basis).toBe('Pat Doe is a citizen or permanent resident of US: not a foreign person');
    const resident = assessRelease(policy, p, component, person({ name: 'Ana Lima', citizenship: ['BR'], residence: 'US' }));
    expect(resident).toMatchObject({ review: false, countries: [] });
  });

  test('a dual citizen of the US and another country is not a foreign person', () => {
    expect(assessRelease(policy, p, component, person({ citizenship: ['IN', 'US'], residence: 'IN' })).review).toBe(false);
  });

  test('a dual citizen of two foreign countries: an export to both and their residence', () => {
    const release = assessRelease(policy, p, component, person({ citizenship: ['FR', 'IR'], residence: 'CH' }));
    expect(release).toMatchObject({ review: true, countries: ['FR', 'IR', 'CH'] });
    expect(releaseTier(policy, release)).toBe('T3'); // IR is embargoed
  });

  test('goods (3A001) and EAR99 are not a release of software or technology', () => {
    for (const controlCodes of [['3A001'], ['EAR99'], []]) {
      const { project: goods, component: c } = project({ controlCodes });
      const release = assessRelease(policy, goods, c, wei);
      expect(release).toMatchObject({ review: false, countries: [] });
      expect(release.basis).toMatch(/^goods \(/);
      expect(releasesTechnology(c)).toBe(false);
    }
  });

  test('a flagged person is always reviewed, at T3', () => {
    const arkady = person({ id: 'av', name: 'Arkady Volkonsky', citizenship: ['US'], residence: 'US' });
    const screening = personScreening(arkady, { listedName: 'Arkady Volkonsky', list: 'EU sanctions list (sample)' });
    expect(screening).toMatchObject({ status: 'flagged', rule: { id: 'restricted-person' } });
    const release = assessRelease(policy, p, component, arkady, screening);
    expect(release.review).toBe(true);
    expect(release.basis).toContain('matches "Arkady Volkonsky" on EU sanctions list (sample)');
    expect(releaseTier(policy, release, screening)).toBe('T3');
    expect(personScreening(wei, undefined)).toMatchObject({ status: 'clear', rule: { id: 'no-match' } });
  });

  test('a release to a pre-approved country only is T1', () => {
    expect(releaseTier(policy, { countries: ['JP'] })).toBe('T1');
  });
});

describe('EU: a release inside the Union is not an export by default; a state may set it to one', () => {
  const kitPerson = person({ id: 'li', name: 'Li Wang', partnerId: 'kit', citizenship: ['CN'], residence: 'CN' });
  const { project: p, component } = project({ exporter: 'kit', recipients: ['ornl'], destinations: ['US'] });

  test('by default no review: 2021/821 has no deemed-export rule', () => {
    const release = assessRelease(policy, p, component, kitPerson);
    expect(release).toMatchObject({ review: false, countries: [], agency: { id: 'de-bafa' } });
    expect(release.basis).toContain('Regulation (EU) 2021/821 has no deemed-export rule');
  });

  const switched = (of: 'country' | 'union'): Policy => {
    const file = testPolicyFile();
    file.regimes.EU.releaseToForeignPerson = { treatedAs: 'export', of, basis: 'national law: a release to a foreign person is an export' };
    return policySchema.parse(file);
  };

  test('switched to export of the country: a French citizen in Germany is foreign', () => {
    const french = person({ partnerId: 'kit', citizenship: ['FR'], residence: 'FR' });
    expect(assessRelease(switched('country'), p, component, french)).toMatchObject({ review: true, countries: ['FR'], agency: { id: 'de-bafa' } });
    expect(assessRelease(switched('country'), p, component, kitPerson)).toMatchObject({ review: true, countries: ['CN'] });
  });

  test('switched to export of the union: a citizen of any member state is not foreign; others are', () => {
    const french = person({ partnerId: 'kit', citizenship: ['FR'], residence: 'FR' });
    expect(assessRelease(switched('union'), p, component, french).review).toBe(false);
    expect(assessRelease(switched('union'), p, component, kitPerson)).toMatchObject({ review: true, countries: ['CN'] });
  });
});

test('the category of a component comes from the group letter of its codes', () => {
  expect(itemCategory(['3E001'])).toBe('technology');
  expect(itemCategory(['4D001'])).toBe('software');
  expect(itemCategory(['ML21'])).toBe('software');
  expect(itemCategory(['ML22'])).toBe('technology');
  expect(itemCategory(['3A001'])).toBe('goods');
  expect(itemCategory(['EAR99'])).toBe('goods');
  expect(itemCategory(['3A001', '4D001'])).toBe('software');
  expect(itemCategory(['4D001', '3E001'])).toBe('technology');
});
