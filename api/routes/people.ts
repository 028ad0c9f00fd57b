/**
 * People on a project and the funder's other tranche conditions (DESIGN §8 "People and technology control plans"):
 * the technology control plan, read from the records (records/control-plan.ts); a person's training certificate and
 * a tranche condition's deliverable, each a document kept as every upload is, then recorded by the project workflow
 * (`recordTrainingUpdate`, `recordDeliverableUpdate`). The Update cites the document, so it is staged first (stored,
 * scanned, hashed, not yet recorded), recorded once the workflow has taken the Update, and discarded when the workflow
 * refuses it: a refused certificate leaves no document behind (the signed acknowledgement's pattern, api/decisions.ts).
 * Mounted after projectRoutes, whose `/:id` middleware has checked who may see the project.
 */
import { Router, type Response } from 'express';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { z } from 'zod';
import type { Attachment } from '../../domain/documents';
import type { Policy, TrancheCondition } from '../../domain/policy';
import { slug, text } from '../../domain/primitives';
import { readControlPlan } from '../../records/control-plan';
import type { Records } from '../../records/database';
import { readProjectRecord } from '../../records/project-reads';
import { projectWorkflowId, type ProjectView } from '../../workflows/definitions';
import { recordDeliverableUpdate, recordTrainingUpdate } from '../../workflows/people-contract';
import type { projectWorkflow } from '../../workflows/project';
import type { StagedDocument } from '../../storage/documents';
import { requireRole } from '../auth';
import { knownRejection } from '../decisions';
import { ApiError, isTemporalUnreachable, parse } from '../errors';
import { read, withFiles, type Operation } from '../operation';
import { bounded } from '../temporal-calls';
import { uploadsOf, type Uploads } from '../uploads';

export interface PeopleRoutesDeps {
  client: Client;
  records: Records;
  policy: Policy;
  /** How long a request waits on Temporal before answering 503. */
  temporalTimeoutMs: number;
  uploads: Uploads;
}

const personParam = z.object({ personId: slug });
const conditionParam = z.object({ conditionId: slug });

/** A date (`2027-06-30`, midnight UTC) or an ISO 8601 date-time with its offset. */
const dateOrDateTime = z
  .string()
  .trim()
  .refine((s) => z.iso.date().safeParse(s).success || z.iso.datetime({ offset: true }).safeParse(s).success, {
    message: 'must be a date such as 2027-06-30, or an ISO 8601 date-time such as 2027-06-30T00:00:00Z',
  })
  .transform((s) => new Date(/T/.test(s) ? s : `${s}T00:00:00Z`).toISOString());

export const trainingFields = z.strictObject({ course: text(200), completedAt: dateOrDateTime, expiresAt: dateOrDateTime }).superRefine((t, ctx) => {
  if (Date.parse(t.completedAt) > Date.now()) ctx.addIssue({ code: 'custom', path: ['completedAt'], message: 'must not be in the future' });
  if (Date.parse(t.expiresAt) <= Date.parse(t.completedAt)) ctx.addIssue({ code: 'custom', path: ['expiresAt'], message: 'must be after completedAt' });
});
const deliverableFields = z.strictObject({});

const readers = { admin: 'any project', coordinator: 'a project they own or are a delegate of', funder: 'its own projects' };
const actors = { coordinator: 'a project they own or are a delegate of' };

const fileForm = (description: string) => ({ type: 'string', format: 'binary', description });

export const peopleOperations: Operation[] = [
  {
    operationId: 'getControlPlan',
    method: 'get',
    path: '/v1/projects/{id}/control-plan',
    summary:
      'The technology control plan: each person (screening, training certificates) and, per component, who may access it, with status ' +
      '(authorised, not-authorised while a deemed-export review is owed or open, refused), authority (licence, exception, not-required), basis and since',
    roles: readers,
    success: {
      status: 200,
      description:
        '{ projectId, title, readAt, people: [{ id, name, email, partnerId, partnerName, citizenship, residence, screening, training: [{ …, valid }] }], ' +
        'components: [{ componentId, name, category, controlCodes, controlled, ' +
        'access: [{ personId, name, status, authority, basis, since, deemedExportTo, stepId }] }] }',
    },
    errors: read,
  },
  {
    operationId: 'recordTrainingCertificate',
    method: 'post',
    path: '/v1/projects/{id}/people/{personId}/training',
    summary:
      "Record a person's export-control training certificate (multipart: file, course, completedAt, expiresAt); the file is kept as a document " +
      '(kind training-certificate, attached to the person) once the project has recorded it, and not at all when refused',
    roles: actors,
    multipart: {
      type: 'object',
      required: ['file', 'course', 'completedAt', 'expiresAt'],
      properties: {
        file: fileForm('the certificate; its type is named from its bytes'),
        course: { type: 'string', description: 'the course the certificate is for' },
        completedAt: { type: 'string', description: 'when the course was completed: a date (2027-01-15) or an ISO 8601 date-time; not in the future' },
        expiresAt: { type: 'string', description: 'until when the certificate is valid: a date or date-time after completedAt' },
      },
    },
    success: { status: 201, description: '{ certificateId, personId, documentId, sha256, expiresAt }' },
    errors: withFiles,
  },
  {
    operationId: 'submitDeliverable',
    method: 'post',
    path: '/v1/projects/{id}/deliverables/{conditionId}',
    summary:
      "Submit the deliverable a funder's tranche condition waits on (multipart: file), e.g. Horizon Europe's ethics-deliverable; kept as a document " +
      '(kind deliverable, attached to the condition) once the project has recorded it',
    roles: actors,
    multipart: { type: 'object', required: ['file'], properties: { file: fileForm('the deliverable; its type is named from its bytes') } },
    success: { status: 201, description: '{ conditionId, name, documentId, sha256, submittedAt }' },
    errors: withFiles,
  },
];

export function peopleRoutes({ client, records, policy, temporalTimeoutMs, uploads }: PeopleRoutesDeps): Router {
  const router = Router();
  const deadline = bounded(client, temporalTimeoutMs);

  router.get('/:id/control-plan', async (_req, res) => {
    const view = res.locals.projectView as ProjectView;
    const plan = await readControlPlan(records, policy, view.projectId);
    if (!plan) throw new ApiError('NOT_FOUND', 'not found');
    res.json(plan);
  });

  /** The request's one file, or a 400 naming the part. */
  function fileOf(res: Response) {
    const [upload] = uploadsOf(res);
    if (!upload)
      throw new ApiError('VALIDATION_FAILED', 'send the document as multipart/form-data, in a part named "file"', [{ path: 'body.file', message: 'missing' }]);
    return upload;
  }

  /**
   * Sends the Update that cites the staged document: kept once the workflow has recorded it, and also when the answer
   * did not come in time (the Update may have been taken, and it cites the document); discarded when refused.
   */
  async function recordCiting<T>(view: ProjectView, staged: StagedDocument, send: () => Promise<T>): Promise<T> {
    let result: T;
    try {
      result = await deadline(send);
    } catch (err) {
      const unconfirmed = isTemporalUnreachable(err);
      await (unconfirmed ? staged.keep() : staged.discard()).catch(() => undefined);
      const known = knownRejection(err);
      if (known) throw known;
      if (err instanceof WorkflowNotFoundError) throw new ApiError('CONFLICT', `project ${view.projectId} is ${view.stage} and can no longer change`);
      throw err;
    }
    await staged.keep();
    return result;
  }

  const handleOf = (view: ProjectView) => client.workflow.getHandle<typeof projectWorkflow>(projectWorkflowId(view.projectId));

  router.post('/:id/people/:personId/training', requireRole('coordinator'), uploads.form(1), async (req, res) => {
    const view = res.locals.projectView as ProjectView;
    const { personId } = parse(personParam, { personId: req.params.personId }, 'path');
    const fields = parse(trainingFields, req.body ?? {}, 'body');
    fileOf(res);
    // The people as the workflow shows them, else as submitted (before the workflow has written them).
    const people = view.people ?? (await readProjectRecord(records, view.projectId))?.submission?.people ?? [];
    if (!people.some((p) => p.id === personId)) {
      const names = people.map((p) => p.id).join(', ') || 'nobody';
      throw new ApiError('NOT_FOUND', `project ${view.projectId} has no person ${personId} (its people: ${names})`, [
        { path: 'path.personId', message: 'is not one of the project’s people' },
      ]);
    }
    const by = req.caller!.actor;
    const attachedTo: Attachment = { type: 'person', id: personId };
    const staged = await uploads.stage(res, { projectId: view.projectId, kind: 'training-certificate', attachedTo, uploadedBy: by, channel: 'api' });
    const { record } = staged!;
    const input = { personId, ...fields, documentId: record.documentId, sha256: record.sha256, recordedBy: by };
    const person = await recordCiting(view, staged!, () => handleOf(view).executeUpdate(recordTrainingUpdate, { args: [input] }));
    const certificate = person.training.find((t) => t.documentId === record.documentId);
    res.status(201).json({
      certificateId: certificate?.certificateId ?? null,
      personId,
      documentId: record.documentId,
      sha256: record.sha256,
      expiresAt: certificate?.expiresAt ?? fields.expiresAt,
    });
  });

  router.post('/:id/deliverables/:conditionId', requireRole('coordinator'), uploads.form(1), async (req, res) => {
    const view = res.locals.projectView as ProjectView;
    const { conditionId } = parse(conditionParam, { conditionId: req.params.conditionId }, 'path');
    parse(deliverableFields, req.body ?? {}, 'body');
    fileOf(res);
    const conditions: TrancheCondition[] = policy.funders.find((f) => f.id === view.funderId)?.trancheConditions ?? [];
    const condition = conditions.find((c) => c.id === conditionId);
    if (!condition) {
      const listed = conditions.filter((c) => c.kind === 'document').map((c) => c.id);
      throw new ApiError(
        'NOT_FOUND',
        `funder ${view.funderId} has no tranche condition ${conditionId}` +
          (listed.length ? `: its deliverables are ${listed.join(', ')}` : ': it lists no deliverables'),
        [{ path: 'path.conditionId', message: 'is not one of the funder’s tranche conditions' }],
      );
    }
    if (condition.kind !== 'document')
      throw new ApiError('VALIDATION_FAILED', `${conditionId} is met by each person's training certificate, not by a deliverable`, [
        { path: 'path.conditionId', message: 'is a training condition: record certificates at /v1/projects/{id}/people/{personId}/training' },
      ]);
    const by = req.caller!.actor;
    const attachedTo: Attachment = { type: 'deliverable', id: conditionId };
    const staged = (await uploads.stage(res, { projectId: view.projectId, kind: 'deliverable', attachedTo, uploadedBy: by, channel: 'api' }))!;
    const { record } = staged;
    const input = { conditionId, documentId: record.documentId, sha256: record.sha256, submittedBy: by };
    const deliverable = await recordCiting(view, staged, () => handleOf(view).executeUpdate(recordDeliverableUpdate, { args: [input] }));
    res.status(201).json({
      conditionId,
      name: deliverable.name ?? condition.name,
      documentId: record.documentId,
      sha256: record.sha256,
      submittedAt: deliverable.submittedAt,
    });
  });

  return router;
}
