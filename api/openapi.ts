/**
 * The OpenAPI document of the HTTP API, generated from the zod schemas that
 * validate the requests (zod's own JSON Schema output), served at
 * `/v1/openapi.json` and shown by the interactive page at `/v1/docs`.
 * Each route module declares its routes' operations beside them (api/operation.ts);
 * this module assembles them. A test checks each module's list against its routes.
 */
import { z } from 'zod';
import type { Policy } from '../domain/policy';
import { slug } from '../domain/primitives';
import { appOperations } from './app';
import { amendmentOperations } from './routes/amendments';
import { delegateOperations } from './routes/delegates';
import { peopleOperations } from './routes/people';
import { correctiveActionParams } from './compliance-schemas';
import { STATUS } from './errors';
import type { Operation } from './operation';
import { calendarOperations } from './routes/calendar';
import { cycleOperations } from './routes/cycles';
import { dashboardOperations } from './routes/dashboard';
import { docsOperations } from './routes/docs';
import { letterOperations } from './routes/letters';
import { documentLinkOperations } from './routes/document-links';
import { documentOperations } from './routes/documents';
import { projectOperations } from './routes/projects';
import { reportOperations } from './routes/reports';
import { reviewLinkOperations } from './routes/review-links';
import { stalledOperations } from './routes/stalled';
import { sessionOperations } from './routes/sessions';
import { stepOperations } from './routes/steps';

export type { Operation } from './operation';
export { projectExample } from './operation';

/** Every operation of the API, in the document's order. */
export function operations(policy: Policy): Operation[] {
  return [
    ...projectOperations(policy),
    ...delegateOperations,
    ...reportOperations,
    ...calendarOperations,
    ...letterOperations,
    ...amendmentOperations,
    ...peopleOperations,
    ...documentOperations,
    ...cycleOperations,
    ...stalledOperations,
    ...stepOperations,
    ...sessionOperations,
    ...reviewLinkOperations,
    ...documentLinkOperations,
    ...dashboardOperations,
    ...docsOperations,
    ...appOperations,
  ];
}

const jsonSchema = (schema: z.ZodType) => z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' });

/** As api/idempotency.ts reads it: 1–200 printable ASCII characters, no spaces. */
const idempotencyKeyHeader = {
  name: 'Idempotency-Key',
  in: 'header',
  required: false,
  description:
    'Makes a retry safe: the same key and body get the first answer again (nothing new starts); the same key with another body is 422. ' +
    'Keys are per caller. 1–200 printable characters (ASCII, no spaces); a malformed key is 400.',
  schema: { type: 'string', minLength: 1, maxLength: 200, pattern: '^[!-~]+$' },
  example: '5f0c1e9a-2b7d-4c1e-9a3f-8d2e6b4a7c10',
};

/**
 * The operation's `security`: the API key for keyed operations, none for public ones (`[]`: Swagger UI and client
 * generators send no key), and either for the dashboard, which shows its sign-in page to a caller without one; a
 * calendar feed takes the key or its signed URL's token.
 */
function security(op: Operation): Record<string, string[]>[] {
  if (Object.keys(op.roles).length === 0) return [];
  if (op.feedToken) return [{ apiKey: [] }, { feedToken: [] }];
  return op.anonymous ? [{}, { apiKey: [] }] : [{ apiKey: [] }];
}

/** Who may call it, in words (CommonMark): the roles and what each reaches, and what a caller without a key gets. */
function who(op: Operation): string {
  const roles = Object.entries(op.roles).map(([role, reach]) => `- ${role}: ${reach}`);
  return [roles.length ? `Roles:\n\n${roles.join('\n')}` : '', op.anonymous ? `Without an API key: ${op.anonymous}.` : ''].filter(Boolean).join('\n\n');
}

const errorSchema = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message', 'details'],
      properties: {
        code: { type: 'string', enum: Object.keys(STATUS) },
        message: { type: 'string' },
        details: {
          type: 'array',
          items: { type: 'object', required: ['path', 'message'], properties: { path: { type: 'string' }, message: { type: 'string' } } },
        },
      },
    },
  },
};

/** A JSON body's fields as a form's text parts, plus its files (api/uploads.ts). */
function withFiles(body: z.ZodType | undefined): Record<string, unknown> {
  const schema = body ? (jsonSchema(body) as { properties?: Record<string, unknown>; required?: string[] }) : {};
  return {
    type: 'object',
    properties: {
      ...schema.properties,
      body: { type: 'string', description: 'the JSON body in one part, instead of the fields as parts' },
      file: { type: 'array', items: { type: 'string', format: 'binary' }, description: 'documents kept with it; each type named from its bytes' },
    },
  };
}

const errorContent = { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } };

export function openApiDocument(policy: Policy, publicUrl?: string) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of operations(policy)) {
    const pathParams = [...op.path.matchAll(/\{(\w+)\}/g)].map(([, name]) => ({
      name,
      in: 'path',
      required: true,
      schema: jsonSchema(name === 'actionId' ? correctiveActionParams.shape.actionId : name === 'token' ? z.string() : slug),
    }));
    const queryParams = op.query
      ? Object.entries((jsonSchema(op.query) as { properties?: Record<string, unknown> }).properties ?? {}).map(([name, schema]) => ({
          name,
          in: 'query',
          required: false,
          schema,
        }))
      : [];
    const errors = Object.fromEntries(op.errors.map((code) => [String(STATUS[code]), { description: code, content: errorContent }]));
    (paths[op.path] ??= {})[op.method] = {
      operationId: op.operationId,
      summary: op.summary,
      description: who(op),
      security: security(op),
      ...(Object.keys(op.roles).length ? { 'x-roles': Object.keys(op.roles) } : {}),
      parameters: [...pathParams, ...queryParams, ...(op.idempotent ? [idempotencyKeyHeader] : [])],
      ...(op.body || op.multipart
        ? {
            requestBody: {
              required: true,
              content: {
                ...(op.body && {
                  [op.bodyType ?? 'application/json']: { schema: jsonSchema(op.body), ...(op.example !== undefined ? { example: op.example } : {}) },
                }),
                ...(op.multipart && { 'multipart/form-data': { schema: op.multipart === 'with-files' ? withFiles(op.body) : op.multipart } }),
              },
            },
          }
        : {}),
      responses: {
        [String(op.success.status)]: { description: op.success.description, ...(op.success.type ? { content: { [op.success.type]: {} } } : {}) },
        ...errors,
        // Whatever else reaches the error handler: the same shape, e.g. 500 INTERNAL.
        default: { description: 'any other error, such as 500 INTERNAL, in the same shape', content: errorContent },
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Export-licence review API',
      version: 'v1',
      description:
        'Multi-agency export-licence reviews of research projects, orchestrated on Temporal. Errors share one shape: {"error":{"code","message","details"}}.',
      // As package.json says ("UNLICENSED"); SPDX names a licence that is not on its list LicenseRef-<name>.
      license: { name: 'UNLICENSED: proprietary, not licensed for use outside the project', identifier: 'LicenseRef-UNLICENSED' },
    },
    // Without PUBLIC_URL, "/" says what an absent `servers` means: the host that served this document.
    servers: [{ url: publicUrl ?? '/' }],
    components: {
      securitySchemes: {
        apiKey: {
          type: 'http',
          scheme: 'bearer',
          description:
            'An API key from API_KEYS, sent as `Authorization: Bearer <key>`. Each key belongs to one principal: `admin`, `coordinator:<userId>`, ' +
            '`funder:<funderId>`, `agency:<agencyId>` or `agency:<agencyId>:<userId>` (agency staff: their queue under /v1/steps). ' +
            "Each operation's `x-roles` and description name the roles it takes and what each may reach; " +
            'a project or cycle the caller may not see is 404, exactly as a missing one. ' +
            'After a dashboard sign-in, its session cookie also stands for the key on reads (GET).',
        },
        feedToken: {
          type: 'apiKey',
          in: 'query',
          name: 'token',
          description:
            'A calendar feed only: the token of a signed feed URL from `POST /v1/calendar-links`, bound to that feed and to the principal who asked ' +
            'for it (calendar apps cannot send a header). It stands for their key on that feed until it expires or they sign out everywhere.',
        },
      },
      schemas: { Error: errorSchema },
    },
    paths,
  };
}
