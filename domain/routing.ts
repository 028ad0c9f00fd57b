/**
 * Who must decide what: grant reviewers and the component reviews by tier
 * (tier lowering: domain/tier-lowering.ts). Pure and deterministic; runs inside workflows,
 * so it imports types only.
 */
import type { Classification } from './classification';
import { euDualUseRuling, type EuRuling, type Union } from './eu-dual-use';
import { isMilitaryCode, militaryLicence, type MilitaryLicence } from './military';
import type { Agency, Deadline, Policy, Regime, Tier } from './policy';
import type { Component, Project } from './project';
import type { StepKind } from './step-kinds';

/** One decision owed by one party: the workflow turns it into a review step. */
export interface StepPlan {
  stepId: string;
  kind: StepKind;
  party: string;
  partyName: string;
  reviewer: string;
  componentId?: string;
  /** The person a deemed-export review is about (domain/deemed-exports.ts). */
  personId?: string;
  tier?: Tier;
  slaMs: number;
  /** A deadline in working days, counted on this country's public holidays (then `slaMs` is only the calendar estimate). */
  workingDays?: { days: number; country: string };
  /** What is asked, in one sentence for the e-mail and the decision page. */
  question: string;
  /** Reminders fall on this calendar (a review cycle's close, counting back by the cadence). */
  calendar?: string;
  /** How the party stands to the issuer, when routing knows better than the party's regime (a co-issuing approval, an Art. 14(2) request). */
  standing?: Standing;
}

export const TIER_ORDER: Record<Tier, number> = { T0: 0, T1: 1, T2: 2, T3: 3 };

export function leadCountry(project: Project): string {
  const partner = project.partners.find((p) => p.id === project.coordinator.partnerId);
  if (!partner) throw new Error(`coordinator partner ${project.coordinator.partnerId} is not a partner`);
  return partner.country;
}

export function licensingAgency(policy: Policy, country: string): Agency {
  const agency = policy.agencies.find((a) => a.role === 'licensing' && a.country === country);
  if (!agency) throw new Error(`policy ${policy.version} has no licensing agency for ${country}`);
  return agency;
}

export function leadAgency(policy: Policy, project: Project): Agency {
  return licensingAgency(policy, leadCountry(project));
}

export function grantReviewPlan(policy: Policy, project: Project): StepPlan[] {
  const funder = policy.funders.find((f) => f.id === project.funderId);
  if (!funder) throw new Error(`policy ${policy.version} has no funder ${project.funderId}`);
  const lead = leadAgency(policy, project);
  const sla = policy.sla.grantReview;
  return [
    {
      stepId: 'grant-funder',
      kind: 'grant-funder',
      party: funder.id,
      partyName: funder.name,
      reviewer: funder.reviewers[0],
      slaMs: sla,
      question: `Approve the grant for "${project.title}" as scoped?`,
    },
    {
      stepId: 'grant-agency',
      kind: 'grant-agency',
      party: lead.id,
      partyName: lead.name,
      reviewer: lead.reviewers[0],
      slaMs: sla,
      question: `As lead agency, approve the scope of "${project.title}" for export-controlled work?`,
    },
  ];
}

/** The partner that exports a component: its `exporter`, or the coordinator's partner. */
export function exporterCountry(project: Project, component: Component): string {
  const exporter = component.exporter ?? project.coordinator.partnerId;
  const partner = project.partners.find((p) => p.id === exporter);
  if (!partner) throw new Error(`exporter ${exporter} of component ${component.id} is not a partner`);
  return partner.country;
}

/** Where the component's items are when exported: its `heldIn`, or the exporter's country. */
export function heldInCountry(project: Project, component: Component): string {
  return component.heldIn ?? exporterCountry(project, component);
}

/** The Union's lists, from the regime that consults Member States (absent in policy snapshots older than the Art. 14(1) rules). */
export function unionOf(policy: Policy): Union | undefined {
  return Object.values(policy.regimes).find((r) => r.union)?.union;
}

/**
 * The military licence a military-list component needs from its exporter's country. Undefined for a dual-use
 * component, and for a policy snapshot without `militaryRegimes`: workflows started on it keep the routing they began with.
 */
export function militaryLicenceOf(policy: Policy, project: Project, component: Component): MilitaryLicence | undefined {
  if (!policy.militaryRegimes || !component.controlCodes.some(isMilitaryCode)) return undefined;
  const exporter = exporterCountry(project, component);
  const licence = militaryLicence(policy.militaryRegimes, unionOf(policy)?.members ?? [], exporter, component.destinations, component.controlCodes);
  if (!licence) throw new Error(`policy ${policy.version} has no military licensing authority for ${exporter}`);
  return licence;
}

/**
 * The issuing authority: the licensing agency of the exporter's country, and its regime. A military-list item is
 * licensed by that country's military authority under its military regime, whose terms (and so everyone else's
 * standing: advisory) replace the agency's dual-use regime.
 */
export function issuerOf(policy: Policy, project: Project, component: Component): { issuer: Agency; regime: Regime } {
  const military = militaryLicenceOf(policy, project, component);
  if (military) {
    const issuer = { ...policy.agencies.find((a) => a.id === military.regime.authority)!, regime: military.regime.terms };
    return { issuer, regime: policy.regimes[issuer.regime] };
  }
  const issuer = licensingAgency(policy, exporterCountry(project, component));
  return { issuer, regime: policy.regimes[issuer.regime] };
}

/** The EU dual-use ruling on a component whose issuer consults Member States (undefined elsewhere, and for older policy snapshots). */
function euRulingOf(policy: Policy, project: Project, component: Component, regime: Regime): EuRuling | undefined {
  if (regime.consultation.whom !== 'member-states' || !regime.union) return undefined;
  return euDualUseRuling(regime.union, {
    exporter: exporterCountry(project, component),
    heldIn: heldInCountry(project, component),
    destinations: component.destinations,
    codes: component.controlCodes,
  });
}

/** What a component needs: an authorisation (and which, under which law), or none, with the basis. */
export interface Authorisation {
  required: boolean;
  basis: string;
}

/**
 * The authorisation a listed component needs, or `undefined` where the issuer's regime says nothing more than
 * "a licence" (US, UK, JP) or the policy snapshot predates these rules.
 */
export function authorisationOf(policy: Policy, project: Project, component: Component, classification: Classification): Authorisation | undefined {
  const military = militaryLicenceOf(policy, project, component);
  if (military) return { required: true, basis: military.basis };
  const ruling = euRulingOf(policy, project, component, issuerOf(policy, project, component).regime);
  if (!ruling) return undefined;
  // A listed recipient is a sanctions matter 2021/821 does not clear: the issuer reviews it all the same.
  if (ruling.authorisation === 'not-required' && classification.restrictedPartyHits.length) {
    return { required: true, basis: `${ruling.basis}; reviewed by the issuer because a recipient is on a restricted-party list` };
  }
  return { required: ruling.authorisation !== 'not-required', basis: ruling.basis };
}

/** A deadline as a plan carries it: milliseconds, or working days on a country's calendar (estimated at one calendar day each). */
export function planDeadline(deadline: Deadline, country: string): Pick<StepPlan, 'slaMs' | 'workingDays'> {
  if (typeof deadline === 'number') return { slaMs: deadline };
  return { slaMs: deadline.workingDays * 86_400_000, workingDays: { days: deadline.workingDays, country } };
}

/** How a consulted party stands to the issuer: inside its regime (its objection has the regime's effect) or outside it (advice). */
export type Standing = 'issuer' | 'consulted' | 'advisory';

/** How a party stands by its regime; a plan's own `standing` (routing knew better) comes first. */
export function standingOf(policy: Pick<Policy, 'agencies'>, issuer: Pick<Agency, 'id' | 'regime'>, party: string): Standing {
  if (party === issuer.id) return 'issuer';
  const agency = policy.agencies.find((a) => a.id === party);
  return agency && agency.regime === issuer.regime ? 'consulted' : 'advisory';
}

/** Countries where the component's items will be: its recipients' countries other than the exporter's. */
function locatedIn(project: Project, component: Component, exporter: string): string[] {
  const countries: string[] = [];
  for (const partner of project.partners) {
    if (component.recipients.includes(partner.id) && partner.country !== exporter && !countries.includes(partner.country)) countries.push(partner.country);
  }
  return countries;
}

/**
 * The review steps of one component, in phases (every step of a phase runs in
 * parallel). T1: the issuer. T2: + whom its regime consults, and the
 * licensing agencies of partner countries outside the regime (advisory).
 * T3: + the defence reviewers of the exporter's country and of the consulted
 * states, then the issuer's senior sign-off.
 *
 * Where the policy carries the Union's lists, an EU issuer consults only the
 * state where the items are held, under Art. 14(1) (at any tier: the law
 * sets no tier); a military item's issuer is its country's military authority
 * and every other state advises. A component that needs no authorisation
 * (`authorisationOf`) is not planned: the licence workflow settles it first.
 */
export function componentReviewPlan(policy: Policy, project: Project, component: Component, classification: Classification, tier: Tier): StepPlan[][] {
  if (tier === 'T0') return [];
  const { issuer, regime } = issuerOf(policy, project, component);
  const military = militaryLicenceOf(policy, project, component);
  const eu = military ? undefined : euRulingOf(policy, project, component, regime);
  const question = (kind: StepKind) =>
    kind === 'defence-review'
      ? `Defence review of "${component.name}" (${tier}) for the licence ${issuer.name} issues: any objection?`
      : kind === 'issuer-review'
        ? `Issue a licence for "${component.name}" (${tier}) to ${component.destinations.join(', ')}?`
        : kind === 'advisory-review'
          ? `${issuer.name} will decide a licence for "${component.name}" (${tier}) to ${component.destinations.join(', ')}: your advice?`
          : `${issuer.name} consults you on a licence for "${component.name}" (${tier}) to ${component.destinations.join(', ')}: any objection?`;
  const step = (agency: Agency, kind: StepKind): StepPlan => ({
    stepId: `${component.id}-${agency.id}`,
    kind,
    party: agency.id,
    partyName: agency.name,
    reviewer: agency.reviewers[0],
    componentId: component.id,
    tier,
    ...(kind === 'issuer-review' || kind === 'advisory-review' ? { slaMs: policy.sla.agencyReview } : planDeadline(regime.consultation.within, agency.country)),
    question: question(kind),
  });
  const issuerSteps = [step(issuer, 'issuer-review')];
  if (military?.warWeapons) {
    // A war weapon needs its own approval (DE: KWKG § 3), from another authority: it co-issues, and its denial denies.
    const approver = policy.agencies.find((a) => a.id === military.warWeapons!.authority)!;
    issuerSteps.push({
      ...step(approver, 'issuer-review'),
      standing: 'issuer',
      question: `War-weapons approval under ${military.warWeapons.law} for "${component.name}" (${tier}) to ${component.destinations.join(', ')}?`,
    });
  }
  // Art. 14(1): the state where the items are held is consulted whatever the tier.
  const art14: StepPlan[] = eu?.authorisation === 'export' && eu.consult ? [consultHeldIn(eu.consult)] : [];
  function consultHeldIn(consult: { country: string; basis: string }): StepPlan {
    const agency = licensingAgency(policy, consult.country);
    return { ...step(agency, 'consultation'), question: `${question('consultation')} (${consult.basis})` };
  }
  if (tier === 'T1') return [[...issuerSteps, ...art14]];

  const exporter = exporterCountry(project, component);
  const located = locatedIn(project, component, issuer.country);
  let consulted: Agency[];
  let advisory: Agency[];
  if (military) {
    // Other states advise (Common Position 2008/944/CFSP): their military authority where the policy names one.
    const held = heldInCountry(project, component);
    const others = [...located, ...(held !== exporter && !located.includes(held) ? [held] : [])];
    consulted = byReason(policy, issuer.country, classification);
    advisory = others.flatMap((country) => {
      const authority = policy.militaryRegimes?.[country]?.authority;
      const agency = policy.agencies.find((a) => (authority ? a.id === authority : a.role === 'licensing' && a.country === country));
      return agency ? [agency] : [];
    });
  } else {
    consulted =
      regime.consultation.whom === 'reviewing-agencies'
        ? byReason(policy, issuer.country, classification)
        : eu
          ? []
          : policy.agencies.filter((a) => a.role === 'licensing' && a.regime === issuer.regime && located.includes(a.country));
    advisory = policy.agencies.filter((a) => a.role === 'licensing' && a.regime !== issuer.regime && located.includes(a.country));
  }
  const steps = [
    ...issuerSteps,
    ...art14,
    ...consulted.map((a) => step(a, a.defence ? 'defence-review' : 'consultation')),
    ...advisory.map((a) => step(a, 'advisory-review')),
  ];
  if (tier === 'T2') return [steps];

  // T3: the exporter's own defence reviewer is always in, and so are the consulted states' (the policy guarantees one per country).
  const consultedCountries = [...consulted, ...art14.map((s) => policy.agencies.find((a) => a.id === s.party)!)].map((a) => a.country);
  for (const country of new Set([issuer.country, ...consultedCountries])) {
    const defence = policy.agencies.find((a) => a.defence && a.country === country)!;
    if (!steps.some((s) => s.party === defence.id)) steps.push(step(defence, 'defence-review'));
  }
  const senior: StepPlan = {
    stepId: `${component.id}-senior`,
    kind: 'senior-sign-off',
    party: issuer.id,
    partyName: issuer.name,
    reviewer: issuer.seniorReviewers[0] ?? issuer.reviewers[0],
    componentId: component.id,
    tier,
    slaMs: policy.sla.seniorSignOff,
    question: `Senior sign-off: "${component.name}" (T3) was reviewed and consulted. Sign off the licence ${issuer.name} issues?`,
  };
  return [steps, [senior]];
}

/** The issuer's country's reviewing agencies, by reason for control (US). */
function byReason(policy: Policy, country: string, classification: Classification): Agency[] {
  return policy.agencies.filter((a) => a.country === country && a.role === 'reviewing' && a.reasons.some((r) => classification.reasons.includes(r)));
}

/**
 * Art. 14(2) of 2021/821: a Member State asks to be consulted on an export that may prejudice its essential security
 * interests. Its own kind of step: 10 working days on its calendar, and its view does not bind the issuer.
 */
export function essentialSecurityPlan(policy: Policy, project: Project, component: Component, requestedBy: string, tier: Tier): StepPlan {
  const { issuer, regime } = issuerOf(policy, project, component);
  if (!regime.union) throw new Error(`${issuer.name} does not issue under Regulation 2021/821: Art. 14(2) does not apply`);
  if (!regime.union.members.includes(requestedBy)) throw new Error(`${requestedBy} is not a Member State: only Member States may ask under Art. 14(2)`);
  if (requestedBy === issuer.country) throw new Error(`${requestedBy} issues this licence: it does not consult itself under Art. 14(2)`);
  const state = licensingAgency(policy, requestedBy);
  return {
    stepId: `${component.id}-${state.id}-art14-2`,
    kind: 'essential-security',
    party: state.id,
    partyName: state.name,
    reviewer: state.reviewers[0],
    componentId: component.id,
    tier,
    standing: 'advisory',
    ...planDeadline(regime.union.essentialSecurityWithin, state.country),
    question:
      `${state.name} asked to be consulted on its essential security interests (Regulation (EU) 2021/821 Art. 14(2)) on the licence ` +
      `${issuer.name} decides for "${component.name}" to ${component.destinations.join(', ')}: your view? ${issuer.name} decides; your view does not bind it.`,
  };
}

/** A silent reviewer's senior decides in their place (a step escalates once; the senior's own silence does not). */
export function escalationPlan(step: StepPlan & { kind: StepKind }, seniors: string[]): StepPlan | undefined {
  const senior = seniors.find((r) => r !== step.reviewer);
  if (step.kind === 'escalation' || !senior) return undefined;
  return {
    stepId: `${step.stepId}-esc`,
    kind: 'escalation',
    party: step.party,
    partyName: step.partyName,
    reviewer: senior,
    componentId: step.componentId,
    tier: step.tier,
    slaMs: step.slaMs,
    question: `Escalated: ${step.reviewer} did not decide in time. ${step.question}`,
  };
}

/**
 * Who may hold a step (DESIGN §8 "Agency seats"): the party's reviewers are a pool, and so are its senior reviewers;
 * a step goes to one of them, and may pass to another of the same pool. A party the policy does not list (a dispute
 * chair, the coordinator) has a pool of one.
 */
export function reviewerPool(policy: Partial<Pick<Policy, 'agencies' | 'funders'>>, party: string, reviewer: string): string[] {
  const holder = [...(policy.agencies ?? []), ...(policy.funders ?? [])].find((p) => p.id === party);
  const pools = holder ? [holder.reviewers, holder.seniorReviewers ?? []] : [];
  return pools.find((pool) => pool.includes(reviewer)) ?? [reviewer];
}
