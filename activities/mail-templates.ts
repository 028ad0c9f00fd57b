/** The text of every e-mail the system sends. Plain text: it reads in any client and survives forwarding. */
import { STEP_KINDS } from '../domain/step-kinds';
import type { ReviewStep } from '../workflows/definitions';

export interface ReviewMailContext {
  projectId: string;
  projectTitle: string;
  componentName?: string;
  tier?: string;
  tierReason?: string;
}

const day = (iso: string) => iso.slice(0, 10);

export function reviewRequestMail(step: ReviewStep, ctx: ReviewMailContext, link: string) {
  // The subject's first words say what kind of decision is owed.
  const prefix = STEP_KINDS[step.kind].mailSubject;
  const subject = `${prefix}: ${ctx.projectTitle} — ${ctx.componentName ?? 'grant'}${ctx.tier ? ` (${ctx.tier})` : ''} — due ${day(step.dueAt)}`;
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

export function stepClosedMail(step: ReviewStep, ctx: ReviewMailContext, reason: string) {
  return {
    subject: `No longer needed: ${ctx.projectTitle} — ${ctx.componentName ?? 'grant'}`,
    text: [
      `Dear colleague at ${step.partyName},`,
      '',
      `The review you were asked for ("${step.question}") is closed: ${reason}.`,
      'No decision is needed, and the link you received no longer records one.',
    ].join('\n'),
  };
}
