/**
 * Amendments to a project under review (`POST /v1/projects/:id/amendments`): the amended submission, what changed,
 * which components must be classified and reviewed again, and why an amendment cannot stand. Pure; the project
 * workflow applies it (workflows/project-amendments.ts) and the API checks its shape.
 */
import { z } from 'zod';
import type { Policy } from './policy';
import { personSchema, type Person } from './people';
import { componentSchema, partnerSchema, projectSubmissionSchema, type Component, type Partner, type Project } from './project';
import { slug } from './primitives';

/** The changed or added partners, components and people, in the submission's shape, and the partners or people to remove. */
export const amendmentSchema = z
  .strictObject({
    partners: z.array(partnerSchema).max(50).default([]),
    components: z.array(componentSchema).max(100).default([]),
    people: z.array(personSchema).max(200).optional().describe('people changed or added (a changed person is screened again)'),
    remove: z.array(slug).max(50).default([]).describe('ids of partners or people to remove (never the coordinator’s partner)'),
  })
  .refine((a) => a.partners.length + a.components.length + (a.people?.length ?? 0) + a.remove.length > 0, {
    message: 'an amendment names at least one partner, component or person, or one to remove',
  });

export type Amendment = z.output<typeof amendmentSchema>;

/**
 * What changed in a component: `partner` when a partner it names (exporter, recipient) changed its name or country;
 * `access` when the people it is opened to changed (their releases are reviewed, not its licence).
 */
export type ComponentChange = 'name' | 'specification' | 'destinations' | 'recipients' | 'exporter' | 'heldIn' | 'partner' | 'access';

export interface AmendmentDiff {
  addedPartners: string[];
  changedPartners: string[];
  removedPartners: string[];
  addedComponents: string[];
  changedComponents: { componentId: string; changes: ComponentChange[] }[];
  /** People added, changed (any field) and removed; absent on an amendment that names none. */
  addedPeople?: string[];
  changedPeople?: string[];
  removedPeople?: string[];
}

/** A problem with the amendment, at a path in its body (`remove.0`, `components.1.recipients.0`). */
export interface AmendmentProblem {
  path: string;
  message: string;
}

export type AmendmentOutcome = { ok: true; project: Project; diff: AmendmentDiff } | { ok: false; problems: AmendmentProblem[] };

const sameSet = (a: readonly string[], b: readonly string[]) => JSON.stringify([...a].sort()) === JSON.stringify([...b].sort());
const exporterOf = (p: Project, c: Component) => c.exporter ?? p.coordinator.partnerId;

function componentChanges(before: Project, after: Project, old: Component, now: Component, moved: Set<string>): ComponentChange[] {
  const changes: ComponentChange[] = [];
  if (old.name !== now.name) changes.push('name');
  if (old.description !== now.description || old.endUse !== now.endUse || !sameSet(old.controlCodes, now.controlCodes)) changes.push('specification');
  if (!sameSet(old.destinations, now.destinations)) changes.push('destinations');
  if (!sameSet(old.recipients, now.recipients)) changes.push('recipients');
  if (exporterOf(before, old) !== exporterOf(after, now)) changes.push('exporter');
  if (old.heldIn !== now.heldIn) changes.push('heldIn');
  if ([exporterOf(after, now), ...now.recipients].some((id) => moved.has(id))) changes.push('partner');
  if (!sameSet(old.access ?? [], now.access ?? [])) changes.push('access');
  return changes;
}

/** Changes that leave a component's licence standing: its name, and who has access (a release is its own review). */
const LICENCE_STANDS: ReadonlySet<ComponentChange> = new Set(['name', 'access']);

/** The components an amendment sends back to classification and review: added ones, and those changed other than by name or access. */
export function componentsToReview(diff: AmendmentDiff): string[] {
  return [...diff.addedComponents, ...diff.changedComponents.filter((c) => c.changes.some((x) => !LICENCE_STANDS.has(x))).map((c) => c.componentId)];
}

/** The people an amendment adds or changes: each is screened again. */
export function peopleToScreen(diff: AmendmentDiff): string[] {
  return [...(diff.addedPeople ?? []), ...(diff.changedPeople ?? [])];
}

/** One line per change, for the audit trail and the coordinator's mail. */
export function describeDiff(diff: AmendmentDiff): string[] {
  return [
    ...diff.addedPartners.map((id) => `partner ${id} added`),
    ...diff.changedPartners.map((id) => `partner ${id} changed`),
    ...diff.removedPartners.map((id) => `partner ${id} removed`),
    ...diff.addedComponents.map((id) => `component ${id} added`),
    ...diff.changedComponents.map((c) => `component ${c.componentId}: ${c.changes.join(', ')} changed`),
    ...(diff.addedPeople ?? []).map((id) => `person ${id} added`),
    ...(diff.changedPeople ?? []).map((id) => `person ${id} changed`),
    ...(diff.removedPeople ?? []).map((id) => `person ${id} removed`),
  ];
}

/**
 * The project as amended, checked by the submission's own rules against the policy, or every problem, each at its
 * path in the amendment: a removal of the coordinator's partner or of an unknown id, a partner removed while it
 * still exports a component, a removal that leaves a component with no recipient, an amendment that changes nothing.
 */
export function amendProject(project: Project, amendment: Amendment, policy: Policy): AmendmentOutcome {
  const problems: AmendmentProblem[] = [];
  const problem = (path: string, message: string) => problems.push({ path, message });
  const partnerIds = new Set(project.partners.map((p) => p.id));
  const componentIds = new Set(project.components.map((c) => c.id));
  const before = project.people ?? [];
  const personIds = new Set(before.map((p) => p.id));
  const givenPeople = amendment.people ?? [];
  const removedPeople = new Set(amendment.remove.filter((id) => personIds.has(id) && !partnerIds.has(id)));
  const removed = new Set(amendment.remove.filter((id) => !removedPeople.has(id)));

  amendment.partners.forEach((p, i) => {
    if (amendment.partners.findIndex((q) => q.id === p.id) !== i) problem(`partners.${i}.id`, `partner "${p.id}" is named twice`);
    if (removed.has(p.id)) problem(`partners.${i}.id`, `partner "${p.id}" is both changed and removed`);
  });
  amendment.components.forEach((c, i) => {
    if (amendment.components.findIndex((d) => d.id === c.id) !== i) problem(`components.${i}.id`, `component "${c.id}" is named twice`);
  });
  givenPeople.forEach((p, i) => {
    if (givenPeople.findIndex((q) => q.id === p.id) !== i) problem(`people.${i}.id`, `person "${p.id}" is named twice`);
    if (removedPeople.has(p.id)) problem(`people.${i}.id`, `person "${p.id}" is both changed and removed`);
  });
  amendment.remove.forEach((id, i) => {
    if (amendment.remove.indexOf(id) !== i) problem(`remove.${i}`, `"${id}" is removed twice`);
    else if (removedPeople.has(id)) return;
    else if (id === project.coordinator.partnerId) problem(`remove.${i}`, `"${id}" is the coordinator's partner and cannot be removed`);
    else if (componentIds.has(id))
      problem(`remove.${i}`, `"${id}" is a component: an amendment removes partners; a component's review is withdrawn with its project`);
    else if (!partnerIds.has(id)) problem(`remove.${i}`, `"${id}" is not a partner or person of this project`);
  });

  const given = new Map<string, Partner>(amendment.partners.map((p) => [p.id, p]));
  const partners: Partner[] = [
    ...project.partners.filter((p) => !removed.has(p.id)).map((p) => given.get(p.id) ?? p),
    ...amendment.partners.filter((p) => !partnerIds.has(p.id)),
  ];
  const changedComponents = new Map<string, Component>(amendment.components.map((c) => [c.id, c]));
  const components: Component[] = [
    ...project.components.map((old) => {
      const c = changedComponents.get(old.id) ?? old;
      const access = c.access && { access: c.access.filter((id) => !removedPeople.has(id)) };
      return { ...c, recipients: c.recipients.filter((r) => !removed.has(r)), ...access };
    }),
    ...amendment.components.filter((c) => !componentIds.has(c.id)),
  ];
  const givenPerson = new Map<string, Person>(givenPeople.map((p) => [p.id, p]));
  const people: Person[] = [
    ...before.filter((p) => !removedPeople.has(p.id)).map((p) => givenPerson.get(p.id) ?? p),
    ...givenPeople.filter((p) => !personIds.has(p.id)),
  ];
  const amended: Project = { ...project, partners, components, ...((project.people || givenPeople.length) && { people }) };

  amendment.remove.forEach((id, i) => {
    for (const c of components) {
      if (c.exporter === id) problem(`remove.${i}`, `"${id}" exports component "${c.id}": name another exporter in the same amendment`);
      else if (c.recipients.length === 0 && (changedComponents.get(c.id) ?? project.components.find((x) => x.id === c.id))!.recipients.includes(id))
        problem(`remove.${i}`, `removing "${id}" leaves component "${c.id}" with no recipients`);
    }
  });
  if (problems.length) return { ok: false, problems };

  // The submission's own rules, on the project as amended; each problem is named where the amendment caused it.
  const checked = projectSubmissionSchema(policy).safeParse(amended);
  if (!checked.success) {
    return { ok: false, problems: checked.error.issues.map((issue) => ({ path: amendmentPath(issue.path, amended, amendment), message: issue.message })) };
  }

  const moved = new Set(
    amendment.partners
      .filter((p) => {
        const old = project.partners.find((q) => q.id === p.id);
        return old && (old.name !== p.name || old.country !== p.country);
      })
      .map((p) => p.id),
  );
  const diff: AmendmentDiff = {
    addedPartners: amendment.partners.filter((p) => !partnerIds.has(p.id)).map((p) => p.id),
    changedPartners: amendment.partners
      .filter((p) => partnerIds.has(p.id) && JSON.stringify(p) !== JSON.stringify(project.partners.find((q) => q.id === p.id)))
      .map((p) => p.id),
    removedPartners: [...removed],
    addedComponents: amendment.components.filter((c) => !componentIds.has(c.id)).map((c) => c.id),
    changedComponents: project.components.flatMap((old, i) => {
      const changes = componentChanges(project, amended, old, components[i], moved);
      return changes.length ? [{ componentId: old.id, changes }] : [];
    }),
  };
  const addedPeople = givenPeople.filter((p) => !personIds.has(p.id)).map((p) => p.id);
  const changedPeople = givenPeople
    .filter((p) => personIds.has(p.id) && JSON.stringify(p) !== JSON.stringify(before.find((q) => q.id === p.id)))
    .map((p) => p.id);
  if (addedPeople.length) diff.addedPeople = addedPeople;
  if (changedPeople.length) diff.changedPeople = changedPeople;
  if (removedPeople.size) diff.removedPeople = [...removedPeople];
  if (!describeDiff(diff).length)
    return { ok: false, problems: [{ path: 'body', message: 'the amendment changes nothing: every item is as the project has it' }] };
  return { ok: true, project: amended, diff };
}

/** A path in the amended project, as a path in the amendment that caused it (or `remove` when only a removal did). */
function amendmentPath(path: PropertyKey[], amended: Project, amendment: Amendment): string {
  const [list, index, ...rest] = path;
  const item = (list === 'components' || list === 'partners' || list === 'people') && typeof index === 'number' ? amended[list]?.[index] : undefined;
  if (!item) return path.join('.');
  const k = ((amendment[list as 'components' | 'partners' | 'people'] ?? []) as { id: string }[]).findIndex((x) => x.id === item.id);
  return k >= 0 ? [list, k, ...rest].join('.') : 'remove';
}
