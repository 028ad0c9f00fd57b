/**
 * The one way the API acts on a review step, for every caller: a reviewer's link (`/r/:token`), an agency seat
 * (`/v1/steps/:ref`), a coordinator's appeal or answer to a request for information (`/v1/projects/:id/…`).
 * The step is read from the records (a link's decision needs no read: the link names the step); the act is the
 * owning workflow's Update, which answers once the owner has recorded it, so a `200` means the record shows it.
 * Every refusal is one error code, one status and one heading, whoever sent it and whether it is answered as JSON
 * or as a page (REJECTIONS). Before a decision, the four-eyes rule (domain/four-eyes.ts) is checked here, for a
 * seat and a link alike, against the steps the records show decided on the same component.
 */
import type { Client } from '@temporalio/client';
import {
  answerInfoUpdate,
  assignUpdate,
  decideUpdate,
  DecisionRejection,
  type AssignResult,
  type Channel,
  type DecisionResult,
  type ReviewStep,
} from '../workflows/definitions';
import type { PeopleRejection } from '../workflows/people-contract';
import type { LinkClaims } from '../activities/link-tokens';
import { personEmail, type KeyRing, type Principal } from '../config/principals';
import { decidedByPerson, fourEyesRefusal, seatPool, type FourEyesRefusal } from '../domain/four-eyes';
import type { Policy } from '../domain/policy';
import { readDecidedAlongside } from '../records/component-decisions';
import type { Records } from '../records/database';
import { readStepCase } from '../records/step-case';
import { readStepContext, type StepContext } from '../records/steps';
import { caseFile, type CaseContext } from './case-file';
import { ApiError, isTemporalUnreachable, isWorkflowGone, updateRejection, type ErrorCode } from './errors';
import type { DecisionBody } from './schemas';
import { bounded } from './temporal-calls';
import type { NewDocument, StagedDocument } from '../storage/documents';

/** The workflow's refusals (of decisions, and of training and deliverables), and the four-eyes rule's, which the API checks before anything is sent. */
export type Rejection = keyof typeof DecisionRejection | keyof typeof PeopleRejection | FourEyesRefusal;

const STALE =
  'The project this link was issued for was submitted again under the same id, and this link does not apply to the new submission. ' +
  'Use the link in the most recent e-mail about it.';
const NOT_YOURS =
  'This step was passed to another reviewer: the link or reference you used no longer decides it. Use the most recent e-mail or read the queue again';

/**
 * Each refusal of an act on a step: its error code (and so its status), the page's heading, the field at fault, and
 * what to tell the person where the workflow's own words would not help them.
 */
export const REJECTIONS: Record<Rejection, { code: ErrorCode; title: string; field?: string; message?: string }> = {
  UnknownStep: { code: 'NOT_FOUND', title: 'Unknown review step' },
  NotYourStep: { code: 'CONFLICT', title: 'This step is held by another reviewer', message: NOT_YOURS },
  AlreadyDecided: { code: 'CONFLICT', title: 'Already decided' },
  StepClosed: { code: 'CONFLICT', title: 'This step is closed' },
  LegalBasisRequired: { code: 'VALIDATION_FAILED', title: 'Decision not recorded', field: 'body.legalBasis' },
  DecisionNotOffered: { code: 'VALIDATION_FAILED', title: 'Decision not recorded', field: 'body.decision' },
  ConditionsNotOffered: { code: 'VALIDATION_FAILED', title: 'Decision not recorded', field: 'body.conditions' },
  NoInfoRequested: { code: 'CONFLICT', title: 'No information was asked for' },
  InfoAlreadyRequested: { code: 'CONFLICT', title: 'Information already requested' },
  InfoRequestTooLate: { code: 'VALIDATION_FAILED', title: 'Decision not recorded', field: 'body.decision' },
  StaleLink: { code: 'GONE', title: 'This link belongs to an earlier submission', message: STALE },
  NotInPool: { code: 'VALIDATION_FAILED', title: 'Not passed on', field: 'body.reviewer' },
  NoPerson: { code: 'FORBIDDEN', title: 'A person must decide' },
  NotInReviewerPool: { code: 'FORBIDDEN', title: 'Not yours to decide' },
  DecidedEarlierStep: { code: 'FORBIDDEN', title: 'A second person must decide' },
  SignedDocumentRequired: { code: 'VALIDATION_FAILED', title: 'Decision not recorded', field: 'body.file' },
  SignedDocumentNotOffered: { code: 'VALIDATION_FAILED', title: 'Decision not recorded', field: 'body.file' },
  // The project workflow's refusals of a training certificate or a deliverable (workflows/people-contract.ts).
  UnknownPerson: { code: 'NOT_FOUND', title: 'Unknown person' },
  UnknownCondition: { code: 'NOT_FOUND', title: 'Unknown tranche condition' },
  InvalidTraining: { code: 'VALIDATION_FAILED', title: 'Certificate not recorded' },
  WrongStage: { code: 'CONFLICT', title: 'Not at this stage' },
};

/** A workflow's refusal the table above knows, as the API's error; undefined for anything else. */
export function knownRejection(err: unknown): ApiError | undefined {
  const refused = updateRejection(err);
  return refused?.type && refused.type in REJECTIONS ? rejection(refused.type as Rejection, refused.message) : undefined;
}

/** The refusal `type` with its message, as the API's error (a state conflict adds that nothing was changed). */
export function rejection(type: Rejection, why: string): ApiError {
  const { code, title, field, message = why } = REJECTIONS[type];
  const text = code === 'CONFLICT' ? `${message}. Nothing was changed.` : message;
  return new ApiError(code, text, field ? [{ path: field, message }] : [], title);
}

const UNCONFIRMED =
  'Your decision could not be confirmed in time: the review service (Temporal) or its workers are down or busy. It may still be recorded. ' +
  'Open the step again in a few minutes to see whether it was, and decide again only if it is still open.';

/**
 * The file a decision came with (api/uploads.ts checked it): an acknowledgement's signed document. It is staged before
 * the decision is sent, which cites its id and hash; kept (recorded, audited) once the decision is, discarded if refused.
 */
export interface DecisionFile {
  projectId: string;
  componentId?: string;
  stage(doc: Omit<NewDocument, 'filename' | 'contentType' | 'bytes'>): Promise<StagedDocument | undefined>;
}

/** Who acts on the step, and how. `reviewer`: the step's holder the act is made for (a link names one; a seat acts for the holder). */
export interface Actor {
  reviewer: string;
  channel: Channel;
  /** The principal deciding through the API (agency staff, a coordinator), recorded as the decider. */
  actor?: string;
  /** The run a link was issued for: another run refuses it. */
  run?: string;
}

export class StepActions {
  private readonly deadline: ReturnType<typeof bounded>;

  /** `timeoutMs`: how long an act waits for the workflow to record it before the answer is 503. */
  /**
   * `people`: the pools (the policy) and the principals' e-mails (the key ring) the four-eyes rule reads; the policy
   * also names and routes what a decision page's case shows, and says what its regime shares.
   */
  constructor(
    private readonly client: Client,
    private readonly records: Records,
    timeoutMs: number,
    private readonly people: { policy: Policy; keys: KeyRing },
  ) {
    this.deadline = bounded(client, timeoutMs);
  }

  /** The step of `workflowId` and its case, as recorded (while Temporal is down too); NOT_FOUND when there is none. */
  async read(workflowId: string, stepId: string): Promise<StepContext> {
    const context = await readStepContext(this.records, workflowId, stepId);
    if (!context) throw rejection('UnknownStep', `no review step ${stepId} is recorded for this link or reference`);
    return context;
  }

  /** The step with its whole case (api/case-file.ts), for its decision page, in one snapshot of the records. */
  async readCase(workflowId: string, stepId: string): Promise<CaseContext> {
    const read = await readStepCase(this.records, workflowId, stepId);
    if (!read) throw rejection('UnknownStep', `no review step ${stepId} is recorded for this link or reference`);
    return { ...read.context, case: caseFile(this.people.policy, read.context, read.records) };
  }

  /** Refuses, before anything is sent, an act the record already shows cannot be made by `by` (the workflow checks again). */
  check(step: ReviewStep, by: Pick<Actor, 'reviewer' | 'run'>): void {
    if (by.run && step.runId && by.run !== step.runId) throw rejection('StaleLink', 'the link was issued for an earlier submission');
    if (step.reviewer !== by.reviewer) throw rejection('NotYourStep', 'the step is held by another reviewer');
  }

  /**
   * A decision from a reviewer's link: the link names the workflow, the step, the reviewer and the run, and the
   * workflow's validator refuses what the record would. The one read first is the four-eyes rule's: the person the
   * link was mailed to decides as themself.
   */
  async decideLinked(claims: LinkClaims, body: DecisionBody, file?: DecisionFile): Promise<DecisionResult> {
    await this.assertFourEyes(claims, claims.reviewer);
    return this.sendDecision(claims, body, { reviewer: claims.reviewer, channel: 'email-link', run: claims.run }, file);
  }

  /**
   * How `caller` decides `step` through their agency's seat, once the four-eyes rule lets them: for the step's
   * holder, recorded as the caller. Checked before the body is read: who may decide comes before what is decided.
   */
  async seat(step: ReviewStep, caller: Principal): Promise<Actor> {
    await this.assertFourEyes(step, personEmail(caller), seatPool(this.people.policy, step));
    return { reviewer: step.reviewer, channel: 'api', actor: caller.id, run: step.runId };
  }

  /** Refuses a decision by `person` that the four-eyes rule forbids (a link: no pool, the workflow gave them the step). */
  private async assertFourEyes(at: { workflowId: string; stepId: string }, person: string | undefined, pool?: string[]): Promise<void> {
    const read = await readDecidedAlongside(this.records, at);
    if (!read) throw rejection('UnknownStep', `no review step ${at.stepId} is recorded for this link or reference`);
    const emailOf = (id: string) => {
      const principal = this.people.keys.principal(id);
      return principal && personEmail(principal);
    };
    const earlier = read.decided.map((d) => ({ stepId: d.stepId, kind: d.kind, decidedBy: decidedByPerson(d, emailOf) }));
    const refused = fourEyesRefusal({ step: read.step, person, pool, earlier });
    if (refused) throw rejection(refused.refusal, refused.message);
  }

  /** A decision on a step as recorded (a seat, an appeal). */
  decide(step: ReviewStep, body: DecisionBody, by: Actor, file?: DecisionFile): Promise<DecisionResult> {
    this.assertOpen(step);
    return this.sendDecision(step, body, by, file);
  }

  private async sendDecision(step: Pick<ReviewStep, 'workflowId' | 'stepId'>, body: DecisionBody, by: Actor, file?: DecisionFile): Promise<DecisionResult> {
    const staged = await file?.stage({
      projectId: file.projectId,
      ...(file.componentId && { componentId: file.componentId }),
      kind: 'acknowledgement',
      attachedTo: file.componentId ? { type: 'licence', id: file.componentId } : { type: 'project', id: file.projectId },
      uploadedBy: by.actor ?? by.reviewer,
      channel: by.channel,
      stepId: step.stepId,
    });
    const input = {
      stepId: step.stepId,
      ...body,
      reviewer: by.reviewer,
      channel: by.channel,
      ...(by.actor && { actor: by.actor }),
      ...(by.run && { run: by.run }),
      ...(staged && { signedDocument: { documentId: staged.record.documentId, sha256: staged.record.sha256 } }),
    };
    let result: DecisionResult;
    try {
      result = await this.update(step, () => this.client.workflow.getHandle(step.workflowId).executeUpdate(decideUpdate, { args: [input] }));
    } catch (err) {
      // Refused: nothing changed. Not confirmed: the decision may cite the document, so it is kept.
      if (staged) await (err instanceof ApiError && err.code === 'UNAVAILABLE' ? staged.keep() : staged.discard()).catch(() => undefined);
      throw err;
    }
    if (staged) await staged.keep();
    return result;
  }

  assign(step: ReviewStep, reviewer: string, assignedBy: string): Promise<AssignResult> {
    this.assertOpen(step);
    return this.update(step, () =>
      this.client.workflow.getHandle(step.workflowId).executeUpdate(assignUpdate, { args: [{ stepId: step.stepId, reviewer, assignedBy }] }),
    );
  }

  answerInfo(step: ReviewStep, answer: string, answeredBy: string): Promise<{ stepId: string; dueAt: string }> {
    return this.update(step, () =>
      this.client.workflow.getHandle(step.workflowId).executeUpdate(answerInfoUpdate, { args: [{ stepId: step.stepId, answer, answeredBy }] }),
    );
  }

  /** A step the record shows decided or closed is refused here, without asking the workflow (which would refuse it too). */
  private assertOpen(step: ReviewStep): void {
    if (step.status === 'decided') throw rejection('AlreadyDecided', `step ${step.stepId} was already decided: ${step.outcome} at ${step.decidedAt}`);
    if (step.status === 'closed') throw rejection('StepClosed', `step ${step.stepId} is closed: ${step.closedReason}`);
  }

  /** The Update under the API's deadline, its refusals as the API's errors. */
  private async update<T>(step: Pick<ReviewStep, 'workflowId' | 'stepId'>, send: () => Promise<T>): Promise<T> {
    try {
      return await this.deadline(send);
    } catch (err) {
      const known = knownRejection(err);
      if (known) throw known;
      if (isTemporalUnreachable(err)) throw new ApiError('UNAVAILABLE', UNCONFIRMED, [], 'Not confirmed yet');
      // The owning workflow has finished: its steps are closed or decided, as the record shows.
      if (isWorkflowGone(err)) {
        const { step: recorded } = await this.read(step.workflowId, step.stepId);
        const type = recorded.status === 'decided' ? 'AlreadyDecided' : 'StepClosed';
        throw rejection(type, `the review step ${step.stepId} belongs to has finished (${recorded.outcome ?? recorded.closedReason ?? recorded.status})`);
      }
      throw err;
    }
  }
}
