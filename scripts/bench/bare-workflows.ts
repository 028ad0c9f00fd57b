/**
 * The raw arms' workflows: Temporal's own floor, with none of the product's work. Bench-only: bundled by the bench's
 * own worker (scripts/bench/bare-worker.ts) on a task queue of its own, never part of the product's bundle
 * (workflows/index.ts).
 *
 * Each tells the bench that its first workflow task ran through a sink (`bench.ran`): a call into the worker's main
 * thread made with the task's completion, with no command, no history event and no server call, so the bench can
 * tell when the bare workflows it started have run without reading their histories.
 */
import { condition, defineUpdate, proxySinks, setHandler, type Sinks } from '@temporalio/workflow';

export interface BareSinks extends Sinks {
  bench: { ran(): void };
}

const { bench } = proxySinks<BareSinks>();

/** Answers at once with what it was sent. */
export const bareUpdate = defineUpdate<string, [string]>('bare');

/** Does nothing but wait: its first workflow task completes with no command. */
export async function bareWaitWorkflow(): Promise<void> {
  bench.ran();
  await condition(() => false);
}

/** Waits, and answers `bareUpdate` at once (no await in the handler, so the Update completes in the task that accepts it). */
export async function bareUpdateWorkflow(): Promise<void> {
  setHandler(bareUpdate, (value) => value);
  bench.ran();
  await condition(() => false);
}
