/**
 * The error contract: `{"error":{"code","message","details"}}` with the status
 * of its code, and the mapping of Temporal failures onto it.
 */
import type { ErrorRequestHandler } from 'express';
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, WorkflowUpdateFailedError, isGrpcServiceError, ServiceError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { z } from 'zod';
import type {} from 'pino-http'; // adds req.log

export const STATUS = {
  VALIDATION_FAILED: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
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

/** gRPC codes that mean "Temporal is not reachable right now". */
const UNREACHABLE = new Set([4 /* DEADLINE_EXCEEDED */, 14 /* UNAVAILABLE */]);

export function isTemporalUnreachable(err: unknown): boolean {
  const grpc = isGrpcServiceError(err) ? err : err instanceof ServiceError && isGrpcServiceError(err.cause) ? err.cause : undefined;
  return grpc !== undefined && UNREACHABLE.has(grpc.code);
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
  if (err instanceof WorkflowExecutionAlreadyStartedError) return new ApiError('CONFLICT', 'the id is taken: a project or cycle with this id already exists');
  if (err instanceof WorkflowNotFoundError) return new ApiError('NOT_FOUND', 'not found');
  if (isTemporalUnreachable(err)) return new ApiError('UNAVAILABLE', 'the workflow service (Temporal) is not reachable; try again shortly');
  return new ApiError('INTERNAL', 'internal error');
}

export const errorHandler: ErrorRequestHandler = (err, req, res, _next) => {
  // Body-parser failures carry a status and a type.
  const parserType = (err as { type?: string }).type;
  let apiError: ApiError;
  if (parserType === 'entity.parse.failed') apiError = new ApiError('VALIDATION_FAILED', 'the body is not valid JSON', [{ path: 'body', message: 'malformed JSON' }]);
  else if (parserType === 'entity.too.large') apiError = new ApiError('VALIDATION_FAILED', 'the body is too large', [{ path: 'body', message: 'larger than the limit' }]);
  else if (parserType && (err as { status?: number }).status === 415) apiError = new ApiError('VALIDATION_FAILED', 'unsupported body encoding', [{ path: 'body', message: String((err as Error).message) }]);
  else apiError = toApiError(err);
  if (apiError.status >= 500) req.log?.error({ err }, 'request failed');
  res.status(apiError.status).json(apiError.toJSON());
};
