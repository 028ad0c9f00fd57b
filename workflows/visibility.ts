/**
 * What a workflow shows to Temporal visibility, for operators (the Temporal UI, `temporal workflow list`): its stage,
 * the parties it awaits and its next due time, as search attributes. Readers of the product read the records instead.
 */
import { upsertSearchAttributes } from '@temporalio/workflow';
import { searchAttributes, type ReviewStep } from './definitions';

export class Visibility {
  private published = '';

  /** Publishes only when something changed, to keep history small. `outOfTimeSince`: a licence case past its legal limit. */
  publish(stage: string, open: ReviewStep[], outOfTimeSince?: string): void {
    // A stopped clock is not overdue: the reviewer waits for the coordinator.
    const awaited = [...new Set(open.map((s) => (s.infoRequest ? 'coordinator' : s.party)))].sort();
    const nextDue = open
      .filter((s) => !s.infoRequest)
      .map((s) => s.dueAt)
      .sort()[0];
    const key = JSON.stringify([stage, awaited, nextDue ?? null, outOfTimeSince ?? null]);
    if (key === this.published) return;
    this.published = key;
    upsertSearchAttributes([
      { key: searchAttributes.stage, value: stage },
      { key: searchAttributes.awaitedParties, value: awaited },
      { key: searchAttributes.nextDueAt, value: nextDue ? new Date(nextDue) : null },
      ...(outOfTimeSince ? [{ key: searchAttributes.outOfTimeSince, value: new Date(outOfTimeSince) }] : []),
    ]);
  }
}
