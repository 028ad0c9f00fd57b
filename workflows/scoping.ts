/** Scoping confirmation: the coordinator may raise a tier; lowering one needs a justification and the lead agency's approval. */
import { ApplicationFailure } from '@temporalio/workflow';
import { TIER_ORDER } from '../domain/routing';
import { ProjectRejection, type ComponentView, type ReviewStep, type ScopingConfirmation, type Stage } from './definitions';
import type { AuditInput } from './review-board';

export function scopingValidator(
  stage: Stage,
  components: Map<string, ComponentView>,
  confirmed: ScopingConfirmation | undefined,
  c: ScopingConfirmation,
): void {
  if (stage !== 'scoping' || confirmed) {
    throw ApplicationFailure.nonRetryable(
      `scoping can no longer be confirmed: the project is ${confirmed ? 'already confirmed' : stage}`,
      ProjectRejection.WrongStage,
    );
  }
  if ([...components.values()].some((x) => x.classifiedTier === null)) {
    throw ApplicationFailure.nonRetryable('classification is still running; confirm once it is done', ProjectRejection.WrongStage);
  }
  const problems: string[] = [];
  const seen = new Set<string>();
  c.overrides.forEach((o, i) => {
    const component = components.get(o.componentId);
    if (!component) return problems.push(`overrides.${i}.componentId: "${o.componentId}" is not a component of this project`);
    if (seen.has(o.componentId)) problems.push(`overrides.${i}.componentId: "${o.componentId}" is overridden twice`);
    seen.add(o.componentId);
    if (TIER_ORDER[o.tier] < TIER_ORDER[component.classifiedTier!] && !o.justification?.trim()) {
      problems.push(`overrides.${i}.justification: lowering ${o.componentId} from ${component.classifiedTier} to ${o.tier} needs a written justification`);
    }
  });
  if (problems.length) throw ApplicationFailure.nonRetryable(problems.join('; '), ProjectRejection.InvalidOverride, problems);
}

/** Applies raises at once and marks lowerings pending; returns the components as they now stand. */
export function applyScoping(components: Map<string, ComponentView>, c: ScopingConfirmation, record: (e: AuditInput) => void): ComponentView[] {
  for (const o of c.overrides) {
    const component = components.get(o.componentId)!;
    const from = component.tier!;
    if (TIER_ORDER[o.tier] > TIER_ORDER[from]) {
      Object.assign(component, { tier: o.tier, tierReason: `raised from ${from} by the coordinator${o.justification ? `: ${o.justification}` : ''}` });
      record({
        actor: c.confirmedBy,
        action: 'tier-raised',
        channel: 'api',
        componentId: o.componentId,
        detail: `${from} → ${o.tier}${o.justification ? `: ${o.justification}` : ''}`,
      });
    } else if (TIER_ORDER[o.tier] < TIER_ORDER[from]) {
      component.pendingTier = o.tier;
      record({
        actor: c.confirmedBy,
        action: 'tier-lowering-requested',
        channel: 'api',
        componentId: o.componentId,
        detail: `${from} → ${o.tier}, for the lead agency to approve: ${o.justification}`,
      });
    }
  }
  return [...components.values()];
}

/** The issuer's answer to a requested lowering: the tier changes (with who approved it, and why) or stays, each audited. */
export function applyLowering(c: ComponentView, step: ReviewStep, record: (e: AuditInput) => void): void {
  if (step.outcome === 'approved') {
    record({
      actor: step.reviewer,
      action: 'tier-lowered',
      channel: 'system',
      componentId: c.id,
      detail:
        step.kind === 'no-licence-finding'
          ? `${c.tier} → T0: ${step.partyName} found no licence required (${step.legalBasis})`
          : `${c.tier} → ${c.pendingTier} approved by ${step.partyName}`,
    });
    const why = step.kind === 'no-licence-finding' ? `${step.partyName} found no licence required: ${step.legalBasis}` : `${step.partyName}'s approval`;
    Object.assign(c, { tier: c.pendingTier, tierReason: `lowered from ${c.tier} with ${why}` });
  } else {
    record({
      actor: step.reviewer,
      action: 'tier-lowering-refused',
      channel: 'system',
      componentId: c.id,
      detail: `stays ${c.tier}: ${step.legalBasis ?? ''}`,
    });
  }
  delete c.pendingTier;
}
