/**
 * The worker process's Temporal runtime: every SDK, workflow and activity log
 * line goes through pino as JSON (workflow lines carry workflowId, runId and
 * workflowType; activity lines add activityId and activityType), Core's own
 * lines are forwarded there too, and, when an address is given, the SDK's
 * Prometheus exporter serves the worker metrics and the product's counters
 * made through the activity metric meter.
 */
import type { LogLevel, LogMetadata, Logger as TemporalLogger } from '@temporalio/common';
import { Runtime, makeTelemetryFilterString } from '@temporalio/worker';
import type { Logger } from '../config/logger';

const pinoLevel = { TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' } as const;

/** Temporal's Logger interface over a pino logger: metadata becomes JSON fields. */
export function temporalLoggerFor(log: Logger): TemporalLogger {
  const write = (level: LogLevel, message: string, meta?: LogMetadata) => log[pinoLevel[level]]({ ...meta }, message);
  return {
    log: write,
    trace: (m, meta) => write('TRACE', m, meta),
    debug: (m, meta) => write('DEBUG', m, meta),
    info: (m, meta) => write('INFO', m, meta),
    warn: (m, meta) => write('WARN', m, meta),
    error: (m, meta) => write('ERROR', m, meta),
  };
}

export function installWorkerRuntime(log: Logger, metricsAddress?: string): void {
  Runtime.install({
    logger: temporalLoggerFor(log),
    telemetryOptions: {
      // Core's lines (connection retries, poll errors) join the same JSON stream.
      logging: { forward: {}, filter: makeTelemetryFilterString({ core: 'WARN', other: 'ERROR' }) },
      metrics: metricsAddress
        ? { prometheus: { bindAddress: metricsAddress, countersTotalSuffix: true, unitSuffix: true, useSecondsForDurations: true } }
        : undefined,
    },
  });
}
