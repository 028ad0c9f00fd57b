/**
 * What a compliance monitor shows others: the licence as its notices name it, the licence with its compliance
 * record as the project and the records read it, and its search attributes (stage, awaited parties, next due time).
 * Workflow-safe.
 */
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import { upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import { COMPLIANCE_STAGE, type ComplianceMonitorInput, type ComplianceRecord, type MonitoredLicenceView } from './compliance-contract';
import { searchAttributes, type ReviewStep } from './definitions';
import type { MailLicence } from './mail-intents';

/** The licence as its notices name it. */
export function mailLicence(input: ComplianceMonitorInput): MailLicence {
  const { project, licence } = input;
  return {
    projectId: project.projectId,
    projectTitle: project.title,
    coordinatorName: project.coordinator.name,
    componentId: input.componentId,
    componentName: input.componentName,
    licenceId: licence.licenceId,
    validUntil: licence.validUntil,
    destinations: licence.destinations,
    recipients: licence.recipients.map((r) => r.name),
  };
}

/** The licence with its compliance record, as the project and the records read it. */
export function monitoredLicenceView(input: ComplianceMonitorInput, record: ComplianceRecord): MonitoredLicenceView {
  const { licence } = input;
  return {
    status: record.status,
    licenceId: licence.licenceId,
    validFrom: licence.validFrom,
    validUntil: licence.validUntil,
    conditions: licence.conditions,
    reportingPeriodMs: licence.reportingPeriodMs,
    issuer: licence.issuer,
    ...(licence.acknowledgement && { acknowledgement: licence.acknowledgement }),
    basis: record.basis,
    compliance: { ...record, monitorWorkflowId: workflowInfo().workflowId },
  };
}

/** Stage, awaited party and next due time, upserted only when they change (search attributes carry over to the next run). */
export function publishMonitorVisibility(record: ComplianceRecord, inForce: boolean, sanctionSteps: ReviewStep[]): void {
  const awaitsCoordinator =
    inForce && (record.reports.some((r) => r.status === 'awaited') || record.correctiveActions.some((a) => a.status === 'open' || a.status === 'overdue'));
  const dues = [
    ...record.reports.filter((r) => r.status === 'awaited').map((r) => r.dueAt),
    ...record.correctiveActions.filter((a) => a.status === 'open').map((a) => a.dueAt),
    ...record.correctiveActions.filter((a) => a.status === 'overdue' && a.revokeAt).map((a) => a.revokeAt!),
    ...sanctionSteps.map((s) => s.dueAt),
  ].sort();
  const nextDue = inForce && dues.length ? new Date(dues[0]) : null;
  const awaited = [...new Set([...(awaitsCoordinator ? ['coordinator'] : []), ...sanctionSteps.map((s) => s.party)])];
  const current = workflowInfo().typedSearchAttributes;
  const updates: SearchAttributeUpdatePair[] = [];
  if (current.get(searchAttributes.stage) !== COMPLIANCE_STAGE) updates.push({ key: searchAttributes.stage, value: COMPLIANCE_STAGE });
  if ((current.get(searchAttributes.awaitedParties) ?? []).join() !== awaited.join()) updates.push({ key: searchAttributes.awaitedParties, value: awaited });
  if ((current.get(searchAttributes.nextDueAt)?.getTime() ?? null) !== (nextDue?.getTime() ?? null))
    updates.push({ key: searchAttributes.nextDueAt, value: nextDue });
  if (updates.length) upsertSearchAttributes(updates);
}
