/**
 * The OpenAPI document (`/v1/openapi.json`) and its interactive page
 * (`/v1/docs/`): every route is documented beside it, in the module that
 * defines it, and nothing else is; every documented route answers, every
 * documented example passes the schema that validates requests, and the page
 * renders every operation in a real browser.
 * No Temporal is needed: the app's connection points at nothing.
 */
import { readdirSync, readFileSync } from 'node:fs';
import type { AddressInfo, Server } from 'node:net';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import request from 'supertest';
import { LinkSigner } from '../../activities/link-tokens';
import { appOperations, buildApp } from '../../api/app';
import { openApiDocument, operations, type Operation } from '../../api/openapi';
import { calendarOperations } from '../../api/routes/calendar';
import { cycleOperations } from '../../api/routes/cycles';
import { dashboardOperations } from '../../api/routes/dashboard';
import { docsOperations } from '../../api/routes/docs';
import { letterOperations } from '../../api/routes/letters';
import { documentLinkOperations } from '../../api/routes/document-links';
import { documentOperations as projectDocumentOperations } from '../../api/routes/documents';
import { projectOperations } from '../../api/routes/projects';
import { reportOperations } from '../../api/routes/reports';
import { amendmentOperations } from '../../api/routes/amendments';
import { delegateOperations } from '../../api/routes/delegates';
import { peopleOperations } from '../../api/routes/people';
import { reviewLinkOperations } from '../../api/routes/review-links';
import { stalledOperations } from '../../api/routes/stalled';
import { sessionOperations } from '../../api/routes/sessions';
import { stepOperations } from '../../api/routes/steps';
import { apiKeyRing, DEFAULT_RATE_LIMITS } from '../../config/env';
import { createLogger } from '../../config/logger';
import { launchChromium } from '../helpers/browser';
import { testPolicy } from '../helpers/policy';
import { testRecords } from '../helpers/records';

const ROOT = path.resolve(__dirname, '../..');
const policy = testPolicy();
const connection = Connection.lazy({ address: '127.0.0.1:1' });
const app = buildApp({
  records: testRecords(),
  client: new Client({ connection }),
  connection,
  config: { apiKeys: apiKeyRing('coordinator:a.weber=docs-test-coordinator-key'), policy, TASK_QUEUE: 'docs', PUBLIC_URL: 'http://reviews.test' },
  signer: new LinkSigner('docs-test-link-secret-0123456789'),
  logger: createLogger('silent', 'docs-test'),
  temporalTimeoutMs: 500,
  // Every keyed route is asked without a key below: more of them than the default failed-auth limit lets through.
  rateLimits: { ...DEFAULT_RATE_LIMITS, failedAuth: 1000 },
});
afterAll(() => connection.close());

/** `METHOD /path/{param}` of each route, by the file that defines it: api/app.ts's own, and each router's with the prefix app.ts mounts it on. */
function routesInCode(): Map<string, string[]> {
  const appSource = readFileSync(path.join(ROOT, 'api/app.ts'), 'utf8');
  const mounts = new Map([...appSource.matchAll(/app\.use\(\s*'([^']+)',\s*(?:\w+,\s*)?(\w+)Routes\(/g)].map(([, prefix, name]) => [name, prefix]));
  const openApiPath = (method: string, route: string) => `${method.toUpperCase()} ${route.replace(/\/$/, '').replace(/:(\w+)/g, '{$1}') || '/'}`;
  // /metrics is Prometheus's scrape, not an operation of the API.
  const own = [...appSource.matchAll(/app\.(get|post)\(\s*'([^']+)'/g)].filter(([, , route]) => route !== '/metrics');
  const routes = new Map([['api/app.ts', own.map(([, method, route]) => openApiPath(method, route))]]);
  for (const file of readdirSync(path.join(ROOT, 'api/routes'))) {
    const source = readFileSync(path.join(ROOT, 'api/routes', file), 'utf8');
    const name = /export function (\w+)Routes\(/.exec(source)?.[1];
    const prefix = name && mounts.get(name);
    if (!prefix) throw new Error(`api/routes/${file}: its router is not mounted in api/app.ts`);
    const inFile = [...source.matchAll(/router\.(get|post)\(\s*'([^']+)'/g)].map(([, method, route]) => openApiPath(method, prefix + route));
    // /v1/docs/ and its files are the page, not API operations.
    routes.set(`api/routes/${file}`, [...new Set(inFile.filter((r) => !r.includes('/docs')))]);
  }
  return routes;
}

/** The operations each module declares beside its routes. A new route module gets its line here, and in api/openapi.ts. */
const declared: Record<string, Operation[]> = {
  'api/app.ts': appOperations,
  'api/routes/calendar.ts': calendarOperations,
  'api/routes/amendments.ts': amendmentOperations,
  'api/routes/delegates.ts': delegateOperations,
  'api/routes/people.ts': peopleOperations,
  'api/routes/cycles.ts': cycleOperations,
  'api/routes/dashboard.ts': dashboardOperations,
  'api/routes/docs.ts': docsOperations,
  'api/routes/letters.ts': letterOperations,
  'api/routes/document-links.ts': documentLinkOperations,
  'api/routes/documents.ts': projectDocumentOperations,
  'api/routes/projects.ts': projectOperations(policy),
  'api/routes/reports.ts': reportOperations,
  'api/routes/review-links.ts': reviewLinkOperations,
  'api/routes/stalled.ts': stalledOperations,
  'api/routes/sessions.ts': sessionOperations,
  'api/routes/steps.ts': stepOperations,
};

const routeOf = (op: Operation) => `${op.method.toUpperCase()} ${op.path}`;
const documented = () => operations(policy).map(routeOf);

test('each module documents exactly the routes it defines, beside them', () => {
  const inCode = routesInCode();
  expect(Object.keys(declared).sort()).toEqual([...inCode.keys()].sort());
  for (const [file, routes] of inCode) {
    expect({ file, documented: declared[file].map(routeOf).sort() }).toEqual({ file, documented: [...routes].sort() });
  }
});

test('api/openapi.ts assembles the operations of every module, and nothing else', () => {
  const byId = (ops: Operation[]) => ops.map((op) => op.operationId).sort();
  expect(byId(operations(policy))).toEqual(byId(Object.values(declared).flat()));
});

test('every documented example passes the schema that validates the request', () => {
  const withBody = operations(policy).filter((op) => op.body);
  expect(withBody.length).toBeGreaterThan(5);
  for (const op of withBody) {
    expect({ op: `${op.method} ${op.path}`, hasExample: op.example !== undefined }).toEqual({ op: `${op.method} ${op.path}`, hasExample: true });
    const result = op.body!.safeParse(op.example);
    expect({ op: `${op.method} ${op.path}`, issues: result.success ? [] : result.error.issues }).toEqual({ op: `${op.method} ${op.path}`, issues: [] });
  }
});

test('every documented route answers (none falls through to "no route")', async () => {
  for (const op of operations(policy)) {
    const url = op.path.replace('{actionId}', 'c1-ca-1').replace(/\{\w+\}/g, 'x1');
    const res = await request(app)
      [op.method](url)
      .set('Authorization', 'Bearer docs-test-coordinator-key')
      .send(op.method === 'post' ? {} : undefined);
    expect({ route: `${op.method} ${op.path}`, noRoute: /^no route/.test(res.body?.error?.message ?? '') }).toEqual({
      route: `${op.method} ${op.path}`,
      noRoute: false,
    });
  }
});

test('/v1/openapi.json is served without a key and is the document the schemas make', async () => {
  const res = await request(app).get('/v1/openapi.json');
  expect(res.status).toBe(200);
  expect(res.body).toEqual(JSON.parse(JSON.stringify(openApiDocument(policy, 'http://reviews.test'))));
  expect(res.body.openapi).toBe('3.1.0');
  // The submission schema as zod sees it, e.g. the required fields and the unknown-field rule.
  const submit = res.body.paths['/v1/projects'].post.requestBody.content['application/json'].schema;
  expect(submit.required).toEqual(expect.arrayContaining(['title', 'funderId', 'coordinator', 'partners', 'components']));
  expect(submit.additionalProperties).toBe(false);
});

/**
 * The operations that take no API key: health checks, the document, the reviewer links (the signed link is the
 * credential), the dashboard's sign-in and sign-outs (the session cookie names who signs out everywhere).
 */
const PUBLIC = [
  'GET /healthz',
  'GET /readyz',
  'GET /v1/openapi.json',
  'GET /r/{token}',
  'POST /r/{token}',
  'GET /d/{token}',
  'POST /dashboard/sign-in',
  'POST /dashboard/sign-out',
  'POST /dashboard/sign-out-everywhere',
];

type DocumentedOperation = {
  operationId?: unknown;
  security?: unknown;
  description?: string;
  'x-roles'?: string[];
  parameters?: { name: string; in: string }[];
};
const documentOperations = () =>
  Object.entries(openApiDocument(policy).paths).flatMap(([p, methods]) =>
    Object.entries(methods as Record<string, DocumentedOperation>).map(([method, op]) => ({ route: `${method.toUpperCase()} ${p}`, op })),
  );

test('every operation has a unique, camelCase operationId', () => {
  const ids = documentOperations().map(({ route, op }) => ({ route, operationId: op.operationId }));
  expect(ids.length).toBe(operations(policy).length);
  for (const id of ids) expect({ ...id, camelCase: /^[a-z][a-zA-Z0-9]*$/.test(String(id.operationId)) }).toEqual({ ...id, camelCase: true });
  expect(new Set(ids.map((i) => i.operationId)).size).toBe(ids.length);
});

test('every operation declares its security: none on public routes, the API key and its roles on the others', () => {
  const { components } = openApiDocument(policy);
  expect(PUBLIC.filter((route) => !documented().includes(route))).toEqual([]);
  for (const { route, op } of documentOperations()) {
    expect({ route, isArray: Array.isArray(op.security) }).toEqual({ route, isArray: true });
    const security = op.security as Record<string, string[]>[];
    for (const requirement of security) for (const scheme of Object.keys(requirement)) expect(Object.keys(components.securitySchemes)).toContain(scheme);
    if (PUBLIC.includes(route)) {
      expect({ route, security }).toEqual({ route, security: [] });
      continue;
    }
    // A calendar feed also takes its signed URL's token (calendar apps send no header).
    const schemes = route.endsWith('/calendar.ics') ? [{ apiKey: [] }, { feedToken: [] }] : [{ apiKey: [] }];
    expect({ route, security: security.filter((r) => Object.keys(r).length > 0) }).toEqual({ route, security: schemes });
    // Only the dashboard answers a caller without a key: with its sign-in page.
    expect({ route, anonymous: security.some((r) => Object.keys(r).length === 0) }).toEqual({ route, anonymous: route === 'GET /dashboard' });
    const roles = op['x-roles'] ?? [];
    expect({ route, roles: roles.length > 0 && roles.every((r) => ['admin', 'coordinator', 'funder', 'agency'].includes(r)) }).toEqual({ route, roles: true });
    for (const role of roles) expect(op.description).toContain(`- ${role}: `);
  }
});

test('every operation that needs an API key answers 401 without one', async () => {
  let checked = 0;
  for (const { route, op } of documentOperations()) {
    const security = op.security as object[];
    if (security.length === 0 || security.some((r) => Object.keys(r).length === 0)) continue; // a key is optional there
    const [method, p] = route.split(' ');
    const res = await request(app)
      [method.toLowerCase() as 'get' | 'post'](p.replace('{actionId}', 'c1-ca-1').replace(/\{\w+\}/g, 'x1'))
      .send(method === 'POST' ? {} : undefined);
    expect({ route, status: res.status }).toEqual({ route, status: 401 });
    checked++;
  }
  expect(checked).toBeGreaterThan(10);
});

test('the two POSTs that start a workflow take an optional Idempotency-Key and document its 422', () => {
  const doc = openApiDocument(policy);
  for (const p of ['/v1/projects', '/v1/cycles'] as const) {
    const post = doc.paths[p].post as {
      parameters: { name: string; in: string; required: boolean; schema: { type: string; minLength: number; maxLength: number } }[];
      responses: Record<string, { content?: Record<string, { schema: unknown }> }>;
    };
    expect(post.parameters.find((x) => x.name === 'Idempotency-Key')).toMatchObject({
      in: 'header',
      required: false,
      schema: { type: 'string', minLength: 1, maxLength: 200 },
    });
    expect(post.responses['422'].content?.['application/json'].schema).toEqual({ $ref: '#/components/schemas/Error' });
  }
  const others = documentOperations().filter(({ route }) => route !== 'POST /v1/projects' && route !== 'POST /v1/cycles');
  expect(others.filter(({ op }) => op.parameters?.some((x) => x.name === 'Idempotency-Key')).map(({ route }) => route)).toEqual([]);
});

describe('the interactive page', () => {
  let server: Server;
  beforeAll(async () => {
    server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
  });
  afterAll(() => new Promise((r) => server.close(r)));

  test('renders every operation in a real browser, under the API’s content security policy', async () => {
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      const blocked: string[] = [];
      page.on('console', (m) => m.type() === 'error' && !/status of 404/.test(m.text()) && blocked.push(m.text()));
      page.on('response', (r) => r.status() >= 400 && !r.url().endsWith('/favicon.ico') && blocked.push(`${r.status()} ${r.url()}`));
      await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/docs`);
      await page.waitForSelector('.opblock', { timeout: 30_000 });
      expect(await page.locator('.opblock').count()).toBe(operations(policy).length);
      expect(await page.textContent('body')).toContain('Submit a project');
      expect(blocked).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 90_000);
});
