/** E-mails about review steps: the request with its decision link, and what follows it. */
import { STEP_KINDS } from '../../domain/step-kinds';
import type { ReviewStep } from '../../workflows/definitions';
import type { MailContext, NoticeIntent } from '../../workflows/mail-intents';
import type { RenderedMail } from './rendered';

type Intent<K extends NoticeIntent['kind']> = Extract<NoticeIntent, { kind: K }>;

const day = (iso: string) => iso.slice(0, 10);
/** "Project title — component" (or "— grant" for the project's own steps). */
const about = (ctx: MailContext) => `${ctx.projectTitle} — ${ctx.componentName ?? 'grant'}`;
const answerHow = (ctx: MailContext, step: ReviewStep) => `POST /v1/projects/${ctx.projectId}/info with {"stepId": "${step.stepId}", "answer": "..."}`;

export function reviewRequestMail(step: ReviewStep, ctx: MailContext, link: string): RenderedMail {
  // The subject's first words say what kind of decision is owed.
  const prefix = STEP_KINDS[step.kind].mailSubject;
  const subject = `${prefix}: ${about(ctx)}${ctx.tier ? ` (${ctx.tier})` : ''} — due ${day(step.dueAt)}`;
  const lines = [
    step.party === 'coordinator' ? `Dear ${step.partyName},` : `Dear colleague at ${step.partyName},`,
    '',
    step.question,
    '',
    `Project: ${ctx.projectTitle} (${ctx.projectId})`,
    ctx.componentName ? `Component: ${ctx.componentName}${ctx.tier ? `, risk tier ${ctx.tier}` : ''}` : undefined,
    ctx.tierReason ? `Why you are asked: ${ctx.tierReason}` : undefined,
    step.kind === 'appeal' ? `You may appeal until ${step.dueAt}; after that the decision is final.` : `Your decision is due by ${step.dueAt}.`,
    '',
    'Open the decision page (the link is personal to you and to this step):',
    link,
    '',
    'Opening the link changes nothing; only the form on the page records a decision.',
  ];
  return { subject, text: lines.filter((l) => l !== undefined).join('\n') };
}

export function stepClosedMail(step: ReviewStep, ctx: MailContext, reason: string): RenderedMail {
  return {
    subject: `No longer needed: ${about(ctx)}`,
    text: [
      `Dear colleague at ${step.partyName},`,
      '',
      `The review you were asked for ("${step.question}") is closed: ${reason}.`,
      'No decision is needed, and the link you received no longer records one.',
    ].join('\n'),
  };
}

/** Where a follow-up mail sends the reviewer to decide: its own fresh link, or (mails queued before links were renewed) the first one. */
const decideFrom = (link: string | undefined, until: string | undefined) =>
  link
    ? ['Decide from this link (personal to you and to this step' + (until ? `, valid until ${until}` : '') + '):', link]
    : ['Decide from the link in the original e-mail.'];

export function stepReminderMail({ context, step, n, openFor, waiting, linkUntil }: Intent<'step-reminder'>, link?: string): RenderedMail {
  return {
    subject: `Reminder ${n}: ${about(context)} — due ${day(step.dueAt)}`,
    text: [
      `${step.partyName},`,
      '',
      `"${step.question}" has been open for ${openFor} and is due by ${step.dueAt}.`,
      `Waiting on it: ${waiting.join('; ')}.`,
      '',
      ...decideFrom(link, linkUntil),
    ].join('\n'),
  };
}

export function stepEscalatedMail({ context, step, coordinatorName, what }: Intent<'step-escalated'>): RenderedMail {
  return {
    subject: `Escalated: ${about(context)} — ${step.partyName}`,
    text: [`Dear ${coordinatorName},`, '', `"${step.question}" was due on ${step.dueAt}: ${what}.`].join('\n'),
  };
}

export function infoRequestedMail({ context, step, coordinatorName, question }: Intent<'info-requested'>): RenderedMail {
  return {
    subject: `Information requested: ${about(context)}`,
    text: [
      `Dear ${coordinatorName},`,
      '',
      `${step.partyName} (${step.reviewer}) asks for information before deciding "${step.question}":`,
      '',
      question,
      '',
      `The review's clock is stopped until you answer: ${answerHow(context, step)}.`,
    ].join('\n'),
  };
}

export function infoReminderMail({ context, step, coordinatorName, n, question, askedAt, returnAt }: Intent<'info-reminder'>): RenderedMail {
  return {
    subject: `Reminder ${n}: information requested: ${about(context)}`,
    text: [
      `Dear ${coordinatorName},`,
      '',
      `${step.partyName} asked on ${askedAt}: "${question}". The review's clock is stopped until you answer.`,
      returnAt ? `Unanswered by ${returnAt}, the case is returned without a decision; you may then submit it again.` : '',
      '',
      `Answer: ${answerHow(context, step)}.`,
    ].join('\n'),
  };
}

export function infoAnsweredMail({ context, step, question, answer, linkUntil }: Intent<'info-answered'>, link?: string): RenderedMail {
  return {
    subject: `Information received: ${about(context)}`,
    text: [
      `${step.partyName},`,
      '',
      `The coordinator answered your question "${question}":`,
      '',
      answer,
      '',
      `Your decision is now due by ${step.dueAt}.`,
      ...decideFrom(link, linkUntil),
    ].join('\n'),
  };
}

/** To the reviewer a step was taken from: their link no longer records a decision. */
export function stepReassignedMail({ context, step, by }: Intent<'step-reassigned'>): RenderedMail {
  return {
    subject: `Passed on: ${about(context)} — ${step.partyName}`,
    text: [
      `Dear colleague at ${step.partyName},`,
      '',
      `"${step.question}" is now with ${step.reviewer} (passed on by ${by}).`,
      'The link you received no longer records a decision on it; nothing is needed from you.',
    ].join('\n'),
  };
}
