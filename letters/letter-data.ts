/**
 * What a decision letter says, read from the records: the project record as `GET /v1/projects/:id` reads it (the
 * licence as its review wrote it, the steps as their owners wrote them) and the submission as the coordinator gave
 * it (parties, codes, destinations). Names come from the records and the policy, never ids alone. Every date is
 * the record's, so the same record makes the same letter.
 */
import type { Policy } from '../domain/policy';
import type { Component } from '../domain/project';
import { authorisationOf } from '../domain/routing';
import { attributedCondition } from '../domain/step-kinds';
import { acknowledgementsOf, type AcknowledgementGiven } from '../records/acknowledgements';
import type { Records } from '../records/database';
import { readProjectRecord, type ProjectRecord } from '../records/project-reads';
import { disputeWorkflowId, licenceWorkflowId, type ComponentView, type Licence, type ReviewStep } from '../workflows/definitions';

export interface LetterParty {
  name: string;
  /** ISO 3166 code, and the country's English name. */
  country: string;
  countryName: string;
}

interface LetterCase {
  projectId: string;
  projectTitle: string;
  /** The issuing authority, by name, and the regime it issues under. */
  issuer: { name: string; regime: string };
  item: {
    componentId: string;
    name: string;
    description: string;
    endUse: string;
    tier: string;
    controlCodes: { code: string; description?: string }[];
  };
  destinations: { code: string; name: string }[];
  exporter: LetterParty;
  recipients: LetterParty[];
  coordinator: { name: string; email: string; partner: LetterParty };
  /** The letter's date (the PDF's CreationDate), and the last change it shows (ModDate): both from the record. */
  dated: string;
  revised: string;
}

/** The case without the letter's dates, which each kind of letter takes from its own part of the record. */
type Case = Omit<LetterCase, 'dated' | 'revised'>;

export interface LicenceLetter extends LetterCase {
  kind: 'licence';
  licenceId: string;
  /** The licence's status, with the monitor's basis when it is no longer simply approved (suspended, revoked…). */
  status: string;
  validFrom: string;
  validUntil: string;
  /** The law it is issued under, where the issuer's regime names it. */
  basis?: string;
  conditions: { text: string; setBy: string }[];
  /** Present when the conditions require written acknowledgements: those given so far, and how many are still owed. */
  acknowledgements?: { given: AcknowledgementGiven[]; pending: number };
}

export interface RefusalLetter extends LetterCase {
  kind: 'refusal';
  /** The grounds the refusal rests on, as the licence record states them. */
  legalBasis: string;
  /** The refusing decisions, each with who made it and the legal basis they cited. */
  decisions: { by: string; reviewer: string; at: string; legalBasis?: string }[];
  /** The issuing authority's appeal body (policy), the time allowed, and the window as recorded. */
  appeal?: { body: string; within: number; deadline?: string; state: 'open' | 'appealed' | 'accepted' | 'closed' | 'not-opened'; at?: string };
}

export type LetterData = LicenceLetter | RefusalLetter;

/** Why a component has no letter: it exists, but nothing was issued or refused (yet). */
export interface NoLetter {
  kind: 'none';
  status: Licence['status'];
}

const ISSUED: readonly Licence['status'][] = ['approved', 'suspended', 'revoked', 'expired'];

const regionNames = new Intl.DisplayNames(['en'], { type: 'region' });
export const countryName = (code: string) => regionNames.of(code) ?? code;

/** The letter of one component, from the records; undefined when the project or the component does not exist. */
export async function readLetterData(records: Records, policy: Policy, projectId: string, componentId: string): Promise<LetterData | NoLetter | undefined> {
  const record = await readProjectRecord(records, projectId);
  return record && letterDataOf(record, componentId, policy);
}

/** The letter a project record holds for a component (pure: the unit tests give it a record). */
export function letterDataOf(record: ProjectRecord, componentId: string, policy: Policy): LetterData | NoLetter | undefined {
  const { view, submission } = record;
  const component = view.components.find((c) => c.id === componentId);
  const spec = submission?.components.find((c) => c.id === componentId);
  if (!component || !spec) return undefined;
  const { licence } = component;
  const issued = ISSUED.includes(licence.status) && licence.licenceId && licence.validFrom && licence.validUntil;
  if ((!issued && licence.status !== 'denied') || !licence.issuer) return { kind: 'none', status: licence.status };
  const steps = currentReview(view.steps, view.projectId, componentId);
  const base = caseOf(record, component, spec, licence.issuer);
  if (!issued) return refusalLetter(base, licence, steps, policy, view.submittedAt);
  // The law it is issued under, by the rule the review applied: once its compliance monitor holds the licence, the
  // record's `basis` is the monitor's (a suspension's, a revocation's), shown with the status.
  const law = component.classification ? authorisationOf(policy, submission!, spec, component.classification)?.basis : undefined;
  return licenceLetter(base, licence, steps, view.policyVersion, law);
}

/** The steps of the component's latest review (a case returned and submitted again is a new review) and its disputes. */
function currentReview(steps: ReviewStep[], projectId: string, componentId: string): ReviewStep[] {
  const reviews = licenceWorkflowId(projectId, componentId);
  const disputes = disputeWorkflowId(projectId, componentId, 0).slice(0, -1);
  const latest = steps.filter((s) => s.componentId === componentId && s.workflowId.startsWith(reviews)).at(-1)?.workflowId;
  return steps.filter((s) => s.componentId === componentId && (s.workflowId === latest || s.workflowId.startsWith(disputes)));
}

function caseOf(record: ProjectRecord, component: ComponentView, spec: Component, issuer: NonNullable<Licence['issuer']>): Case {
  const { view, submission } = record;
  const party = (id: string): LetterParty => {
    const partner = submission!.partners.find((p) => p.id === id);
    return { name: partner?.name ?? id, country: partner?.country ?? '', countryName: partner ? countryName(partner.country) : '' };
  };
  const described = new Map(component.classification?.matchedEntries.map((e) => [e.code, e.description]));
  return {
    projectId: view.projectId,
    projectTitle: view.title,
    issuer: { name: issuer.name, regime: issuer.regime },
    item: {
      componentId: spec.id,
      name: spec.name,
      description: spec.description,
      endUse: spec.endUse,
      tier: component.tier ?? '',
      controlCodes: spec.controlCodes.map((code) => ({ code, ...(described.get(code) && { description: described.get(code) }) })),
    },
    destinations: spec.destinations.map((code) => ({ code, name: countryName(code) })),
    exporter: party(spec.exporter ?? view.coordinator.partnerId),
    recipients: spec.recipients.map(party),
    coordinator: { name: view.coordinator.name, email: view.coordinator.email, partner: party(view.coordinator.partnerId) },
  };
}

const latestOf = (dates: (string | undefined)[]) =>
  dates
    .filter((d): d is string => !!d)
    .sort()
    .at(-1);

function licenceLetter(base: Case, licence: Licence, steps: ReviewStep[], policyVersion: string, law: string | undefined): LicenceLetter {
  // A reviewer's condition carries who set it (domain/step-kinds.ts); the others are the policy's for the tier.
  const setters = steps
    .filter((s) => s.outcome === 'approved' && s.conditions?.length)
    .flatMap((s) => s.conditions!.map((text) => ({ attributed: attributedCondition(text, s), text, setBy: `${s.partyName} (${s.reviewer})` })));
  const conditions = licence.conditions.map((c) => {
    const set = setters.find((x) => x.attributed === c);
    return set ? { text: set.text, setBy: set.setBy } : { text: c, setBy: `standard condition for ${base.item.tier} licences (policy ${policyVersion})` };
  });
  const acknowledged = acknowledgementsOf(licence, steps);
  const given = acknowledged?.given ?? [];
  return {
    ...base,
    kind: 'licence',
    licenceId: licence.licenceId!,
    status: licence.status !== 'approved' && licence.basis ? `${licence.status} (${licence.basis})` : licence.status,
    validFrom: licence.validFrom!,
    validUntil: licence.validUntil!,
    ...(law && { basis: law }),
    conditions,
    ...(acknowledged && { acknowledgements: { given, pending: acknowledged.owed - given.length } }),
    dated: licence.validFrom!,
    revised: latestOf([licence.validFrom, ...given.map((g) => g.at)])!,
  };
}

/** `submittedAt`: the date of last resort, for a refusal whose decisions the record no longer dates. */
function refusalLetter(base: Case, licence: Licence, steps: ReviewStep[], policy: Policy, submittedAt: string): RefusalLetter {
  const decisions = steps
    .filter((s) => s.outcome === 'denied' && s.decidedAt)
    .map((s) => ({ by: s.partyName, reviewer: s.decidedBy ?? s.reviewer, at: s.decidedAt!, ...(s.legalBasis && { legalBasis: s.legalBasis }) }));
  const body = policy.agencies.find((a) => a.id === licence.issuer!.agencyId)?.appealBody;
  // The applicant's window (a dispute's appeals are the parties' own, up the ladder).
  const window = steps.filter((s) => s.kind === 'appeal' && s.party === 'coordinator').at(-1);
  const outcome = window?.outcome === 'appealed' || window?.outcome === 'accepted' ? window.outcome : 'closed';
  const appeal: RefusalLetter['appeal'] = body && {
    body: body.name,
    within: body.appealWithin,
    state: !window ? 'not-opened' : window.status === 'open' ? 'open' : outcome,
    ...(window && { deadline: window.dueAt }),
    ...(window?.decidedAt && { at: window.decidedAt }),
  };
  const dated = window?.openedAt ?? latestOf(decisions.map((d) => d.at)) ?? latestOf(steps.map((s) => s.decidedAt)) ?? submittedAt;
  return {
    ...base,
    kind: 'refusal',
    legalBasis: licence.basis ?? decisions.map((d) => d.legalBasis).join('; '),
    decisions,
    ...(appeal && { appeal }),
    dated,
    revised: latestOf([dated, window?.decidedAt])!,
  };
}
