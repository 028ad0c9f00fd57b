/**
 * The review steps a workflow owns: opening them (one e-mail each), taking
 * decisions through the `decide` Update, and closing what is still open.
 * Used by the project workflow (grant, tier lowering) and the licence
 * workflow (agency reviews, sign-off).
 */
import { ApplicationFailure, condition, workflowInfo } from '@temporalio/workflow';
import type { ReviewMailContext } from '../activities/mail-templates';
import type { StepPlan } from '../domain/routing';
import {
  DecisionRejection,
  type AuditEntry,
  type DecisionInput,
  type DecisionResult,
  type ReviewStep,
} from './definitions';
import { mail } from './effects';

export type AuditInput = Omit<AuditEntry, 'at'>;

export interface BoardOptions {
  linkValidForMs: number;
  coordinator: { name: string; email: string };
  audit: (entry: AuditInput) => void;
  mailContext: (step: ReviewStep) => ReviewMailContext;
  /** Called after every change the owner should publish (the licence workflow tells its parent). */
  onChange?: () => Promise<void>;
}

const OUTCOME = { approve: 'approved', deny: 'denied', 'request-info': 'info-requested' } as const;

export class ReviewBoard {
  readonly steps = new Map<string, ReviewStep>();

  constructor(private readonly opts: BoardOptions) {}

  list(): ReviewStep[] {
    return [...this.steps.values()];
  }

  open(): ReviewStep[] {
    return this.list().filter((s) => s.status === 'open');
  }

  /** Opens the steps and mails each reviewer their link; resolves once every e-mail is sent. */
  async openSteps(plans: StepPlan[]): Promise<void> {
    const now = Date.now();
    const opened = plans.map((plan): ReviewStep => {
      if (this.steps.has(plan.stepId)) throw new Error(`step ${plan.stepId} opened twice`);
      const step: ReviewStep = {
        stepId: plan.stepId,
        workflowId: workflowInfo().workflowId,
        kind: plan.kind,
        party: plan.party,
        partyName: plan.partyName,
        reviewer: plan.reviewer,
        componentId: plan.componentId,
        question: plan.question,
        openedAt: new Date(now).toISOString(),
        dueAt: new Date(now + plan.slaMs).toISOString(),
        status: 'open',
      };
      this.steps.set(step.stepId, step);
      this.opts.audit({ actor: 'system', action: 'step-opened', channel: 'system', stepId: step.stepId, componentId: step.componentId, detail: `${step.kind} owed by ${step.partyName} (${step.reviewer}), due ${step.dueAt}` });
      return step;
    });
    await this.opts.onChange?.();
    await Promise.all(
      opened.map(async (step) => {
        const receipt = await mail.sendReviewRequest({ step, context: this.opts.mailContext(step), linkValidForMs: this.opts.linkValidForMs });
        this.opts.audit({ actor: 'system', action: 'email-sent', channel: 'email', stepId: step.stepId, componentId: step.componentId, detail: `review request to ${receipt.to}: "${receipt.subject}" ${receipt.messageId}` });
      }),
    );
    await this.opts.onChange?.();
  }

  /** The Update validator: rejects before anything is written to history. */
  validate(input: DecisionInput): void {
    const step = this.steps.get(input.stepId);
    if (!step) throw ApplicationFailure.nonRetryable(`no step ${input.stepId} here`, DecisionRejection.UnknownStep);
    if (step.reviewer !== input.reviewer) {
      throw ApplicationFailure.nonRetryable(`step ${step.stepId} is owed by another reviewer`, DecisionRejection.NotYourStep);
    }
    if (step.status === 'decided') {
      throw ApplicationFailure.nonRetryable(`step ${step.stepId} was already decided: ${step.outcome} at ${step.decidedAt}`, DecisionRejection.AlreadyDecided, step.outcome, step.decidedAt);
    }
    if (step.status === 'closed') {
      throw ApplicationFailure.nonRetryable(`step ${step.stepId} is closed: ${step.closedReason}`, DecisionRejection.StepClosed, step.closedReason);
    }
    if (input.decision === 'deny' && !input.legalBasis?.trim()) {
      throw ApplicationFailure.nonRetryable('a denial must cite its legal basis', DecisionRejection.LegalBasisRequired);
    }
  }

  /** The Update handler. `request-info` keeps the step open: the reviewer decides once the coordinator answers. */
  async decide(input: DecisionInput): Promise<DecisionResult> {
    const step = this.steps.get(input.stepId)!;
    const decidedAt = new Date().toISOString();
    const outcome = OUTCOME[input.decision];
    if (input.decision !== 'request-info') {
      Object.assign(step, { status: 'decided', outcome, comment: input.comment, legalBasis: input.legalBasis, decidedAt });
    }
    this.opts.audit({
      actor: input.reviewer,
      action: input.decision === 'request-info' ? 'info-requested' : 'decision-recorded',
      channel: 'email-link',
      stepId: step.stepId,
      componentId: step.componentId,
      detail: [`${outcome} by ${step.partyName}`, input.legalBasis && `legal basis: ${input.legalBasis}`, input.comment && `comment: ${input.comment}`]
        .filter(Boolean)
        .join('; '),
    });
    if (input.decision === 'request-info') await this.mailInfoRequest(step, input.comment ?? '');
    await this.opts.onChange?.();
    return { recorded: true, stepId: step.stepId, decision: input.decision, outcome, decidedAt };
  }

  private async mailInfoRequest(step: ReviewStep, question: string): Promise<void> {
    const ctx = this.opts.mailContext(step);
    const receipt = await mail.sendNotice({
      to: this.opts.coordinator.email,
      subject: `Information requested: ${ctx.projectTitle} — ${ctx.componentName ?? 'grant'}`,
      text: [
        `Dear ${this.opts.coordinator.name},`,
        '',
        `${step.partyName} asks for information before deciding "${step.question}":`,
        '',
        question || '(no question given)',
        '',
        `Reply to ${step.reviewer}; the reviewer decides from the link they already have.`,
      ].join('\n'),
      key: `${step.workflowId}.${step.stepId}.info.${Date.now()}`,
    });
    this.opts.audit({ actor: 'system', action: 'email-sent', channel: 'email', stepId: step.stepId, componentId: step.componentId, detail: `information request to ${receipt.to}: "${receipt.subject}"` });
  }

  async waitForDecisions(stepIds: string[]): Promise<ReviewStep[]> {
    const steps = stepIds.map((id) => this.steps.get(id)!);
    await condition(() => steps.every((s) => s.status !== 'open'));
    return steps;
  }

  /** Closes every open step and tells its reviewer; returns how many were closed. */
  async closeOpen(reason: string): Promise<number> {
    const open = this.open();
    for (const step of open) Object.assign(step, { status: 'closed', closedReason: reason });
    await Promise.all(
      open.map(async (step) => {
        this.opts.audit({ actor: 'system', action: 'step-closed', channel: 'system', stepId: step.stepId, componentId: step.componentId, detail: reason });
        const receipt = await mail.sendStepClosed({ step, context: this.opts.mailContext(step), reason });
        this.opts.audit({ actor: 'system', action: 'email-sent', channel: 'email', stepId: step.stepId, componentId: step.componentId, detail: `closure notice to ${receipt.to}: "${receipt.subject}"` });
      }),
    );
    await this.opts.onChange?.();
    return open.length;
  }
}
