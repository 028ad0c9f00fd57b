/**
 * Who must decide what: grant reviewers and the component reviews by tier
 * (tier lowering: domain/tier-lowering.ts). Pure and deterministic; runs inside workflows,
 * so it imports types only.
 */
import type { Classification } from './classification';
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
  tier?: Tier;
  slaMs: number;
  /** A deadline in working days, counted on this country's public holidays (then `slaMs` is only the calendar estimate). */
  workingDays?: { days: number; country: string };
  /** What is asked, in one sentence for the e-mail and the decision page. */
  question: string;
  /** Reminders fall on this calendar (a review cycle's close, counting back by the cadence). */
  calendar?: string;
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

/** The issuing authority: the licensing agency of the exporter's country, and its regime. */
export function issuerOf(policy: Policy, project: Project, component: Component): { issuer: Agency; regime: Regime } {
  const issuer = licensingAgency(policy, exporterCountry(project, component));
  return { issuer, regime: policy.regimes[issuer.regime] };
}

/** A deadline as a plan carries it: milliseconds, or working days on a country's calendar (estimated at one calendar day each). */
export function planDeadline(deadline: Deadline, country: string): Pick<StepPlan, 'slaMs' | 'workingDays'> {
  if (typeof deadline === 'number') return { slaMs: deadline };
  return { slaMs: deadline.workingDays * 86_400_000, workingDays: { days: deadline.workingDays, country } };
}

/** How a consulted party stands to the issuer: inside its regime (its objection has the regime's effect) or outside it (advice). */
export type Standing = 'issuer' | 'consulted' | 'advisory';

export function standingOf(policy: Policy, issuer: Agency, party: string): Standing {
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
 */
export function componentReviewPlan(policy: Policy, project: Project, component: Component, classification: Classification, tier: Tier): StepPlan[][] {
  if (tier === 'T0') return [];
  const { issuer, regime } = issuerOf(policy, project, component);
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
  const issuerStep = step(issuer, 'issuer-review');
  if (tier === 'T1') return [[issuerStep]];

  const located = locatedIn(project, component, issuer.country);
  const consulted =
    regime.consultation.whom === 'reviewing-agencies'
      ? policy.agencies.filter((a) => a.country === issuer.country && a.role === 'reviewing' && a.reasons.some((r) => classification.reasons.includes(r)))
      : policy.agencies.filter((a) => a.role === 'licensing' && a.regime === issuer.regime && located.includes(a.country));
  const advisory = policy.agencies.filter((a) => a.role === 'licensing' && a.regime !== issuer.regime && located.includes(a.country));
  const steps = [
    issuerStep,
    ...consulted.map((a) => step(a, a.defence ? 'defence-review' : 'consultation')),
    ...advisory.map((a) => step(a, 'advisory-review')),
  ];
  if (tier === 'T2') return [steps];

  // T3: the exporter's own defence reviewer is always in, and so are the consulted states' (the policy guarantees one per country).
  const defenceCountries = [issuer.country, ...new Set(consulted.map((a) => a.country))];
  for (const country of new Set(defenceCountries)) {
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
