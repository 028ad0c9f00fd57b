/**
 * How a workflow keeps its record current without touching the database: after changes, one write at a time,
 * each carrying what changed since the previous one (the caller's `write` builds it when it runs).
 */
import { condition, patched } from '@temporalio/workflow';

export class RecordWriter {
  /** Off in histories recorded before the record store existed, so they replay as they ran (not one await more). */
  readonly enabled = patched('record-store');
  private pending = false;
  private writing = false;

  constructor(private readonly write: () => Promise<void>) {}

  changed(): void {
    if (this.enabled) this.pending = true;
  }

  /** Every change made so far is in the record. */
  idle(): boolean {
    return !this.pending && !this.writing;
  }

  /** Resolves once every change made before the call is in the record. */
  flushed(): Promise<void> {
    return condition(() => this.idle());
  }

  /** An Update's answer, once its changes are in the record (the API reads the record); off, the answer as it was. */
  answer<T>(result: T | Promise<T>): T | Promise<T> {
    if (!this.enabled) return result;
    return (async () => {
      const value = await result;
      await this.flushed();
      return value;
    })();
  }

  /** Writes until the workflow ends; start it outside any scope that is cancelled. Does nothing when off. */
  async run(): Promise<void> {
    if (!this.enabled) return;
    for (;;) {
      await condition(() => this.pending);
      this.pending = false;
      this.writing = true;
      try {
        await this.write();
      } finally {
        this.writing = false;
      }
    }
  }
}

/** Keeps the JSON of what was last written under each key, and says which values changed since. */
export class ChangeTracker<T> {
  private readonly written = new Map<string, string>();

  changedSince(entries: [key: string, value: T][]): T[] {
    return entries.flatMap(([key, value]) => {
      const json = JSON.stringify(value);
      if (this.written.get(key) === json) return [];
      this.written.set(key, json);
      return [value];
    });
  }
}
