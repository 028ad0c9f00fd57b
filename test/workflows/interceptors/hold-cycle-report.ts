/**
 * Test-only workflow interceptor: the record write that carries a project's first `pending` item in a review
 * cycle is held in flight until a `decide` Update has arrived. So the decision lands, every time, while the
 * cycle review's item is being written: the window where a lost wake-up hides (issue 10).
 * The workflow's memo `cycleReportHeld` says the write is being held.
 */
import { condition, upsertMemo, type WorkflowInterceptorsFactory } from '@temporalio/workflow';
import type { ProjectRecordWrite } from '../../../records/contract';
import { decideUpdate } from '../../../workflows/definitions';

export const interceptors: WorkflowInterceptorsFactory = () => {
  let decided = 0;
  let held = false;
  return {
    inbound: [
      {
        // Counted as the Update arrives: it answers only once its own change is written, after this write.
        async handleUpdate(input, next) {
          if (input.name === decideUpdate.name) decided += 1;
          return next(input);
        },
      },
    ],
    outbound: [
      {
        async scheduleLocalActivity(input, next) {
          const write = input.args[0] as ProjectRecordWrite | undefined;
          const pending = input.activityType === 'recordProject' && write?.cycleItems?.some((c) => 'item' in c && c.item.outcome === 'pending');
          if (pending && !held) {
            held = true;
            const seen = decided;
            upsertMemo({ cycleReportHeld: true });
            await condition(() => decided > seen);
          }
          return next(input);
        },
      },
    ],
  };
};
