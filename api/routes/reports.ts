/**
 * Post-licence compliance under `/v1/projects`: the coordinator's compliance
 * report for a licence and period, and the resolution of a corrective action.
 * Both go to the licence's compliance monitor as Workflow Updates, so the
 * answer says what was recorded (the anomalies found) or why it was refused.
 */
import { Router } from 'express';
import type { Client } from '@temporalio/client';
import {
  ComplianceRejection,
  complianceMonitorWorkflowId,
  parseCorrectiveActionId,
  resolveCorrectiveActionUpdate,
  submitReportUpdate,
} from '../../workflows/compliance-contract';
import type { complianceMonitorWorkflow } from '../../workflows/compliance';
import { projectWorkflowId, type ComponentView } from '../../workflows/definitions';
import type { Records } from '../../records/database';
import { readProjectRecord } from '../../records/project-reads';
import { requireRole } from '../auth';
import { correctiveActionParams, reportBody, resolutionBody } from '../compliance-schemas';
import { ApiError, isWorkflowGone, parse, updateRejection } from '../errors';
import { projectIdParam } from '../schemas';
import { withFiles, write, type Operation } from '../operation';
import { bounded } from '../temporal-calls';
import { tagWorkflowOfParam } from '../request-log';
import { optionalFiles, type Uploads } from '../uploads';

export interface ReportRoutesDeps {
  client: Client;
  records: Records;
  /** How long a request waits on Temporal before answering 503. */
  temporalTimeoutMs: number;
  /** Files with a report (multipart: api/uploads.ts). */
  uploads?: Uploads;
}

/** The validated value or a 400 naming each bad field (as in projects.ts). */

/** Refusals that mean "not now, not this": the licence's state decides, so 409. */
const CONFLICTS = new Set<string>([
  ComplianceRejection.WrongPeriod,
  ComplianceRejection.AlreadySubmitted,
  ComplianceRejection.LicenceNotActive,
  ComplianceRejection.AlreadyResolved,
]);

/** The operations of the routes below, as the OpenAPI document (api/openapi.ts) describes them. */
export const reportOperations: Operation[] = [
  {
    operationId: 'submitComplianceReport',
    method: 'post',
    path: '/v1/projects/{id}/reports',
    summary: 'Post-licence compliance report for a licence and period; answers the anomalies found',
    roles: { coordinator: 'a project they own or are a delegate of' },
    body: reportBody,
    multipart: 'with-files',
    example: {
      componentId: 'c2',
      period: 1,
      endUseConfirmed: true,
      shipments: [{ destination: 'US', endUser: 'Oak Ridge National Laboratory', quantity: 2, date: '2027-03-01' }],
    },
    success: { status: 200, description: '{ anomalies, correctiveActions }' },
    errors: withFiles,
  },
  {
    operationId: 'resolveCorrectiveAction',
    method: 'post',
    path: '/v1/projects/{id}/corrective-actions/{actionId}/resolve',
    summary: 'Resolve a corrective action (a suspended licence is reinstated)',
    roles: { coordinator: 'a project they own or are a delegate of' },
    body: resolutionBody,
    example: { note: 'Shipment recalled; end user re-screened.' },
    success: { status: 200, description: 'the action, resolved' },
    errors: write,
  },
];

export function reportRoutes({ client, records, temporalTimeoutMs, uploads }: ReportRoutesDeps): Router {
  const router = Router();
  const files = optionalFiles(uploads);
  router.param('id', tagWorkflowOfParam(projectWorkflowId));
  const deadline = bounded(client, temporalTimeoutMs);
  const monitorOf = (projectId: string, componentId: string) =>
    client.workflow.getHandle<typeof complianceMonitorWorkflow>(complianceMonitorWorkflowId(projectId, componentId));

  /** The project's component, as recorded: an unknown project or component is 404. */
  async function componentOf(projectId: string, componentId: string, field: string): Promise<ComponentView> {
    const record = await readProjectRecord(records, projectId);
    const component = record?.view.components.find((c) => c.id === componentId);
    if (!component)
      throw new ApiError('NOT_FOUND', `project ${projectId} has no component ${componentId}`, [{ path: field, message: 'is not a component of this project' }]);
    return component;
  }

  /** What a refused Update means to the caller; a monitor that is not running means there is no licence in force to report on. */
  function refusal(err: unknown, component: ComponentView): never {
    const rejection = updateRejection(err);
    if (rejection?.type === ComplianceRejection.UnknownCorrectiveAction) throw new ApiError('NOT_FOUND', rejection.message);
    if (rejection?.type && CONFLICTS.has(rejection.type)) throw new ApiError('CONFLICT', rejection.message);
    if (isWorkflowGone(err)) {
      const status = component.licence.status;
      if (status === 'revoked' || status === 'expired') {
        throw new ApiError(
          'CONFLICT',
          `the licence of component ${component.id} ${status === 'revoked' ? 'was revoked' : 'has expired'}: it takes no more reports or resolutions`,
        );
      }
      if (status === 'approved' || status === 'suspended')
        throw new ApiError('CONFLICT', `no compliance monitor runs for the licence of component ${component.id} yet`);
      throw new ApiError('CONFLICT', `the licence of component ${component.id} is ${status}: only a granted licence is monitored`);
    }
    throw err;
  }

  router.post('/:id/reports', requireRole('coordinator'), files.form, async (req, res) => {
    const { id } = parse(projectIdParam, req.params, 'path');
    const { componentId, ...report } = parse(reportBody, req.body, 'body');
    const component = await componentOf(id, componentId, 'body.componentId');
    try {
      const result = await deadline(() =>
        monitorOf(id, componentId).executeUpdate(submitReportUpdate, { args: [{ ...report, submittedBy: req.caller!.actor, channel: 'api' }] }),
      );
      const attachedTo = { type: 'compliance-report' as const, id: `${componentId}/${report.period}` };
      const kind = 'compliance-report';
      const documents = await files.keep(res, { projectId: id, componentId, kind, attachedTo, uploadedBy: req.caller!.actor, channel: 'api' });
      res.json({ projectId: id, componentId, ...result, ...(documents.length && { documents }) });
    } catch (err) {
      refusal(err, component);
    }
  });

  router.post('/:id/corrective-actions/:actionId/resolve', requireRole('coordinator'), async (req, res) => {
    const { id, actionId } = parse(correctiveActionParams, req.params, 'path');
    const { note } = parse(resolutionBody, req.body ?? {}, 'body');
    const { componentId } = parseCorrectiveActionId(actionId)!; // the path schema guarantees the shape
    const component = await componentOf(id, componentId, 'path.actionId');
    try {
      const result = await deadline(() =>
        monitorOf(id, componentId).executeUpdate(resolveCorrectiveActionUpdate, { args: [{ actionId, note, resolvedBy: req.caller!.actor, channel: 'api' }] }),
      );
      res.json({ projectId: id, componentId, ...result });
    } catch (err) {
      refusal(err, component);
    }
  });

  return router;
}
