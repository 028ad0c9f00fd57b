/**
 * The error contract: `{"error":{"code","message","details"}}` with the status
 * of its code, and the mapping of Temporal failures onto it.
 */
import type { ErrorRequestHandler } from 'express';
import {
  WorkflowExecutionAlreadyStartedError,
  WorkflowUpdateRPCTimeoutOrCancelledError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  isGrpcServiceError,
  ServiceError,
} from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { z } from 'zod';
import type {} from 'pino-http'; // adds req.log

export const STATUS = {
  VALIDATION_FAILED: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  /** A reviewer's link that no longer applies: expired, or issued for an earlier submission of the project id. */
  GONE: 410,
  /** An upload larger than the policy's `documents.maxBytes`. */
  PAYLOAD_TOO_LARGE: 413,
  /** An upload whose bytes are not an allowed type, or not the type it was declared as. */
  UNSUPPORTED_MEDIA_TYPE: 415,
  IDEMPOTENCY_KEY_REUSED: 422,
  RATE_LIMITED: 429,
  UNAVAILABLE: 503,
  INTERNAL: 500,
} as const;
export type ErrorCode = keyof typeof STATUS;

export interface ErrorDetail {
  path: string;
  message: string;
}

export class ApiError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: ErrorDetail[] = [],
    /** A heading for the pages that show it (the reviewer's page): what happened, in a few words. */
    readonly title?: string,
  ) {
    super(message);
  }
  get status(): number {
    return STATUS[this.code];
  }
  toJSON() {
    return { error: { code: this.code, message: this.message, details: this.details } };
  }
}

export function validationError(error: z.ZodError, where = 'body'): ApiError {
  // An unknown field is reported at its own path, so a client can point at it.
  const details = error.issues.flatMap((i) =>
    i.code === 'unrecognized_keys'
      ? i.keys.map((key) => ({ path: [where, ...i.path, key].join('.'), message: 'is not a known field' }))
      : [{ path: [where, ...i.path].join('.'), message: i.message }],
  );
  return new ApiError('VALIDATION_FAILED', `invalid ${where}: ${details.map((d) => `${d.path} ${d.message}`).join('; ')}`, details);
}

/** Parses with zod at the route edge: the validated value, or a 400 naming each bad field. */
export function parse<S extends z.ZodType>(schema: S, value: unknown, where: string): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw validationError(result.error, where);
  return result.data;
}

/**
 * gRPC codes that mean "Temporal did not answer in time". The API never cancels
 * a call of its own, so CANCELLED is the deadline too: the server resets the
 * stream (RST_STREAM CANCEL) when the deadline it was sent passes, and that can
 * reach the client before its own DEADLINE_EXCEEDED (seen on Updates waiting
 * for a worker that is down).
 */
const NO_ANSWER_IN_TIME = new Set([1 /* CANCELLED */, 4 /* DEADLINE_EXCEEDED */]);
/** gRPC codes that mean "Temporal is not reachable right now". */
const UNREACHABLE = new Set([...NO_ANSWER_IN_TIME, 14 /* UNAVAILABLE */]);

function grpcCode(err: unknown): number | undefined {
  // The client wraps an Update's deadline in its own error, with the gRPC error as cause.
  if (err instanceof WorkflowUpdateRPCTimeoutOrCancelledError) return grpcCode(err.cause) ?? 4;
  const grpc = isGrpcServiceError(err) ? err : err instanceof ServiceError && isGrpcServiceError(err.cause) ? err.cause : undefined;
  return grpc?.code;
}

export function isTemporalUnreachable(err: unknown): boolean {
  return UNREACHABLE.has(grpcCode(err) ?? -1);
}

/** A database connection that failed or was cut (the driver's socket errors and PostgreSQL's shutdown and connection classes). */
export function isRecordStoreUnreachable(err: unknown): boolean {
  const { code, message } = (err ?? {}) as { code?: unknown; message?: unknown };
  if (typeof code === 'string' && (/^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|ENOTFOUND)$/.test(code) || /^(08|57P)/.test(code))) return true;
  return typeof message === 'string' && /Connection terminated|timeout exceeded when trying to connect/.test(message);
}

/** The ApplicationFailure a workflow validator or handler threw, if that is what failed. */
export function updateRejection(err: unknown): ApplicationFailure | undefined {
  if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure) return err.cause;
  return undefined;
}

export function isWorkflowGone(err: unknown): boolean {
  if (err instanceof WorkflowNotFoundError) return true;
  // An Update or query sent to a workflow that has completed.
  return isGrpcServiceError(err) && err.code === 5 && /completed|not found/i.test(err.details ?? err.message);
}

/** Maps whatever reached the edge onto the error contract; nothing is swallowed (5xx are logged). */
export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  const fromRequest = requestError(err);
  if (fromRequest) return fromRequest;
  if (err instanceof WorkflowExecutionAlreadyStartedError) return new ApiError('CONFLICT', 'the id is taken: a project or cycle with this id already exists');
  if (err instanceof WorkflowNotFoundError) return new ApiError('NOT_FOUND', 'not found');
  // A deadline passes when Temporal is down and also when it is up but no worker runs the workflow (an Update waits for one).
  if (NO_ANSWER_IN_TIME.has(grpcCode(err) ?? -1))
    return new ApiError('UNAVAILABLE', 'the workflow service (Temporal) did not answer in time: it or its workers are down or busy; try again shortly');
  if (isTemporalUnreachable(err)) return new ApiError('UNAVAILABLE', 'the workflow service (Temporal) is not reachable; try again shortly');
  if (isRecordStoreUnreachable(err)) return new ApiError('UNAVAILABLE', 'the record store (PostgreSQL) is not reachable; try again shortly');
  return new ApiError('INTERNAL', 'internal error');
}

/**
 * Errors Express and body-parser raise before a route runs: they carry a 4xx
 * `status` (http-errors) and, from body-parser, a `type`. Each is the client's
 * fault and named as such; none of them is a 500.
 */
function requestError(err: unknown): ApiError | undefined {
  const { status, type, message } = (err ?? {}) as { status?: unknown; type?: string; message?: string };
  if (typeof status !== 'number' || status < 400 || status > 499) return undefined;
  if (type === 'entity.parse.failed') return new ApiError('VALIDATION_FAILED', 'the body is not valid JSON', [{ path: 'body', message: 'malformed JSON' }]);
  if (type === 'entity.too.large') return new ApiError('VALIDATION_FAILED', 'the body is too large', [{ path: 'body', message: 'larger than the limit' }]);
  if (err instanceof URIError) return new ApiError('VALIDATION_FAILED', 'the path is not valid percent-encoding', [{ path: 'path', message: String(message) }]);
  if (status === 415) return new ApiError('VALIDATION_FAILED', 'unsupported body encoding', [{ path: 'body', message: String(message) }]);
  return new ApiError('VALIDATION_FAILED', 'the request body could not be read', [{ path: 'body', message: String(message) }]);
}

export const errorHandler: ErrorRequestHandler = (err, req, res, _next) => {
  const apiError = toApiError(err);
  if (apiError.status >= 500) req.log?.error({ err }, 'request failed');
  res.status(apiError.status).json(apiError.toJSON());
};
