/** Builds the Express app from its dependencies; `main.ts` listens. */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import cookieParser from 'cookie-parser';
import express from 'express';
import helmet from 'helmet';
import type { RequestHandler } from 'express';
import type { Client, Connection } from '@temporalio/client';
import type { LinkSigner } from '../activities/link-tokens';
import { DEFAULT_DOCUMENTS_DIR, DEFAULT_RATE_LIMITS, type Config, type RateLimits } from '../config/env';
import { DEFAULT_TRUST_PROXY } from '../config/trust-proxy';
import type { Logger } from '../config/logger';
import type { Records } from '../records/database';
import { authenticate, requireRole } from './auth';
import { StepActions } from './decisions';
import { storableText } from './storable-text';
import { ApiError, errorHandler } from './errors';
import { FailedAuthLimit } from './failed-auth-limit';
import { reviewPageLimiter, writeLimiter } from './rate-limit';
import { requestLogger } from './request-log';
import { ApiMetrics } from './metrics';
import { oidcRoutes } from './oidc';
import { openApiDocument } from './openapi';
import { unreadable, type Operation } from './operation';
import { calendarRoutes } from './routes/calendar';
import { cycleRoutes } from './routes/cycles';
import { docsRoutes } from './routes/docs';
import { dashboardRoutes } from './routes/dashboard';
import { projectRoutes } from './routes/projects';
import { amendmentRoutes } from './routes/amendments';
import { delegateRoutes } from './routes/delegates';
import { peopleRoutes } from './routes/people';
import { reportRoutes } from './routes/reports';
import { letterRoutes } from './routes/letters';
import { reviewLinkRoutes } from './routes/review-links';
import { stalledRoutes } from './routes/stalled';
import { sessionRoutes } from './routes/sessions';
import { stepRoutes } from './routes/steps';
import { FeedLinks } from './feed-links';
import { Sessions } from './session';
import { CYCLE_SHARD_SIZE } from '../workflows/cycle-contract';
import type { DocumentStore } from '../storage/document-store';
import { Documents } from '../storage/documents';
import { LocalDocumentStore } from '../storage/local-store';
import type { VirusScan } from '../storage/virus-scan';
import { DocumentLinks } from './document-links';
import { documentLinkRoutes } from './routes/document-links';
import { documentRoutes } from './routes/documents';
import type { StepDocumentsDeps } from './step-documents';
import { Uploads } from './uploads';
import { ALL_PAGES } from './web/all-pages';
import { pageCsrf } from './web/csrf';
import { pageClientAddress } from './web/cookie-writes';
import { PageApi } from './web/page-api';
import { webFormParser, webRoutes } from './web/routes';

export interface AppDeps {
  client: Client;
  connection: Connection;
  /**
   * The dashboard's settings are optional so callers that only need the JSON API stay as they are:
   * LINK_SECRET signs sign-in cookies (else a random per-process key: sign-ins end on restart),
   * PUBLIC_URL makes them Secure when https, TEMPORAL_UI_URL and TEMPORAL_NAMESPACE build the workflow links
   * (the namespace defaults to the client's).
   */
  config: Pick<Config, 'apiKeys' | 'policy' | 'TASK_QUEUE'> &
    Partial<
      Pick<
        Config,
        | 'LINK_SECRET'
        | 'PUBLIC_URL'
        | 'TEMPORAL_UI_URL'
        | 'TEMPORAL_NAMESPACE'
        | 'METRICS_TOKEN'
        | 'NODE_ENV'
        | 'OIDC_ISSUER'
        | 'OIDC_CLIENT_ID'
        | 'OIDC_CLIENT_SECRET'
        | 'CYCLE_SHARD_SIZE'
        | 'TRUST_PROXY'
        | 'LINK_SECRET_PREVIOUS'
      >
    >;
  signer: LinkSigner;
  /** The system of record: project views, audit trails and licences are read from it. */
  records: Records;
  logger: Logger;
  /** How long a request waits on Temporal before answering 503 (default 10 s). */
  temporalTimeoutMs?: number;
  /** Default: DEFAULT_RATE_LIMITS; a limit of 0 turns it off. */
  rateLimits?: RateLimits;
  /** How old the stalled gauges of `/metrics` may grow before a scrape reads the records again (default 15 s). */
  metricsMaxAgeMs?: number;
  /** Where documents' bytes are kept (storage/from-config.ts); default: a local directory, data/documents. */
  documentStore?: DocumentStore;
  /** The virus-scanning hook (storage/virus-scan.ts); default: none. */
  virusScan?: VirusScan;
}

const sha256 = (s: string) => createHash('sha256').update(s).digest();

/** `/metrics` asks for `Authorization: Bearer <METRICS_TOKEN>` when one is set, compared in constant time. */
function metricsAccess(token: string | undefined): RequestHandler {
  const want = token === undefined ? undefined : sha256(token);
  return (req, _res, next) => {
    if (!want) return next();
    const given = /^Bearer\s+(\S+)$/i.exec(req.get('authorization') ?? '')?.[1];
    if (given !== undefined && timingSafeEqual(sha256(given), want)) return next();
    next(new ApiError('UNAUTHORIZED', 'send Authorization: Bearer <METRICS_TOKEN>'));
  };
}

/**
 * The operations of the routes buildApp defines itself (`/healthz`, `/readyz`), as the OpenAPI document
 * (api/openapi.ts) describes them. `/metrics` is Prometheus's scrape, not an operation of the API.
 */
export const appOperations: Operation[] = [
  {
    operationId: 'getLiveness',
    method: 'get',
    path: '/healthz',
    summary: 'Liveness',
    roles: {},
    anonymous: 'anyone',
    success: { status: 200, description: '{ status: "ok" }' },
    errors: unreadable,
  },
  {
    operationId: 'getReadiness',
    method: 'get',
    path: '/readyz',
    summary: 'Readiness, including Temporal reachability',
    roles: {},
    anonymous: 'anyone',
    success: { status: 200, description: '{ status: "ready" }' },
    errors: [...unreadable, 'UNAVAILABLE'],
  },
];

export function buildApp({
  client,
  connection,
  config,
  signer,
  records,
  logger,
  temporalTimeoutMs = 10_000,
  rateLimits = DEFAULT_RATE_LIMITS,
  metricsMaxAgeMs = 15_000,
  documentStore = new LocalDocumentStore(DEFAULT_DOCUMENTS_DIR),
  virusScan,
}: AppDeps) {
  const app = express();
  app.disable('x-powered-by');
  app.use(pageClientAddress); // a request the pages send on (./web/page-api.ts) counts as the browser's
  // Which proxies may name the client (X-Forwarded-For): the rate limits count each client by its own address.
  app.set('trust proxy', config.TRUST_PROXY ?? DEFAULT_TRUST_PROXY);
  // Helmet's default CSP has upgrade-insecure-requests: on a plain-http address other than localhost the browser
  // then sends every form (reviewer decisions, dashboard sign-in) to https, where nothing answers. Keep it for https only.
  const https = new URL(config.PUBLIC_URL ?? 'http://localhost').protocol === 'https:';
  app.use(helmet({ contentSecurityPolicy: { directives: { upgradeInsecureRequests: https ? [] : null } } }));
  const openApi = openApiDocument(config.policy, config.PUBLIC_URL);
  const metrics = new ApiMetrics(records, Object.keys(openApi.paths), metricsMaxAgeMs);
  app.use(metrics.middleware());
  const failedAuth = new FailedAuthLimit(rateLimits.failedAuth, rateLimits.windowMs);
  app.get('/metrics', failedAuth.count, metricsAccess(config.METRICS_TOKEN), async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
  app.use(requestLogger(logger));
  // Signs sign-in cookies and download links: LINK_SECRET, else a random per-process key (both end on restart).
  const sessionSecret = config.LINK_SECRET ?? randomBytes(32).toString('base64url');
  app.use('/app', webFormParser);
  app.use(express.json({ limit: '256kb' }));
  app.use(express.urlencoded({ extended: false, limit: '64kb' }));
  app.use(cookieParser());
  const publicUrl = config.PUBLIC_URL ?? 'http://localhost';
  const sessions = new Sessions(sessionSecret, publicUrl);
  // With OpenID Connect set up, production signs people in through it only; API keys stay for scripts, and for development.
  const oidc = !!(config.OIDC_ISSUER && config.OIDC_CLIENT_ID);
  const signIn = { oidc, keys: !(oidc && config.NODE_ENV === 'production') };

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

  const writes = writeLimiter(rateLimits);
  // Every act on a review step goes through one service, whoever sends it (a link, a seat, a coordinator).
  const steps = new StepActions(client, records, temporalTimeoutMs, { policy: config.policy, keys: config.apiKeys });
  const onDecision = (outcome: string) => metrics.decisions.inc({ outcome });
  // Documents: uploads checked against the policy, bytes in the store, records and audit events in the records.
  const documents = new Documents(documentStore, records, virusScan);
  const uploads = new Uploads(documents, config.policy.documents);
  const links = new DocumentLinks(sessionSecret, config.LINK_SECRET_PREVIOUS ?? []);
  /** What a decision page needs to list a step's documents with signed links (api/step-documents.ts documentsForStep). */
  const stepDocuments: StepDocumentsDeps = { records, links, linkValidFor: config.policy.documents.linkValidFor };
  app.use('/r', reviewLinkRoutes({ steps, signer, limit: reviewPageLimiter(rateLimits), onDecision, documents: stepDocuments, uploads }));
  app.use('/d', documentLinkRoutes({ records, documents, links, limit: reviewPageLimiter(rateLimits) }));
  // Every other route gets only text the record store can keep (the reviewer pages check it themselves, to answer with a page).
  app.use(storableText);
  app.use('/dashboard', failedAuth.count, writes); // the sign-in form: guessing keys costs the same as using one
  if (oidc) {
    const settings = {
      issuer: config.OIDC_ISSUER!,
      clientId: config.OIDC_CLIENT_ID!,
      clientSecret: config.OIDC_CLIENT_SECRET,
      publicUrl: config.PUBLIC_URL ?? 'http://localhost',
    };
    app.use('/dashboard/oidc', oidcRoutes(settings, { keys: config.apiKeys, sessions, linkSecret: sessionSecret, logger, records }));
  }
  app.use(
    '/dashboard',
    dashboardRoutes({
      records,
      keys: config.apiKeys,
      sessions,
      policy: config.policy,
      publicUrl: config.PUBLIC_URL,
      temporalUiUrl: config.TEMPORAL_UI_URL ?? 'http://localhost:8233',
      namespace: config.TEMPORAL_NAMESPACE ?? client.options.namespace,
      signIn,
      failedAuthWait: (req) => failedAuth.retryAfter(req),
    }),
  );
  // The pages for coordinators, funders and agency staff: they act through the routes below, in-process.
  const pageApi = new PageApi(() => app);
  const web = { api: pageApi, csrf: pageCsrf(sessionSecret, publicUrl), keys: config.apiKeys, sessions, records, policy: config.policy, steps, stepDocuments };
  app.use('/app', webRoutes(web, ALL_PAGES));
  app.use('/v1', docsRoutes(openApi)); // public, like the API's description
  app.use('/v1', failedAuth.count);
  // Calendar feeds authenticate for themselves: a key or sign-in as below, or a signed feed URL (calendar apps send no header).
  const feedLinks = new FeedLinks(sessionSecret, config.apiKeys, records);
  app.use('/v1', calendarRoutes({ records, keys: config.apiKeys, sessions, feedLinks, policy: config.policy, publicUrl, writes }));
  app.use('/v1', authenticate(config.apiKeys, sessions, records), writes);
  app.use('/v1/sessions', sessionRoutes({ records, keys: config.apiKeys })); // every role: one's own sessions
  // Agency staff have their seat (their agency's queue); every other /v1 route is for coordinators, funders and admins.
  app.use('/v1/steps', stepRoutes({ steps, records, onDecision }));
  // A project's documents are read by the agencies it is routed to as well (assertMayReadCase).
  app.use('/v1/projects', documentRoutes({ records, uploads }));
  app.use('/v1', requireRole('coordinator', 'funder', 'admin'));
  app.use(
    '/v1/projects',
    projectRoutes({
      client,
      records,
      steps,
      taskQueue: config.TASK_QUEUE,
      policy: config.policy,
      temporalTimeoutMs,
      principals: config.apiKeys,
      uploads,
    }),
  );
  app.use('/v1/projects', reportRoutes({ client, records, temporalTimeoutMs, uploads }));
  app.use('/v1/projects', letterRoutes({ records, policy: config.policy, documents }));
  app.use('/v1/projects', amendmentRoutes({ client, temporalTimeoutMs }));
  app.use('/v1/projects', delegateRoutes({ client, records, temporalTimeoutMs }));
  app.use('/v1/projects', peopleRoutes({ client, records, policy: config.policy, temporalTimeoutMs, uploads }));
  app.use('/v1/milestones/stalled', stalledRoutes({ records }));
  const shardSize = config.CYCLE_SHARD_SIZE ?? CYCLE_SHARD_SIZE;
  app.use('/v1/cycles', cycleRoutes({ client, records, policy: config.policy, taskQueue: config.TASK_QUEUE, temporalTimeoutMs, shardSize }));
  app.use((req, _res, next) => next(new ApiError('NOT_FOUND', `no route ${req.method} ${req.path}`)));
  app.use(failedAuth.refuse); // a refused credential (401) past the failed-authentication limit is answered 429
  app.use(errorHandler);
  return app;
}
