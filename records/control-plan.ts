/**
 * A project's technology control plan (DESIGN §8 "People and technology control plans"): who may access each
 * component, on what authority and since when, and each person's screening and training. Built by a pure function
 * from what the records hold (the project's core and submission, and its deemed-export steps), so the API, the pages
 * and a unit test read the same rules: a release the regime does not treat as an export is authorised (not required);
 * one it does waits on its deemed-export review, and the person is not authorised until the issuer approves it.
 */
import { assessRelease, deemedExportStepId, itemCategory, releasesTechnology, type ItemCategory, type PersonScreening } from '../domain/deemed-exports';
import type { Policy } from '../domain/policy';
import type { Component, Person, Project } from '../domain/project';
import type { ReviewStep } from '../workflows/definitions';
import type { PersonView, TrainingCertificate } from '../workflows/people-contract';
import type { ProjectCore } from './contract';
import { snapshot, type Records } from './database';

export interface PlanScreening {
  status: PersonScreening['status'];
  rule: PersonScreening['rule'];
  listedName?: string;
  list?: string;
  at: string;
}

/** A certificate as the plan shows it: its facts and document, and whether it had not expired when the plan was read. */
export type PlanCertificate = Pick<TrainingCertificate, 'certificateId' | 'course' | 'completedAt' | 'expiresAt' | 'documentId' | 'sha256'> & {
  valid: boolean;
};

export interface PlanPerson {
  id: string;
  name: string;
  email: string;
  partnerId: string;
  partnerName: string;
  citizenship: string[];
  residence: string;
  /** Null until the workflow has screened them (at scoping, or when an amendment adds them). */
  screening: PlanScreening | null;
  training: PlanCertificate[];
}

export type AccessStatus = 'authorised' | 'not-authorised' | 'refused';
export type AccessAuthority = 'licence' | 'exception' | 'not-required';

export interface PlanAccess {
  personId: string;
  name: string;
  status: AccessStatus;
  /** Null while not authorised, and when refused. */
  authority: AccessAuthority | null;
  /** Why, in one sentence: the regime's rule, the review that is open, the approval or the denial's legal basis. */
  basis: string;
  since: string | null;
  /** The countries the release is an export to (none when it is not one). */
  deemedExportTo: string[];
  /** The deemed-export review step that decides (or decided) it; null when none is needed or none is open yet. */
  stepId: string | null;
}

export interface PlanComponent {
  componentId: string;
  name: string;
  category: ItemCategory;
  controlCodes: string[];
  /** Access to it is a release of listed software or technology. */
  controlled: boolean;
  access: PlanAccess[];
}

export interface ControlPlan {
  projectId: string;
  title: string;
  readAt: string;
  people: PlanPerson[];
  components: PlanComponent[];
}

/** The core and submission fields the plan reads. */
export type PlanCore = Pick<ProjectCore, 'projectId' | 'title' | 'submittedAt' | 'people'>;

const AWAITING = 'awaiting the deemed-export review (opens when the project is active)';

/** The people as the workflow shows them (screened, trained), else as submitted. */
function peopleOf(core: PlanCore, submission: Project | undefined): PersonView[] {
  return core.people ?? (submission?.people ?? []).map((p) => ({ ...p, training: [] }));
}

/** The step that carries the review's decision: the latest with its id, followed along its escalations. */
function reviewStep(steps: readonly ReviewStep[], componentId: string, personId: string): ReviewStep | undefined {
  const id = deemedExportStepId(componentId, personId);
  let step = steps.filter((s) => s.stepId === id || (s.kind === 'deemed-export' && s.componentId === componentId && s.personId === personId)).at(-1);
  const seen = new Set<string>();
  while (step?.escalatedTo && !seen.has(step.stepId)) {
    seen.add(step.stepId);
    const next = steps.filter((s) => s.workflowId === step!.workflowId && s.stepId === step!.escalatedTo).at(-1);
    if (!next) break;
    step = next;
  }
  return step;
}

const withConditions = (text: string, conditions: readonly string[] | undefined) =>
  conditions?.length ? `${text}, on conditions: ${conditions.join('; ')}` : text;

/** What a release's review, if any, says of the person's access now. */
function accessFromStep(step: ReviewStep, person: Person, countries: string[]): PlanAccess {
  const entry = (status: AccessStatus, authority: AccessAuthority | null, basis: string, since: string | null): PlanAccess => ({
    personId: person.id,
    name: person.name,
    status,
    authority,
    basis,
    since,
    deemedExportTo: countries,
    stepId: step.stepId,
  });
  const decidedAt = step.decidedAt ?? null;
  if (step.status === 'decided' && step.outcome === 'approved') {
    const cited = step.legalBasis?.trim();
    if (cited) return entry('authorised', 'exception', withConditions(cited, step.conditions), decidedAt);
    const approval = `licensed by ${step.partyName} (deemed-export review approved by ${step.decidedBy ?? step.reviewer})`;
    return entry('authorised', 'licence', withConditions(approval, step.conditions), decidedAt);
  }
  if (step.status === 'decided' && step.outcome === 'denied') return entry('refused', null, step.legalBasis ?? `refused by ${step.partyName}`, decidedAt);
  if (step.status === 'open') {
    const waiting = step.infoRequest ? `; waiting for information asked on ${step.infoRequest.askedAt}` : '';
    return entry('not-authorised', null, `deemed-export review by ${step.partyName} open since ${step.openedAt}${waiting}`, null);
  }
  // Closed (the project withdrawn or closed) or ended otherwise: never an authorisation.
  const why = step.closedReason ?? step.outcome ?? step.status;
  return entry('not-authorised', null, `the deemed-export review by ${step.partyName} ended without an approval (${why})`, null);
}

function access(policy: Policy, project: Project, component: Component, person: PersonView, steps: readonly ReviewStep[], submittedAt: string): PlanAccess {
  const release = assessRelease(policy, project, component, person, person.screening);
  if (!release.review)
    return {
      personId: person.id,
      name: person.name,
      status: 'authorised',
      authority: 'not-required',
      basis: release.basis,
      since: person.screening?.at ?? submittedAt,
      deemedExportTo: [],
      stepId: null,
    };
  const step = reviewStep(steps, component.id, person.id);
  if (step) return accessFromStep(step, person, release.countries);
  return {
    personId: person.id,
    name: person.name,
    status: 'not-authorised',
    authority: null,
    basis: AWAITING,
    since: null,
    deemedExportTo: release.countries,
    stepId: null,
  };
}

/**
 * The plan as the records show it at `now`. `steps`: the project's deemed-export steps (and the escalations they
 * were replaced by); any other step is ignored. A person named in a component's access but not on the project (an
 * amendment removed them) is left out.
 */
export function controlPlan(policy: Policy, core: PlanCore, submission: Project | undefined, steps: readonly ReviewStep[], now: Date): ControlPlan {
  const people = peopleOf(core, submission);
  const partners = submission?.partners ?? [];
  const project: Project = submission ?? ({ projectId: core.projectId, partners: [], components: [], people: [] } as unknown as Project);
  const byId = new Map(people.map((p) => [p.id, p]));
  return {
    projectId: core.projectId,
    title: core.title,
    readAt: now.toISOString(),
    people: people.map((p) => ({
      id: p.id,
      name: p.name,
      email: p.email,
      partnerId: p.partnerId,
      partnerName: partners.find((x) => x.id === p.partnerId)?.name ?? p.partnerId,
      citizenship: p.citizenship,
      residence: p.residence,
      screening: p.screening
        ? {
            status: p.screening.status,
            rule: p.screening.rule,
            ...(p.screening.listedName && { listedName: p.screening.listedName }),
            ...(p.screening.list && { list: p.screening.list }),
            at: p.screening.at,
          }
        : null,
      training: p.training.map((t) => ({
        certificateId: t.certificateId,
        course: t.course,
        completedAt: t.completedAt,
        expiresAt: t.expiresAt,
        documentId: t.documentId,
        sha256: t.sha256,
        valid: Date.parse(t.expiresAt) > now.getTime(),
      })),
    })),
    components: project.components.map((c) => ({
      componentId: c.id,
      name: c.name,
      category: itemCategory(c.controlCodes),
      controlCodes: c.controlCodes,
      controlled: releasesTechnology(c),
      access: (c.access ?? []).flatMap((id) => {
        const person = byId.get(id);
        return person ? [access(policy, project, c, person, steps, core.submittedAt)] : [];
      }),
    })),
  };
}

/** The plan of a project from the records; undefined when no such project is recorded. */
export function readControlPlan(records: Records, policy: Policy, projectId: string, now = new Date()): Promise<ControlPlan | undefined> {
  return snapshot(records, async (db) => {
    const row = await db.selectFrom('projects').select(['core', 'submission']).where('project_id', '=', projectId).executeTakeFirst();
    if (!row) return undefined;
    // The deemed-export steps, and the escalations that replaced them (`deemed-…-esc`, of kind escalation).
    const steps = await db
      .selectFrom('steps')
      .select('data')
      .where('project_id', '=', projectId)
      .where((eb) => eb.or([eb('kind', '=', 'deemed-export'), eb('step_id', 'like', 'deemed-%')]))
      .orderBy('position')
      .execute();
    return controlPlan(
      policy,
      row.core,
      row.submission ?? undefined,
      steps.map((s) => s.data),
      now,
    );
  });
}
