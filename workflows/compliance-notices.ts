/**
 * The e-mails the compliance monitor sends the coordinator. Plain text, each
 * saying what happened, what is owed, by when, and how to answer.
 */
import type { Anomaly } from '../domain/compliance-rules';
import type { ComplianceMonitorInput, CorrectiveAction, ReportRequest } from './compliance-contract';

export interface Notice {
  subject: string;
  text: string;
}

const greeting = (input: ComplianceMonitorInput) => `Dear ${input.project.coordinator.name},`;
const about = (input: ComplianceMonitorInput) => `${input.project.title} — ${input.componentName} — licence ${input.licence.licenceId}`;
const anomalyLines = (anomalies: Anomaly[]) => anomalies.map((a) => `- ${a.kind}: ${a.detail}`);
const resolveHow = (input: ComplianceMonitorInput, action: CorrectiveAction) =>
  `Resolve it with POST /v1/projects/${input.project.projectId}/corrective-actions/${action.actionId}/resolve and a note saying what was done.`;

export function reportRequestNotice(input: ComplianceMonitorInput, request: ReportRequest): Notice {
  return {
    subject: `Compliance report for period ${request.period} due ${request.dueAt.slice(0, 10)}: ${about(input)}`,
    text: [
      greeting(input),
      '',
      `Licence ${input.licence.licenceId} for "${input.componentName}" asks for a compliance report for reporting period ${request.period} (${request.startsAt} to ${request.endsAt}).`,
      `It is due by ${request.dueAt}: confirm the end use and list every shipment with its destination country and end user.`,
      `Licensed destinations: ${input.licence.destinations.join(', ')}. Licensed recipients: ${input.licence.recipients.map((r) => r.name).join(', ')}.`,
      '',
      `Submit it with POST /v1/projects/${input.project.projectId}/reports (componentId "${input.componentId}", period ${request.period}).`,
      'A report that does not arrive in time opens a corrective action.',
    ].join('\n'),
  };
}

export function correctiveActionNotice(input: ComplianceMonitorInput, action: CorrectiveAction): Notice {
  return {
    subject: `Corrective action ${action.actionId} due ${action.dueAt.slice(0, 10)}: ${about(input)}`,
    text: [
      greeting(input),
      '',
      `The compliance check of period ${action.period} found:`,
      ...anomalyLines(action.anomalies),
      '',
      `Corrective action ${action.actionId} is open until ${action.dueAt}. Unresolved by then, the licence is suspended.`,
      resolveHow(input, action),
    ].join('\n'),
  };
}

export function suspensionNotice(input: ComplianceMonitorInput, action: CorrectiveAction, alreadySuspended: boolean): Notice {
  return {
    subject: `Licence ${alreadySuspended ? 'remains ' : ''}suspended: ${about(input)}`,
    text: [
      greeting(input),
      '',
      `Corrective action ${action.actionId} was due on ${action.dueAt} and is not resolved:`,
      ...anomalyLines(action.anomalies),
      '',
      `Licence ${input.licence.licenceId} is ${alreadySuspended ? 'still ' : ''}suspended: no shipment may be made under it.`,
      `Unless the action is resolved by ${action.revokeAt}, the licence is revoked.`,
      resolveHow(input, action),
    ].join('\n'),
  };
}

export function reinstatementNotice(input: ComplianceMonitorInput, action: CorrectiveAction): Notice {
  return {
    subject: `Licence reinstated: ${about(input)}`,
    text: [
      greeting(input),
      '',
      `Corrective action ${action.actionId} was resolved: "${action.note}".`,
      `Licence ${input.licence.licenceId} is in force again until ${input.licence.validUntil}.`,
    ].join('\n'),
  };
}

export function revocationNotice(input: ComplianceMonitorInput, action: CorrectiveAction): Notice {
  return {
    subject: `Licence revoked: ${about(input)}`,
    text: [
      greeting(input),
      '',
      `Corrective action ${action.actionId} stayed unresolved through the suspension (due ${action.dueAt}, suspended ${action.overdueAt}):`,
      ...anomalyLines(action.anomalies),
      '',
      `Licence ${input.licence.licenceId} is revoked. No further shipment may be made under it; a new application is needed.`,
    ].join('\n'),
  };
}

export function renewalReminderNotice(input: ComplianceMonitorInput): Notice {
  return {
    subject: `Licence expires ${input.licence.validUntil.slice(0, 10)}: renew ${about(input)}`,
    text: [
      greeting(input),
      '',
      `Licence ${input.licence.licenceId} for "${input.componentName}" expires on ${input.licence.validUntil}.`,
      'If shipments are to continue after that date, apply for a new licence now: a review takes weeks.',
    ].join('\n'),
  };
}

export function expiryNotice(input: ComplianceMonitorInput, stillOpen: string[]): Notice {
  return {
    subject: `Licence expired: ${about(input)}`,
    text: [
      greeting(input),
      '',
      `Licence ${input.licence.licenceId} expired on ${input.licence.validUntil}. No shipment may be made under it any more.`,
      ...(stillOpen.length ? ['', 'Still open when it expired (closed without an outcome):', ...stillOpen.map((s) => `- ${s}`)] : []),
      '',
      'Keep the records of every export under it for the period the regime requires.',
    ].join('\n'),
  };
}
