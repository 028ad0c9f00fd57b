/**
 * Deemed exports (DOMAIN "Classification"): releasing controlled software or technology to a foreign person is an
 * export to that person's countries of citizenship or permanent residence. Whether a component is goods, software
 * (`D`) or technology (`E`) comes from the group letter of its codes; how a regime treats a release to a foreign
 * person is policy data (`regimes.*.releaseToForeignPerson`); the review is a step of the licensing agency of the
 * country where the person works (their partner's). Pure and zod-free: it runs in workflows.
 */
import type { Policy, Tier } from './policy';
import type { Component, Person, Project } from './project';
import type { StepPlan } from './routing';

export type ItemCategory = 'goods' | 'software' | 'technology';

/** The category one code names: its group letter (`3E001` technology, `4D001` software); ML21 is software, ML22 technology. */
export function codeCategory(code: string): ItemCategory {
  if (code === 'ML21') return 'software';
  if (code === 'ML22') return 'technology';
  const letter = /^[0-9]([A-E])/.exec(code)?.[1];
  return letter === 'E' ? 'technology' : letter === 'D' ? 'software' : 'goods';
}

/** A component's category: technology if any listed code is, else software if any is, else goods. `EAR99` lists nothing. */
export function itemCategory(codes: readonly string[]): ItemCategory {
  const listed = codes.filter((c) => c !== 'EAR99').map(codeCategory);
  return listed.includes('technology') ? 'technology' : listed.includes('software') ? 'software' : 'goods';
}

/** Whether access to a component is a release of controlled software or technology (a listed `D` or `E` code). */
export function releasesTechnology(component: Pick<Component, 'controlCodes'>): boolean {
  return itemCategory(component.controlCodes) !== 'goods';
}

/** A person's screening against the restricted-party list, with the rule that decided it. */
export interface PersonScreening {
  status: 'clear' | 'flagged';
  rule: { id: string; text: string };
  listedName?: string;
  list?: string;
}

export function personScreening(person: Pick<Person, 'name'>, hit: { listedName: string; list: string } | undefined): PersonScreening {
  if (!hit) return { status: 'clear', rule: { id: 'no-match', text: `${person.name} matches no entry of the restricted-party list` } };
  return {
    status: 'flagged',
    rule: { id: 'restricted-person', text: `${person.name} matches "${hit.listedName}" on ${hit.list}` },
    listedName: hit.listedName,
    list: hit.list,
  };
}

/** What a release of one component to one person needs: a deemed-export review, or nothing, and why. */
export interface ReleaseAssessment {
  componentId: string;
  personId: string;
  review: boolean;
  /** The countries the release is an export to (the person's foreign citizenships and residence); empty when none. */
  countries: string[];
  /** Why, in one sentence a control plan can show. */
  basis: string;
  /** The licensing agency of the country where the person works: who reviews it. */
  agency?: { id: string; name: string; country: string };
}

const unique = (xs: string[]) => [...new Set(xs)];

/**
 * Assesses the release of a component to a person. Goods are not a release of software or technology. A person on
 * a restricted-party list is always reviewed. Otherwise the regime of the country where the person works says:
 * `export` to a person who is neither a citizen nor a permanent resident of that country (or of a member state, for
 * `of: union`); `not-an-export`, or no rule, needs nothing.
 */
export function assessRelease(
  policy: Policy,
  project: Project,
  component: Component,
  person: Person,
  screening?: Pick<PersonScreening, 'status' | 'rule'>,
): ReleaseAssessment {
  const base = { componentId: component.id, personId: person.id };
  const country = project.partners.find((p) => p.id === person.partnerId)?.country;
  const agency = policy.agencies.find((a) => a.role === 'licensing' && a.country === country);
  const who = agency && { id: agency.id, name: agency.name, country: agency.country };
  const personCountries = unique([...person.citizenship, person.residence]);
  if (!releasesTechnology(component)) {
    const codes = component.controlCodes.join(', ') || 'no listed code';
    return { ...base, review: false, countries: [], basis: `goods (${codes}): access is not a release of listed software or technology` };
  }
  if (screening?.status === 'flagged') {
    const countries = personCountries.filter((c) => c !== country);
    return { ...base, review: true, countries, basis: `${screening.rule.text}: the issuer reviews the release`, ...(who && { agency: who }) };
  }
  if (!agency || !country) return { ...base, review: false, countries: [], basis: `no licensing agency of ${country ?? 'the partner'}'s country` };
  const regime = policy.regimes[agency.regime];
  const rule = regime.releaseToForeignPerson;
  if (!rule || rule.treatedAs === 'not-an-export') {
    const basis = rule?.basis ?? `regime ${agency.regime} treats no release inside ${country} as an export`;
    return { ...base, review: false, countries: [], basis, agency: who! };
  }
  const domestic = rule.of === 'union' && regime.union ? regime.union.members : [country];
  const isDomestic = person.citizenship.some((c) => domestic.includes(c)) || domestic.includes(person.residence);
  if (isDomestic) {
    const scope = rule.of === 'union' ? 'a member state' : country;
    const basis = `${person.name} is a citizen or permanent resident of ${scope}: not a foreign person`;
    return { ...base, review: false, countries: [], basis, agency: who! };
  }
  const countries = personCountries.filter((c) => !domestic.includes(c));
  return { ...base, review: true, countries, basis: `${rule.basis}: a release to ${person.name} is an export to ${countries.join(', ')}`, agency: who! };
}

/** The release's own tier: T3 to an embargoed country or a listed person, T2 to a country not pre-approved, else T1. */
export function releaseTier(policy: Policy, release: Pick<ReleaseAssessment, 'countries'>, screening?: Pick<PersonScreening, 'status'>): Tier {
  const rules = policy.classification;
  if (screening?.status === 'flagged' || release.countries.some((c) => rules.embargoedDestinations.includes(c))) return 'T3';
  return release.countries.every((c) => rules.preApprovedDestinations.includes(c)) ? 'T1' : 'T2';
}

export const deemedExportStepId = (componentId: string, personId: string) => `deemed-${componentId}--${personId}`;

/** The deemed-export review of one release, for the agency the assessment names. */
export function deemedExportPlan(
  policy: Policy,
  component: Component,
  person: Person,
  release: ReleaseAssessment,
  screening?: Pick<PersonScreening, 'status'>,
): StepPlan {
  const agency = policy.agencies.find((a) => a.id === release.agency!.id)!;
  const category = itemCategory(component.controlCodes);
  const held = `citizen of ${person.citizenship.join(', ')}, resident in ${person.residence}`;
  return {
    stepId: deemedExportStepId(component.id, person.id),
    kind: 'deemed-export',
    party: agency.id,
    partyName: agency.name,
    reviewer: agency.reviewers[0],
    componentId: component.id,
    personId: person.id,
    tier: releaseTier(policy, release, screening),
    slaMs: policy.sla.deemedExportReview,
    question:
      `Release ${component.name} (${category}, ${component.controlCodes.join(', ')}) to ${person.name} (${held})? ${release.basis}. ` +
      'Approve to authorise it (cite a licence exception in the legal basis where one applies), or deny citing the legal basis.',
  };
}
