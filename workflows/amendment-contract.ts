/**
 * Amendments between the API and the project workflow (workflows/project-amendments.ts): the Update that takes one,
 * its answer, its refusals, and the signal that tells a licence review an amendment ended it. Types and definitions only.
 */
import { defineSignal, defineUpdate } from '@temporalio/workflow';
import type { Amendment } from '../domain/amendments';

export interface AmendRequest {
  amendment: Amendment;
  /** The principal who amends (the project's owner, a delegate, or admin). */
  amendedBy: string;
}

/**
 * The amendment as accepted. Amendments are applied one at a time, in the order they were accepted: `follows` names
 * the amendment accepted just before this one (so a second amendment sent at once learns of the first), and
 * `after` those still being applied when this one was accepted, which are applied first.
 */
export interface AmendResult {
  amendmentId: string;
  follows?: string;
  after: string[];
  /** One line per change (`component c1: destinations changed`). */
  changes: string[];
  /** The components classified and reviewed again; every other licence stands. */
  reviewedAgain: string[];
}

/** What a project continued as new carries of its amendments. */
export interface AmendmentCarry {
  accepted: number;
  last?: string;
}

export const amendUpdate = defineUpdate<AmendResult, [AmendRequest]>('amend');

/** Tells a licence review, before it is cancelled, that an amendment replaced it (its open steps close saying so). */
export const reviewSupersededSignal = defineSignal<[reason: string]>('reviewSuperseded');

export const AmendmentRejection = {
  /** The project is not under review or active: nothing may be amended. */
  WrongStage: 'AmendmentWrongStage',
  /** The amendment breaks a rule; `details[0]` lists `{ path, message }` per problem. */
  Invalid: 'AmendmentInvalid',
} as const;

/** Stages in which a project may be amended. */
export const AMENDABLE_STAGES: readonly string[] = ['grant-review', 'active'];
