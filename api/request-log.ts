/**
 * Request logs: one JSON line per request (pino-http), every line of a request
 * carrying its id (`reqId`: the caller's X-Request-Id when it is a plain token,
 * else a new UUID, echoed in the response header) and, once a route knows it,
 * the workflow the request reads or drives (`workflowId`). No credential is
 * logged: no headers (API keys, session cookies) and no reviewer link token.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Request, RequestParamHandler, Response } from 'express';
import { pinoHttp } from 'pino-http';
import type { Logger } from '../config/logger';

const CALLER_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * A reviewer link's token grants its decision, a feed URL's `?token=` reads its calendar: both are kept out of the
 * logs (the line names the workflow instead).
 */
export const withoutToken = (url: string) => url.replace(/^\/r\/[^/?#]+/, '/r/[token]').replace(/([?&]token=)[^&#]*/g, '$1[token]');

interface SerializedRequest {
  id: string;
  method: string;
  url: string;
  remoteAddress?: string;
  headers?: Record<string, string | undefined>;
}

export function requestLogger(logger: Logger) {
  return pinoHttp({
    logger,
    quietReqLogger: true, // reqId on every line; the request itself only on the completion line
    serializers: {
      req: (req: SerializedRequest) => ({
        id: req.id,
        method: req.method,
        url: withoutToken(req.url),
        remoteAddress: req.remoteAddress,
        userAgent: req.headers?.['user-agent'],
      }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
    genReqId: (req: IncomingMessage, res: ServerResponse) => {
      const given = req.headers['x-request-id'];
      const id = typeof given === 'string' && CALLER_ID.test(given) ? given : randomUUID();
      res.setHeader('X-Request-Id', id);
      return id;
    },
    customProps: (_req, res) => {
      const workflowId = (res as Response).locals?.workflowId as string | undefined;
      return workflowId ? { workflowId } : {};
    },
    autoLogging: { ignore: (req) => req.url === '/healthz' || req.url === '/metrics' },
  });
}

/** Tags the rest of this request's log lines, the completion line included, with the workflow it concerns. */
export function tagWorkflow(req: Request, res: Response, workflowId: string): void {
  res.locals.workflowId = workflowId;
  if (req.log) req.log = req.log.child({ workflowId });
}

/** For `router.param('id', …)`: tags the request with the workflow its id names. */
export function tagWorkflowOfParam(workflowIdOf: (id: string) => string): RequestParamHandler {
  return (req, res, next, id: string) => {
    tagWorkflow(req, res, workflowIdOf(id));
    next();
  };
}
