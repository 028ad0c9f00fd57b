/**
 * What each kind of review step is: one row per kind, the single place its
 * rules live. The decision Update's validator, the request schema, the
 * decision page, the dashboard and the e-mails all read this table.
 * Pure data: it runs inside workflows too.
 */

export type StepKind =
  | 'grant-funder'
  | 'grant-agency'
  | 'tier-lowering'
  | 'agency-review'
  | 'defence-review'
  | 'senior-sign-off'
  /** A silent reviewer's senior decides in their place. */
  | 'escalation'
  /** A dispute level's chair rules. */
  | 'ruling'
  /** A party may appeal a ruling or a denial. */
  | 'appeal'
  /** The funder reviews a milestone in a review cycle. */
  | 'milestone-review';

/** approve/deny/request-info on reviews and rulings; appeal/accept on an appeal window. */
export type Decision = 'approve' | 'deny' | 'request-info' | 'appeal' | 'accept';

export interface StepKindRule {
  /** What the step is called on pages and the dashboard. */
  label: string;
  /** The first words of its e-mail's subject: what kind of decision is owed. */
  mailSubject: string;
  /** The decisions its page offers, in the order shown. */
  decisions: readonly Decision[];
  /** Decisions that must cite their legal basis, in writing. */
  basisRequired: readonly Decision[];
  /** An approval may carry conditions (provisos) that join the component's licence. */
  conditions: boolean;
}

const REVIEW: readonly Decision[] = ['approve', 'deny', 'request-info'];

export const STEP_KINDS: Readonly<Record<StepKind, StepKindRule>> = {
  'grant-funder': { label: 'Grant review — funder', mailSubject: 'Review requested', decisions: REVIEW, basisRequired: ['deny'], conditions: false },
  'grant-agency': { label: 'Grant review — lead agency', mailSubject: 'Review requested', decisions: REVIEW, basisRequired: ['deny'], conditions: false },
  'tier-lowering': { label: 'Tier lowering', mailSubject: 'Review requested', decisions: REVIEW, basisRequired: ['deny'], conditions: false },
  'agency-review': { label: 'Agency review', mailSubject: 'Review requested', decisions: REVIEW, basisRequired: ['deny'], conditions: true },
  'defence-review': { label: 'Defence review', mailSubject: 'Review requested', decisions: REVIEW, basisRequired: ['deny'], conditions: true },
  'senior-sign-off': { label: 'Senior sign-off', mailSubject: 'Review requested', decisions: REVIEW, basisRequired: ['deny'], conditions: true },
  // A senior deciding in a silent reviewer's place has that reviewer's powers, provisos included.
  escalation: { label: 'Escalated review', mailSubject: 'Escalated review', decisions: ['approve', 'deny'], basisRequired: ['deny'], conditions: true },
  // A chair rules between the positions before it; provisos are the agencies' to set.
  ruling: { label: 'Dispute ruling', mailSubject: 'Ruling requested', decisions: ['approve', 'deny'], basisRequired: ['deny'], conditions: false },
  appeal: { label: 'Appeal window', mailSubject: 'Appeal window open', decisions: ['appeal', 'accept'], basisRequired: ['appeal'], conditions: false },
  'milestone-review': { label: 'Milestone review', mailSubject: 'Review requested', decisions: REVIEW, basisRequired: ['deny'], conditions: false },
};

/** Decisions that cite a legal basis on some kind of step: the request schema checks these before the step is known. */
export const BASIS_DECISIONS: readonly Decision[] = [...new Set(Object.values(STEP_KINDS).flatMap((r) => r.basisRequired))];

/** The most conditions one approval may set, and the longest one. */
export const CONDITION_LIMITS = { count: 20, length: 1000 } as const;

/** A condition as the licence carries it: the text, and who set it. */
export function attributedCondition(text: string, setBy: { partyName: string; reviewer: string }): string {
  return `${text} (set by ${setBy.partyName}, ${setBy.reviewer})`;
}
