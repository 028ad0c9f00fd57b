/**
 * Who must decide what: grant reviewers, tier-lowering approval, and the
 * component reviews by tier. Pure and deterministic; runs inside workflows,
 * so it imports types only.
 */
import type { Classification } from './classification';
import type { Agency, Policy, Tier } from './policy';
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
  /** The risk tier whose silence rule applies. */
  tier?: Tier;
  slaMs: number;
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

export function tierLoweringPlan(policy: Policy, project: Project, componentId: string, from: Tier, to: Tier, justification: string): StepPlan {
  const lead = leadAgency(policy, project);
  return {
    stepId: `tier-${componentId}`,
    kind: 'tier-lowering',
    party: lead.id,
    partyName: lead.name,
    reviewer: lead.reviewers[0],
    componentId,
    slaMs: policy.sla.tierLoweringReview,
    question: `Approve lowering component ${componentId} from ${from} to ${to}? Justification: ${justification}`,
  };
}

/** Countries whose agencies review a component: the lead's and each recipient's. */
function reviewingCountries(project: Project, component: Component): string[] {
  const countries = [leadCountry(project)];
  for (const partner of project.partners) {
    if (component.recipients.includes(partner.id) && !countries.includes(partner.country)) countries.push(partner.country);
  }
  return countries;
}

/** Agencies that review a T2/T3 component: each country's licensing agency and the reviewers routed by reason for control. */
function routedAgencies(policy: Policy, project: Project, component: Component, reasons: string[]): Agency[] {
  const agencies: Agency[] = [];
  for (const country of reviewingCountries(project, component)) {
    for (const agency of policy.agencies.filter((a) => a.country === country)) {
      const routed = agency.role === 'licensing' || (agency.reasons.length > 0 && agency.reasons.some((r) => reasons.includes(r)));
      if (routed) agencies.push(agency);
    }
  }
  return agencies;
}

/** The review steps of one component, in phases: every step of a phase runs in parallel. */
export function componentReviewPlan(policy: Policy, project: Project, component: Component, classification: Classification, tier: Tier): StepPlan[][] {
  const agencyStep = (agency: Agency, kind: StepKind): StepPlan => ({
    stepId: `${component.id}-${agency.id}`,
    kind,
    party: agency.id,
    partyName: agency.name,
    reviewer: agency.reviewers[0],
    componentId: component.id,
    tier,
    slaMs: policy.sla.agencyReview,
    question:
      kind === 'defence-review'
        ? `Defence review of "${component.name}" (${tier}): approve the licence?`
        : `Approve a licence for "${component.name}" (${tier}) to ${component.destinations.join(', ')}?`,
  });
  if (tier === 'T0') return [];
  const lead = leadAgency(policy, project);
  if (tier === 'T1') return [[agencyStep(lead, 'agency-review')]];

  const agencies = routedAgencies(policy, project, component, classification.reasons);
  const steps = agencies.map((a) => agencyStep(a, a.defence ? 'defence-review' : 'agency-review'));
  if (tier === 'T2') return [steps];

  if (!agencies.some((a) => a.defence)) {
    // The policy guarantees a defence reviewer in every country that has a licensing agency.
    const defence = policy.agencies.find((a) => a.defence && a.country === lead.country)!;
    steps.push(agencyStep(defence, 'defence-review'));
  }
  const senior: StepPlan = {
    stepId: `${component.id}-senior`,
    kind: 'senior-sign-off',
    party: lead.id,
    partyName: lead.name,
    reviewer: lead.seniorReviewers[0] ?? lead.reviewers[0],
    componentId: component.id,
    tier,
    slaMs: policy.sla.seniorSignOff,
    question: `Senior sign-off: every agency approved "${component.name}" (T3). Sign off the licence?`,
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
