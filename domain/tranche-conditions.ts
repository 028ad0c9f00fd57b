/**
 * A funder's tranche conditions besides the licences (DOMAIN "Research funders"): which apply to a project, and which
 * are outstanding at a given instant (a cycle's close). A `document` condition waits for its deliverable; a
 * `training` condition for a certificate, valid at that instant, of everyone with access to controlled software or
 * technology. Pure and zod-free: the project workflow evaluates it for each cycle.
 */
import { releasesTechnology } from './deemed-exports';
import type { TrancheCondition } from './policy';
import type { Project } from './project';

/** What the evaluation needs of a person: their name and certificates (workflows/people-contract.ts PersonView). */
export interface TrainedPerson {
  id: string;
  name: string;
  training: { expiresAt: string }[];
}

/** An outstanding condition, who owes it, and a sentence naming what is missing. */
export interface OutstandingCondition {
  conditionId: string;
  owedBy: string;
  detail: string;
}

/** Whether the condition applies to the project, per its `requiredWhen`. */
export function conditionApplies(condition: Pick<TrancheCondition, 'requiredWhen'>, project: Pick<Project, 'components'>): boolean {
  if (condition.requiredWhen === 'always') return true;
  if (condition.requiredWhen === 'listed-items') return project.components.some((c) => c.controlCodes.some((code) => code !== 'EAR99'));
  return project.components.some(releasesTechnology);
}

/** The people with access to a component that releases controlled software or technology. */
export function peopleWithControlledAccess<P extends { id: string }>(project: Pick<Project, 'components'>, people: P[]): P[] {
  const ids = new Set(project.components.filter(releasesTechnology).flatMap((c) => c.access ?? []));
  return people.filter((p) => ids.has(p.id));
}

/** Why a person's training does not hold at `at`: no certificate, or the latest expired by then; undefined when one is valid. */
function trainingGap(person: TrainedPerson, at: number): string | undefined {
  if (person.training.some((t) => Date.parse(t.expiresAt) >= at)) return undefined;
  const latest = person.training
    .map((t) => t.expiresAt)
    .sort()
    .at(-1);
  return latest ? `${person.name}'s certificate expired ${latest}` : `${person.name} has no certificate`;
}

/**
 * The conditions of `conditions` that apply to the project and are outstanding at `at`, in the funder's order.
 * `received`: the condition ids whose deliverable has been received.
 */
export function outstandingConditions(
  conditions: readonly TrancheCondition[],
  project: Pick<Project, 'components'>,
  people: TrainedPerson[],
  received: ReadonlySet<string>,
  at: number,
): OutstandingCondition[] {
  return conditions
    .filter((c) => conditionApplies(c, project))
    .flatMap((c) => {
      const owed = `owed by ${c.owedBy}`;
      if (c.kind === 'document') return received.has(c.id) ? [] : [{ conditionId: c.id, owedBy: c.owedBy, detail: `${c.name} not received, ${owed}` }];
      const gaps = peopleWithControlledAccess(project, people).flatMap((p) => trainingGap(p, at) ?? []);
      return gaps.length ? [{ conditionId: c.id, owedBy: c.owedBy, detail: `${c.name}: ${gaps.join('; ')} at ${new Date(at).toISOString()}, ${owed}` }] : [];
    });
}
