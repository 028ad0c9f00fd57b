/** Amendments (domain/amendments.ts): the amended project, what changed, what is reviewed again, and each refusal at its path. */
import { amendmentSchema, amendProject, componentsToReview, describeDiff, peopleToScreen, type AmendmentOutcome } from '../../domain/amendments';
import type { Project } from '../../domain/project';
import { projectWith } from '../helpers/fixtures';
import { testPolicy } from '../helpers/policy';

const policy = testPolicy();
/** KIT (DE, the coordinator's) and ORNL (US); c1 (T1) and c2 (T2), both from KIT to ORNL in the US. */
const project = (): Project => ({ ...projectWith('c1', 'c2'), projectId: 'p-amend' });
const amend = (body: unknown, p = project()): AmendmentOutcome => amendProject(p, amendmentSchema.parse(body), policy);
const problems = (o: AmendmentOutcome) => (o.ok ? [] : o.problems.map((p) => `${p.path}: ${p.message}`));

it('a changed destination: only that component is reviewed again, and the others stand', () => {
  const p = project();
  const out = amend({ components: [{ ...p.components[0], destinations: ['US', 'CA'] }] }, p);
  expect(out.ok).toBe(true);
  if (!out.ok) return;
  expect(out.diff.changedComponents).toEqual([{ componentId: 'c1', changes: ['destinations'] }]);
  expect(componentsToReview(out.diff)).toEqual(['c1']);
  expect(out.project.components[0].destinations).toEqual(['US', 'CA']);
  expect(out.project.components[1]).toEqual(p.components[1]);
  expect(describeDiff(out.diff)).toEqual(['component c1: destinations changed']);
});

it('an amendment that restates the project is refused as empty: the amendment is refused as empty', () => {
  const p = project();
  const c = { ...p.components[0], destinations: ['US'] };
  expect(problems(amend({ components: [c] }, p))).toEqual(['body: the amendment changes nothing: every item is as the project has it']);
});

it('a new partner as an added recipient, a renamed component (not reviewed again), and an added component', () => {
  const p = project();
  const out = amend({
    partners: [{ id: 'cea', name: 'CEA', country: 'FR' }],
    components: [
      { ...p.components[0], recipients: ['ornl', 'cea'], destinations: ['US', 'FR'] },
      { ...p.components[1], name: 'Framing camera' },
      { ...p.components[1], id: 'c9', name: 'Spare camera' },
    ],
  });
  expect(out.ok && out.diff).toEqual({
    addedPartners: ['cea'],
    changedPartners: [],
    removedPartners: [],
    addedComponents: ['c9'],
    changedComponents: [
      { componentId: 'c1', changes: ['destinations', 'recipients'] },
      { componentId: 'c2', changes: ['name'] },
    ],
  });
  expect(out.ok && componentsToReview(out.diff)).toEqual(['c9', 'c1']);
});

it('removing a partner drops it from the recipients of each component, which is reviewed again', () => {
  const p = project();
  p.partners.push({ id: 'cea', name: 'CEA', country: 'FR' });
  p.components[1].recipients = ['ornl', 'cea'];
  const out = amend({ remove: ['cea'] }, p);
  expect(out.ok && out.project.partners.map((x) => x.id)).toEqual(['kit', 'ornl']);
  expect(out.ok && out.project.components[1].recipients).toEqual(['ornl']);
  expect(out.ok && out.diff.changedComponents).toEqual([{ componentId: 'c2', changes: ['recipients'] }]);
});

it("a partner's new country reviews again every component it exports or receives", () => {
  const out = amend({ partners: [{ id: 'ornl', name: 'Oak Ridge National Laboratory', country: 'CA' }] });
  expect(out.ok && out.diff.changedPartners).toEqual(['ornl']);
  expect(out.ok && componentsToReview(out.diff)).toEqual(['c1', 'c2']);
});

it('refuses, at its path: the coordinator’s partner, unknown ids, a component, the last recipient, a partner still exporting', () => {
  expect(problems(amend({ remove: ['kit'] }))).toEqual(['remove.0: "kit" is the coordinator\'s partner and cannot be removed']);
  expect(problems(amend({ remove: ['nobody'] }))).toEqual(['remove.0: "nobody" is not a partner or person of this project']);
  expect(problems(amend({ remove: ['c1'] }))[0]).toMatch(/^remove\.0: "c1" is a component/);
  expect(problems(amend({ remove: ['ornl'] }))).toEqual([
    'remove.0: removing "ornl" leaves component "c1" with no recipients',
    'remove.0: removing "ornl" leaves component "c2" with no recipients',
  ]);
  const p = project();
  p.components[0] = { ...p.components[0], exporter: 'ornl', recipients: ['kit'], destinations: ['DE'] };
  expect(problems(amend({ remove: ['ornl'] }, p))).toContain('remove.0: "ornl" exports component "c1": name another exporter in the same amendment');
});

it("the submission's own rules apply to the amended project, named at the amendment's path", () => {
  const p = project();
  const out = amend({ components: [{ ...p.components[1], recipients: ['ornl', 'ghost'] }] }, p);
  expect(problems(out)).toEqual(['components.0.recipients.1: "ghost" is not one of the partners']);
  const twice = amend({ partners: [p.partners[1], p.partners[1]] });
  expect(problems(twice)).toContain('partners.1.id: partner "ornl" is named twice');
});

it('the body: at least one item, no unknown field', () => {
  expect(amendmentSchema.safeParse({}).success).toBe(false);
  expect(amendmentSchema.safeParse({ remove: ['x'], extra: 1 }).success).toBe(false);
  expect(amendmentSchema.parse({ remove: ['x'] })).toEqual({ partners: [], components: [], remove: ['x'] });
});

describe('people', () => {
  const wei = { id: 'wei', name: 'Wei Zhang', email: 'wei@ornl.example', partnerId: 'ornl', citizenship: ['CN'], residence: 'CN' };
  const withPeople = (): Project => {
    const p = project();
    return { ...p, people: [wei], components: [{ ...p.components[0], access: ['wei'] }, p.components[1]] };
  };

  it('a change of access alone leaves the licence standing; the person added is screened', () => {
    const p = withPeople();
    const pat = { ...wei, id: 'pat', name: 'Pat Doe', citizenship: ['US'], residence: 'US' };
    const out = amend({ people: [pat], components: [{ ...p.components[0], access: ['wei', 'pat'] }] }, p);
    expect(out.ok).toBe(true);
    if (!out.ok) return;
    expect(out.diff.changedComponents).toEqual([{ componentId: 'c1', changes: ['access'] }]);
    expect(componentsToReview(out.diff)).toEqual([]);
    expect(peopleToScreen(out.diff)).toEqual(['pat']);
    expect(describeDiff(out.diff)).toEqual(['component c1: access changed', 'person pat added']);
  });

  it('a changed person is screened again; a removed one leaves every access list', () => {
    const p = withPeople();
    const changed = amend({ people: [{ ...wei, residence: 'US' }] }, p);
    expect(changed.ok && [changed.diff.changedPeople, peopleToScreen(changed.diff)]).toEqual([['wei'], ['wei']]);
    const removed = amend({ remove: ['wei'] }, p);
    expect(removed.ok && removed.project.components[0].access).toEqual([]);
    expect(removed.ok && removed.project.people).toEqual([]);
    expect(removed.ok && describeDiff(removed.diff)).toEqual(['component c1: access changed', 'person wei removed']);
    expect(problems(amend({ remove: ['nobody'] }, p))).toEqual(['remove.0: "nobody" is not a partner or person of this project']);
  });

  it('a person of an unknown partner, or given access without being named, is refused at its path', () => {
    const p = withPeople();
    expect(problems(amend({ people: [{ ...wei, id: 'x', partnerId: 'ghost' }] }, p))).toEqual(['people.0.partnerId: "ghost" is not one of the partners']);
    expect(problems(amend({ components: [{ ...p.components[0], access: ['wei', 'ghost'] }] }, p))).toEqual([
      'components.0.access.1: "ghost" is not one of the people',
    ]);
  });
});
