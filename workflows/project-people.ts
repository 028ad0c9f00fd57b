/**
 * A project's people (DESIGN §8 "People and technology control plans"): their screening against the restricted-party
 * list, the deemed-export reviews of releases of controlled software or technology to them (steps on the project's
 * board, each opened once), their training certificates and the funder's deliverables received. The project
 * workflow serves it (like its amendments) and carries it into its next run. Nothing here runs for a project
 * without people or tranche conditions, so histories recorded before people replay unchanged.
 */
import { ApplicationFailure, setHandler } from '@temporalio/workflow';
import { assessRelease, deemedExportPlan, deemedExportStepId, personScreening, releasesTechnology } from '../domain/deemed-exports';
import type { Funder, Policy } from '../domain/policy';
import type { Project } from '../domain/project';
import { outstandingConditions, type OutstandingCondition } from '../domain/tranche-conditions';
import type { Stage } from './definitions';
import { screening } from './effects';
import {
  PeopleRejection,
  recordDeliverableUpdate,
  recordTrainingUpdate,
  type DeliverableInput,
  type DeliverableView,
  type PeopleCarry,
  type PersonView,
  type TrainingInput,
} from './people-contract';
import type { AuditInput, ReviewBoard } from './review-board';

export interface PeopleHost {
  /** The project's submission (amended in place): its people and who has access to each component. */
  project: Project;
  policy: Policy;
  funder: Funder;
  board: ReviewBoard;
  stage(): Stage;
  record(entry: AuditInput): void;
  answer<T>(result: T): Promise<T>;
  /** Something a cycle review may wait for changed: the project counts it and records its view. */
  changed(): void;
  carried?: PeopleCarry;
}

const isDate = (s: string) => /^\d{4}-\d{2}-\d{2}/.test(s) && !Number.isNaN(Date.parse(s));

export class ProjectPeople {
  private readonly people = new Map<string, PersonView>();
  private readonly deliverables = new Map<string, DeliverableView>();
  /** Deemed-export steps opened, in this run or an earlier one: never opened twice. */
  private readonly opened: Set<string>;
  /** The basis of each release audited as needing no review (this run): audited again only when it changes. */
  private readonly assessed = new Map<string, string>();

  constructor(private readonly host: PeopleHost) {
    const carried = host.carried;
    for (const p of carried?.people ?? (host.project.people ?? []).map((p) => ({ ...p, training: [] }))) this.people.set(p.id, p);
    for (const d of carried?.deliverables ?? []) this.deliverables.set(d.conditionId, d);
    this.opened = new Set(carried?.opened);
    setHandler(recordTrainingUpdate, (input) => this.recordTraining(input), { validator: (input) => this.checkTraining(input) });
    setHandler(recordDeliverableUpdate, (input) => this.recordDeliverable(input), { validator: (input) => this.checkDeliverable(input) });
  }

  /** The project has people (a project submitted before people has none). */
  any(): boolean {
    return this.people.size > 0;
  }

  /** What the project's core holds of them: nothing for a project with neither people nor deliverables. */
  view(): { people?: PersonView[]; deliverables?: DeliverableView[] } {
    return {
      ...(this.people.size && { people: [...this.people.values()] }),
      ...(this.deliverables.size && { deliverables: [...this.deliverables.values()] }),
    };
  }

  carry(): PeopleCarry | undefined {
    if (!this.people.size && !this.deliverables.size) return undefined;
    return { people: [...this.people.values()], deliverables: [...this.deliverables.values()], opened: [...this.opened] };
  }

  /** The funder's tranche conditions outstanding at `at` (a cycle's close). Old policy snapshots have none. */
  outstanding(at: number): OutstandingCondition[] {
    const conditions = this.host.funder.trancheConditions ?? [];
    if (!conditions.length) return [];
    return outstandingConditions(conditions, this.host.project, [...this.people.values()], new Set(this.deliverables.keys()), at);
  }

  /** Per controlled component with access: each person and on what authority, as its deemed-export review (if any) left it. */
  released(): string[] {
    const { policy, project, board } = this.host;
    return project.components.filter(releasesTechnology).flatMap((component) => {
      const who = (component.access ?? []).flatMap((id) => this.people.get(id) ?? []);
      if (!who.length) return [];
      const each = who.map((person) => {
        const step = board.steps.has(deemedExportStepId(component.id, person.id)) ? board.effective(deemedExportStepId(component.id, person.id)) : undefined;
        if (!step) return `${person.name} (no review needed: ${assessRelease(policy, project, component, person, person.screening).basis})`;
        if (step.outcome === 'approved') return `${person.name} (authorised ${step.legalBasis ? `under ${step.legalBasis}` : 'under licence'})`;
        return `${person.name} (not authorised: ${step.outcome ?? step.status})`;
      });
      return [`${component.name} (${component.id}): ${each.join(', ')}`];
    });
  }

  /** Screens the people (`ids`, default all) against the restricted-party list; each result is audited with its rule. */
  async screen(ids: string[] = [...this.people.keys()]): Promise<void> {
    const who = ids.map((id) => this.people.get(id)!);
    if (!who.length) return;
    const hits = await screening.screenParties(who.map((p) => p.name));
    const at = new Date().toISOString();
    for (const person of who) {
      const hit = hits.find((h) => h.name === person.name);
      person.screening = { ...personScreening(person, hit), at };
      const s = person.screening;
      this.host.record({
        actor: 'system',
        action: 'person-screened',
        channel: 'system',
        detail: `${person.name} (${person.id}): ${s.status === 'flagged' ? 'FLAGGED' : 'clear'} by rule ${s.rule.id}: ${s.rule.text}`,
      });
    }
    this.host.changed();
  }

  /**
   * Opens a deemed-export review for each release of a controlled software or technology component to a person its
   * regime treats as foreign (or who is flagged), once; audits each release that needs none, with its basis.
   */
  async openReleases(): Promise<void> {
    const { policy, project, board } = this.host;
    const plans = [];
    for (const component of project.components.filter(releasesTechnology)) {
      for (const person of (component.access ?? []).flatMap((id) => this.people.get(id) ?? [])) {
        const stepId = deemedExportStepId(component.id, person.id);
        if (this.opened.has(stepId)) continue;
        const release = assessRelease(policy, project, component, person, person.screening);
        if (release.review && release.agency) {
          this.opened.add(stepId);
          plans.push(deemedExportPlan(policy, component, person, release, person.screening));
        } else if (this.assessed.get(stepId) !== release.basis) {
          this.assessed.set(stepId, release.basis);
          const detail = `release to ${person.name} (${person.id}) needs no deemed-export review: ${release.basis}`;
          this.host.record({ actor: 'system', action: 'release-assessed', channel: 'system', componentId: component.id, detail });
        }
      }
    }
    if (plans.length) await board.openSteps(plans);
  }

  /**
   * An amendment changed the people or who has access: the people as amended are taken in (a changed person keeps
   * their certificates and is screened again), open reviews of releases that no longer exist are closed, and once
   * the project is active the reviews now due are opened.
   */
  async amended(screenAgain: string[]): Promise<void> {
    const now = new Map((this.host.project.people ?? []).map((p) => [p.id, p]));
    for (const id of [...this.people.keys()].filter((id) => !now.has(id))) this.people.delete(id);
    for (const [id, p] of now) {
      const was = this.people.get(id);
      const screened = was?.screening && !screenAgain.includes(id) ? { screening: was.screening } : {};
      this.people.set(id, { ...p, training: was?.training ?? [], ...screened });
    }
    const withAccess = new Set(this.host.project.components.flatMap((c) => (c.access ?? []).map((id) => deemedExportStepId(c.id, id))));
    const gone = (s: { kind: string; stepId: string }) => s.kind === 'deemed-export' && !withAccess.has(s.stepId);
    if (this.host.board.open().some(gone)) await this.host.board.closeOpen('an amendment removed the access: the release is no longer planned', gone);
    await this.screen(screenAgain.filter((id) => this.people.has(id)));
    if (this.host.stage() === 'active') await this.openReleases();
  }

  private wrongStage(what: string): void {
    const stage = this.host.stage();
    if (stage === 'rejected' || stage === 'withdrawn') {
      throw ApplicationFailure.nonRetryable(`project ${this.host.project.projectId} is ${stage}: no ${what} is recorded`, PeopleRejection.WrongStage);
    }
  }

  private checkTraining(input: TrainingInput): void {
    this.wrongStage('training certificate');
    if (!this.people.has(input.personId)) {
      throw ApplicationFailure.nonRetryable(`project ${this.host.project.projectId} has no person ${input.personId}`, PeopleRejection.UnknownPerson);
    }
    if (!isDate(input.completedAt) || !isDate(input.expiresAt)) {
      throw ApplicationFailure.nonRetryable('completedAt and expiresAt must be ISO dates', PeopleRejection.InvalidTraining);
    }
    if (Date.parse(input.completedAt) > Date.parse(input.expiresAt)) {
      throw ApplicationFailure.nonRetryable(`completed ${input.completedAt}, after it expires (${input.expiresAt})`, PeopleRejection.InvalidTraining);
    }
  }

  private recordTraining(input: TrainingInput): Promise<PersonView> {
    const person = this.people.get(input.personId)!;
    const { personId: _person, ...certificate } = input;
    person.training.push({ ...certificate, certificateId: `${person.id}-training-${person.training.length + 1}`, recordedAt: new Date().toISOString() });
    this.host.record({
      actor: input.recordedBy,
      action: 'training-recorded',
      channel: 'api',
      documentId: input.documentId,
      sha256: input.sha256,
      detail:
        `${person.name} (${person.id}): "${input.course}" completed ${input.completedAt}, valid until ${input.expiresAt}; ` +
        `document ${input.documentId} (sha256 ${input.sha256})`,
    });
    this.host.changed();
    return this.host.answer({ ...person, training: [...person.training] });
  }

  private checkDeliverable(input: DeliverableInput): void {
    this.wrongStage('deliverable');
    const documents = (this.host.funder.trancheConditions ?? []).filter((c) => c.kind === 'document');
    if (!documents.some((c) => c.id === input.conditionId)) {
      const known = documents.map((c) => c.id).join(', ') || 'none';
      throw ApplicationFailure.nonRetryable(
        `${this.host.funder.name} asks for no deliverable "${input.conditionId}" (its deliverables: ${known})`,
        PeopleRejection.UnknownCondition,
      );
    }
  }

  private recordDeliverable(input: DeliverableInput): Promise<DeliverableView> {
    const condition = this.host.funder.trancheConditions.find((c) => c.id === input.conditionId)!;
    const received: DeliverableView = { ...input, name: condition.name, submittedAt: new Date().toISOString() };
    const again = this.deliverables.has(input.conditionId) ? ' (replaces the one received before)' : '';
    this.deliverables.set(input.conditionId, received);
    this.host.record({
      actor: input.submittedBy,
      action: 'deliverable-received',
      channel: 'api',
      documentId: input.documentId,
      sha256: input.sha256,
      detail: `${condition.name} (${condition.id})${again}; document ${input.documentId} (sha256 ${input.sha256})`,
    });
    this.host.changed();
    return this.host.answer(received);
  }
}
