/**
 * Proposed suspensions and revocations of a monitored licence (patch 'sanctions-by-issuer'). The monitor
 * proposes; the holder is heard on a `holder-hearing` step; then the issuer decides on a `sanction-decision`
 * step, whose silence goes to its senior and never suspends or revokes. The steps are ordinary review steps
 * on a ReviewBoard the monitor workflow serves and records, so links, seats and the one decide service reach
 * them by the monitor's workflow id. A corrective action resolved first withdraws its proposal.
 */
import { isCancellation } from '@temporalio/workflow';
import { COMPLIANCE_DEFAULTS } from '../domain/compliance-calendar';
import type { Agency } from '../domain/policy';
import { escalationPlan, type StepPlan } from '../domain/routing';
import { decisionPlan, hearingPlan, holderAnswer, sanctionStepIds, type SanctionCase } from '../domain/sanctions';
import type { ComplianceMonitorInput, CorrectiveAction, MonitorReviewSettings, SanctionKind, SanctionProposal } from './compliance-contract';
import type { ReviewStep } from './definitions';
import type { RecordOwner } from './record-writer';
import { ReviewBoard, type AuditInput } from './review-board';

/** What the panel needs of its monitor. */
export interface SanctionHost {
  readonly input: ComplianceMonitorInput;
  readonly owner: RecordOwner;
  /** An audit entry of the monitor (reported to the project with its next report). */
  audit(entry: AuditInput): void;
  /** A step changed: the monitor recomputes its deadlines and publishes. */
  changed(): void;
  /** The issuer approved: the monitor suspends or revokes. */
  impose(action: CorrectiveAction, proposal: SanctionProposal): Promise<void>;
}

const isPending = (p?: SanctionProposal) => p?.stage === 'hearing' || p?.stage === 'decision';

export class SanctionPanel {
  readonly board: ReviewBoard;

  constructor(
    private readonly host: SanctionHost,
    private readonly issuer: Agency,
    review: MonitorReviewSettings,
  ) {
    const { project, componentName } = host.input;
    this.board = new ReviewBoard({
      policy: { ...review, agencies: [issuer] },
      coordinator: project.coordinator,
      audit: (entry) => host.audit(entry),
      mailContext: () => ({ projectId: project.projectId, projectTitle: project.title, componentName }),
      escalationFor: (step) => this.seniorStep(step),
      countryOf: (step) => (step.party === issuer.id ? issuer.country : undefined),
      waitingParties: [`${project.coordinator.name} (licence holder)`],
      onChange: () => host.changed(),
    });
    host.owner.serve(this.board);
  }

  /** True while some proposal waits for the holder or the issuer: the monitor does not continue as new meanwhile. */
  pending(actions: CorrectiveAction[]): boolean {
    return actions.some((a) => isPending(a.proposal));
  }

  /** Opens the holder's hearing; the issuer's step follows it. Runs beside the monitor, which hears of the outcome through `impose`. */
  propose(action: CorrectiveAction, kind: SanctionKind, grounds: string): void {
    const ids = sanctionStepIds(action.actionId, kind);
    const proposal: SanctionProposal = { kind, proposedAt: new Date().toISOString(), stage: 'hearing', hearingStepId: ids.hearing };
    action.proposal = proposal;
    this.host.audit({
      actor: 'system',
      channel: 'system',
      action: `${kind}-proposed`,
      detail: `${this.host.input.licence.licenceId}: ${grounds}; the holder is heard, then ${this.issuer.name} decides`,
    });
    this.run(action, proposal, this.caseOf(action, kind, grounds)).catch((err) => {
      if (!isCancellation(err)) throw err;
    });
  }

  /** The action was resolved (or the licence ended): its pending proposal is withdrawn, its open steps closed with the reason. */
  async withdraw(action: CorrectiveAction, reason: string, stage: 'withdrawn' | 'closed' = 'withdrawn'): Promise<void> {
    const proposal = action.proposal;
    if (!proposal || !isPending(proposal)) return;
    proposal.stage = stage;
    this.host.audit({ actor: 'system', channel: 'system', action: `${proposal.kind}-proposal-${stage}`, detail: `${action.actionId}: ${reason}` });
    await this.board.closeOpen(reason, (s) => s.stepId.startsWith(`${action.actionId}-${proposal.kind}-`));
  }

  /** Steps still open, for the monitor's visibility. */
  open(): ReviewStep[] {
    return this.board.open();
  }

  /**
   * Silence is not consent: a silent reviewer's step goes to a senior of the issuer, as the same kind (so an approval
   * still cites its basis); a senior's silence leaves its step open, reminded and flagged.
   */
  private seniorStep(step: ReviewStep): StepPlan | undefined {
    if (step.party !== this.issuer.id || this.issuer.seniorReviewers.includes(step.reviewer)) return undefined;
    const plan = escalationPlan(step, this.issuer.seniorReviewers);
    return plan && { ...plan, kind: 'sanction-decision' };
  }

  private caseOf(action: CorrectiveAction, sanction: SanctionKind, grounds: string): SanctionCase {
    const { input } = this.host;
    return {
      sanction,
      componentId: input.componentId,
      licenceId: input.licence.licenceId,
      actionId: action.actionId,
      grounds,
      holder: input.project.coordinator,
      issuer: this.issuer,
    };
  }

  private async run(action: CorrectiveAction, proposal: SanctionProposal, c: SanctionCase): Promise<void> {
    // Monitors started before these durations existed carry none in their policy.
    const policy = { ...COMPLIANCE_DEFAULTS, ...this.host.input.policy };
    await this.board.openSteps([hearingPlan(c, policy.holderAnswerWithin)]);
    const [hearing] = await this.board.waitForDecisions([proposal.hearingStepId]);
    if (proposal.stage !== 'hearing') return;
    const heard = holderAnswer(hearing);
    this.host.audit({ actor: 'system', channel: 'system', stepId: hearing.stepId, action: 'holder-heard', detail: heard });
    const plan = decisionPlan(c, heard, policy.issuerDecisionWithin);
    Object.assign(proposal, { stage: 'decision', decisionStepId: plan.stepId });
    await this.board.openSteps([plan]);
    const [decision] = await this.board.waitForDecisions([plan.stepId]);
    if ((proposal.stage as SanctionProposal['stage']) !== 'decision') return;
    const approved = decision.outcome === 'approved';
    Object.assign(proposal, {
      stage: approved ? 'approved' : 'denied',
      decidedAt: decision.decidedAt,
      decidedBy: decision.decidedBy ?? decision.reviewer,
      basis: decision.legalBasis,
    });
    if (approved) return this.host.impose(action, proposal);
    this.host.audit({
      actor: 'system',
      channel: 'system',
      stepId: decision.stepId,
      action: `${proposal.kind}-refused`,
      detail: `${decision.partyName} (${proposal.decidedBy}) refused the ${proposal.kind} of ${c.licenceId}; basis: ${proposal.basis}`,
    });
    this.host.changed();
  }
}
