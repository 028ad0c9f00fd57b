/**
 * Asking projects to review and collecting what they report: the part of a cycle that grows with its projects,
 * so it runs in shard workflows of bounded size.
 */
import { getExternalWorkflowHandle, setHandler } from '@temporalio/workflow';
import {
  CYCLE_BATCH_SIZE,
  noCounts,
  cycleItemSignal,
  cycleReviewSignal,
  cycleSkipSignal,
  NO_RUNNING_PROJECT,
  type CycleItem,
  type CycleReviewRequest,
  type CycleTally,
  type SkippedProject,
} from './cycle-contract';
import { projectWorkflowId } from './definitions';
import { ChangeTracker } from './record-writer';

export class CycleFanOut {
  readonly items = new Map<string, CycleItem>();
  readonly skipped = new Map<string, SkippedProject>();
  launched = 0;
  private readonly itemsWritten = new ChangeTracker<CycleItem>();
  private readonly skipsWritten = new ChangeTracker<SkippedProject>();

  /** Takes the projects' reports; `changed` runs after each. */
  constructor(private readonly changed: () => void) {
    setHandler(cycleItemSignal, (item) => {
      this.items.set(item.projectId, item);
      changed();
    });
    setHandler(cycleSkipSignal, (skip) => {
      // A project that took the signal and then declined (another funder's, or not active) is not counted as launched.
      if (this.items.delete(skip.projectId)) this.launched -= 1;
      this.skipped.set(skip.projectId, skip);
      changed();
    });
  }

  /** Signals each project, CYCLE_BATCH_SIZE at a time; one that is not running is skipped. */
  async ask(projectIds: string[], request: CycleReviewRequest): Promise<void> {
    for (let i = 0; i < projectIds.length; i += CYCLE_BATCH_SIZE) {
      await Promise.all(
        projectIds.slice(i, i + CYCLE_BATCH_SIZE).map(async (projectId) => {
          try {
            await getExternalWorkflowHandle(projectWorkflowId(projectId)).signal(cycleReviewSignal, request);
            // The project may already have declined (its skip can arrive before this send completes).
            if (!this.skipped.has(projectId)) {
              this.launched += 1;
              if (!this.items.has(projectId))
                this.items.set(projectId, { projectId, outcome: 'pending', milestoneIds: [], awaited: [], at: new Date().toISOString() });
            }
          } catch {
            this.skipped.set(projectId, { projectId, reason: NO_RUNNING_PROJECT });
          }
        }),
      );
      this.changed();
    }
  }

  /** Every project asked has a final outcome. */
  settled(): boolean {
    return [...this.items.values()].every((i) => i.outcome !== 'pending');
  }

  tally(): CycleTally {
    const counts = noCounts();
    for (const item of this.items.values()) counts[item.outcome] += 1;
    return { launched: this.launched, skipped: this.skipped.size, counts };
  }

  /** The items and skips that changed since the last call: the next record write's rows. */
  changes(): { items: CycleItem[]; skipped: SkippedProject[] } {
    return {
      items: this.itemsWritten.changedSince([...this.items.values()].map((i) => [i.projectId, i])),
      skipped: this.skipsWritten.changedSince([...this.skipped.values()].map((s) => [s.projectId, s])),
    };
  }
}
