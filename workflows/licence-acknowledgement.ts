/**
 * A licence issued but not yet in use: the written acknowledgements its conditions require. Reviewers' conditions
 * (provisos) are acknowledged by the licensee (the coordinator); where the policy's conditions for the tier require
 * it (the T3 conditions: "written acknowledgement of the conditions by each recipient"), each recipient acknowledges
 * too, through its contact, or the coordinator on its behalf where the project names none. The licence is in use once
 * every acknowledgement is in: its compliance monitoring starts then, and a funder cycle holds on it until then.
 * Never assumed from silence: unacknowledged at expiry, it lapses unused.
 */
import { condition } from '@temporalio/workflow';
import type { Tier } from '../domain/policy';
import type { Component, Project } from '../domain/project';
import type { StepPlan } from '../domain/routing';
import type { Licence, ReviewStep } from './definitions';
import type { ReviewBoard } from './review-board';

export interface AcknowledgementCase {
  project: Project;
  component: Component;
  tier: Tier;
  issuerName: string;
  acknowledgeWithinMs: number;
  board: ReviewBoard;
  audit(action: string, detail: string, stepId?: string): void;
  /** Shows the licence as it stands (issued, awaiting its acknowledgements) before the steps open. */
  show(licence: Licence): void;
}

/** The recipients whose written acknowledgement the licence's conditions require (none unless the policy says so for the tier). */
export function recipientsToAcknowledge(project: Project, component: Component, tier: Tier, byEachRecipient: readonly Tier[] | undefined) {
  if (!byEachRecipient?.includes(tier)) return [];
  return component.recipients.map((id) => project.partners.find((p) => p.id === id)!);
}

/**
 * Whether an acknowledgement step takes a signed document: a recipient's, given by the coordinator because the project
 * names no contact at the recipient (the recipient's own signature is the evidence). Elsewhere a document is optional.
 */
export function signedDocumentRequired(project: Project, step: Pick<ReviewStep, 'kind' | 'party'>): boolean {
  if (step.kind !== 'acknowledgement' || !step.party.startsWith('recipient:')) return false;
  const recipient = project.partners.find((p) => p.id === step.party.slice('recipient:'.length));
  return !recipient?.contact;
}

/** Opens the acknowledgements and waits for all of them, or for the licence's expiry; returns the licence as it then is. */
export async function awaitAcknowledgements(
  c: AcknowledgementCase,
  granted: Licence,
  provisos: string[],
  recipients: Project['partners'],
): Promise<{ licence: Licence; acknowledged: boolean }> {
  const { project, component, tier } = c;
  const plans: StepPlan[] = [];
  const step = (plan: Omit<StepPlan, 'kind' | 'componentId' | 'tier' | 'slaMs'>): StepPlan => ({
    ...plan,
    kind: 'acknowledgement',
    componentId: component.id,
    tier,
    slaMs: c.acknowledgeWithinMs,
  });
  if (provisos.length) {
    const listed = provisos.map((x, i) => `(${i + 1}) ${x}`).join(' ');
    plans.push(
      step({
        stepId: `${component.id}-acknowledgement`,
        party: 'coordinator',
        partyName: project.coordinator.name,
        reviewer: project.coordinator.email,
        question:
          `${c.issuerName} issued licence ${granted.licenceId} for "${component.name}" with conditions its reviewers set: ${listed} ` +
          'Acknowledge in writing that the licensee and its recipients will comply with each of them; the licence may not be used until then.',
      }),
    );
  }
  const conditions = granted.conditions.map((x, i) => `(${i + 1}) ${x}`).join(' ');
  for (const r of recipients) {
    plans.push(
      step({
        stepId: `${component.id}-acknowledgement-${r.id}`,
        party: `recipient:${r.id}`,
        partyName: r.name,
        reviewer: r.contact?.email ?? project.coordinator.email,
        question:
          `${c.issuerName} issued licence ${granted.licenceId} for "${component.name}", which ${r.name} receives. Its conditions require each ` +
          `recipient's written acknowledgement: ${conditions} Acknowledge in writing, for ${r.name}, that it will comply with each of them` +
          `${r.contact ? '' : ' (the project names no contact at this recipient: attach its signed acknowledgement)'}; ` +
          `the licence may not be used until every recipient has.`,
      }),
    );
  }
  const ids = plans.map((p) => p.stepId);
  let licence: Licence = { ...granted, acknowledgement: { stepId: ids[0], ...(ids.length > 1 && { steps: ids }) } };
  c.show(licence);
  await c.board.openSteps(plans);
  const steps = () => ids.map((id) => c.board.steps.get(id)!);
  await condition(() => steps().every((s) => s.status !== 'open'), Math.max(Date.parse(granted.validUntil!) - Date.now(), 1));
  if (steps().every((s) => s.outcome === 'acknowledged')) {
    const last = steps().reduce((a, b) => (Date.parse(b.decidedAt!) > Date.parse(a.decidedAt!) ? b : a));
    const by = steps().map((s) => s.reviewer);
    licence = { ...licence, acknowledgement: { ...licence.acknowledgement!, acknowledgedAt: last.decidedAt, acknowledgedBy: [...new Set(by)].join(', ') } };
    if (provisos.length) {
      const s = c.board.steps.get(ids[0])!;
      c.audit(
        'conditions-acknowledged',
        `${s.reviewer} acknowledged the ${provisos.length} reviewers' conditions of ${granted.licenceId} in writing`,
        s.stepId,
      );
    }
    for (const s of steps().filter((x) => x.party.startsWith('recipient:'))) {
      c.audit('conditions-acknowledged', `${s.reviewer} acknowledged the conditions of ${granted.licenceId} in writing for ${s.partyName}`, s.stepId);
    }
    return { licence, acknowledged: true };
  }
  await c.board.closeOpen(`licence ${granted.licenceId} expired before its conditions were acknowledged`);
  const what = recipients.length ? 'the acknowledgements its conditions require were never all given' : "its reviewers' conditions were never acknowledged";
  c.audit('licence-lapsed', `${granted.licenceId} expired on ${granted.validUntil} unused: ${what}`, ids[0]);
  return { licence: { ...licence, status: 'expired' }, acknowledged: false };
}
