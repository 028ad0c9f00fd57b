/**
 * The whole case a decision page shows (GAO: reviewers need "access to all relevant information"), made from the
 * records (records/step-case.ts) and the policy in force, by name: the funder, the partners and agencies as the
 * records and the policy name them, never their ids. A project-level step (the grant review) shows the scope: the
 * partners, and each component with its tier, the reason and the agencies it is routed to. A component's step shows
 * its exporter and issuer, its recipients and their screening, the other parties' positions as far as the issuer's
 * regime shares them (domain/case-sharing.ts: the JSON answer holds no more than the page), the questions asked of
 * the coordinator and their answers, and the documents filed.
 */
import { positionShared, type CaseRole } from '../domain/case-sharing';
import type { Policy, Tier } from '../domain/policy';
import type { Component, Project } from '../domain/project';
import { authorisationOf, componentReviewPlan, issuerOf, standingOf } from '../domain/routing';
import { STEP_KINDS, type StepKind } from '../domain/step-kinds';
import type { CaseRecords, InfoExchange } from '../records/step-case';
import type { StepContext } from '../records/steps';
import type { ReviewStep } from '../workflows/definitions';

/**
 * A document filed on the case, as the page lists it. The document store fills these (the integrator wires it into
 * the review-link routes' `documentsFor`); `href` is a short-lived signed download link.
 */
export interface CaseDocument {
  name: string;
  kind: string;
  size: number;
  sha256: string;
  href: string;
}

export interface CasePartner {
  name: string;
  country?: string;
  /** `coordinator`, `exporter of …`, `recipient of …`. */
  roles: string[];
}

export interface ScopedComponent {
  name: string;
  tier: Tier | null;
  /** The classification's tier, when scoping changed it. */
  classifiedTier?: Tier;
  pendingTier?: Tier;
  tierReason: string;
  /** The agencies that review it and as what (`U.S. Department of Defense, DTSA: Defence review`). */
  routedTo: string[];
  /** Why nobody reviews it, or why its routing cannot be told. */
  routingNote?: string;
}

export interface CaseRecipient {
  name: string;
  country?: string;
  listed: boolean;
  /** The restricted-party screening's result, in words. */
  screening: string;
}

export interface CasePosition {
  partyName: string;
  /** The kind of step: `Consultation`, `Issuer review`. */
  as: string;
  status: string;
  shared: boolean;
  /** Why the position is not shown, when it is not. */
  withheld?: string;
  conditions: string[];
  legalBasis?: string;
}

export interface CaseQuestion {
  askedBy: string;
  askedAt: string;
  question: string;
  answeredAt?: string;
  answer?: string;
}

export interface CaseFile {
  funderName: string;
  /** A project-level step's scope. */
  scope?: { partners: CasePartner[]; components: ScopedComponent[]; routingNote?: string };
  /** A component's step. */
  component?: {
    exporter?: { name: string; country?: string };
    issuer?: string;
    recipients: CaseRecipient[];
    positions: CasePosition[];
  };
  questions: CaseQuestion[];
  documents: CaseDocument[];
}

export type CaseContext = StepContext & { case: CaseFile };

/** Kinds whose decision is a party's position on the licence (not the applicant's acts: answers, appeals, acknowledgements). */
const POSITION_KINDS = new Set<StepKind>([
  'tier-lowering',
  'no-licence-finding',
  'issuer-review',
  'consultation',
  'essential-security',
  'defence-review',
  'advisory-review',
  'senior-sign-off',
  'escalation',
  'ruling',
  'reconsideration',
  'sanction-decision',
]);

export function caseFile(policy: Policy, context: StepContext, records: CaseRecords): CaseFile {
  const names = new Map(records.parties.map((p) => [p.partyId, p]));
  const funderName = records.parties.find((p) => p.role === 'funder')?.name ?? policy.funders.find((f) => f.id === context.funderId)?.name ?? '';
  const file: CaseFile = { funderName, questions: questionsOf(records), documents: [] };
  const project = records.submission;
  const componentId = context.step.componentId;
  if (!project) return file;
  if (!componentId) {
    file.scope = scopeOf(policy, project, records);
    return file;
  }
  const spec = project.components.find((c) => c.id === componentId);
  if (!spec) return file;
  const partner = (id: string) => ({ name: names.get(id)?.name ?? id, ...(names.get(id)?.country && { country: names.get(id)!.country }) });
  const hits = records.core.components.find((c) => c.id === componentId)?.classification?.restrictedPartyHits;
  file.component = {
    exporter: partner(spec.exporter ?? project.coordinator.partnerId),
    ...(records.licence?.issuer && { issuer: records.licence.issuer.name }),
    recipients: spec.recipients.map((id) => {
      const hit = hits?.find((h) => h.partnerId === id);
      const screening = !hits ? 'not screened yet' : hit ? `matches "${hit.listedName}" on ${hit.list}` : 'no match on the restricted-party list';
      return { ...partner(id), listed: !!hit, screening };
    }),
    positions: positionsOf(policy, project, spec, context.step, records),
  };
  return file;
}

/** Each partner with its roles in the project, and each component with its tier and the agencies it is routed to. */
function scopeOf(policy: Policy, project: Project, records: CaseRecords): NonNullable<CaseFile['scope']> {
  const named = (ids: string[]) => project.components.filter((c) => ids.includes(c.id)).map((c) => `"${c.name}"`);
  const partners = project.partners.map((p) => {
    const exports = named(project.components.filter((c) => (c.exporter ?? project.coordinator.partnerId) === p.id).map((c) => c.id));
    const receives = named(project.components.filter((c) => c.recipients.includes(p.id)).map((c) => c.id));
    const roles = [
      ...(p.id === project.coordinator.partnerId ? ['coordinator'] : []),
      ...(exports.length ? [`exporter of ${exports.join(', ')}`] : []),
      ...(receives.length ? [`recipient of ${receives.join(', ')}`] : []),
    ];
    return { name: p.name, country: p.country, roles: roles.length ? roles : ['partner'] };
  });
  const components = records.core.components.map((view): ScopedComponent => {
    const spec = project.components.find((c) => c.id === view.id);
    const base = {
      name: view.name,
      tier: view.tier,
      ...(view.classifiedTier && view.classifiedTier !== view.tier && { classifiedTier: view.classifiedTier }),
      ...(view.pendingTier && { pendingTier: view.pendingTier }),
      tierReason: view.tierReason ?? view.classification?.rule.text ?? 'not classified yet',
    };
    if (!spec || !view.tier || !view.classification) return { ...base, routedTo: [], routingNote: 'not classified yet' };
    return { ...base, ...routingOf(policy, project, spec, view.classification, view.tier) };
  });
  const routingNote =
    policy.version === records.core.policyVersion
      ? undefined
      : `Routed as policy ${policy.version} (in force) routes it; the project was submitted under ${records.core.policyVersion}.`;
  return { partners, components, ...(routingNote && { routingNote }) };
}

function routingOf(
  policy: Policy,
  project: Project,
  spec: Component,
  classification: Parameters<typeof componentReviewPlan>[3],
  tier: Tier,
): Pick<ScopedComponent, 'routedTo' | 'routingNote'> {
  if (tier === 'T0') return { routedTo: [], routingNote: 'no review: cleared as deemed to comply (T0)' };
  try {
    const authorisation = authorisationOf(policy, project, spec, classification);
    if (authorisation && !authorisation.required) return { routedTo: [], routingNote: `no authorisation required: ${authorisation.basis}` };
    const steps = componentReviewPlan(policy, project, spec, classification, tier).flat();
    return { routedTo: steps.map((s) => `${s.partyName}: ${STEP_KINDS[s.kind].label}`) };
  } catch {
    return { routedTo: [], routingNote: `the policy in force (${policy.version}) cannot route it` };
  }
}

/**
 * The other parties' steps on the component, in the order they were opened: the latest licence review's (an
 * earlier submission's were closed with it), the project's (tier lowering) and any dispute's.
 */
function positionsOf(policy: Policy, project: Project, spec: Component, viewer: ReviewStep, records: CaseRecords): CasePosition[] {
  const reviews = records.steps.filter((s) => s.workflowId.startsWith('licence-')).map((s) => s.workflowId);
  const latest = reviews.at(-1);
  const issuer = records.licence?.issuer
    ? { id: records.licence.issuer.agencyId, regime: records.licence.issuer.regime }
    : issuerFromPolicy(policy, project, spec);
  const objection = issuer && policy.regimes[issuer.regime]?.consultation.objection;
  const roleOf = (s: ReviewStep): CaseRole => {
    if (s.kind === 'ruling') return 'chair';
    if (!policy.agencies.some((a) => a.id === s.party)) return 'applicant';
    return s.standing ?? (issuer ? standingOf(policy, issuer, s.party) : 'advisory');
  };
  const viewerRole = roleOf(viewer);
  return records.steps
    .filter((s) => POSITION_KINDS.has(s.kind) && !(s.workflowId === viewer.workflowId && s.stepId === viewer.stepId))
    .filter((s) => !s.workflowId.startsWith('licence-') || s.workflowId === latest)
    .map((s) => {
      const role = roleOf(s);
      const sharing = positionShared(objection, viewerRole, role);
      const as = STEP_KINDS[s.kind].label;
      if (!sharing.shared) {
        const status = s.status === 'open' ? 'pending' : s.status === 'closed' ? 'closed' : 'answered';
        return { partyName: s.partyName, as, status, shared: false, withheld: sharing.why, conditions: [] };
      }
      return {
        partyName: s.partyName,
        as,
        status: statusOf(s, role),
        shared: true,
        conditions: s.conditions ?? [],
        ...(s.legalBasis && { legalBasis: s.legalBasis }),
      };
    });
}

function issuerFromPolicy(policy: Policy, project: Project, spec: Component): { id: string; regime: string } | undefined {
  try {
    const { issuer } = issuerOf(policy, project, spec);
    return { id: issuer.id, regime: issuer.regime };
  } catch {
    return undefined;
  }
}

function statusOf(s: ReviewStep, role: CaseRole): string {
  if (s.status === 'open') return s.infoRequest ? "pending: waiting for the coordinator's information" : 'pending';
  if (s.status === 'closed') return `closed: ${s.closedReason ?? 'no decision needed'}`;
  switch (s.outcome) {
    case 'denied':
      return role === 'consulted' || role === 'advisory' ? 'objected' : 'denied';
    case 'no-objection':
      return 'no objection (silent past its window)';
    case 'escalated':
      return "escalated to the party's senior";
    default:
      return s.outcome ?? s.status;
  }
}

/** Each request for information and its answer, in the order asked: the trail keeps `<party> asks: <question>` and `answer: <text>`. */
function questionsOf(records: CaseRecords): CaseQuestion[] {
  const open = new Map<string, CaseQuestion>();
  const questions: CaseQuestion[] = [];
  const key = (e: InfoExchange) => `${e.source}\u0000${e.stepId}`;
  for (const e of records.exchanges) {
    if (e.action === 'info-requested') {
      const step = records.steps.find((s) => s.workflowId === e.source && s.stepId === e.stepId);
      const askedBy = step?.partyName ?? e.detail.split(' asks: ')[0];
      const question =
        step && e.detail.startsWith(`${step.partyName} asks: `) ? e.detail.slice(step.partyName.length + 7) : e.detail.replace(/^.*? asks: /, '');
      const asked: CaseQuestion = { askedBy, askedAt: e.at, question };
      questions.push(asked);
      open.set(key(e), asked);
    } else {
      const asked = open.get(key(e));
      if (!asked) continue;
      Object.assign(asked, { answeredAt: e.at, answer: e.detail.replace(/^answer: /, '') });
      open.delete(key(e));
    }
  }
  return questions;
}
