/**
 * What a workflow shows to Temporal visibility, so stalled work is found by a
 * list query instead of querying every workflow: search attributes (stage,
 * awaited parties, next due time) and a memo with the open steps.
 */
import { upsertMemo, upsertSearchAttributes } from '@temporalio/workflow';
import { searchAttributes, type ReviewStep } from './definitions';

/** One open step as the stalled list shows it (kept in the workflow's memo). */
export interface OpenStepMemo {
  stepId: string;
  kind: ReviewStep['kind'];
  party: string;
  partyName: string;
  reviewer: string;
  componentId?: string;
  openedAt: string;
  dueAt: string;
  /** Waiting for the coordinator's information: the step's clock is stopped. */
  clockStopped: boolean;
}

/** A licence review past its regime's legal limit, undecided (set on licence reviews only). */
export interface OutOfTimeMemo {
  componentId: string;
  since: string;
  issuer: { agencyId: string; name: string };
}

/** The memo every workflow keeps: its project's title and its open steps. */
export interface VisibilityMemo {
  projectTitle: string;
  openSteps: OpenStepMemo[];
  outOfTime?: OutOfTimeMemo;
  /** Project workflows only: the principals who may see the project as coordinators (owner, then delegates). */
  owners?: string[];
}

export class Visibility {
  private published = '';
  private owners?: string[];

  constructor(private readonly projectTitle: string) {}

  /** A project's owner and delegates, published with the memo so lists show coordinators only their projects. */
  setOwners(owners: string[]): void {
    this.owners = owners;
  }

  /** Publishes only when something changed, to keep history small. */
  publish(stage: string, open: ReviewStep[], outOfTime?: OutOfTimeMemo): void {
    const steps: OpenStepMemo[] = open.map((s) => ({
      stepId: s.stepId,
      kind: s.kind,
      party: s.party,
      partyName: s.partyName,
      reviewer: s.reviewer,
      componentId: s.componentId,
      openedAt: s.openedAt,
      dueAt: s.dueAt,
      clockStopped: !!s.infoRequest,
    }));
    const awaited = [...new Set(steps.map((s) => (s.clockStopped ? 'coordinator' : s.party)))].sort();
    // A stopped clock is not overdue: the reviewer waits for the coordinator.
    const nextDue = steps
      .filter((s) => !s.clockStopped)
      .map((s) => s.dueAt)
      .sort()[0];
    const key = JSON.stringify([stage, steps, outOfTime ?? null, this.owners ?? null]);
    if (key === this.published) return;
    this.published = key;
    upsertSearchAttributes([
      { key: searchAttributes.stage, value: stage },
      { key: searchAttributes.awaitedParties, value: awaited },
      { key: searchAttributes.nextDueAt, value: nextDue ? new Date(nextDue) : null },
      ...(outOfTime ? [{ key: searchAttributes.outOfTimeSince, value: new Date(outOfTime.since) }] : []),
    ]);
    const memo: VisibilityMemo = {
      projectTitle: this.projectTitle,
      openSteps: steps,
      ...(outOfTime && { outOfTime }),
      ...(this.owners && { owners: this.owners }),
    };
    upsertMemo({ ...memo });
  }
}
