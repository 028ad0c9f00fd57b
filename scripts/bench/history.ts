/**
 * Where a cycle's time goes, read from the workflows' histories (server
 * timestamps): the fan-out by the cycle workflow, then in each project the
 * signal's arrival, the workflow task that opens the step, the e-mail
 * activity waiting for a slot and sending, and the task that reports back.
 */
import type { WorkflowHandle } from '@temporalio/client';
import { CYCLE_SHARD_SIZE, cycleReviewSignal, cycleShardWorkflowId, cycleWorkflowId } from '../../workflows/cycle-contract';
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
  cycleHistoryEvents: number;
  /** The largest of its shards' histories. */
  shardHistoryEvents: number;
  /** `POST` sent → the cycle workflow's last signal to a project. */
  fanOutMs: number;
  /** `POST` sent → the signal in the project's history. */
  signalArrived: Spread;
  /** Signal → the step's e-mail activity scheduled (the workflow task that opens the step and publishes it). */
  openTask: Spread;
  /** E-mail activity scheduled → started (waiting for an activity slot). */
  mailWait: Spread;
  /** E-mail activity started → completed (render, sign the link, SMTP to MailDev). */
  mailSend: Spread;
  /** E-mail completed → the report to the cycle sent (the next workflow task). */
  reportTask: Spread;
  /** Per project, from the signal to the report: history events, workflow tasks, search-attribute upserts, activities. */
  events: number;
  workflowTasks: number;
  upserts: number;
  activities: number;
}

const ms = (e: HistoryEvent) => Number(e.eventTime?.seconds ?? 0) * 1000 + Math.round((e.eventTime?.nanos ?? 0) / 1e6);
const id = (v: unknown) => Number(v ?? 0);
const spread = (values: number[]): Spread => ({ p50: percentile(values, 0.5), p99: percentile(values, 0.99), max: Math.max(...values) });

interface ProjectTimes {
  signal: number;
  scheduled: number;
  started: number;
  completed: number;
  reported: number;
  events: number;
  workflowTasks: number;
  upserts: number;
  activities: number;
}

function projectTimes(events: HistoryEvent[]): ProjectTimes | undefined {
  const signal = events.find((e) => e.workflowExecutionSignaledEventAttributes?.signalName === cycleReviewSignal.name);
  if (!signal) return undefined;
  const after = events.filter((e) => id(e.eventId) > id(signal.eventId));
  const scheduled = after.find((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'sendReviewRequest');
  const started = scheduled && after.find((e) => id(e.activityTaskStartedEventAttributes?.scheduledEventId) === id(scheduled.eventId));
  const completed = scheduled && after.find((e) => id(e.activityTaskCompletedEventAttributes?.scheduledEventId) === id(scheduled.eventId));
  // The project records its item in the cycle with its next record write: a local activity's marker after the mail.
  const reported = completed && after.find((e) => e.markerRecordedEventAttributes && id(e.eventId) > id(completed.eventId));
  if (!scheduled || !started || !completed || !reported) return undefined;
  const span = after.filter((e) => id(e.eventId) <= id(reported.eventId));
  return {
    signal: ms(signal),
    scheduled: ms(scheduled),
    started: ms(started),
    completed: ms(completed),
    reported: ms(reported),
    events: span.length + 1,
    workflowTasks: span.filter((e) => e.workflowTaskCompletedEventAttributes).length,
    upserts: span.filter((e) => e.upsertWorkflowSearchAttributesEventAttributes || e.workflowPropertiesModifiedEventAttributes).length,
    activities: span.filter((e) => e.activityTaskScheduledEventAttributes).length,
  };
}

/** Reads the cycle's history and up to `sample` of its projects' (evenly spaced); `launchedAt` is when the POST was sent (ms since epoch). */
export async function analyseCycle(stack: BenchStack, cycleId: string, projectIds: string[], launchedAt: number, sample = 200): Promise<CyclePhases> {
  const eventsOf = async (workflowId: string) => (await stack.client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
  const cycleEvents = await eventsOf(cycleWorkflowId(cycleId));
  const shards = Math.ceil(projectIds.length / CYCLE_SHARD_SIZE);
  const shardEvents = await Promise.all(Array.from({ length: shards }, (_, n) => eventsOf(cycleShardWorkflowId(cycleId, n))));
  const fanOut = shardEvents.flat().filter((e) => e.signalExternalWorkflowExecutionInitiatedEventAttributes?.signalName === cycleReviewSignal.name);
  const step = Math.max(1, projectIds.length / sample);
  const ids = Array.from({ length: Math.min(sample, projectIds.length) }, (_, i) => projectIds[Math.floor(i * step)]);
  const times: ProjectTimes[] = [];
  await pool(ids, 10, async (projectId) => {
    const history = await stack.client.workflow.getHandle(projectWorkflowId(projectId)).fetchHistory();
    const t = projectTimes(history.events ?? []);
    if (t) times.push(t);
  });
  const median = (f: (t: ProjectTimes) => number) => percentile(times.map(f), 0.5);
  return {
    sampled: times.length,
    cycleHistoryEvents: cycleEvents.length,
    shardHistoryEvents: Math.max(...shardEvents.map((e) => e.length)),
    fanOutMs: Math.max(...fanOut.map(ms)) - launchedAt,
    signalArrived: spread(times.map((t) => t.signal - launchedAt)),
    openTask: spread(times.map((t) => t.scheduled - t.signal)),
    mailWait: spread(times.map((t) => t.started - t.scheduled)),
    mailSend: spread(times.map((t) => t.completed - t.started)),
    reportTask: spread(times.map((t) => t.reported - t.completed)),
    events: median((t) => t.events),
    workflowTasks: median((t) => t.workflowTasks),
    upserts: median((t) => t.upserts),
    activities: median((t) => t.activities),
  };
}
