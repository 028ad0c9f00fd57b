/**
 * One component's licence review, a child of the project workflow. The
 * licensing agency of the exporter's country issues it, under its regime
 * (domain/regimes.ts): T0 is cleared at once; T1–T3 open the routed steps,
 * phase by phase. In a ladder regime (US) a disagreement between the issuer
 * and a consulted agency opens a dispute (child workflow); in the EU a
 * consulted state's objection binds. A denial starts with a notice of intent
 * where the regime has one, and the applicant may appeal it to the issuer's
 * appeal body. It records its own steps and audit entries, and tells the
 * project workflow its licence's state and who it waits on.
 */
import { CancellationScope, condition, executeChild, isCancellation, setHandler } from '@temporalio/workflow';
import { formatDuration } from '../domain/durations';
import { phaseVerdict, type PhaseAnswer, type PhaseVerdict } from '../domain/regimes';
import { authorisationOf, componentReviewPlan, escalationPlan, issuerOf, standingOf, type StepPlan } from '../domain/routing';
import { attributedCondition } from '../domain/step-kinds';
import { caseDueAt, disputeWorkflowId, searchAttributes, type CaseClock, type Licence, type LicenceInput, type Position, type ReviewStep } from './definitions';
import { syncRemindersSignal } from './cycle-contract';
import { reviewSupersededSignal } from './amendment-contract';
import { disputeWorkflow } from './dispute';
import { mail } from './effects';
import { isPatched } from './patches';
import type { MailContext } from './mail-intents';
import { awaitAcknowledgements, recipientsToAcknowledge, signedDocumentRequired } from './licence-acknowledgement';
import { RecordOwner } from './record-writer';
import { ParentReport } from './reporter';
import { awaitingOf, ReviewBoard } from './review-board';
import { Visibility } from './visibility';

export async function licenceWorkflow(input: LicenceInput): Promise<Licence> {
  const owner = new RecordOwner({ projectId: input.project.projectId, run: input.projectRun }, { componentId: input.component.id });
  return owner.run(() => reviewLicence(input, owner));
}

async function reviewLicence(input: LicenceInput, owner: RecordOwner): Promise<Licence> {
  const { project, component, classification, tier, policy } = input;
  const { issuer, regime } = issuerOf(policy, project, component);
  const issuedBy: Licence['issuer'] = { agencyId: issuer.id, name: issuer.name, regime: issuer.regime };
  // What the law requires (a policy snapshot older than these rules says nothing: undefined, and its workflows run as they began).
  const authorisation = tier === 'T0' ? undefined : authorisationOf(policy, project, component, classification);
  const notRequired = authorisation && !authorisation.required;
  let licence: Licence =
    tier === 'T0' || notRequired
      ? { status: notRequired ? 'not-required' : 'cleared', conditions: [] }
      : { status: 'in-review', conditions: [], issuer: issuedBy };
  const caseClock: CaseClock = { startedAt: new Date().toISOString(), limitMs: regime.caseLimit ?? policy.sla.caseLimit, stoppedMs: 0 };
  let disputes = 0;
  /** The step whose request for information went unanswered past the policy's limit: the case is returned. */
  let unanswered: ReviewStep | undefined;
  const countryOf = (party: string) => policy.agencies.find((a) => a.id === party)?.country;
  const mailContext: MailContext = {
    projectId: project.projectId,
    projectTitle: project.title,
    componentName: component.name,
    tier,
    tierReason: classification.rule.text,
  };
  const audit = (action: string, detail: string, stepId?: string) => owner.audit({ actor: 'system', action, channel: 'system', stepId, detail });

  const visibility = new Visibility();
  const reporter = new ParentReport(input.parentWorkflowId, component.id, () => ({ licence, caseClock, awaiting: awaitingOf(board.open()) }));
  const board: ReviewBoard = new ReviewBoard({
    policy,
    coordinator: project.coordinator,
    audit: owner.audit,
    mailContext: () => mailContext,
    // The issuer's own steps are never decided by silence: its senior decides in the silent reviewer's place, then the step stays open.
    escalationFor: (step) => (step.party === issuer.id ? escalationPlan(step, issuer.seniorReviewers) : undefined),
    countryOf: (step) => countryOf(step.party) ?? issuer.country,
    onUnanswered: async (step) => {
      unanswered = step;
      await board.closeOpen(`the case was returned: the request for information "${step.infoRequest?.question}" went unanswered`);
    },
    waitingParties: [`${project.coordinator.name} (coordinator)`, `${project.funderId} (funder)`],
    signedDocumentRequired: (step) => signedDocumentRequired(project, step),
    onChange: () => {
      updateCaseClock();
      publishVisibility();
      owner.recorder.changed();
      void reporter.send();
    },
  });
  const publishVisibility = () => visibility.publish(licence.status === 'disputed' ? 'dispute' : 'licence-review', board.open(), licence.outOfTimeSince);

  /** The 90-day case clock stops while any step waits for the applicant's information. */
  function updateCaseClock() {
    const now = new Date();
    if (board.clockStopped() && !caseClock.stoppedSince) caseClock.stoppedSince = now.toISOString();
    if (!board.clockStopped() && caseClock.stoppedSince) {
      caseClock.stoppedMs += now.getTime() - Date.parse(caseClock.stoppedSince);
      delete caseClock.stoppedSince;
    }
  }

  /** A disagreement in a ladder regime: the regime's ladder rules, and its final ruling binds. */
  const dispute = async (positions: Position[]): Promise<Licence> => {
    disputes += 1;
    licence = { status: 'disputed', conditions: [], issuer: issuedBy };
    const disputeId = disputeWorkflowId(project.projectId, component.id, disputes);
    audit('dispute-opened', `conflict: ${positions.map((p) => `${p.partyName} ${p.outcome}`).join('; ')}`);
    await reporter.send();
    const ruling = await executeChild(disputeWorkflow, {
      workflowId: disputeId,
      args: [
        {
          ...{ disputeId, project, component, tier, policy, ladder: regime.ladder!, reason: 'conflict' as const, positions },
          ...{ projectWorkflowId: input.parentWorkflowId, projectRun: input.projectRun },
        },
      ],
      typedSearchAttributes: [
        { key: searchAttributes.projectId, value: project.projectId },
        { key: searchAttributes.funderId, value: project.funderId },
      ],
    });
    audit('ruling-binds', `final ruling of ${disputeId}: ${ruling}`);
    licence = { status: 'in-review', conditions: [], issuer: issuedBy };
    if (ruling === 'approved') return grant();
    // EO 12981 §5: the ladder's final ruling binds Commerce; no reconsideration or appeal body reverses it.
    if (isPatched('objections-stand')) return finalDenial(`final ruling of ${disputeId}`);
    return deny(`final ruling of ${disputeId}`, []);
  };

  const grant = async (): Promise<Licence> => {
    const regimeTerms = policy.regimes[issuer.regime];
    const validFrom = new Date();
    const granted: Licence = {
      status: 'approved',
      licenceId: `LIC-${project.projectId}-${component.id}`,
      issuer: issuedBy,
      validFrom: validFrom.toISOString(),
      validUntil: new Date(validFrom.getTime() + regimeTerms.licenceValidity).toISOString(),
      conditions: [...policy.licenceConditions[tier], ...reviewersConditions()],
      reportingPeriodMs: regimeTerms.reportingPeriod,
      ...(authorisation && { basis: authorisation.basis }),
    };
    audit(
      'licence-granted',
      `${granted.licenceId} issued by ${issuer.name} (${issuer.regime}), valid until ${granted.validUntil}; conditions: ${granted.conditions.join('; ')}`,
    );
    const provisos = reviewersConditions();
    // Policies before 0.4.0 name no tier whose conditions each recipient acknowledges: their workflows keep the old path.
    const recipients = recipientsToAcknowledge(project, component, tier, policy.acknowledgedByEachRecipient);
    if (provisos.length || recipients.length) return awaitAcknowledgement(granted, provisos, recipients);
    return finish(granted);
  };

  /** The acknowledgements the licence's conditions require (workflows/licence-acknowledgement.ts); in use once all are in. */
  async function awaitAcknowledgement(granted: Licence, provisos: string[], recipients: LicenceInput['project']['partners']): Promise<Licence> {
    const acknowledgementCase = {
      ...{ project, component, tier, board, audit, issuerName: issuer.name, acknowledgeWithinMs: policy.sla.acknowledgeWithin },
      show: (shown: Licence) => void (licence = shown),
    };
    const { licence: outcome } = await awaitAcknowledgements(acknowledgementCase, granted, provisos, recipients);
    return finish(outcome);
  }

  /** Conditions the approving reviewers set, each with who set it. */
  function reviewersConditions(): string[] {
    return board
      .list()
      .filter((s) => s.outcome === 'approved' && s.conditions?.length)
      .flatMap((s) => s.conditions!.map((text) => attributedCondition(text, s)));
  }

  const finish = async (outcome: Licence) => {
    licence = outcome;
    publishVisibility();
    owner.recorder.changed();
    await reporter.send();
    return outcome;
  };

  owner.serve(board);
  let superseded: string | undefined; // why an amendment replaced this review, told just before it is cancelled (workflows/review-runs.ts)
  setHandler(reviewSupersededSignal, (reason) => void (superseded = reason));
  owner.holdLicence(() => ({ licence, caseClock }));
  setHandler(syncRemindersSignal, ({ cycleId, closesAt }) => board.remindOnCalendar(closesAt, `funder review cycle ${cycleId} (closes ${closesAt})`));

  if (tier === 'T0') {
    const basis = input.tierReason ?? classification.rule.text;
    audit('cleared-deemed-to-comply', `T0 cleared without review: ${basis}`);
    return finish({ status: 'cleared', conditions: policy.licenceConditions.T0, basis });
  }
  if (notRequired) {
    audit('not-required', `no authorisation required, nobody consulted: ${authorisation.basis}`);
    return finish({ status: 'not-required', conditions: [], basis: authorisation.basis });
  }

  watchCaseLimit().catch((err) => {
    if (!isCancellation(err)) throw err;
  });
  try {
    for (const phase of componentReviewPlan(policy, project, component, classification, tier)) {
      await board.openSteps(phase);
      const decided = await board.waitForDecisions(phase.map((p) => p.stepId));
      if (unanswered) return await returned(unanswered);
      const verdict = phaseVerdict(regime, decided.map(answerOf));
      for (const advice of verdict.advice) {
        audit('advice-noted', `${advice.partyName} (${advice.country}) advises against: ${advice.legalBasis ?? ''}; advice to ${issuer.name}, which decides`);
      }
      if (verdict.verdict === 'dispute') return await dispute(verdict.positions);
      if (verdict.verdict === 'deny') {
        if (verdict.by.some((a) => a.standing === 'consulted') && regime.consultation.objection === 'binding') {
          audit('objection-binds', `${verdict.basis}: ${issuer.name} must deny`);
        }
        return await deny(verdict.basis, verdict.by);
      }
    }
    return await grant();
  } catch (err) {
    if (!isCancellation(err)) throw err;
    // The project was withdrawn, or an amendment replaced this review: close what is open and tell the reviewers, even though we are cancelled.
    await CancellationScope.nonCancellable(() => board.closeOpen(superseded ?? 'the project was withdrawn by its coordinator'));
    throw err;
  }

  function answerOf(step: ReviewStep): PhaseAnswer {
    const party = step.escalatedTo ? board.effective(step.stepId) : step;
    return {
      party: party.party,
      partyName: party.partyName,
      reviewer: party.reviewer,
      country: countryOf(party.party) ?? '',
      standing: step.standing ?? standingOf(policy, issuer, party.party),
      outcome: party.outcome ?? 'open',
      legalBasis: party.legalBasis,
    };
  }

  /** Opens one step and waits for it (or for the case to be returned meanwhile). */
  async function ask(plan: StepPlan): Promise<ReviewStep> {
    await board.openSteps([plan]);
    const [step] = await board.waitForDecisions([plan.stepId]);
    return step;
  }

  /**
   * A denial: where the regime gives notice of intent (US), the applicant may respond, which reopens the issuer's
   * step and those of every party whose denial stands (`by`); the denial is final once the notice period ends.
   * Then the applicant may appeal to the issuer's appeal body.
   */
  async function deny(basis: string, by: PhaseAnswer[]): Promise<Licence> {
    const objectors = isPatched('objections-stand') ? by.filter((a) => a.standing === 'consulted') : [];
    if (regime.intentToDeny) {
      const reconsidered = await intentToDeny(basis, regime.intentToDeny, objectors);
      if (unanswered) return returned(unanswered);
      if (reconsidered.verdict === 'proceed') return grant();
      if (reconsidered.verdict === 'dispute') return dispute(reconsidered.positions);
      return finalDenial(
        reconsidered.basis || basis,
        reconsidered.by.filter((a) => a.standing === 'consulted'),
      );
    }
    return finalDenial(basis, objectors);
  }

  /** The denial stands: recorded, and open to the applicant's appeal unless a final ruling made it (`objectors` undefined). */
  async function finalDenial(basis: string, objectors?: PhaseAnswer[]): Promise<Licence> {
    licence = { status: 'denied', conditions: [], basis, issuer: issuedBy };
    audit('licence-denied', `${issuer.name}: ${basis}`);
    return objectors ? applicantMayAppeal(basis, objectors) : finish(licence);
  }

  /**
   * The notice of intent to deny. Answered, the issuer and each objector review again, until the notice period
   * ends; what they then say has the regime's effect, as in the review (an objector silent again still objects).
   * Before release 0.4.0 only the issuer's step reopened, and its approval issued the licence.
   */
  async function intentToDeny(basis: string, terms: { respondWithin: number; finalAfter: number }, objectors: PhaseAnswer[]): Promise<PhaseVerdict> {
    const noticeAt = Date.now();
    const finalAt = noticeAt + terms.finalAfter;
    const [respondBy, finalOn] = [new Date(noticeAt + terms.respondWithin).toISOString(), new Date(finalAt).toISOString()];
    const n = board.list().filter((s) => s.kind === 'intent-to-deny').length + 1;
    audit('intent-to-deny', `${issuer.name} intends to deny (${basis}); the applicant may respond until ${respondBy}; final on ${finalOn}`);
    const notice = await ask({
      stepId: `${component.id}-intent-${n}`,
      kind: 'intent-to-deny',
      party: 'coordinator',
      partyName: project.coordinator.name,
      reviewer: project.coordinator.email,
      componentId: component.id,
      tier,
      slaMs: terms.respondWithin,
      question:
        `${issuer.name} intends to deny the licence for "${component.name}": ${basis}. ` +
        `Respond with your grounds, or accept; unanswered, the denial is final on ${finalOn.slice(0, 10)}.`,
    });
    const denied: PhaseVerdict = { verdict: 'deny', basis, by: objectors, advice: [] };
    if (notice.outcome === 'responded') {
      audit('issuer-step-reopened', `the applicant responded: ${notice.legalBasis}`, notice.stepId);
      const slaMs = Math.max(finalAt - Date.now(), 1000);
      const again = (party: { id: string; name: string; reviewer: string }, question: string): StepPlan => ({
        stepId: `${component.id}-${party.id}-reconsider-${n}`,
        kind: party.id === issuer.id ? 'issuer-review' : 'reconsideration',
        party: party.id,
        partyName: party.name,
        reviewer: party.reviewer,
        componentId: component.id,
        tier,
        slaMs,
        question,
      });
      const plans = [
        again(
          { id: issuer.id, name: issuer.name, reviewer: issuer.reviewers[0] },
          `The applicant responded to your intent to deny "${component.name}": ${notice.legalBasis}. Issue the licence after all?`,
        ),
        ...objectors.map((o) =>
          again(
            { id: o.party, name: o.partyName, reviewer: o.reviewer },
            `The applicant responded to ${issuer.name}'s intent to deny "${component.name}", which your denial (${o.legalBasis ?? 'no basis given'}) ` +
              `supports: ${notice.legalBasis}. Does your denial stand?`,
          ),
        ),
      ];
      if (objectors.length) audit('objectors-reconsider', `${objectors.map((o) => o.partyName).join(', ')} review their denials again`, notice.stepId);
      await board.openSteps(plans);
      // The notice period ends the reconsideration: whoever has not decided by then keeps the position they took.
      const settled = () => plans.every((p) => board.effective(p.stepId).status !== 'open');
      await condition(settled, Math.max(finalAt - Date.now(), 1));
      if (!settled()) await board.closeOpen(`the notice of intent ended on ${finalOn}: the positions taken stand`);
      const [issuerAgain, ...objectorsAgain] = plans.map((p) => board.effective(p.stepId));
      if (!isPatched('objections-stand')) return issuerAgain.outcome === 'approved' ? { verdict: 'proceed', advice: [] } : denied;
      const answers: PhaseAnswer[] = [
        { ...answerOf(issuerAgain), outcome: issuerAgain.outcome === 'approved' ? 'approved' : 'denied' },
        ...objectorsAgain.map((step, i) =>
          step.outcome === 'approved' ? { ...answerOf(step), standing: objectors[i].standing } : { ...objectors[i], outcome: 'denied' },
        ),
      ];
      const verdict = phaseVerdict(regime, answers);
      audit(
        'reconsidered',
        verdict.verdict === 'proceed'
          ? 'no denial stands'
          : `${verdict.verdict}: ${answers
              .filter((a) => a.outcome === 'denied')
              .map((a) => a.partyName)
              .join(', ')} deny`,
      );
      return verdict;
    }
    if (notice.outcome !== 'accepted') await condition(() => false, Math.max(finalAt - Date.now(), 1));
    audit('denial-final', notice.outcome === 'accepted' ? 'the applicant accepted the intended denial' : `no response: the denial is final on ${finalOn}`);
    return denied;
  }

  /**
   * A final denial: the applicant may appeal, in writing, to the issuer's appeal body. The body speaks for the
   * issuer: its grant stands against no objection that still stands (`objectors`): in a ladder regime that
   * disagreement goes to the ladder, and a binding objection still binds.
   */
  async function applicantMayAppeal(basis: string, objectors: PhaseAnswer[]): Promise<Licence> {
    const body = issuer.appealBody!;
    const n = board.list().filter((s) => s.kind === 'appeal').length + 1;
    const window = await ask({
      stepId: `${component.id}-appeal-${n}`,
      kind: 'appeal',
      party: 'coordinator',
      partyName: project.coordinator.name,
      reviewer: project.coordinator.email,
      componentId: component.id,
      tier,
      slaMs: body.appealWithin,
      question:
        `${issuer.name} denied the licence for "${component.name}" (${basis}). ` + `Appeal to the ${body.name}, with your legal basis, or accept the denial?`,
    });
    if (window.outcome !== 'appealed') return finish(licence);
    audit('appealed', `to ${body.name}; legal basis: ${window.legalBasis}`, window.stepId);
    const ruling = await ask({
      stepId: `${component.id}-appeal-${n}-ruling`,
      kind: 'ruling',
      party: body.id,
      partyName: body.name,
      reviewer: body.chair,
      componentId: component.id,
      tier,
      slaMs: body.decideWithin,
      question:
        `As the ${body.name}, decide the appeal against ${issuer.name}'s denial of "${component.name}" (${basis}). ` +
        `The appellant's grounds: ${window.legalBasis}. Grant the licence?`,
    });
    if (ruling.outcome === 'approved' && objectors.length) {
      const verdict = phaseVerdict(regime, [{ ...answerOf(ruling), standing: 'issuer', outcome: 'approved' }, ...objectors]);
      const standing = objectors.map((o) => o.partyName).join(', ');
      if (verdict.verdict === 'dispute') {
        audit('appeal-decided', `${body.name}: appeal upheld; the denials of ${standing} stand, so the disagreement goes to the ladder`, ruling.stepId);
        return dispute(verdict.positions);
      }
      if (verdict.verdict === 'deny') {
        audit('appeal-decided', `${body.name}: appeal upheld, but the objection of ${standing} binds: the denial stands`, ruling.stepId);
        return finish({ ...licence, basis: `${basis}; the objection binds despite the appeal upheld by the ${body.name}` });
      }
    }
    audit(
      'appeal-decided',
      `${body.name}: ${ruling.outcome === 'approved' ? 'appeal upheld, the licence is granted' : `denial upheld (${ruling.legalBasis})`}`,
      ruling.stepId,
    );
    return ruling.outcome === 'approved' ? grant() : finish({ ...licence, basis: `${basis}; upheld on appeal by the ${body.name}: ${ruling.legalBasis}` });
  }

  /** Returned without a decision (EAR §750.4(a)(2); UK NTE 2024/01): the coordinator may submit the component again. */
  async function returned(step: ReviewStep): Promise<Licence> {
    const basis = `${step.partyName}'s request for information went unanswered`;
    audit('licence-returned', `${basis}; the coordinator may submit the component again`, step.stepId);
    const outcome = await finish({ status: 'returned', conditions: [], basis, issuer: issuedBy });
    const receipt = await mail.sendNotice({
      to: project.coordinator.email,
      key: `${input.parentWorkflowId}.${component.id}.${caseClock.startedAt}.returned`,
      intent: {
        kind: 'licence-returned',
        context: mailContext,
        componentId: component.id,
        coordinatorName: project.coordinator.name,
        issuerName: issuer.name,
        basis,
      },
    });
    audit('email-sent', `return notice to ${receipt.to}: "${receipt.subject}"`);
    return outcome;
  }

  /** Past the regime's legal limit (waiting time excluded), an undecided case is flagged out of time, once. */
  async function watchCaseLimit(): Promise<void> {
    const undecided = () => licence.status === 'in-review' || licence.status === 'disputed';
    while (undecided()) {
      if (caseClock.stoppedSince) {
        await condition(() => !caseClock.stoppedSince || !undecided());
        continue;
      }
      const due = Date.parse(caseDueAt(caseClock, Date.now()));
      if (await condition(() => !!caseClock.stoppedSince || !undecided(), Math.max(due - Date.now(), 1))) continue;
      licence.outOfTimeSince = new Date().toISOString();
      audit('out-of-time', `undecided past the legal limit of ${formatDuration(caseClock.limitMs)} (due ${new Date(due).toISOString()})`);
      publishVisibility();
      await reporter.send();
      const senior = issuer.seniorReviewers[0] ?? issuer.reviewers[0];
      const stillOpen = board.open().map((s) => `${s.partyName} (${s.reviewer})`);
      for (const to of [project.coordinator.email, senior]) {
        const receipt = await mail.sendNotice({
          to,
          key: `${input.parentWorkflowId}.${component.id}.${caseClock.startedAt}.out-of-time.${to}`,
          intent: { kind: 'out-of-time', context: mailContext, issuerName: issuer.name, limitPassedAt: new Date(due).toISOString(), stillOpen },
        });
        audit('email-sent', `out-of-time notice to ${receipt.to}: "${receipt.subject}"`);
      }
      return;
    }
  }
}
