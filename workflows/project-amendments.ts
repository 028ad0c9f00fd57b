/**
 * A project's amendments (`POST /v1/projects/:id/amendments`): the Update that accepts one, checked against the
 * project as the amendments accepted before it leave it, and the loop that applies them one at a time, in order.
 * Applying one: the submission changes, the changed and added components are classified again and (once the
 * project is active) their reviews start again with the new facts; every other licence stands. Added and changed
 * people are screened again, and the releases to them now due are reviewed (workflows/project-people.ts). The diff itself is
 * domain/amendments.ts.
 */
import { ApplicationFailure, condition, setHandler } from '@temporalio/workflow';
import { amendProject, componentsToReview, describeDiff, peopleToScreen, type AmendmentDiff } from '../domain/amendments';
import type { Policy } from '../domain/policy';
import type { Project } from '../domain/project';
import { AMENDABLE_STAGES, AmendmentRejection, amendUpdate, type AmendmentCarry, type AmendRequest, type AmendResult } from './amendment-contract';
import type { ComponentView, Stage } from './definitions';
import { reference } from './effects';
import type { MailContext, NoticeIntent } from './mail-intents';
import type { AuditInput } from './review-board';

export interface AmendmentHost {
  /** The project's submission: amended in place as each amendment is applied. */
  project: Project;
  policy: Policy;
  stage(): Stage;
  components: Map<string, ComponentView>;
  context: MailContext;
  record(entry: AuditInput): void;
  answer<T>(result: T): Promise<T>;
  /** The project's view changed. */
  changed(): void;
  /** The submission changed: the records learn it, and its parties. */
  recordSubmission(): void;
  notifyCoordinator(key: string, intent: NoticeIntent): Promise<void>;
  /** The people or who has access changed: those named are screened again, and the releases now due reviewed. */
  peopleAmended(screenAgain: string[]): Promise<void>;
  /** Ends what stands for the component (its review, or its issued licence) and starts its review again. */
  reviewAgain(componentId: string, reason: string): Promise<void>;
  carried?: AmendmentCarry;
}

interface Accepted {
  amendmentId: string;
  by: string;
  project: Project;
  diff: AmendmentDiff;
}

export class Amendments {
  private readonly queue: Accepted[] = [];
  private accepted: number;
  private last?: string;

  constructor(private readonly host: AmendmentHost) {
    this.accepted = host.carried?.accepted ?? 0;
    this.last = host.carried?.last;
    setHandler(amendUpdate, (request) => this.accept(request), { validator: (request) => void this.check(request) });
  }

  /** No amendment waits to be applied. */
  idle(): boolean {
    return this.queue.length === 0;
  }

  carry(): AmendmentCarry {
    return { accepted: this.accepted, ...(this.last && { last: this.last }) };
  }

  /** Applies the accepted amendments one at a time, in the order accepted, for as long as the project runs. */
  async run(): Promise<never> {
    for (;;) {
      await condition(() => this.queue.length > 0);
      await this.apply(this.queue[0]);
      this.queue.shift();
      this.host.changed();
    }
  }

  /** The project as every amendment accepted so far leaves it: the next one is checked against it. */
  private projected(): Project {
    return this.queue.at(-1)?.project ?? this.host.project;
  }

  private check({ amendment }: AmendRequest) {
    const stage = this.host.stage();
    if (!AMENDABLE_STAGES.includes(stage)) {
      throw ApplicationFailure.nonRetryable(
        `project ${this.host.project.projectId} is ${stage}: only a project under review or active may be amended`,
        AmendmentRejection.WrongStage,
      );
    }
    const outcome = amendProject(this.projected(), amendment, this.host.policy);
    if (!outcome.ok) {
      const what = outcome.problems.map((p) => `${p.path}: ${p.message}`).join('; ');
      throw ApplicationFailure.nonRetryable(`invalid amendment: ${what}`, AmendmentRejection.Invalid, outcome.problems);
    }
    return outcome;
  }

  private accept(request: AmendRequest): Promise<AmendResult> {
    const { project, diff } = this.check(request);
    this.accepted += 1;
    const amendmentId = `amendment-${this.accepted}`;
    const result: AmendResult = {
      amendmentId,
      ...(this.last && { follows: this.last }),
      after: this.queue.map((a) => a.amendmentId),
      changes: describeDiff(diff),
      reviewedAgain: componentsToReview(diff),
    };
    this.last = amendmentId;
    this.queue.push({ amendmentId, by: request.amendedBy, project, diff });
    const order = result.after.length ? `, applied after ${result.after.join(', ')}` : result.follows ? `, follows ${result.follows}` : '';
    this.host.record({
      actor: request.amendedBy,
      action: 'amendment-accepted',
      channel: 'api',
      detail: `${amendmentId}${order}: ${result.changes.join('; ')}`,
    });
    this.host.changed();
    return this.host.answer(result);
  }

  private async apply(a: Accepted): Promise<void> {
    const { project, components, policy, record } = this.host;
    project.partners.splice(0, project.partners.length, ...a.project.partners);
    project.components.splice(0, project.components.length, ...a.project.components);
    if (a.project.people) project.people = a.project.people;
    for (const spec of a.project.components) {
      const view = components.get(spec.id);
      if (view) view.name = spec.name;
      else {
        const licence = { status: 'in-review' as const, conditions: [] };
        components.set(spec.id, { id: spec.id, name: spec.name, tier: null, classifiedTier: null, tierReason: null, classification: null, licence });
      }
    }
    this.host.recordSubmission();
    const again = componentsToReview(a.diff);
    if (again.length) {
      const changed = { ...a.project, components: a.project.components.filter((c) => again.includes(c.id)) };
      for (const c of await reference.classifyProject({ project: changed, rules: policy.classification })) {
        const view = components.get(c.componentId)!;
        const was = view.tier ? ` (was ${view.tier})` : '';
        Object.assign(view, { classification: c, classifiedTier: c.tier, tier: c.tier, tierReason: c.rule.text });
        const detail = `${a.amendmentId}: ${c.tier} by rule ${c.rule.id}: ${c.rule.text}${was}`;
        record({ actor: 'system', action: 'reclassified', channel: 'system', componentId: c.componentId, detail });
      }
      this.host.changed();
      // Under grant review no licence review has started: each starts with the new facts once the grant is approved.
      if (this.host.stage() === 'active') {
        for (const id of again) {
          const what = a.diff.changedComponents.find((c) => c.componentId === id)?.changes.join(', ') ?? 'added';
          await this.host.reviewAgain(id, `${a.amendmentId} changed the component (${what}): its review starts again with the new facts`);
        }
      }
    }
    const { addedPeople, changedPeople, removedPeople } = a.diff;
    const access = a.diff.changedComponents.some((c) => c.changes.includes('access'));
    if (access || addedPeople || changedPeople || removedPeople) await this.host.peopleAmended(peopleToScreen(a.diff));
    const changes = describeDiff(a.diff);
    const reviewed = again.length ? again.join(', ') : 'none; every licence stands';
    record({ actor: a.by, action: 'amendment-applied', channel: 'system', detail: `${a.amendmentId}: ${changes.join('; ')}; reviewed again: ${reviewed}` });
    await this.host.notifyCoordinator(`amendment.${a.amendmentId}`, {
      kind: 'amendment-applied',
      context: this.host.context,
      coordinatorName: project.coordinator.name,
      amendmentId: a.amendmentId,
      changes,
      reviewedAgain: again.map((id) => components.get(id)!.name),
    });
  }
}
