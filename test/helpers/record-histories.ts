/**
 * Recording workflow histories for the replay test (test/replay): with
 * RECORD_HISTORIES=1, each test file's dev server writes the histories of the
 * workflows it ran to test/replay/histories/<test file>/<type>-<n>.json.gz
 * before it stops (gzip: the policy snapshot in every input makes them large).
 * Histories that show nothing new are left out: a history is kept when its
 * sequence of steps (event types, with the activity, signal, update, timer and
 * child workflow names) differs from every one kept before it in the file.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';

export const HISTORIES_DIR = path.resolve(__dirname, '../replay/histories');

export interface RecordedHistory {
  workflowId: string;
  workflowType: string;
  /** The test file it was recorded in. */
  recordedIn: string;
  /**
   * protobufjs's plain-object form of the History (enums and 64-bit numbers as strings, bytes as base64):
   * `historyToObject` writes it, `historyFromObject` reads it back. (The SDK's historyToJSON/historyFromJSON
   * throw "type must be a Type" when npm installs two copies of protobufjs 8, as it does here.)
   */
  history: unknown;
}

const History = temporal.api.history.v1.History;
export const historyToObject = (history: temporal.api.history.v1.IHistory) => History.toObject(History.fromObject(history), { enums: String, longs: String, bytes: String });
export const historyFromObject = (object: unknown) => History.fromObject(object as Record<string, unknown>);

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

/** One event as a step: its type and, where it has one, the name of what it is about. */
function step(e: HistoryEvent): string {
  const type = temporal.api.enums.v1.EventType[e.eventType ?? 0] ?? String(e.eventType);
  const name =
    e.activityTaskScheduledEventAttributes?.activityType?.name ??
    e.workflowExecutionSignaledEventAttributes?.signalName ??
    e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.name ??
    e.startChildWorkflowExecutionInitiatedEventAttributes?.workflowType?.name ??
    e.signalExternalWorkflowExecutionInitiatedEventAttributes?.signalName ??
    e.markerRecordedEventAttributes?.markerName ??
    '';
  return name ? `${type}:${name}` : type;
}

/** The history's shape: its steps with repeats in a row folded, so the number of reminders or polls does not count. */
export function shapeOf(events: HistoryEvent[]): string {
  const steps = events.map(step).filter((s, i, all) => s !== all[i - 1]);
  return createHash('sha256').update(steps.join('\n')).digest('hex');
}

export async function recordHistories(client: Client, testFile: string): Promise<number> {
  const suite = path.basename(testFile).replace(/\.test\.ts$/, '');
  const dir = path.join(HISTORIES_DIR, suite);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const shapes = new Set<string>();
  const perType = new Map<string, number>();
  for await (const item of client.workflow.list().intoHistories()) {
    const { workflowId } = item;
    const history = item.history as temporal.api.history.v1.IHistory;
    const events = history.events ?? [];
    const workflowType = events[0]?.workflowExecutionStartedEventAttributes?.workflowType?.name ?? 'unknown';
    const shape = `${workflowType}:${shapeOf(events)}`;
    if (shapes.has(shape)) continue;
    shapes.add(shape);
    const n = (perType.get(workflowType) ?? 0) + 1;
    perType.set(workflowType, n);
    const recorded: RecordedHistory = { workflowId, workflowType, recordedIn: `test/${path.relative(path.resolve(__dirname, '..'), testFile)}`, history: historyToObject(history) };
    writeFileSync(path.join(dir, `${workflowType}-${String(n).padStart(3, '0')}.json.gz`), gzipSync(`${JSON.stringify(recorded)}\n`, { level: 9 }));
  }
  return shapes.size;
}

/** Every committed history, with the file it came from (relative to the histories folder). */
export function readRecordedHistories(dir = HISTORIES_DIR): { file: string; recorded: RecordedHistory }[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.json.gz'))
    .sort()
    .map((file) => ({ file, recorded: JSON.parse(gunzipSync(readFileSync(path.join(dir, file))).toString('utf8')) as RecordedHistory }));
}
