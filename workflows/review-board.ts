/**
 * The review steps a workflow owns, and their clocks: each step is mailed,
 * reminded at the policy's cadence, and at its deadline its kind's silence
 * rule applies (domain/step-kinds.ts: no objection, escalation, a lapsed
 * window, or open and flagged). Decisions arrive through the `decide`
 * Update; a request for information stops the step's clock until the
 * coordinator answers, and one left unanswered is reminded, then returned.
 * Used by the project, licence and dispute workflows: each records the steps
 * it owns, and answers each Update once its changes are recorded.
 */
import { ApplicationFailure, condition, isCancellation, setHandler, workflowInfo } from '@temporalio/workflow';
import { formatDuration } from '../domain/durations';
import type { Deadline, Policy } from '../domain/policy';
import { reviewerPool } from '../domain/routing';
import type { StepPlan } from '../domain/routing';
import { basisRequiredMessage, STEP_KINDS } from '../domain/step-kinds';
import {
  answerInfoUpdate,
  assignUpdate,
  decideUpdate,
  DecisionRejection,
  decisionOutcome,
  decisionsFor,
  type AssignInput,
  type AssignResult,
  type AuditEntry,
  type DecisionInput,
  type DecisionResult,
  type InfoAnswer,
  type ReviewStep,
  type StepOutcome,
} from './definitions';
import { calendar, mail } from './effects';
import type { MailContext } from './mail-intents';
import type { RecordWriter } from './record-writer';

export type AuditInput = Omit<AuditEntry, 'at'>;

/** What silence at the deadline does to a step: replace it with a senior's step, resolve it as escalated for the owner, or leave it open. */
export type Escalation = StepPlan | 'resolve' | undefined;

export interface BoardOptions {
  /** `agencies` and `funders` give each step its pool of reviewers (domain/routing.ts reviewerPool). */
  policy: Pick<Policy, 'links' | 'reminders'> & { sla: Pick<Policy['sla'], 'infoRequestWithin' | 'returnUnansweredAfter'> } & Partial<
      Pick<Policy, 'agencies' | 'funders'>
    >;
  coordinator: { name: string; email: string };
  audit: (entry: AuditInput) => void;
  mailContext: (step: ReviewStep) => MailContext;
  /** Who a silent step escalates to (when its kind's silence rule is to escalate). Default: it stays open. */
  escalationFor?: (step: ReviewStep) => Escalation;
  /** The deciding party's country, whose public holidays a working-day limit on an information request skips. */
  countryOf?: (step: Pick<ReviewStep, 'party'>) => string | undefined;
  /** A request for information left unanswered past `sla.returnUnansweredAfter`: the owner returns the case. Without it the coordinator is reminded on. */
  onUnanswered?: (step: ReviewStep) => Promise<void>;
  /** Parties waiting on these decisions, named in reminders. */
  waitingParties: string[];
  /** Called after every change to a step: the owner records it and publishes what it shows. */
  onChange?: () => void;
  /** Whether deciding the step takes a signed document (an acknowledgement given on someone's behalf). Default: never. */
  signedDocumentRequired?: (step: ReviewStep) => boolean;
}

/**
 * The Updates on a board's steps, each validated before anything reaches history and answered once its changes are
 * recorded: a reviewer's `200` means the record shows the decision. Mail the handler starts goes out after.
 */
export function serveDecisions(board: ReviewBoard, recorder: RecordWriter): void {
  setHandler(decideUpdate, (d) => recorder.answer(board.decide(d)), { validator: (d) => board.validate(d) });
  setHandler(assignUpdate, (a) => recorder.answer(board.assign(a)), { validator: (a) => board.validateAssign(a) });
  setHandler(answerInfoUpdate, (a) => recorder.answer(board.answerInfo(a)), { validator: (a) => board.validateInfoAnswer(a) });
}

/** Who open steps wait on, by name: what a review tells its project (a cycle names them). */
export function awaitingOf(open: ReviewStep[]): string[] {
  return [...new Set(open.map((s) => s.partyName))];
}

export class ReviewBoard {
  readonly steps = new Map<string, ReviewStep>();

  constructor(private readonly opts: BoardOptions) {}

  list(): ReviewStep[] {
    return [...this.steps.values()];
  }

  open(): ReviewStep[] {
    return this.list().filter((s) => s.status === 'open');
  }

  /** True while some open step waits for the coordinator's information. */
  clockStopped(): boolean {
    return this.open().some((s) => s.infoRequest);
  }

  /** Opens the steps, mails each reviewer their link and starts each step's clock; resolves once every e-mail is sent. */
  async openSteps(plans: StepPlan[]): Promise<void> {
    const now = Date.now();
    const dues = await Promise.all(
      plans.map((plan) =>
        plan.workingDays ? this.dueAfter(now, { workingDays: plan.workingDays.days }, plan.workingDays.country) : Promise.resolve(now + plan.slaMs),
      ),
    );
    const opened = plans.map((plan, i): ReviewStep => {
      if (this.steps.has(plan.stepId)) throw new Error(`step ${plan.stepId} opened twice`);
      const step: ReviewStep = {
        ...plan,
        workflowId: workflowInfo().workflowId,
        runId: workflowInfo().firstExecutionRunId,
        slaMs: dues[i] - now,
        openedAt: new Date(now).toISOString(),
        dueAt: new Date(dues[i]).toISOString(),
        infoRequestUntil: STEP_KINDS[plan.kind].decisions.includes('request-info')
          ? new Date(now + this.opts.policy.sla.infoRequestWithin).toISOString()
          : undefined,
        status: 'open',
        remindersSent: 0,
        stoppedMs: 0,
      };
      this.steps.set(step.stepId, step);
      this.record(step, 'step-opened', `${step.kind} owed by ${step.partyName} (${step.reviewer}), due ${step.dueAt}`);
      return step;
    });
    this.opts.onChange?.();
    await Promise.all(
      opened.map(async (step) => {
        const receipt = await mail.sendReviewRequest({ step, context: this.opts.mailContext(step), linkValidForMs: this.opts.policy.links.validFor });
        this.record(step, 'email-sent', `review request to ${receipt.to}: "${receipt.subject}" ${receipt.messageId}`, 'email');
      }),
    );
    for (const step of opened) this.track(this.watch(step));
    this.opts.onChange?.();
  }

  /**
   * When a deadline falls: a duration from `from`, or working days on the country's calendar
   * (a local activity; a party with no country, such as a funder, skips weekends only).
   */
  private async dueAfter(from: number, deadline: Deadline, country: string | undefined): Promise<number> {
    if (typeof deadline === 'number') return from + deadline;
    return Date.parse(await calendar.dueAfterWorkingDays({ from: new Date(from).toISOString(), days: deadline.workingDays, country }));
  }

  /** The Update validator: rejects before anything is written to history. */
  validate(input: DecisionInput): void {
    const step = this.steps.get(input.stepId);
    if (!step) throw ApplicationFailure.nonRetryable(`no step ${input.stepId} here`, DecisionRejection.UnknownStep);
    if (input.run && step.runId && input.run !== step.runId) {
      throw ApplicationFailure.nonRetryable(`the link was issued for an earlier submission with this id`, DecisionRejection.StaleLink);
    }
    if (step.reviewer !== input.reviewer) {
      throw ApplicationFailure.nonRetryable(`step ${step.stepId} is owed by another reviewer`, DecisionRejection.NotYourStep);
    }
    if (step.status === 'decided') {
      throw ApplicationFailure.nonRetryable(
        `step ${step.stepId} was already decided: ${step.outcome} at ${step.decidedAt}`,
        DecisionRejection.AlreadyDecided,
        step.outcome,
        step.decidedAt,
      );
    }
    if (step.status === 'closed') {
      throw ApplicationFailure.nonRetryable(`step ${step.stepId} is closed: ${step.closedReason}`, DecisionRejection.StepClosed, step.closedReason);
    }
    const offered = decisionsFor(step.kind);
    if (!offered.includes(input.decision)) {
      throw ApplicationFailure.nonRetryable(
        `"${input.decision}" is not a decision for this step; choose ${offered.join(' or ')}`,
        DecisionRejection.DecisionNotOffered,
      );
    }
    if (input.decision === 'request-info') {
      if (step.infoRequest) {
        throw ApplicationFailure.nonRetryable(
          `step ${step.stepId} already waits for the coordinator's answer to "${step.infoRequest.question}" ` +
            `(asked ${step.infoRequest.askedAt}); one request at a time`,
          DecisionRejection.InfoAlreadyRequested,
        );
      }
      if (step.infoRequestUntil && Date.now() > Date.parse(step.infoRequestUntil)) {
        throw ApplicationFailure.nonRetryable(
          `information could be requested until ${step.infoRequestUntil}; decide on what the file holds`,
          DecisionRejection.InfoRequestTooLate,
        );
      }
    }
    const rule = STEP_KINDS[step.kind];
    if (rule.basisRequired.includes(input.decision) && !input.legalBasis?.trim()) {
      throw ApplicationFailure.nonRetryable(basisRequiredMessage(input.decision, step.kind), DecisionRejection.LegalBasisRequired);
    }
    if (input.signedDocument && input.decision !== 'acknowledge') {
      throw ApplicationFailure.nonRetryable('a signed document goes with an acknowledgement only', DecisionRejection.SignedDocumentNotOffered);
    }
    if (!input.signedDocument && input.decision === 'acknowledge' && this.opts.signedDocumentRequired?.(step)) {
      throw ApplicationFailure.nonRetryable(
        `${step.reviewer} acknowledges on behalf of ${step.partyName}, which the project names no contact at: attach its signed acknowledgement`,
        DecisionRejection.SignedDocumentRequired,
      );
    }
    if (input.conditions?.length) {
      if (input.decision !== 'approve') throw ApplicationFailure.nonRetryable('conditions go with an approval', DecisionRejection.ConditionsNotOffered);
      if (!rule.conditions || !step.componentId) {
        throw ApplicationFailure.nonRetryable(
          `a ${rule.label.toLowerCase()} sets no licence conditions; approve without them, or explain in the comment`,
          DecisionRejection.ConditionsNotOffered,
        );
      }
    }
  }

  /** The Update handler. `request-info` keeps the step open with its clock stopped until the coordinator answers. */
  async decide(input: DecisionInput): Promise<DecisionResult> {
    const step = this.steps.get(input.stepId)!;
    const now = new Date();
    const decidedAt = now.toISOString();
    if (input.decision === 'request-info') {
      const question = input.comment ?? '';
      // Only an owner that can return the case gives the request a limit (a grant step is reminded on).
      const returnAt = this.opts.onUnanswered
        ? new Date(await this.dueAfter(now.getTime(), this.opts.policy.sla.returnUnansweredAfter, this.opts.countryOf?.(step))).toISOString()
        : undefined;
      step.infoRequest = { question, askedAt: decidedAt, remainingMs: Math.max(0, Date.parse(step.dueAt) - now.getTime()), returnAt };
      this.record(step, 'info-requested', `${step.partyName} asks: ${question}`, 'email-link', input.reviewer);
      this.record(step, 'clock-stopped', `${formatDuration(step.infoRequest.remainingMs)} left; waiting for the coordinator's information`);
      this.opts.onChange?.();
      this.track(this.mailInfoRequest(step, question));
      return { recorded: true, stepId: step.stepId, decision: input.decision, outcome: 'info-requested', decidedAt };
    }
    const outcome = decisionOutcome[input.decision];
    const conditions = input.conditions?.length ? input.conditions : undefined;
    const decidedBy = input.actor ?? input.reviewer;
    const { signedDocument } = input;
    this.resolve(step, outcome, input.channel ?? 'email-link', {
      ...{ comment: input.comment, legalBasis: input.legalBasis, conditions, decidedBy },
      ...(signedDocument && { signedDocument: { documentId: signedDocument.documentId, sha256: signedDocument.sha256 } }),
    });
    this.record(
      step,
      'decision-recorded',
      [
        `${outcome} by ${step.partyName}`,
        conditions && `conditions: ${conditions.join('; ')}`,
        input.legalBasis && `legal basis: ${input.legalBasis}`,
        signedDocument && `signed document ${signedDocument.documentId} (sha256 ${signedDocument.sha256})`,
        input.comment && `comment: ${input.comment}`,
      ]
        .filter(Boolean)
        .join('; '),
      input.channel ?? 'email-link',
      decidedBy,
    );
    this.opts.onChange?.();
    return { recorded: true, stepId: step.stepId, decision: input.decision, outcome, decidedAt };
  }

  /** Who may hold the step: the list of its party's reviewers (or senior reviewers) that holds its reviewer. */
  private pool(step: ReviewStep): string[] {
    return reviewerPool(this.opts.policy, step.party, step.reviewer);
  }

  validateAssign(input: AssignInput): void {
    const step = this.steps.get(input.stepId);
    if (!step) throw ApplicationFailure.nonRetryable(`no step ${input.stepId} here`, DecisionRejection.UnknownStep);
    if (step.status === 'decided') {
      throw ApplicationFailure.nonRetryable(`step ${step.stepId} was already decided: ${step.outcome} at ${step.decidedAt}`, DecisionRejection.AlreadyDecided);
    }
    if (step.status === 'closed') throw ApplicationFailure.nonRetryable(`step ${step.stepId} is closed: ${step.closedReason}`, DecisionRejection.StepClosed);
    if (input.reviewer === step.reviewer)
      throw ApplicationFailure.nonRetryable(`${input.reviewer} already holds step ${step.stepId}`, DecisionRejection.NotInPool);
    const pool = this.pool(step);
    if (!pool.includes(input.reviewer)) {
      const others = pool.filter((r) => r !== step.reviewer).join(' or ') || 'no one: the pool has one reviewer';
      throw ApplicationFailure.nonRetryable(
        `${input.reviewer} is not a reviewer of ${step.partyName} for this step; choose ${others}`,
        DecisionRejection.NotInPool,
      );
    }
  }

  /**
   * The step passes to another reviewer of the pool, who is mailed a fresh link (after the answer); the link of the
   * one before no longer decides it.
   */
  assign(input: AssignInput): AssignResult {
    const step = this.steps.get(input.stepId)!;
    const previous = step.reviewer;
    step.reviewer = input.reviewer;
    step.assignments = (step.assignments ?? 0) + 1;
    this.record(step, 'step-assigned', `passed from ${previous} to ${input.reviewer}`, 'api', input.assignedBy);
    this.opts.onChange?.();
    const context = this.opts.mailContext(step);
    const sent = { ...step };
    this.track(
      (async () => {
        const issuedAt = new Date().toISOString();
        const receipt = await mail.sendReviewRequest({ step: sent, context, linkValidForMs: this.opts.policy.links.validFor, issuedAt });
        this.record(step, 'email-sent', `review request to ${receipt.to}: "${receipt.subject}" ${receipt.messageId}`, 'email');
        await mail.sendNotice({
          to: previous,
          key: `${step.workflowId}.${step.stepId}.reassigned.${sent.assignments}`,
          intent: { kind: 'step-reassigned', context, step: sent, previous, by: input.assignedBy },
        });
      })(),
    );
    return { stepId: step.stepId, reviewer: step.reviewer, previous };
  }

  validateInfoAnswer(input: InfoAnswer): void {
    const step = this.steps.get(input.stepId);
    if (!step) throw ApplicationFailure.nonRetryable(`no step ${input.stepId} here`, DecisionRejection.UnknownStep);
    if (step.status !== 'open' || !step.infoRequest) {
      throw ApplicationFailure.nonRetryable(`step ${step.stepId} is not waiting for information`, DecisionRejection.NoInfoRequested);
    }
  }

  /** The coordinator's answer: the clock resumes with the time that was left; the reviewer is mailed it after the answer. */
  answerInfo(input: InfoAnswer): { stepId: string; dueAt: string } {
    const step = this.steps.get(input.stepId)!;
    const request = step.infoRequest!;
    const now = Date.now();
    step.stoppedMs += now - Date.parse(request.askedAt);
    step.dueAt = new Date(now + request.remainingMs).toISOString();
    step.infoRequest = undefined;
    this.record(step, 'info-answered', `answer: ${input.answer}`, 'api', input.answeredBy);
    this.record(
      step,
      'clock-resumed',
      `stopped for ${formatDuration(now - Date.parse(request.askedAt))}; ${formatDuration(request.remainingMs)} left, due ${step.dueAt}`,
    );
    this.opts.onChange?.();
    const intent = {
      kind: 'info-answered' as const,
      context: this.opts.mailContext(step),
      step: { ...step },
      question: request.question,
      answer: input.answer,
      linkUntil: this.linkUntil(),
    };
    this.track(
      (async () => {
        const receipt = await mail.sendNotice({ to: step.reviewer, key: `${step.workflowId}.${step.stepId}.answer.${now}`, intent });
        this.record(step, 'email-sent', `information to ${receipt.to}: "${receipt.subject}"`, 'email');
      })(),
    );
    return { stepId: step.stepId, dueAt: step.dueAt };
  }

  /** The step that finally carries a decision: escalations are followed to their replacement. */
  effective(stepId: string): ReviewStep {
    let step = this.steps.get(stepId)!;
    while (step.escalatedTo) step = this.steps.get(step.escalatedTo)!;
    return step;
  }

  async waitForDecisions(stepIds: string[]): Promise<ReviewStep[]> {
    await condition(() => stepIds.every((id) => this.effective(id).status !== 'open'));
    return stepIds.map((id) => this.effective(id));
  }

  /** Closes every open step (or those `which` picks) and tells its reviewer; returns how many were closed. */
  async closeOpen(reason: string, which: (step: ReviewStep) => boolean = () => true): Promise<number> {
    const open = this.open().filter(which);
    for (const step of open) Object.assign(step, { status: 'closed', closedReason: reason, infoRequest: undefined });
    await Promise.all(
      open.map(async (step) => {
        this.record(step, 'step-closed', reason);
        const receipt = await mail.sendStepClosed({ step, context: this.opts.mailContext(step), reason });
        this.record(step, 'email-sent', `closure notice to ${receipt.to}: "${receipt.subject}"`, 'email');
      }),
    );
    this.opts.onChange?.();
    return open.length;
  }

  private record(step: ReviewStep, action: string, detail: string, channel: AuditEntry['channel'] = 'system', actor = 'system') {
    this.opts.audit({ actor, action, channel, stepId: step.stepId, componentId: step.componentId, detail });
  }

  private resolve(step: ReviewStep, outcome: StepOutcome, via: AuditEntry['channel'], extra: Partial<ReviewStep> = {}) {
    Object.assign(step, { status: 'decided', outcome, decidedAt: new Date().toISOString(), decidedVia: via, infoRequest: undefined, ...extra });
  }

  /** Watchers run beside the workflow; a withdrawal cancels them, anything else must surface. */
  private track(watcher: Promise<void>) {
    watcher.catch((err) => {
      if (!isCancellation(err)) throw err;
    });
  }

  /** Puts open steps' reminders on a calendar (a review cycle's close, counting back by the cadence); their due times stay. */
  async remindOnCalendar(calendar: string, why: string): Promise<void> {
    for (const step of this.open()) {
      step.calendar = calendar;
      this.record(step, 'reminders-synchronized', `reminded on the calendar of ${why}; still due ${step.dueAt}`);
    }
    this.opts.onChange?.();
  }

  /** The next reminder: on the step's calendar (counting back from it by the cadence) or every cadence since it opened. */
  private nextReminderAfter(step: ReviewStep, after: number, previous: number): number {
    const every = this.opts.policy.reminders.every;
    if (!step.calendar || Date.parse(step.calendar) <= after) return Math.max(previous, after);
    const anchor = Date.parse(step.calendar);
    const next = anchor - Math.floor((anchor - after) / every) * every;
    return next > after ? next : next + every;
  }

  /** The step's clock: reminders at the policy's cadence, the silence rule at the deadline, paused while information is awaited. */
  private async watch(step: ReviewStep): Promise<void> {
    const every = this.opts.policy.reminders.every;
    let nextReminder = this.nextReminderAfter(step, Date.now(), Date.parse(step.openedAt) + every);
    /** The calendar `nextReminder` was planned on. */
    let plannedOn = step.calendar;
    let deadlinePassed = false;
    while (step.status === 'open') {
      if (step.infoRequest) {
        const stoppedAt = Date.now();
        await this.awaitAnswer(step);
        nextReminder += Date.now() - stoppedAt;
        continue;
      }
      // A calendar set while this step's reminder was being sent is taken up here.
      if (step.calendar !== plannedOn) {
        plannedOn = step.calendar;
        nextReminder = this.nextReminderAfter(step, Date.now(), nextReminder);
      }
      const due = Date.parse(step.dueAt);
      const [seenDue, seenCalendar] = [step.dueAt, step.calendar];
      const wakeAt = deadlinePassed ? nextReminder : Math.min(due, nextReminder);
      const interrupted = await condition(
        () => step.status !== 'open' || !!step.infoRequest || step.dueAt !== seenDue || step.calendar !== seenCalendar,
        Math.max(wakeAt - Date.now(), 1),
      );
      if (interrupted) {
        if (step.calendar !== seenCalendar) {
          nextReminder = this.nextReminderAfter(step, Date.now(), nextReminder);
          plannedOn = step.calendar;
        }
        continue;
      }
      if (!deadlinePassed && Date.now() >= due) {
        deadlinePassed = true;
        await this.onSilence(step);
      } else if (Date.now() >= nextReminder) {
        const slot = nextReminder;
        nextReminder = this.nextReminderAfter(step, Date.now(), nextReminder + every);
        await this.remind(step, slot);
      }
    }
  }

  /** While a request waits for the coordinator: reminders to them at the cadence, and past `returnAt` the owner returns the case. */
  private async awaitAnswer(step: ReviewStep): Promise<void> {
    const every = this.opts.policy.reminders.every;
    const request = step.infoRequest!;
    const answered = () => step.infoRequest !== request || step.status !== 'open';
    let returned = false;
    while (!answered()) {
      const returnAt = request.returnAt ? Date.parse(request.returnAt) : Infinity;
      const nextReminder = Date.parse(request.askedAt) + ((request.remindersSent ?? 0) + 1) * every;
      const wakeAt = returned ? nextReminder : Math.min(returnAt, nextReminder);
      if (await condition(answered, Math.max(wakeAt - Date.now(), 1))) return;
      if (!returned && Date.now() >= returnAt) {
        returned = true;
        this.record(step, 'info-unanswered', `"${request.question}" unanswered since ${request.askedAt}: the case is returned`);
        await this.opts.onUnanswered!(step);
      } else if (Date.now() >= nextReminder) {
        request.remindersSent = (request.remindersSent ?? 0) + 1;
        await this.remindCoordinator(step, request.remindersSent);
      }
    }
  }

  /** At the deadline, the step kind's silence rule (domain/step-kinds.ts). */
  private async onSilence(step: ReviewStep): Promise<void> {
    const rule = STEP_KINDS[step.kind].silence;
    const open = formatDuration(Date.now() - Date.parse(step.openedAt) - step.stoppedMs);
    if (rule === 'no-objection') {
      this.resolve(step, 'no-objection', 'system', { comment: `no answer within ${open}` });
      this.record(step, 'no-objection', `${step.partyName} did not answer within ${open}: no objection (${STEP_KINDS[step.kind].label.toLowerCase()})`);
    } else if (rule === 'lapses') {
      const what = step.kind === 'appeal' ? 'appeal' : step.kind === 'post-project-review' ? 'review' : 'response';
      const verb = { appeal: 'appeal', review: 'review', response: 'respond' }[what];
      Object.assign(step, { status: 'closed', closedReason: `the ${what} window passed without ${what === 'review' ? 'a' : 'an'} ${what}` });
      this.record(step, `${what}-window-passed`, `${step.partyName} did not ${verb} within ${open}`);
    } else {
      const target = rule === 'escalate' ? this.opts.escalationFor?.(step) : undefined;
      if (target === undefined) {
        this.record(step, 'escalated', `${step.partyName} silent for ${open}; silence is not consent: the step stays open and reminders continue`);
        await this.notifyEscalation(step, `${step.reviewer} has not decided; the step stays open`);
      } else if (target === 'resolve') {
        this.resolve(step, 'escalated', 'system');
        this.record(step, 'escalated', `${step.partyName} silent for ${open}; escalated`);
      } else {
        this.resolve(step, 'escalated', 'system');
        step.escalatedTo = target.stepId;
        this.record(step, 'escalated', `${step.partyName} silent for ${open}; silence is not consent: escalated to ${target.reviewer}`);
        await this.openSteps([target]);
        return;
      }
    }
    this.opts.onChange?.();
  }

  /** Reminds the coordinator of a request for information they have not answered. */
  private async remindCoordinator(step: ReviewStep, n: number): Promise<void> {
    const request = step.infoRequest!;
    this.record(
      step,
      'info-reminder-sent',
      `reminder ${n} to ${this.opts.coordinator.email}: "${request.question}" unanswered since ${request.askedAt}`,
      'email',
    );
    await mail.sendNotice({
      to: this.opts.coordinator.email,
      key: `${step.workflowId}.${step.stepId}.info.${request.askedAt}.reminder.${n}`,
      intent: {
        kind: 'info-reminder',
        context: this.opts.mailContext(step),
        step,
        coordinatorName: this.opts.coordinator.name,
        n,
        question: request.question,
        askedAt: request.askedAt,
        returnAt: request.returnAt,
      },
    });
    this.opts.onChange?.();
  }

  /** Tells the coordinator that a step is overdue and escalated. */
  private async notifyEscalation(step: ReviewStep, what: string) {
    const receipt = await mail.sendNotice({
      to: this.opts.coordinator.email,
      key: `${step.workflowId}.${step.stepId}.escalated`,
      intent: { kind: 'step-escalated', context: this.opts.mailContext(step), step, coordinatorName: this.opts.coordinator.name, what },
    });
    this.record(step, 'email-sent', `escalation notice to ${receipt.to}: "${receipt.subject}"`, 'email');
  }

  /** `slot`: when the reminder was due (its timer may fire late on a busy worker); the audit names it. */
  private async remind(step: ReviewStep, slot: number) {
    const openFor = formatDuration(Date.now() - Date.parse(step.openedAt) - step.stoppedMs);
    const others = this.open()
      .filter((s) => s !== step)
      .map((s) => s.partyName);
    const waiting = [...this.opts.waitingParties, ...others.map((p) => `${p} (also still to decide)`)];
    step.remindersSent += 1;
    // Recorded when due (the audit shows the reminder calendar); the send is retried until delivered.
    this.record(
      step,
      'reminder-sent',
      `reminder ${step.remindersSent} to ${step.reviewer}, due ${new Date(slot).toISOString()}: open for ${openFor}; waiting: ${waiting.join('; ')}`,
      'email',
    );
    await mail.sendNotice({
      to: step.reviewer,
      key: `${step.workflowId}.${step.stepId}.reminder.${step.remindersSent}`,
      intent: { kind: 'step-reminder', context: this.opts.mailContext(step), step, n: step.remindersSent, openFor, waiting, linkUntil: this.linkUntil() },
    });
    this.opts.onChange?.();
  }

  /** A fresh link lives the policy's maximum from now; the step's own state (decided, closed) ends it sooner. */
  private linkUntil(): string {
    return new Date(Date.now() + this.opts.policy.links.validFor).toISOString();
  }

  private async mailInfoRequest(step: ReviewStep, question: string): Promise<void> {
    const receipt = await mail.sendNotice({
      to: this.opts.coordinator.email,
      key: `${step.workflowId}.${step.stepId}.info.${Date.now()}`,
      intent: { kind: 'info-requested', context: this.opts.mailContext(step), step, coordinatorName: this.opts.coordinator.name, question },
    });
    this.record(step, 'email-sent', `information request to ${receipt.to}: "${receipt.subject}"`, 'email');
  }
}
