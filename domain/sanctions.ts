/**
 * Suspension and revocation are the issuer's acts, after the holder is heard (EAR §750.8; in the EU the
 * issuing authority under national law; ../shared/DOMAIN.md "Suspension and revocation"). The compliance
 * monitor only proposes them: these are the steps it opens, and how the holder's answer reads to the issuer.
 * Pure: the monitor workflow uses it.
 */
import type { StepPlan } from './routing';

export type Sanction = 'suspension' | 'revocation';

/** What a proposal is about: the licence, the corrective action behind it, who holds it and who issued it. */
export interface SanctionCase {
  sanction: Sanction;
  componentId: string;
  licenceId: string;
  actionId: string;
  /** Why it is proposed, in one sentence (the corrective action and since when it is unresolved). */
  grounds: string;
  holder: { name: string; email: string };
  issuer: { id: string; name: string; reviewers: string[] };
}

/** The steps of one proposal: one per corrective action and sanction, so an id never comes back in the monitor's life. */
export function sanctionStepIds(actionId: string, sanction: Sanction): { hearing: string; decision: string } {
  return { hearing: `${actionId}-${sanction}-hearing`, decision: `${actionId}-${sanction}-decision` };
}

/** The holder is told and may answer (respond with grounds, or accept) within `slaMs`; not answering closes the window. */
export function hearingPlan(c: SanctionCase, slaMs: number): StepPlan {
  return {
    stepId: sanctionStepIds(c.actionId, c.sanction).hearing,
    kind: 'holder-hearing',
    party: 'coordinator',
    partyName: c.holder.name,
    reviewer: c.holder.email,
    componentId: c.componentId,
    slaMs,
    question:
      `The ${c.sanction} of licence ${c.licenceId} is proposed to ${c.issuer.name}: ${c.grounds}. ` +
      `Respond with your grounds, or accept; ${c.issuer.name} decides after your answer or once the time to answer has passed.`,
  };
}

/** How the holder's hearing ended, as the issuer reads it. */
export function holderAnswer(step: { status: string; outcome?: string; legalBasis?: string; comment?: string; partyName: string }): string {
  if (step.outcome === 'responded') return `${step.partyName} responded: "${step.legalBasis ?? step.comment ?? ''}"`;
  if (step.outcome === 'accepted') return `${step.partyName} accepted the proposal${step.comment ? `: "${step.comment}"` : ''}`;
  return `${step.partyName} did not answer in time`;
}

/** The issuer's step: approve imposes the sanction, deny refuses it, each with its basis; silence goes to its senior. */
export function decisionPlan(c: SanctionCase, heard: string, slaMs: number): StepPlan {
  return {
    stepId: sanctionStepIds(c.actionId, c.sanction).decision,
    kind: 'sanction-decision',
    party: c.issuer.id,
    partyName: c.issuer.name,
    reviewer: c.issuer.reviewers[0],
    componentId: c.componentId,
    slaMs,
    question:
      `The compliance monitor proposes the ${c.sanction} of licence ${c.licenceId}: ${c.grounds}. ${heard}. ` +
      `Approve to ${c.sanction === 'suspension' ? 'suspend' : 'revoke'} the licence, or deny; either way cite the basis.`,
  };
}
