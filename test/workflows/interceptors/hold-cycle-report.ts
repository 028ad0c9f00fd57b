/**
 * Test-only workflow interceptor: a project's first `pending` report to its
 * review cycle is held in flight until a `decide` Update has completed. So the
 * decision lands, every time, while the cycle review awaits its report: the
 * window where a lost wake-up hides (issue 10).
 * The workflow's memo `cycleReportHeld` says the report is being held.
 */
import { condition, upsertMemo, type WorkflowInterceptorsFactory } from '@temporalio/workflow';
import { cycleItemSignal, type CycleItem } from '../../../workflows/cycle-contract';
import { decideUpdate } from '../../../workflows/definitions';

export const interceptors: WorkflowInterceptorsFactory = () => {
  let decided = 0;
  let held = false;
  return {
    inbound: [
      {
        async handleUpdate(input, next) {
          const result = await next(input);
          if (input.name === decideUpdate.name) decided += 1;
          return result;
        },
      },
    ],
    outbound: [
      {
        async signalWorkflow(input, next) {
          const item = input.args[0] as CycleItem;
          if (input.signalName === cycleItemSignal.name && item.outcome === 'pending' && !held) {
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
