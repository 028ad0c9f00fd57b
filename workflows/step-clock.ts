/**
 * A review step's clock: reminders at the policy's cadence (or on a review cycle's calendar), the coordinator
 * reminded while a request for information waits and the case returned past its limit, and at the deadline the
 * step kind's silence rule (domain/step-kinds.ts: no objection, escalation, a lapsed window, or open and flagged).
 * The ReviewBoard runs one per open step.
 */
import { condition } from '@temporalio/workflow';
import { formatDuration } from '../domain/durations';
import type { StepPlan } from '../domain/routing';
import { STEP_KINDS, type StepKind } from '../domain/step-kinds';
import type { AuditEntry, ReviewStep, StepOutcome } from './definitions';
import { mail } from './effects';
import type { BoardOptions } from './review-board';

/** What a step's clock needs of its board. */
export interface ClockHost {
  readonly opts: BoardOptions;
  open(): ReviewStep[];
  record(step: ReviewStep, action: string, detail: string, channel?: AuditEntry['channel']): void;
  resolve(step: ReviewStep, outcome: StepOutcome, via: AuditEntry['channel'], extra?: Partial<ReviewStep>): void;
  openSteps(plans: StepPlan[]): Promise<void>;
  linkUntil(): string;
}

/** A window that lapses, as its audit names it: what was not given, and the verb. */
const LAPSED: Partial<Record<StepKind, [string, string]>> = {
  appeal: ['appeal', 'appeal'],
  'post-project-review': ['review', 'give a review'],
};

export class StepClock {
  constructor(private readonly host: ClockHost) {}

  /** The next reminder: on the step's calendar (counting back from it by the cadence) or every cadence since it opened. */
  private nextReminderAfter(step: ReviewStep, after: number, previous: number): number {
    const every = this.host.opts.policy.reminders.every;
    if (!step.calendar || Date.parse(step.calendar) <= after) return Math.max(previous, after);
    const anchor = Date.parse(step.calendar);
    const next = anchor - Math.floor((anchor - after) / every) * every;
    return next > after ? next : next + every;
  }

  /** The step's clock: reminders at the policy's cadence, the silence rule at the deadline, paused while information is awaited. */
  async watch(step: ReviewStep): Promise<void> {
    const every = this.host.opts.policy.reminders.every;
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
    const every = this.host.opts.policy.reminders.every;
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
        this.host.record(step, 'info-unanswered', `"${request.question}" unanswered since ${request.askedAt}: the case is returned`);
        await this.host.opts.onUnanswered!(step);
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
      this.host.resolve(step, 'no-objection', 'system', { comment: `no answer within ${open}` });
      this.host.record(step, 'no-objection', `${step.partyName} did not answer within ${open}: no objection (${STEP_KINDS[step.kind].label.toLowerCase()})`);
    } else if (rule === 'lapses') {
      const [what, verb] = LAPSED[step.kind] ?? ['response', 'respond'];
      Object.assign(step, { status: 'closed', closedReason: `the ${what} window passed without ${/^[aeiou]/.test(what) ? 'an' : 'a'} ${what}` });
      this.host.record(step, `${what}-window-passed`, `${step.partyName} did not ${verb} within ${open}`);
    } else {
      const target = rule === 'escalate' ? this.host.opts.escalationFor?.(step) : undefined;
      if (target === undefined) {
        this.host.record(step, 'escalated', `${step.partyName} silent for ${open}; silence is not consent: the step stays open and reminders continue`);
        await this.notifyEscalation(step, `${step.reviewer} has not decided; the step stays open`);
      } else if (target === 'resolve') {
        this.host.resolve(step, 'escalated', 'system');
        this.host.record(step, 'escalated', `${step.partyName} silent for ${open}; escalated`);
      } else {
        this.host.resolve(step, 'escalated', 'system');
        step.escalatedTo = target.stepId;
        this.host.record(step, 'escalated', `${step.partyName} silent for ${open}; silence is not consent: escalated to ${target.reviewer}`);
        await this.host.openSteps([target]);
        return;
      }
    }
    this.host.opts.onChange?.();
  }

  /** Reminds the coordinator of a request for information they have not answered. */
  private async remindCoordinator(step: ReviewStep, n: number): Promise<void> {
    const request = step.infoRequest!;
    this.host.record(
      step,
      'info-reminder-sent',
      `reminder ${n} to ${this.host.opts.coordinator.email}: "${request.question}" unanswered since ${request.askedAt}`,
      'email',
    );
    await mail.sendNotice({
      to: this.host.opts.coordinator.email,
      key: `${step.workflowId}.${step.stepId}.info.${request.askedAt}.reminder.${n}`,
      intent: {
        kind: 'info-reminder',
        context: this.host.opts.mailContext(step),
        step,
        coordinatorName: this.host.opts.coordinator.name,
        n,
        question: request.question,
        askedAt: request.askedAt,
        returnAt: request.returnAt,
      },
    });
    this.host.opts.onChange?.();
  }

  /** Tells the coordinator that a step is overdue and escalated. */
  private async notifyEscalation(step: ReviewStep, what: string) {
    const receipt = await mail.sendNotice({
      to: this.host.opts.coordinator.email,
      key: `${step.workflowId}.${step.stepId}.escalated`,
      intent: { kind: 'step-escalated', context: this.host.opts.mailContext(step), step, coordinatorName: this.host.opts.coordinator.name, what },
    });
    this.host.record(step, 'email-sent', `escalation notice to ${receipt.to}: "${receipt.subject}"`, 'email');
  }

  /** `slot`: when the reminder was due (its timer may fire late on a busy worker); the audit names it. */
  private async remind(step: ReviewStep, slot: number) {
    const openFor = formatDuration(Date.now() - Date.parse(step.openedAt) - step.stoppedMs);
    const others = this.host
      .open()
      .filter((s) => s !== step)
      .map((s) => s.partyName);
    const waiting = [...this.host.opts.waitingParties, ...others.map((p) => `${p} (also still to decide)`)];
    step.remindersSent += 1;
    // Recorded when due (the audit shows the reminder calendar); the send is retried until delivered.
    this.host.record(
      step,
      'reminder-sent',
      `reminder ${step.remindersSent} to ${step.reviewer}, due ${new Date(slot).toISOString()}: open for ${openFor}; waiting: ${waiting.join('; ')}`,
      'email',
    );
    await mail.sendNotice({
      to: step.reviewer,
      key: `${step.workflowId}.${step.stepId}.reminder.${step.remindersSent}`,
      intent: {
        kind: 'step-reminder',
        context: this.host.opts.mailContext(step),
        step,
        n: step.remindersSent,
        openFor,
        waiting,
        linkUntil: this.host.linkUntil(),
      },
    });
    this.host.opts.onChange?.();
  }
}
