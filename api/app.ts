/** Builds the Express app from its dependencies; `main.ts` listens. */
import express from 'express';
import helmet from 'helmet';
import { pinoHttp } from 'pino-http';
import type { Client, Connection } from '@temporalio/client';
import type { LinkSigner } from '../activities/link-tokens';
import type { Config } from '../config/env';
import type { Logger } from '../config/logger';
import { authenticate } from './auth';
import { ApiError, errorHandler } from './errors';
import { projectRoutes } from './routes/projects';
import { reviewLinkRoutes } from './routes/review-links';
import { stalledRoutes } from './routes/stalled';

export interface AppDeps {
  client: Client;
  connection: Connection;
  config: Pick<Config, 'apiKeys' | 'policy' | 'TASK_QUEUE'>;
  signer: LinkSigner;
  logger: Logger;
  /** How long a request waits on Temporal before answering 503 (default 10 s). */
  temporalTimeoutMs?: number;
}

export function buildApp({ client, connection, config, signer, logger, temporalTimeoutMs = 10_000 }: AppDeps) {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.use(helmet());
  app.use(pinoHttp({ logger, autoLogging: { ignore: (req) => req.url === '/healthz' } }));
  app.use(express.json({ limit: '256kb' }));
  app.use(express.urlencoded({ extended: false, limit: '64kb' }));

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    try {
      await connection.withDeadline(Date.now() + 2000, () => connection.healthService.check({}));
      res.json({ status: 'ready', temporal: 'reachable' });
    } catch {
      const err = new ApiError('UNAVAILABLE', 'the workflow service (Temporal) is not reachable');
      res.status(err.status).json(err.toJSON());
    }
  });

  app.use('/r', reviewLinkRoutes({ client, signer, temporalTimeoutMs }));
  app.use('/v1', authenticate(config.apiKeys));
  app.use('/v1/projects', projectRoutes({ client, taskQueue: config.TASK_QUEUE, policy: config.policy, temporalTimeoutMs }));
  app.use('/v1/milestones/stalled', stalledRoutes({ client, temporalTimeoutMs }));
  app.use((req, _res, next) => next(new ApiError('NOT_FOUND', `no route ${req.method} ${req.path}`)));
  app.use(errorHandler);
  return app;
}
