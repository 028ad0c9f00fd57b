/**
 * Where a cycle's time goes, read from the workflows' histories (server
 * timestamps): the fan-out by the cycle's shards, then in each project the
 * signal's arrival, the workflow task that opens the step (and records it),
 * the e-mail activity waiting for a slot and sending, and the task that
 * records the project's item in the cycle (a local activity's marker).
 */
import type { WorkflowHandle } from '@temporalio/client';
import { snapshot } from '../../records/database';
import type { CycleItem } from '../../workflows/cycle-contract';
import { cycleReviewSignal, cycleWorkflowId } from '../../workflows/cycle-contract';
import { projectWorkflowId } from '../../workflows/definitions';
import { percentile, pool } from './load';
import type { BenchStack } from './stack';

type HistoryEvent = NonNullable<Awaited<ReturnType<WorkflowHandle['fetchHistory']>>['events']>[number];

export interface Spread {
  p50: number;
  p99: number;
  max: number;
}

export interface CyclePhases {
  sampled: number;
  /** Shard workflows the cycle started (read from its history). */
  shards: number;
  cycleHistoryEvents: number;
  /** The largest of its shards' histories. */
  shardHistoryEvents: number;
  /** `POST` sent → the last signal a shard sent to a project. */
  fanOutMs: number;
  /** `POST` sent → the signal in the project's history. */
  signalArrived: Spread;
  /** Signal → the step's e-mail activity scheduled (the workflow task that opens the step and records it). */
  openTask: Spread;
  /** Signal → the step's record write done (the first local activity marker after the signal). */
  openRecorded: Spread;
  /** E-mail activity scheduled → started (waiting for an activity slot). */
  mailWait: Spread;
  /** E-mail activity started → completed (render, sign the link, SMTP to MailDev). */
  mailSend: Spread;
  /** E-mail completed → the project's item recorded in the cycle (the marker of the write in the task that evaluated it). */
  reportTask: Spread;
  /**
   * Sampled projects whose task that took the signal ran on the normal task queue (the worker had evicted the project
   * from its cache, so it replayed the project's whole history), and the p50 of such tasks per project to the report.
   */
  signalTaskReplayed: number;
  replayedTasks: number;
  /** Per project, from the signal to the report: history events, workflow tasks, search-attribute upserts, activities. */
  events: number;
  workflowTasks: number;
  upserts: number;
  activities: number;
}

const ms = (e: HistoryEvent) => Number(e.eventTime?.seconds ?? 0) * 1000 + Math.round((e.eventTime?.nanos ?? 0) / 1e6);
/** As a workflow's clock reads the same instant: whole milliseconds, truncated. */
const msFloor = (e: HistoryEvent) => Number(e.eventTime?.seconds ?? 0) * 1000 + Math.floor((e.eventTime?.nanos ?? 0) / 1e6);
/** temporal.api.enums.v1.TaskQueueKind: a workflow task on the normal queue, not the worker's sticky one, is replayed from the whole history. */
const TASK_QUEUE_KIND_NORMAL = 1;
const id = (v: unknown) => Number(v ?? 0);
const spread = (values: number[]): Spread => ({ p50: percentile(values, 0.5), p99: percentile(values, 0.99), max: values.length ? Math.max(...values) : NaN });

interface ProjectTimes {
  signal: number;
  recorded: number;
  scheduled: number;
  started: number;
  completed: number;
  reported: number;
  /** The task that took the signal was scheduled on the normal queue: the worker no longer had the workflow cached. */
  signalTaskReplayed: boolean;
  /** Tasks from the signal to the item's write that were, of `workflowTasks`. */
  replayedTasks: number;
  events: number;
  workflowTasks: number;
  upserts: number;
  activities: number;
}

/**
 * `itemAt`: the `at` of the project's item in the cycle, its workflow's clock in the task that evaluated it, which is
 * that task's start (WorkflowTaskStarted) as the server stamped it; the item's write is the first marker after it.
 */
function projectTimes(events: HistoryEvent[], itemAt: number | undefined): ProjectTimes | undefined {
  const signal = events.find((e) => e.workflowExecutionSignaledEventAttributes?.signalName === cycleReviewSignal.name);
  if (!signal || itemAt === undefined) return undefined;
  const after = events.filter((e) => id(e.eventId) > id(signal.eventId));
  const recorded = after.find((e) => e.markerRecordedEventAttributes);
  const scheduled = after.find((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'sendReviewRequest');
  const started = scheduled && after.find((e) => id(e.activityTaskStartedEventAttributes?.scheduledEventId) === id(scheduled.eventId));
  const completed = scheduled && after.find((e) => id(e.activityTaskCompletedEventAttributes?.scheduledEventId) === id(scheduled.eventId));
  const evaluatedIn =
    completed && after.filter((e) => e.workflowTaskStartedEventAttributes && id(e.eventId) > id(completed.eventId) && msFloor(e) <= itemAt).at(-1);
  const reported = evaluatedIn && after.find((e) => e.markerRecordedEventAttributes && id(e.eventId) > id(evaluatedIn.eventId));
  if (!recorded || !scheduled || !started || !completed || !reported) return undefined;
  const span = after.filter((e) => id(e.eventId) <= id(reported.eventId));
  const onNormalQueue = (e: HistoryEvent) => e.workflowTaskScheduledEventAttributes?.taskQueue?.kind === TASK_QUEUE_KIND_NORMAL;
  return {
    signal: ms(signal),
    recorded: ms(recorded),
    scheduled: ms(scheduled),
    started: ms(started),
    completed: ms(completed),
    reported: ms(reported),
    signalTaskReplayed: onNormalQueue(span.find((e) => e.workflowTaskScheduledEventAttributes) ?? {}),
    replayedTasks: span.filter(onNormalQueue).length,
    events: span.length + 1,
    workflowTasks: span.filter((e) => e.workflowTaskCompletedEventAttributes).length,
    upserts: span.filter((e) => e.upsertWorkflowSearchAttributesEventAttributes || e.workflowPropertiesModifiedEventAttributes).length,
    activities: span.filter((e) => e.activityTaskScheduledEventAttributes).length,
  };
}

/**
 * Reads the cycle's history, its shards' and up to `sample` of its projects' (evenly spaced, so the work does not grow
 * with the cycle beyond the shards' histories); `launchedAt` is when the POST was sent (ms since epoch).
 */
export async function analyseCycle(stack: BenchStack, cycleId: string, projectIds: string[], launchedAt: number, sample = 200): Promise<CyclePhases> {
  const eventsOf = async (workflowId: string) => (await stack.client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
  const cycleEvents = await eventsOf(cycleWorkflowId(cycleId));
  const shardIds = cycleEvents.flatMap((e) => e.startChildWorkflowExecutionInitiatedEventAttributes?.workflowId ?? []);
  const shardLengths: number[] = [];
  let lastSignal = 0;
  // One shard's history in memory at a time: a shard of 500 projects holds about two events per project.
  await pool(shardIds, 4, async (shardId) => {
    const events = await eventsOf(shardId);
    shardLengths.push(events.length);
    for (const e of events)
      if (e.signalExternalWorkflowExecutionInitiatedEventAttributes?.signalName === cycleReviewSignal.name) lastSignal = Math.max(lastSignal, ms(e));
  });
  const step = Math.max(1, projectIds.length / sample);
  const ids = Array.from({ length: Math.min(sample, projectIds.length) }, (_, i) => projectIds[Math.floor(i * step)]);
  const items = await snapshot(stack.records(), (db) =>
    db.selectFrom('cycle_items').select(['project_id', 'data']).where('cycle_id', '=', cycleId).where('project_id', 'in', ids).execute(),
  );
  const itemAt = new Map(items.map((r) => [r.project_id, Date.parse((r.data as unknown as CycleItem).at)]));
  const times: ProjectTimes[] = [];
  await pool(ids, 10, async (projectId) => {
    const history = await stack.client.workflow.getHandle(projectWorkflowId(projectId)).fetchHistory();
    const t = projectTimes(history.events ?? [], itemAt.get(projectId));
    if (t) times.push(t);
  });
  const median = (f: (t: ProjectTimes) => number) => percentile(times.map(f), 0.5);
  return {
    sampled: times.length,
    shards: shardIds.length,
    cycleHistoryEvents: cycleEvents.length,
    shardHistoryEvents: Math.max(0, ...shardLengths),
    fanOutMs: lastSignal ? lastSignal - launchedAt : NaN,
    signalArrived: spread(times.map((t) => t.signal - launchedAt)),
    openTask: spread(times.map((t) => t.scheduled - t.signal)),
    openRecorded: spread(times.map((t) => t.recorded - t.signal)),
    mailWait: spread(times.map((t) => t.started - t.scheduled)),
    mailSend: spread(times.map((t) => t.completed - t.started)),
    reportTask: spread(times.map((t) => t.reported - t.completed)),
    signalTaskReplayed: times.filter((t) => t.signalTaskReplayed).length,
    replayedTasks: median((t) => t.replayedTasks),
    events: median((t) => t.events),
    workflowTasks: median((t) => t.workflowTasks),
    upserts: median((t) => t.upserts),
    activities: median((t) => t.activities),
  };
}
