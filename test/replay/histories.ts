/**
 * The recorded workflow histories that replay.test.ts replays: how they are
 * written, chosen and read.
 *
 * One history per file, `test/replay/histories/<test file>/<workflowType>-<test>[-<child>][-run<n>].json`
 * (<test file>: its path under test/, e.g. workflows/disputes),
 * in Temporal's JSON history format: what `historyToJSON(await handle.fetchHistory())` writes
 * and `historyFromJSON` reads, as `temporal workflow show --output json` does. A history
 * exported that way from any server can be added by hand.
 *
 * With RECORD_HISTORIES=1 each test file's dev server (test/helpers/temporal.ts) hands every
 * workflow execution it ran to `recordHistories` before it stops, and scripts/record-histories.ts
 * then applies the same choice across all test files (`keepCovering`). Per workflow type, the
 * histories kept are a small set that together show everything any of them shows: every step (an
 * event, named by its activity, signal, Update and decision, or child workflow), every command
 * that followed each step, and everything said (the kind of each e-mail, the status and outcome
 * each report to the project carries, the Stage). Each branch the tests reach is in some recorded
 * history; a run that only repeats what others show (more reminders, the same path with other
 * data) is left out.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import * as proto from '@temporalio/proto';
import { patchProtobufRoot } from '@temporalio/proto/lib/patch-protobuf-root';

export const HISTORIES_DIR = path.join(__dirname, 'histories');
/**
 * `histories/patches/<patch id>/<branch>.json`: for each patch in workflows/patches.ts, a small history that pins
 * its old branch (recorded before the change), named for that branch. The selection never removes them, and a
 * full recording keeps them; they go with the patch's entry.
 */
export const PATCH_HISTORIES_DIR = 'patches';
const pinsPatch = (file: string) => file.split(path.sep)[0] === PATCH_HISTORIES_DIR;

type History = proto.temporal.api.history.v1.IHistory;
type HistoryEvent = proto.temporal.api.history.v1.IHistoryEvent;
const EventType = proto.temporal.api.enums.v1.EventType;

// ---- the JSON format ----------------------------------------------------------------------------------

/**
 * The SDK's `historyToJSON`/`historyFromJSON` (@temporalio/common/lib/proto-utils) do exactly this, but in
 * this install they throw "type must be a Type": npm gave @temporalio/common and @temporalio/proto each
 * their own copy of protobufjs 8, and the JSON codec of one does not accept the other's types. Taking the
 * codec from the copy @temporalio/proto uses gives the same JSON.
 */
interface ProtoJson {
  toJson(type: unknown, message: unknown): unknown;
  fromJson(type: unknown, json: unknown, options?: { ignoreUnknownFields?: boolean }): unknown;
}
const protojson = require(require.resolve('protobufjs/ext/protojson', { paths: [path.dirname(require.resolve('@temporalio/proto'))] })) as ProtoJson;
const historyType = (patchProtobufRoot(proto) as unknown as { lookupType(name: string): unknown }).lookupType('temporal.api.history.v1.History');

export function historyToJSON(history: History): string {
  // Compact: the files are read by the replay test, not by people (`temporal workflow show` prints them readably).
  return JSON.stringify(protojson.toJson(historyType, proto.temporal.api.history.v1.History.fromObject(history)));
}

export function historyFromJSON(json: unknown): proto.temporal.api.history.v1.History {
  if (typeof json !== 'object' || json === null || !Array.isArray((json as { events?: unknown }).events))
    throw new TypeError('not a history: expected an object with an array of events');
  return protojson.fromJson(historyType, json, { ignoreUnknownFields: true }) as proto.temporal.api.history.v1.History;
}

export const workflowTypeOf = (history: History): string => history.events?.[0]?.workflowExecutionStartedEventAttributes?.workflowType?.name ?? 'unknown';

// ---- what a history shows -------------------------------------------------------------------------------

/** Events that say nothing about the workflow's code path, only about the worker's timing. */
const NOISE = new Set<number>([
  EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED,
  EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED,
  EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED,
  EventType.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT,
  EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED,
]);
/** Events the workflow's code writes (its commands), as opposed to what happens to it (inputs, results, timers firing). */
const COMMANDS = new Set<string>(
  [
    EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED,
    EventType.EVENT_TYPE_ACTIVITY_TASK_CANCEL_REQUESTED,
    EventType.EVENT_TYPE_TIMER_STARTED,
    EventType.EVENT_TYPE_TIMER_CANCELED,
    EventType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED,
    EventType.EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED,
    EventType.EVENT_TYPE_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED,
    EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES,
    EventType.EVENT_TYPE_WORKFLOW_PROPERTIES_MODIFIED,
    EventType.EVENT_TYPE_MARKER_RECORDED,
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED,
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED,
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED,
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED,
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW,
  ].map((t) => EventType[t].replace(/^EVENT_TYPE_/, '')),
);

function jsonOf(payload: proto.temporal.api.common.v1.IPayload | null | undefined): unknown {
  try {
    return payload?.data ? JSON.parse(Buffer.from(payload.data).toString('utf8')) : undefined;
  } catch {
    return undefined;
  }
}

/** The `decision` of a decide Update (approve, deny, request-info, appeal…), when its argument has one. */
function decisionOf(payload: proto.temporal.api.common.v1.IPayload | null | undefined): string | undefined {
  const decision = (jsonOf(payload) as { decision?: unknown } | undefined)?.decision;
  return typeof decision === 'string' ? decision : undefined;
}

/**
 * What a workflow tells others and shows, which names the branch it took: each `status` and `outcome` its signals
 * carry (a licence denied, a dispute's ruling…), the kind of each e-mail it sends, and the Stage it shows.
 */
function reportedOf(history: History): string[] {
  const reported: string[] = [];
  const collect = (signal: string, value: unknown, depth = 0): void => {
    if (Array.isArray(value)) for (const v of value) collect(signal, v, depth + 1);
    else if (value && typeof value === 'object' && depth < 4) {
      for (const [key, v] of Object.entries(value)) {
        if ((key === 'status' || key === 'outcome' || key === 'finalRuling') && typeof v === 'string') reported.push(`reports ${signal} ${key} ${v}`);
        else if (key !== 'steps') collect(signal, v, depth + 1);
      }
    }
  };
  for (const e of history.events ?? []) {
    const signal = e.signalExternalWorkflowExecutionInitiatedEventAttributes;
    if (signal) collect(signal.signalName ?? '?', jsonOf(signal.input?.payloads?.[0]));
    const scheduled = e.activityTaskScheduledEventAttributes;
    const intent = scheduled?.activityType?.name === 'sendNotice' ? (jsonOf(scheduled.input?.payloads?.[0]) as { intent?: { kind?: string } }) : undefined;
    if (intent?.intent?.kind) reported.push(`mails ${intent.intent.kind}`);
    const stage = jsonOf(e.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields?.Stage);
    if (typeof stage === 'string') reported.push(`shows Stage ${stage}`);
  }
  return reported;
}

/** The history as steps: each event that shows the code path, named by what it is about; repeats in a row folded. */
export function stepsOf(history: History): string[] {
  const events = history.events ?? [];
  const activities = new Map<string, string>();
  const updates = new Map<string, string>();
  const steps: string[] = [];
  for (const e of events) {
    const type = e.eventType ?? 0;
    if (NOISE.has(type)) continue;
    const name = EventType[type]?.replace(/^EVENT_TYPE_/, '') ?? String(type);
    steps.push(`${name}${detailOf(e, activities, updates)}`);
  }
  return steps.filter((s, i) => s !== steps[i - 1]);
}

function detailOf(e: HistoryEvent, activities: Map<string, string>, updates: Map<string, string>): string {
  const id = String(e.eventId);
  const started = e.workflowExecutionStartedEventAttributes;
  if (started) return started.continuedExecutionRunId ? ' (continued as new)' : '';
  const scheduled = e.activityTaskScheduledEventAttributes;
  if (scheduled) {
    activities.set(id, scheduled.activityType?.name ?? '?');
    return `:${scheduled.activityType?.name}`;
  }
  const activityDone =
    e.activityTaskCompletedEventAttributes ??
    e.activityTaskFailedEventAttributes ??
    e.activityTaskTimedOutEventAttributes ??
    e.activityTaskCanceledEventAttributes;
  if (activityDone) return `:${activities.get(String(activityDone.scheduledEventId)) ?? '?'}`;
  const accepted = e.workflowExecutionUpdateAcceptedEventAttributes;
  if (accepted) {
    const input = accepted.acceptedRequest?.input;
    const decision = decisionOf(input?.args?.payloads?.[0]);
    if (accepted.acceptedRequest?.meta?.updateId) updates.set(accepted.acceptedRequest.meta.updateId, input?.name ?? '?');
    return `:${input?.name}${decision ? `:${decision}` : ''}`;
  }
  const updated = e.workflowExecutionUpdateCompletedEventAttributes;
  if (updated) return `:${updates.get(updated.meta?.updateId ?? '') ?? '?'}:${updated.outcome?.failure ? 'failed' : 'ok'}`;
  const signaled = e.workflowExecutionSignaledEventAttributes;
  if (signaled) return `:${signaled.signalName}`;
  const signalOut = e.signalExternalWorkflowExecutionInitiatedEventAttributes;
  if (signalOut) return `:${signalOut.signalName}`;
  const child =
    e.startChildWorkflowExecutionInitiatedEventAttributes ??
    e.childWorkflowExecutionStartedEventAttributes ??
    e.childWorkflowExecutionCompletedEventAttributes ??
    e.childWorkflowExecutionFailedEventAttributes ??
    e.childWorkflowExecutionCanceledEventAttributes ??
    e.childWorkflowExecutionTerminatedEventAttributes ??
    e.childWorkflowExecutionTimedOutEventAttributes ??
    e.startChildWorkflowExecutionFailedEventAttributes;
  if (child) return `:${child.workflowType?.name}`;
  const marker = e.markerRecordedEventAttributes;
  if (marker) return `:${marker.markerName}`;
  return '';
}

/**
 * What a history shows: its steps, what the code did next after each step (a command following it), and what
 * it reported. A transition to an input (a decision, a signal, an activity's result) only says when it arrived,
 * not which way the code went.
 */
export function coverageOf(history: History): Set<string> {
  const steps = stepsOf(history);
  const transitions = steps.slice(1).flatMap((s, i) => (COMMANDS.has(s.split(/[: ]/)[0]) ? [`${steps[i]} → ${s}`] : []));
  return new Set([...steps, ...transitions, ...reportedOf(history)]);
}

export interface Candidate {
  name: string;
  workflowType: string;
  coverage: Set<string>;
  bytes: number;
}

/**
 * Per workflow type, a small set of candidates whose coverage is that of them all: greedily, the one that adds
 * the most not yet covered per byte (ties: the smaller, then by name), until none adds anything.
 */
export function selectCovering<T extends Candidate>(candidates: T[]): T[] {
  const chosen: T[] = [];
  for (const type of [...new Set(candidates.map((c) => c.workflowType))].sort()) {
    const covered = new Set<string>();
    let pool = candidates.filter((c) => c.workflowType === type).sort((a, b) => a.bytes - b.bytes || a.name.localeCompare(b.name));
    for (;;) {
      const gain = (c: T) => [...c.coverage].filter((u) => !covered.has(u)).length;
      let best: T | undefined;
      let bestScore = 0;
      for (const c of pool) {
        const score = gain(c) / c.bytes;
        if (score > bestScore) [best, bestScore] = [c, score];
      }
      if (!best) break;
      chosen.push(best);
      for (const u of best.coverage) covered.add(u);
      pool = pool.filter((c) => c !== best);
    }
  }
  return chosen;
}

// ---- recording ------------------------------------------------------------------------------------------

/** The test each workflow was started in (by the test or by the API it drives); children are named after their root's test. */
const startedIn = new Map<string, string>();
export function noteStart(workflowId: string, testName: string | undefined): void {
  if (testName && !startedIn.has(workflowId)) startedIn.set(workflowId, testName);
}

const slug = (s: string, max = 60) => {
  const full = s
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
  return full.length <= max ? full : full.slice(0, max).replace(/-[^-]*$/, '');
};

interface Execution {
  workflowId: string;
  history: History;
}

const startedOf = (x: Execution) => x.history.events?.[0]?.workflowExecutionStartedEventAttributes ?? {};

/** `<workflowType>-<the test that started it or its root>[-<what tells it from its siblings>][-run<n> after continue-as-new]`. */
function scenarioName(x: Execution, parents: Map<string, string>, runs: Map<string, Execution>): string {
  let root = x.workflowId;
  for (let i = 0; !startedIn.has(root) && parents.has(root) && i < 10; i++) root = parents.get(root)!;
  const test = startedIn.get(root);
  const stem = root.replace(/^[a-z]+-/, ''); // project-p-1b38c4c6 → p-1b38c4c6
  // A child is told from its siblings by what its id adds to its root's: licence-p-1b38c4c6--c2 → c2.
  const at = x.workflowId.indexOf(stem);
  const own = x.workflowId === root || at < 0 ? '' : x.workflowId.slice(at + stem.length).replace(/^-+/, '');
  // Roots started in one test are told apart by the readable part of their id: pass-1a2b3c4d → pass.
  const label = stem.replace(/-?[0-9a-f]{8,}$/, '');
  const parts = test ? [slug(test), label === 'p' ? '' : label, own] : [slug(x.workflowId)];
  // The how-manieth run of its workflow id, following the continue-as-new chain back.
  let run = 1;
  for (let prev = startedOf(x).continuedExecutionRunId; prev && runs.has(prev) && run < 100_000; prev = startedOf(runs.get(prev)!).continuedExecutionRunId)
    run++;
  if (run > 1) parts.push(`run${run}`);
  return [workflowTypeOf(x.history), ...parts.filter(Boolean).map((p) => slug(p, 48))].join('-');
}

/**
 * Task queues of workers that run test-only workflow interceptors: their histories are not the
 * product's workflow code (the replayer runs without the interceptor), so they are never recorded.
 */
export const UNRECORDED_TASK_QUEUE_PREFIX = 'unrecorded-';

/** Writes the histories that cover what this test file's executions show to histories/<test file>/; returns the files written. */
export async function recordHistories(client: Client, testFile: string): Promise<string[]> {
  const executions: Execution[] = [];
  const query = `NOT TaskQueue STARTS_WITH '${UNRECORDED_TASK_QUEUE_PREFIX}'`;
  for await (const { workflowId, history } of client.workflow.list({ query }).intoHistories()) executions.push({ workflowId, history: history as History });
  const parents = new Map<string, string>();
  const runs = new Map<string, Execution>();
  for (const x of executions) {
    const { parentWorkflowExecution, originalExecutionRunId } = startedOf(x);
    if (parentWorkflowExecution?.workflowId) parents.set(x.workflowId, parentWorkflowExecution.workflowId);
    if (originalExecutionRunId) runs.set(originalExecutionRunId, x);
  }
  const used = new Set<string>();
  const candidates = executions
    .map((x) => ({ ...x, base: scenarioName(x, parents, runs), json: historyToJSON(x.history) }))
    .sort((a, b) => a.base.localeCompare(b.base) || a.json.length - b.json.length)
    .map((x) => {
      let name = x.base;
      for (let n = 2; used.has(name); n++) name = `${x.base}-${n}`;
      used.add(name);
      return { ...x, name, workflowType: workflowTypeOf(x.history), coverage: coverageOf(x.history), bytes: x.json.length };
    });

  // test/workflows/cycles.test.ts → histories/workflows/cycles/ (test/api/cycles.test.ts has its own).
  const relative = path.relative(path.resolve(HISTORIES_DIR, '../..'), testFile);
  const dir = path.join(HISTORIES_DIR, (relative.startsWith('..') ? path.basename(testFile) : relative).replace(/\.test\.ts$/, ''));
  rmSync(dir, { recursive: true, force: true });
  const chosen = selectCovering(candidates);
  if (chosen.length) mkdirSync(dir, { recursive: true });
  for (const c of chosen) writeFileSync(path.join(dir, `${c.name}.json`), `${c.json}\n`);
  return chosen.map((c) => path.join(dir, `${c.name}.json`));
}

// ---- reading --------------------------------------------------------------------------------------------

export interface RecordedHistory {
  /** Relative to the histories folder: `<test file>/<workflowType>-<scenario>.json`. */
  file: string;
  workflowType: string;
  bytes: number;
  history: proto.temporal.api.history.v1.History;
}

/**
 * A history recorded from a workflow still running may end after its last completed workflow task with events that
 * call for another (a timer fired, a child started, a task scheduled or timed out). A replayer runs that next task
 * as new work, not replay: a record write it starts is a local activity, which no replay worker has, and the replay
 * fails or not depending on when the replayer stops. So a running workflow's history is replayed up to its last
 * completed task and the commands that task made: all the execution it recorded.
 */
export function completedTasksOnly(history: proto.temporal.api.history.v1.History): proto.temporal.api.history.v1.History {
  const events = history.events ?? [];
  let lastCompleted = -1;
  events.forEach((e, i) => {
    if (e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED) lastCompleted = i;
  });
  if (lastCompleted < 0) return history;
  const completedId = Number(events[lastCompleted].eventId);
  // A command's event names the task that made it.
  const madeBy = (e: HistoryEvent) =>
    Object.values(e).find((v): v is { workflowTaskCompletedEventId?: unknown } => !!v && typeof v === 'object' && 'workflowTaskCompletedEventId' in v)
      ?.workflowTaskCompletedEventId;
  let end = lastCompleted + 1;
  while (end < events.length && Number(madeBy(events[end])) === completedId) end += 1;
  return end === events.length ? history : proto.temporal.api.history.v1.History.create({ events: events.slice(0, end) });
}

export function readHistories(dir = HISTORIES_DIR): RecordedHistory[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => {
      const full = path.join(dir, file);
      let history: proto.temporal.api.history.v1.History;
      try {
        history = historyFromJSON(JSON.parse(readFileSync(full, 'utf8')));
      } catch (err) {
        throw new Error(`${file}: not a history in Temporal's JSON format: ${(err as Error).message}`);
      }
      return { file, workflowType: workflowTypeOf(history), bytes: statSync(full).size, history: completedTasksOnly(history) };
    });
}

/**
 * Across every test file's recorded histories, keeps the smallest set (by the same rule as each test file's) that
 * covers what they all show, and deletes the others: one test file often repeats what another shows.
 */
export function keepCovering(dir = HISTORIES_DIR): { kept: RecordedHistory[]; removed: string[] } {
  const all = readHistories(dir);
  const candidates = all.filter((h) => !pinsPatch(h.file));
  const chosen = new Set([
    ...all.filter((h) => pinsPatch(h.file)).map((h) => h.file),
    ...selectCovering(candidates.map((h) => ({ name: h.file, workflowType: h.workflowType, coverage: coverageOf(h.history), bytes: h.bytes }))).map(
      (c) => c.name,
    ),
  ]);
  const removed = all.filter((h) => !chosen.has(h.file)).map((h) => h.file);
  for (const file of removed) rmSync(path.join(dir, file));
  const subdirs = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => statSync(path.join(dir, f)).isDirectory());
  for (const sub of subdirs.sort().reverse()) if (readdirSync(path.join(dir, sub)).length === 0) rmSync(path.join(dir, sub), { recursive: true });
  return { kept: all.filter((h) => chosen.has(h.file)), removed };
}
