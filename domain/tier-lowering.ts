/**
 * Who approves a coordinator's request to lower a component's tier. A lower tier drops reviewers from that
 * component's licence, so it is the act of the body that issues that licence: the licensing agency of the
 * component's exporter (DOMAIN.md "Who holds authority"), not the coordinator's lead agency. Taking a listed item
 * to T0 means no licence at all: the issuer must find, with its basis, that none is required.
 * Pure: runs inside the project workflow.
 */
import type { Classification } from './classification';
import type { Policy, Tier } from './policy';
import type { Project } from './project';
import { issuerOf, leadAgency, type StepPlan } from './routing';

export interface TierLowering {
  componentId: string;
  from: Tier;
  to: Tier;
  justification: string;
}

/** A listed item taken to T0 would be cleared with no licence from anyone. */
export const needsNoLicenceFinding = (classification: Pick<Classification, 'matchedEntries'>, to: Tier) =>
  to === 'T0' && classification.matchedEntries.length > 0;

export function tierLoweringPlan(policy: Policy, project: Project, lowering: TierLowering, classification: Pick<Classification, 'matchedEntries'>): StepPlan {
  const component = project.components.find((c) => c.id === lowering.componentId);
  if (!component) throw new Error(`component ${lowering.componentId} is not in project ${project.projectId}`);
  const { issuer } = issuerOf(policy, project, component);
  const finding = needsNoLicenceFinding(classification, lowering.to);
  const codes = classification.matchedEntries.map((e) => e.code).join(', ');
  return {
    stepId: `tier-${component.id}`,
    kind: finding ? 'no-licence-finding' : 'tier-lowering',
    party: issuer.id,
    partyName: issuer.name,
    reviewer: issuer.reviewers[0],
    componentId: component.id,
    slaMs: policy.sla.tierLoweringReview,
    question: finding
      ? `The coordinator asks that "${component.name}" (listed: ${codes}) need no licence. Find, with its basis, that no licence is required? ` +
        `Justification: ${lowering.justification}`
      : `As the issuer of its licence, approve lowering "${component.name}" from ${lowering.from} to ${lowering.to}? Justification: ${lowering.justification}`,
  };
}

/** Before release 0.4.0 the lead agency approved every lowering; kept for the workflows that took that branch (patch 'tier-lowering-by-issuer'). */
export function leadTierLoweringPlan(policy: Policy, project: Project, lowering: TierLowering): StepPlan {
  const lead = leadAgency(policy, project);
  return {
    stepId: `tier-${lowering.componentId}`,
    kind: 'tier-lowering',
    party: lead.id,
    partyName: lead.name,
    reviewer: lead.reviewers[0],
    componentId: lowering.componentId,
    slaMs: policy.sla.tierLoweringReview,
    question: `Approve lowering component ${lowering.componentId} from ${lowering.from} to ${lowering.to}? Justification: ${lowering.justification}`,
  };
}
