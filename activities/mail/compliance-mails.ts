/**
 * The e-mails the compliance monitor sends the coordinator, each saying what happened,
 * what is owed, by when, and how to answer.
 */
import type { Anomaly } from '../../domain/compliance-rules';
import type { CorrectiveAction } from '../../workflows/compliance-contract';
import type { MailLicence, NoticeIntent } from '../../workflows/mail-intents';
import type { RenderedMail } from './rendered';

type Intent<K extends NoticeIntent['kind']> = Extract<NoticeIntent, { kind: K }>;

const greeting = (l: MailLicence) => `Dear ${l.coordinatorName},`;
const about = (l: MailLicence) => `${l.projectTitle} — ${l.componentName} — licence ${l.licenceId}`;
const anomalyLines = (anomalies: Anomaly[]) => anomalies.map((a) => `- ${a.kind}: ${a.detail}`);
const resolveHow = (l: MailLicence, action: CorrectiveAction) =>
  `Resolve it with POST /v1/projects/${l.projectId}/corrective-actions/${action.actionId}/resolve and a note saying what was done.`;

export function reportRequestMail({ licence: l, request }: Intent<'report-request'>): RenderedMail {
  return {
    subject: `Compliance report for period ${request.period} due ${request.dueAt.slice(0, 10)}: ${about(l)}`,
    text: [
      greeting(l),
      '',
      `Licence ${l.licenceId} for "${l.componentName}" asks for a compliance report ` +
        `for reporting period ${request.period} (${request.startsAt} to ${request.endsAt}).`,
      `It is due by ${request.dueAt}: confirm the end use and list every shipment with its destination country and end user.`,
      `Licensed destinations: ${l.destinations.join(', ')}. Licensed recipients: ${l.recipients.join(', ')}.`,
      '',
      `Submit it with POST /v1/projects/${l.projectId}/reports (componentId "${l.componentId}", period ${request.period}).`,
      'A report that does not arrive in time opens a corrective action.',
    ].join('\n'),
  };
}

export function correctiveActionMail({ licence: l, action }: Intent<'corrective-action'>): RenderedMail {
  return {
    subject: `Corrective action ${action.actionId} due ${action.dueAt.slice(0, 10)}: ${about(l)}`,
    text: [
      greeting(l),
      '',
      `The compliance check of period ${action.period} found:`,
      ...anomalyLines(action.anomalies),
      '',
      `Corrective action ${action.actionId} is open until ${action.dueAt}. Unresolved ` +
        `by then, its suspension is proposed to the issuer, and you are heard first.`,
      resolveHow(l, action),
    ].join('\n'),
  };
}

export function suspensionMail({ licence: l, action, alreadySuspended }: Intent<'licence-suspended'>): RenderedMail {
  return {
    subject: `Licence ${alreadySuspended ? 'remains ' : ''}suspended: ${about(l)}`,
    text: [
      greeting(l),
      '',
      `Corrective action ${action.actionId} was due on ${action.dueAt} and is not resolved:`,
      ...anomalyLines(action.anomalies),
      '',
      `Licence ${l.licenceId} is ${alreadySuspended ? 'still ' : ''}suspended: no shipment may be made under it.`,
      `Unless the action is resolved by ${action.revokeAt}, the licence may be revoked.`,
      resolveHow(l, action),
    ].join('\n'),
  };
}

export function reinstatementMail({ licence: l, action }: Intent<'licence-reinstated'>): RenderedMail {
  return {
    subject: `Licence reinstated: ${about(l)}`,
    text: [
      greeting(l),
      '',
      `Corrective action ${action.actionId} was resolved: "${action.note}".`,
      `Licence ${l.licenceId} is in force again until ${l.validUntil}.`,
    ].join('\n'),
  };
}

export function revocationMail({ licence: l, action }: Intent<'licence-revoked'>): RenderedMail {
  return {
    subject: `Licence revoked: ${about(l)}`,
    text: [
      greeting(l),
      '',
      `Corrective action ${action.actionId} stayed unresolved through the suspension (due ${action.dueAt}, suspended ${action.overdueAt}):`,
      ...anomalyLines(action.anomalies),
      '',
      `Licence ${l.licenceId} is revoked. No further shipment may be made under it; a new application is needed.`,
    ].join('\n'),
  };
}

export function renewalReminderMail({ licence: l }: Intent<'renewal-reminder'>): RenderedMail {
  return {
    subject: `Licence expires ${l.validUntil.slice(0, 10)}: renew ${about(l)}`,
    text: [
      greeting(l),
      '',
      `Licence ${l.licenceId} for "${l.componentName}" expires on ${l.validUntil}.`,
      'If shipments are to continue after that date, apply for a new licence now: a review takes weeks.',
    ].join('\n'),
  };
}

export function expiryMail({ licence: l, stillOpen }: Intent<'licence-expired'>): RenderedMail {
  return {
    subject: `Licence expired: ${about(l)}`,
    text: [
      greeting(l),
      '',
      `Licence ${l.licenceId} expired on ${l.validUntil}. No shipment may be made under it any more.`,
      ...(stillOpen.length ? ['', 'Still open when it expired (closed without an outcome):', ...stillOpen.map((s) => `- ${s}`)] : []),
      '',
      'Keep the records of every export under it for the period the regime requires.',
    ].join('\n'),
  };
}
