/**
 * People, their training and the funder's other tranche conditions: what the project workflow keeps of them, the
 * Updates that record a training certificate or a deliverable (the API keeps the document first, as every
 * document), and what it carries into its next run. Workflow-safe: types and message constructors only.
 */
import { defineUpdate } from '@temporalio/workflow';
import type { PersonScreening } from '../domain/deemed-exports';
import type { Person } from '../domain/project';

/** A training certificate of a person: the course, when it was completed and until when it is valid, and its document. */
export interface TrainingCertificate {
  certificateId: string;
  course: string;
  completedAt: string;
  expiresAt: string;
  documentId: string;
  sha256: string;
  recordedBy: string;
  recordedAt: string;
}

/** A person as the project's view shows them: as submitted (or amended), screened, with their certificates. */
export interface PersonView extends Person {
  /** Absent until the person is screened (at scoping, or when an amendment adds them). */
  screening?: PersonScreening & { at: string };
  training: TrainingCertificate[];
}

/** A deliverable a tranche condition waits on, as received: its document, hashed as every document. */
export interface DeliverableView {
  conditionId: string;
  name: string;
  documentId: string;
  sha256: string;
  submittedBy: string;
  submittedAt: string;
}

/** What the API sends to record a certificate: its facts, whose it is, and who recorded it. */
export type TrainingInput = Omit<TrainingCertificate, 'certificateId' | 'recordedAt'> & { personId: string };

export interface DeliverableInput {
  conditionId: string;
  documentId: string;
  sha256: string;
  submittedBy: string;
}

/** The post-project review of a closed project: what the workflow summarised for its two reviewers. */
export interface PostProjectSummary {
  licensed: string[];
  /** What the compliance reports declared shipped under each licence. */
  shipped: string[];
  released: string[];
  openConditions: string[];
}

/** What an active project carries of its people and deliverables into its next run. */
export interface PeopleCarry {
  people: PersonView[];
  deliverables: DeliverableView[];
  /** The deemed-export reviews opened so far (step ids). */
  opened: string[];
}

export const recordTrainingUpdate = defineUpdate<PersonView, [TrainingInput]>('recordTraining');
export const recordDeliverableUpdate = defineUpdate<DeliverableView, [DeliverableInput]>('recordDeliverable');

/** Failure types the training and deliverable validators throw; the API maps them to 404/409/422. */
export const PeopleRejection = {
  UnknownPerson: 'UnknownPerson',
  UnknownCondition: 'UnknownCondition',
  InvalidTraining: 'InvalidTraining',
  WrongStage: 'WrongStage',
} as const;
