/**
 * One component's licence review, a child of the project workflow.
 * T0 is cleared at once; T1–T3 open the routed review steps, phase by phase.
 * Agencies that disagree open a dispute (child workflow); a denial leaves the
 * applicant an appeal window, and an appeal opens a dispute too. The final
 * word binds the licence. Every change is reported to the project workflow,
 * which holds the project's single view and audit trail.
 */
import { CancellationScope, executeChild, isCancellation, setHandler } from '@temporalio/workflow';
import { componentReviewPlan, escalationPlan, leadAgency } from '../domain/routing';
import { attributedCondition } from '../domain/step-kinds';
import {
  answerInfoUpdate,
  decideUpdate,
  disputeWorkflowId,
  searchAttributes,
  stepContextQuery,
  type CaseClock,
  type Licence,
  type LicenceInput,
  type Position,
  type Progress,
  type ReviewStep,
} from './definitions';
import { syncRemindersSignal } from './cycle-contract';
import { disputeWorkflow } from './dispute';
import { Reporter } from './reporter';
import { ReviewBoard } from './review-board';
import { Visibility } from './visibility';

export async function licenceWorkflow(input: LicenceInput): Promise<Licence> {
  const { project, component, classification, tier, policy } = input;
  const lead = leadAgency(policy, project);
  let licence: Licence = tier === 'T0' ? { status: 'cleared', conditions: [] } : { status: 'in-review', conditions: [] };
  const caseClock: CaseClock = { startedAt: new Date().toISOString(), limitMs: policy.sla.caseLimit, stoppedMs: 0 };
  let disputes = 0;

  const visibility = new Visibility(project.title);
  const reporter: Reporter = new Reporter(input.parentWorkflowId, component.id, (): Omit<Progress, 'source' | 'componentId' | 'audit'> => ({
    steps: board.list(),
    licence,
    caseClock,
  }));
  const board: ReviewBoard = new ReviewBoard({
    policy,
    coordinator: project.coordinator,
    audit: reporter.audit,
    mailContext: () => ({
      projectId: project.projectId,
      projectTitle: project.title,
      componentName: component.name,
      tier,
      tierReason: classification.rule.text,
    }),
    // Silence at T3 is never consent: the agency's senior decides in the silent reviewer's place.
    escalationFor: (step) => escalationPlan(step, policy.agencies.find((a) => a.id === step.party)?.seniorReviewers ?? []),
    waitingParties: [`${project.coordinator.name} (coordinator)`, `${project.funderId} (funder)`],
    onChange: () => {
      updateCaseClock();
      visibility.publish(licence.status === 'disputed' ? 'dispute' : 'licence-review', board.open());
      return reporter.report();
    },
  });

  /** The 90-day case clock stops while any step waits for the applicant's information. */
  function updateCaseClock() {
    const now = new Date();
    if (board.clockStopped() && !caseClock.stoppedSince) caseClock.stoppedSince = now.toISOString();
    if (!board.clockStopped() && caseClock.stoppedSince) {
      caseClock.stoppedMs += now.getTime() - Date.parse(caseClock.stoppedSince);
      delete caseClock.stoppedSince;
    }
  }

  setHandler(decideUpdate, (d) => board.decide(d), { validator: (d) => board.validate(d) });
  setHandler(answerInfoUpdate, (a) => board.answerInfo(a), { validator: (a) => board.validateInfoAnswer(a) });
  setHandler(syncRemindersSignal, ({ cycleId, closesAt }) => board.remindOnCalendar(closesAt, `funder review cycle ${cycleId} (closes ${closesAt})`));
  setHandler(stepContextQuery, (stepId) => {
    const step = board.steps.get(stepId);
    if (!step) return null;
    const coordinator = `${project.coordinator.name} <${project.coordinator.email}>`;
    const context = { ...component, tier, tierReason: classification.rule.text, reasons: classification.reasons };
    return { step, projectId: project.projectId, projectTitle: project.title, funderId: project.funderId, coordinator, component: context };
  });

  const finish = async (outcome: Licence) => {
    licence = outcome;
    await reporter.report();
    return outcome;
  };

  const dispute = async (reason: 'conflict' | 'appeal', positions: Position[]): Promise<Licence> => {
    disputes += 1;
    licence = { status: 'disputed', conditions: [] };
    const disputeId = disputeWorkflowId(project.projectId, component.id, disputes);
    reporter.audit({
      actor: 'system',
      action: 'dispute-opened',
      channel: 'system',
      detail: `${reason}: ${positions.map((p) => `${p.partyName} ${p.outcome}`).join('; ')}`,
    });
    await reporter.report();
    const ruling = await executeChild(disputeWorkflow, {
      workflowId: disputeId,
      args: [{ disputeId, project, component, tier, policy, reason, positions, projectWorkflowId: input.parentWorkflowId }],
      typedSearchAttributes: [
        { key: searchAttributes.projectId, value: project.projectId },
        { key: searchAttributes.funderId, value: project.funderId },
      ],
    });
    reporter.audit({ actor: 'system', action: 'ruling-binds', channel: 'system', detail: `final ruling of ${disputeId}: ${ruling}` });
    return ruling === 'approved' ? grant() : finish({ status: 'denied', conditions: [], basis: `final ruling of ${disputeId}` });
  };

  const grant = (): Promise<Licence> => {
    const regime = policy.regimes[lead.regime];
    const validFrom = new Date();
    const granted: Licence = {
      status: 'approved',
      licenceId: `LIC-${project.projectId}-${component.id}`,
      validFrom: validFrom.toISOString(),
      validUntil: new Date(validFrom.getTime() + regime.licenceValidity).toISOString(),
      conditions: [...policy.licenceConditions[tier], ...reviewersConditions()],
      reportingPeriodMs: regime.reportingPeriod,
    };
    reporter.audit({
      actor: 'system',
      action: 'licence-granted',
      channel: 'system',
      detail: `${granted.licenceId} valid until ${granted.validUntil}; conditions: ${granted.conditions.join('; ')}`,
    });
    return finish(granted);
  };

  /** Conditions the approving reviewers set, each with who set it. */
  function reviewersConditions(): string[] {
    return board
      .list()
      .filter((s) => s.outcome === 'approved' && s.conditions?.length)
      .flatMap((s) => s.conditions!.map((text) => attributedCondition(text, s)));
  }

  if (tier === 'T0') {
    reporter.audit({
      actor: 'system',
      action: 'cleared-deemed-to-comply',
      channel: 'system',
      detail: `T0 cleared without review: ${classification.rule.text}`,
    });
    return finish({ status: 'cleared', conditions: policy.licenceConditions.T0, basis: classification.rule.text });
  }

  try {
    for (const phase of componentReviewPlan(policy, project, component, classification, tier)) {
      await board.openSteps(phase);
      const decided = await board.waitForDecisions(phase.map((p) => p.stepId));
      const position = (s: ReviewStep): Position => ({
        party: s.party,
        partyName: s.partyName,
        reviewer: s.reviewer,
        outcome: s.outcome === 'denied' ? 'denied' : 'approved',
        legalBasis: s.legalBasis,
      });
      const denials = decided.filter((s) => s.outcome === 'denied');
      if (denials.length && denials.length < decided.length) return await dispute('conflict', decided.map(position));
      if (denials.length) return await applicantMayAppeal(denials.map(position));
    }
    return await grant();
  } catch (err) {
    if (!isCancellation(err)) throw err;
    // The project was withdrawn: close what is open and tell the reviewers, even though we are cancelled.
    await CancellationScope.nonCancellable(() => board.closeOpen('the project was withdrawn by its coordinator'));
    throw err;
  }

  /** A denial everyone agrees on: the applicant may appeal within the policy's window, in writing. */
  async function applicantMayAppeal(denials: Position[]): Promise<Licence> {
    const basis = denials.map((s) => `${s.partyName}: ${s.legalBasis}`).join('; ');
    licence = { status: 'denied', conditions: [], basis };
    reporter.audit({ actor: 'system', action: 'licence-denied', channel: 'system', detail: basis });
    const stepId = `${component.id}-appeal-${board.list().filter((s) => s.kind === 'appeal').length + 1}`;
    await board.openSteps([
      {
        stepId,
        kind: 'appeal',
        party: 'coordinator',
        partyName: project.coordinator.name,
        reviewer: project.coordinator.email,
        componentId: component.id,
        tier,
        slaMs: policy.sla.applicantAppealWindow,
        question: `The licence for "${component.name}" was denied (${basis}). Appeal, with your legal basis, or accept the denial?`,
      },
    ]);
    const [step] = await board.waitForDecisions([stepId]);
    if (step.outcome !== 'appealed') return finish(licence);
    const applicant: Position = {
      party: 'coordinator',
      partyName: project.coordinator.name,
      reviewer: project.coordinator.email,
      outcome: 'approved',
      legalBasis: step.legalBasis,
    };
    return dispute('appeal', [...denials, applicant]);
  }
}
