/** E-mails about a project and its licence reviews: scoping, grant, outcomes, returns, lapses, tranches. */
import type { NoticeIntent } from '../../workflows/mail-intents';
import type { RenderedMail } from './rendered';

type Intent<K extends NoticeIntent['kind']> = Extract<NoticeIntent, { kind: K }>;

export function scopingReadyMail({ context, coordinatorName, tiers }: Intent<'scoping-ready'>): RenderedMail {
  return {
    subject: `Scoping ready to confirm: ${context.projectTitle}`,
    text: [
      `Dear ${coordinatorName},`,
      '',
      `The components of "${context.projectTitle}" were classified:`,
      ...tiers.map((c) => `- ${c.componentName}: ${c.tier} (${c.rule})`),
      '',
      `Confirm or adjust the tiers with POST /v1/projects/${context.projectId}/scoping.`,
    ].join('\n'),
  };
}

export function grantRejectedMail({ context, coordinatorName, refusals }: Intent<'grant-rejected'>): RenderedMail {
  return {
    subject: `Grant not approved: ${context.projectTitle}`,
    text: [`Dear ${coordinatorName},`, '', ...refusals.map((s) => `${s.partyName} denied the grant. Legal basis: ${s.legalBasis}. ${s.comment ?? ''}`)].join(
      '\n',
    ),
  };
}

export function licensingCompleteMail({ context, coordinatorName, licences }: Intent<'licensing-complete'>): RenderedMail {
  return {
    subject: `Licence decisions complete: ${context.projectTitle}`,
    text: [`Dear ${coordinatorName},`, '', ...licences.map((l) => `- ${l.componentName}: ${l.status}${l.validUntil ? ` until ${l.validUntil}` : ''}`)].join(
      '\n',
    ),
  };
}

export function projectClosedMail({ context, coordinatorName, ended }: Intent<'project-closed'>): RenderedMail {
  return {
    subject: `Project closed: ${context.projectTitle}`,
    text: [
      `Dear ${coordinatorName},`,
      '',
      `Every licence of "${context.projectTitle}" has ended: ${ended}.`,
      'The project is closed; its audit trail stays available.',
    ].join('\n'),
  };
}

export function projectWithdrawnMail({ context, coordinatorName, reason }: Intent<'project-withdrawn'>): RenderedMail {
  return {
    subject: `Project withdrawn: ${context.projectTitle}`,
    text: [`Dear ${coordinatorName},`, '', `The project was withdrawn: ${reason}.`, 'Every open review step was closed and its reviewer told.'].join('\n'),
  };
}

export function amendmentAppliedMail({ context, coordinatorName, amendmentId, changes, reviewedAgain }: Intent<'amendment-applied'>): RenderedMail {
  return {
    subject: `Amendment ${amendmentId} applied: ${context.projectTitle}`,
    text: [
      `Dear ${coordinatorName},`,
      '',
      `Amendment ${amendmentId} to "${context.projectTitle}" is applied:`,
      ...changes.map((c) => `- ${c}`),
      '',
      reviewedAgain.length
        ? `Classified and reviewed again, with the new facts: ${reviewedAgain.join(', ')}. Approvals given for the old facts no longer count; ` +
          'a licence issued for them no longer stands. Every other licence stands.'
        : 'No component needs a new review: every licence stands.',
    ].join('\n'),
  };
}

export function trancheReleasableMail({ context, cycleName, milestones }: Intent<'tranche-releasable'>): RenderedMail {
  return {
    subject: `Tranche may be released: ${context.projectTitle}`,
    text: [
      `Review cycle "${cycleName}": milestone(s) ${milestones.join(', ')} approved, ` + 'and every licence they depend on is valid and in good standing.',
      'The tranche may be released.',
    ].join('\n'),
  };
}

export function cycleIncompleteMail({ cycleId, cycleName, closesAt, funderName, unreported, total }: Intent<'cycle-incomplete'>): RenderedMail {
  return {
    subject: `Review cycle incomplete: ${cycleName}`,
    text: [
      `Dear ${funderName},`,
      '',
      `Review cycle "${cycleName}" (${cycleId}) closed on ${closesAt}, but ${unreported} of its ${total} project(s) gave no outcome.`,
      `Each of them is listed as "unreported" with the reason, under GET /v1/cycles/${cycleId}/items?outcome=unreported.`,
      'No tranche should be released for them on the strength of this cycle: review them again in a new cycle, or ask the operators why.',
    ].join('\n'),
  };
}

export function licenceReturnedMail({ context, componentId, coordinatorName, issuerName, basis }: Intent<'licence-returned'>): RenderedMail {
  return {
    subject: `Returned without a decision: ${context.projectTitle} — ${context.componentName}`,
    text: [
      `Dear ${coordinatorName},`,
      '',
      `${issuerName} returned the licence application for "${context.componentName}" without a decision: ${basis}.`,
      `You may submit it again: POST /v1/projects/${context.projectId}/components/${componentId}/resubmission.`,
    ].join('\n'),
  };
}

export function outOfTimeMail({ context, issuerName, limitPassedAt, stillOpen }: Intent<'out-of-time'>): RenderedMail {
  return {
    subject: `Out of time: ${context.projectTitle} — ${context.componentName}`,
    text: [
      `The licence application for "${context.componentName}" (${context.tier}), issued by ${issuerName}, ` +
        `passed its legal limit undecided on ${limitPassedAt}.`,
      `Still open: ${stillOpen.join('; ') || 'nothing (a dispute or a notice period)'}.`,
    ].join('\n'),
  };
}
