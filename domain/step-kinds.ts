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
  /** The issuer finds, with its basis, that a listed item needs no licence (a lowering to T0). */
  | 'no-licence-finding'
  /** The issuing authority's own review: the licensing agency of the exporter's country. */
  | 'issuer-review'
  /** An agency the issuer's regime consults (US reviewing agencies; EU Member States where the items are located). */
  | 'consultation'
  /** A Member State's request to be consulted on its essential security interests (2021/821 Art. 14(2)): its view does not bind. */
  | 'essential-security'
  /** A defence reviewer consulted on a T3 component (the exporter's country's, and the consulted states'). */
  | 'defence-review'
  /** A partner country outside the issuer's regime: its view is advice to the issuer. */
  | 'advisory-review'
  | 'senior-sign-off'
  /** A silent reviewer's senior decides in their place. */
  | 'escalation'
  /** A ladder level's chair, or the issuer's appeal body, rules. */
  | 'ruling'
  /** A party may appeal a ruling or a denial. */
  | 'appeal'
  /** The applicant may answer a notice of intent to deny (US). */
  | 'intent-to-deny'
  /** A party whose denial stood when the applicant answered an intent to deny reviews it again (EO 12981 §5). */
  | 'reconsideration'
  /** The funder reviews a milestone in a review cycle. */
  | 'milestone-review'
  /** The licensee accepts in writing the conditions reviewers set (provisos) before it uses the licence. */
  | 'acknowledgement'
  /** The holder (the coordinator) is heard on a proposed suspension or revocation before the issuer decides. */
  | 'holder-hearing'
  /** The issuer decides a suspension or revocation the compliance monitor proposed (EAR §750.8; in the EU, under national law). */
  | 'sanction-decision'
  /** A release of controlled software or technology to a foreign person (a deemed export): the issuer of the person's partner's country decides. */
  | 'deemed-export'
  /** A closed project's review, by the coordinator and by the lead agency: what was licensed, shipped and released, what stays open, lessons. */
  | 'post-project-review';

/**
 * approve/deny/request-info on reviews and rulings; appeal/accept on an appeal window; respond/accept on an
 * intent to deny; acknowledge on the conditions of a licence; review on a post-project review (its comment is the review).
 */
export type Decision = 'approve' | 'deny' | 'request-info' | 'appeal' | 'accept' | 'respond' | 'acknowledge' | 'review';

/**
 * What a step's silence at its deadline does:
 * - `escalate`: the owner's escalation applies (a senior's step, the next ladder level); with none, the step stays open;
 * - `no-objection`: the step ends as `no-objection` (a consulted agency's silence, by its regime);
 * - `stays-open`: reminded and flagged, never decided by silence;
 * - `lapses`: the window closes without the step's action.
 */
export type Silence = 'escalate' | 'no-objection' | 'stays-open' | 'lapses';

export interface StepKindRule {
  /** What the step is called on pages and the dashboard. */
  label: string;
  /** Who may decide it. */
  decidedBy: string;
  /** The first words of its e-mail's subject: what kind of decision is owed. */
  mailSubject: string;
  /** The decisions its page offers, in the order shown. */
  decisions: readonly Decision[];
  /** Decisions that must cite their legal basis, in writing. */
  basisRequired: readonly Decision[];
  /** An approval may carry conditions (provisos) that join the component's licence. */
  conditions: boolean;
  silence: Silence;
  /** What escalation does, in words (pages, docs and the closing note read it). */
  escalation: string;
}

const REVIEW: readonly Decision[] = ['approve', 'deny', 'request-info'];
/** What every review step shares: approve, deny (citing the legal basis) or ask for information. */
const REVIEW_STEP = { decisions: REVIEW, basisRequired: ['deny'] } as const satisfies Pick<StepKindRule, 'decisions' | 'basisRequired'>;
const NO_ESCALATION = 'none';

export const STEP_KINDS: Readonly<Record<StepKind, StepKindRule>> = {
  'grant-funder': {
    label: 'Grant review — funder',
    decidedBy: 'the funder',
    mailSubject: 'Review requested',
    ...REVIEW_STEP,
    conditions: false,
    silence: 'escalate',
    escalation: "the funder's senior, then stays open",
  },
  'grant-agency': {
    label: 'Grant review — lead agency',
    decidedBy: "the licensing agency of the coordinator's country",
    mailSubject: 'Review requested',
    ...REVIEW_STEP,
    conditions: false,
    silence: 'escalate',
    escalation: "the lead agency's senior, then stays open",
  },
  'tier-lowering': {
    label: 'Tier lowering',
    decidedBy: "the component's issuer (the licensing agency of its exporter's country)",
    mailSubject: 'Review requested',
    ...REVIEW_STEP,
    conditions: false,
    silence: 'escalate',
    escalation: "the issuer's senior, then stays open",
  },
  'no-licence-finding': {
    label: 'No licence required?',
    decidedBy: "the component's issuer",
    mailSubject: 'Finding requested',
    decisions: REVIEW,
    basisRequired: ['approve', 'deny'],
    conditions: false,
    silence: 'escalate',
    escalation: "the issuer's senior, then stays open",
  },
  'issuer-review': {
    label: 'Issuer review',
    decidedBy: "the licensing agency of the exporter's country",
    mailSubject: 'Review requested',
    ...REVIEW_STEP,
    conditions: true,
    silence: 'escalate',
    escalation: "the issuer's senior, then stays open; past the legal limit the case is out of time",
  },
  consultation: {
    label: 'Consultation',
    decidedBy: "an agency the issuer's regime consults",
    mailSubject: 'Consultation requested',
    ...REVIEW_STEP,
    conditions: true,
    silence: 'no-objection',
    escalation: NO_ESCALATION,
  },
  // Art. 14(2) of 2021/821: the requesting state's view is not binding, and its silence is no objection after 10 working days.
  'essential-security': {
    label: 'Essential-security consultation (Art. 14(2))',
    decidedBy: 'a Member State that asked to be consulted on its essential security interests',
    mailSubject: 'Consultation requested',
    ...REVIEW_STEP,
    conditions: false,
    silence: 'no-objection',
    escalation: NO_ESCALATION,
  },
  'defence-review': {
    label: 'Defence review',
    decidedBy: "the defence reviewer of the exporter's or a consulted country",
    mailSubject: 'Consultation requested',
    ...REVIEW_STEP,
    conditions: true,
    silence: 'no-objection',
    escalation: NO_ESCALATION,
  },
  'advisory-review': {
    label: 'Advisory review',
    decidedBy: "a partner country's licensing agency outside the issuer's regime",
    mailSubject: 'Advice requested',
    ...REVIEW_STEP,
    conditions: false,
    silence: 'no-objection',
    escalation: NO_ESCALATION,
  },
  'senior-sign-off': {
    label: 'Senior sign-off',
    decidedBy: "the issuer's senior",
    mailSubject: 'Review requested',
    ...REVIEW_STEP,
    conditions: true,
    silence: 'escalate',
    escalation: 'another senior of the issuer, then stays open',
  },
  // A senior deciding in a silent reviewer's place has that reviewer's powers, provisos included.
  escalation: {
    label: 'Escalated review',
    decidedBy: "the silent reviewer's senior",
    mailSubject: 'Escalated review',
    decisions: ['approve', 'deny'],
    basisRequired: ['deny'],
    conditions: true,
    silence: 'stays-open',
    escalation: 'stays open, reminded, flagged to the coordinator',
  },
  // A chair rules between the positions before it; provisos are the agencies' to set.
  ruling: {
    label: 'Ruling',
    decidedBy: "a ladder level's chair (US), or the issuer's appeal body",
    mailSubject: 'Ruling requested',
    decisions: ['approve', 'deny'],
    basisRequired: ['deny'],
    conditions: false,
    silence: 'escalate',
    escalation: "the ladder's next level; the last level and an appeal body stay open",
  },
  appeal: {
    label: 'Appeal window',
    decidedBy: 'the party whose position lost',
    mailSubject: 'Appeal window open',
    decisions: ['appeal', 'accept'],
    basisRequired: ['appeal'],
    conditions: false,
    silence: 'lapses',
    escalation: NO_ESCALATION,
  },
  'intent-to-deny': {
    label: 'Intent to deny',
    decidedBy: 'the applicant (the coordinator)',
    mailSubject: 'Intent to deny',
    decisions: ['respond', 'accept'],
    basisRequired: ['respond'],
    conditions: false,
    silence: 'lapses',
    escalation: NO_ESCALATION,
  },
  // Silence keeps the denial the party gave; the notice period's end closes the step.
  reconsideration: {
    label: 'Reconsideration',
    decidedBy: 'a party whose denial stands after the applicant answered an intent to deny',
    mailSubject: 'Reconsideration requested',
    decisions: ['approve', 'deny'],
    basisRequired: ['deny'],
    conditions: true,
    silence: 'stays-open',
    escalation: 'none: at the end of the notice period the denial it gave stands',
  },
  'milestone-review': {
    label: 'Milestone review',
    decidedBy: 'the funder',
    mailSubject: 'Review requested',
    ...REVIEW_STEP,
    conditions: false,
    silence: 'stays-open',
    escalation: 'stays open; the cycle reports it stalled at its close',
  },
  acknowledgement: {
    label: 'Acknowledgement of conditions',
    decidedBy: 'the licensee (the coordinator, for the exporter and the recipients)',
    mailSubject: 'Acknowledge the licence conditions',
    decisions: ['acknowledge'],
    basisRequired: [],
    conditions: false,
    silence: 'stays-open',
    escalation: 'stays open, reminded; the licence is not in use until acknowledged, and lapses unused at its expiry',
  },
  // The holder is told and heard (DOMAIN "Suspension and revocation"); not answering only closes the window.
  'holder-hearing': {
    label: 'Hearing on a proposed sanction',
    decidedBy: 'the licence holder (the coordinator)',
    mailSubject: 'Proposed sanction: your answer',
    decisions: ['respond', 'accept'],
    basisRequired: ['respond'],
    conditions: false,
    silence: 'lapses',
    escalation: NO_ESCALATION,
  },
  // Suspension and revocation are the issuer's acts: approve imposes the proposed sanction, deny refuses it with the basis.
  'sanction-decision': {
    label: 'Suspension or revocation',
    decidedBy: "the licence's issuer",
    mailSubject: 'Decision requested',
    decisions: ['approve', 'deny'],
    basisRequired: ['approve', 'deny'],
    conditions: false,
    silence: 'escalate',
    escalation: "the issuer's senior, then stays open: silence never suspends or revokes",
  },
  // The issuer's own decision on a release: silence never authorises it. An approval citing a licence exception in its
  // legal basis authorises the person under that exception; without one, under the issuer's licence.
  'deemed-export': {
    label: 'Deemed-export review',
    decidedBy: "the licensing agency of the country where the person works (their partner's)",
    mailSubject: 'Deemed-export review requested',
    ...REVIEW_STEP,
    conditions: true,
    silence: 'escalate',
    escalation: "the issuer's senior, then stays open: the person stays not authorised",
  },
  'post-project-review': {
    label: 'Post-project review',
    decidedBy: 'the coordinator, and the lead agency',
    mailSubject: 'Post-project review',
    decisions: ['review'],
    basisRequired: [],
    conditions: false,
    silence: 'lapses',
    escalation: 'none: the window closes and the review is recorded as not given',
  },
};

/** Every decision some kind of step offers: what the request schema accepts before the step is known. */
export const DECISIONS = [...new Set(Object.values(STEP_KINDS).flatMap((r) => r.decisions))] as [Decision, ...Decision[]];

/** How each decision that needs one asks for its legal basis: the request schema and the workflow's validator say the same. */
export function basisRequiredMessage(decision: Decision, kind?: StepKind): string {
  if (kind === 'sanction-decision' && decision === 'approve') return 'a suspension or revocation must cite its legal basis, in writing';
  return (
    {
      deny: 'a denial must cite its legal basis, in writing',
      approve: 'this approval is a finding that no licence is required: cite its basis, in writing',
      appeal: 'an appeal must state its legal basis, in writing',
      respond: 'a response must state its grounds, in writing',
    }[decision as string] ?? `"${decision}" must cite its legal basis, in writing`
  );
}

/**
 * Decisions that cite a legal basis on every kind of step that offers them: the request schema checks these before
 * the step is known (an approval needs one only on a no-licence finding, which the step's validator checks).
 */
export const BASIS_DECISIONS: readonly Decision[] = DECISIONS.filter((d) =>
  Object.values(STEP_KINDS).every((r) => !r.decisions.includes(d) || r.basisRequired.includes(d)),
);

/** The most conditions one approval may set, and the longest one. */
export const CONDITION_LIMITS = { count: 20, length: 1000 } as const;

/** A condition as the licence carries it: the text, and who set it. */
export function attributedCondition(text: string, setBy: { partyName: string; reviewer: string }): string {
  return `${text} (set by ${setBy.partyName}, ${setBy.reviewer})`;
}
