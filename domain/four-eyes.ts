/**
 * Four eyes that are two people (DESIGN §9 "The right person"): who may decide a review step, as a person.
 * - Through an agency seat, the person must be in the step's pool: the party's `seniorReviewers` for a senior
 *   sign-off or an escalation (its `reviewers` when it has no seniors, as routing then gives them the step), else
 *   its `reviewers`. An agency key that names no person never decides.
 * - Through a link, the person is the one it was mailed to (the workflow gave them the step from its pool).
 * - Either way, a person who decided an earlier step of the same component does not decide its senior sign-off or
 *   its escalation: the second pair of eyes must belong to someone else.
 * Pure: the decide service (api/decisions.ts) reads the facts and words each refusal once (REJECTIONS).
 */
import type { Policy } from './policy';
import type { StepKind } from './step-kinds';

/** The kinds that stand as the second pair of eyes on a component. */
export const SECOND_LOOK_KINDS: readonly StepKind[] = ['senior-sign-off', 'escalation'];

/** Why a person may not decide a step; api/decisions.ts maps each to its error. */
export const FourEyesRefusal = {
  /** An agency key without a person: it lists and assigns, and never decides. */
  NoPerson: 'NoPerson',
  /** The person is not in the step's pool of reviewers. */
  NotInReviewerPool: 'NotInReviewerPool',
  /** The person decided an earlier step of the component, and this step is its second look. */
  DecidedEarlierStep: 'DecidedEarlierStep',
} as const;
export type FourEyesRefusal = keyof typeof FourEyesRefusal;

export interface StepFacts {
  stepId: string;
  kind: StepKind;
  party: string;
  partyName: string;
}

/** A decided step of the same component, with the person who decided it (undefined: the policy's silence, or no one known). */
export interface EarlierDecision {
  stepId: string;
  kind: StepKind;
  decidedBy?: string;
}

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/**
 * Who may decide the step through a seat: the pool its kind draws from, or the seniors when the step is held by a
 * senior (a silent reviewer's sanction decision goes to a senior as the same kind, so its basis stays required).
 */
export function seatPool(policy: Pick<Policy, 'agencies' | 'funders'>, step: Pick<StepFacts, 'party' | 'kind'> & { reviewer?: string }): string[] {
  const holder = [...policy.agencies, ...policy.funders].find((p) => p.id === step.party);
  if (!holder) return [];
  const seniors = holder.seniorReviewers ?? [];
  const heldBySenior = step.reviewer !== undefined && seniors.some((s) => same(s, step.reviewer!));
  return (SECOND_LOOK_KINDS.includes(step.kind) || heldBySenior) && seniors.length ? seniors : holder.reviewers;
}

/**
 * Whether `person` (an e-mail address; undefined for a key that names no one) may decide `step`. `pool` is the
 * seat's pool (seatPool); undefined for a link, whose person was given the step by the workflow. `earlier`: the
 * decided steps of the same component. Undefined when they may; else the refusal and what to tell them.
 */
export function fourEyesRefusal(input: {
  step: StepFacts;
  person: string | undefined;
  pool?: readonly string[];
  earlier: readonly EarlierDecision[];
}): { refusal: FourEyesRefusal; message: string } | undefined {
  const { step, person, pool, earlier } = input;
  if (!person)
    return {
      refusal: 'NoPerson',
      message:
        `an agency key that names no person lists and assigns steps, and never decides: ` +
        `decide with the key of a person (agency:${step.party}:<userId>, with their e-mail in PRINCIPALS_FILE), or from the e-mailed link`,
    };
  if (pool && !pool.some((r) => same(r, person))) {
    const which = SECOND_LOOK_KINDS.includes(step.kind) ? 'senior reviewers' : 'reviewers';
    return {
      refusal: 'NotInReviewerPool',
      message: `${person} is not one of ${step.partyName}'s ${which}, who decide a ${step.kind} step (${pool.join(', ') || 'none'})`,
    };
  }
  if (SECOND_LOOK_KINDS.includes(step.kind)) {
    const own = earlier.find((d) => d.stepId !== step.stepId && d.decidedBy && same(d.decidedBy, person));
    if (own)
      return {
        refusal: 'DecidedEarlierStep',
        message:
          `${person} decided ${own.stepId} (${own.kind}) of this component, so another ` +
          `person must decide its ${step.kind} ${step.stepId}: pass it to a colleague`,
      };
  }
  return undefined;
}

/**
 * The person behind a recorded decision: a link's decision names the reviewer's e-mail; a seat's names the
 * principal, whose e-mail `emailOf` gives. A decision an agency's shared key made (before persons were required)
 * was made in the holder's name, so it counts as the holder's. Undefined when no person is known (silence).
 */
export function decidedByPerson(step: { decidedBy?: string; reviewer: string }, emailOf: (principalId: string) => string | undefined): string | undefined {
  const by = step.decidedBy;
  if (!by) return undefined; // the policy's silence rule decided it
  if (by.includes('@') && !by.includes(':')) return by.toLowerCase();
  const email = emailOf(by);
  if (email) return email;
  return /^agency:[^:]+$/.test(by) ? step.reviewer.toLowerCase() : undefined;
}
