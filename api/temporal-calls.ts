/** How request handlers call Temporal: bounded, so an unreachable server answers 503 instead of hanging. */
import type { Client } from '@temporalio/client';

/** Runs Temporal calls under one deadline `ms` from now. */
export function bounded(client: Client, ms: number) {
  return <T>(fn: () => Promise<T>): Promise<T> => client.withDeadline(Date.now() + ms, fn);
}

/** An accepted Update's result if it finishes within `ms`; otherwise undefined (the Update carries on). */
export function resultWithin<T>(update: { result(): Promise<T> }, ms: number): Promise<T | undefined> {
  return Promise.race([update.result(), new Promise<undefined>((r) => setTimeout(() => r(undefined), ms).unref())]);
}
