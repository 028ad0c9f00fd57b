/**
 * The OpenAPI document of the HTTP API, generated from the zod schemas that
 * validate the requests (zod's own JSON Schema output), served at
 * `/v1/openapi.json` and shown by the interactive page at `/v1/docs`.
 * OPERATIONS is the list of routes; a test checks it against the routers.
 */
import { z } from 'zod';
import type { Policy } from '../domain/policy';
import { slug } from '../domain/primitives';
import { projectSubmissionSchema } from '../domain/project';
import { correctiveActionParams, reportBody, resolutionBody } from './compliance-schemas';
import { STATUS, type ErrorCode } from './errors';
import { cycleBody } from './routes/cycles';
import { signInBody } from './routes/dashboard';
import { filtersSchema } from './routes/stalled';
import { appealBody, auditQueryParams, decisionBody, delegateBody, infoBody, scopingBody, withdrawBody } from './schemas';

type Role = 'coordinator' | 'funder' | 'admin' | 'reviewer (signed link)' | 'anyone';

export interface Operation {
  method: 'get' | 'post';
  /** OpenAPI form: `/v1/projects/{id}`. */
  path: string;
  summary: string;
  roles: Role[];
  body?: z.ZodType;
  /** The body's content type when it is not JSON. */
  bodyType?: 'application/x-www-form-urlencoded';
  query?: z.ZodType;
  example?: unknown;
  success: { status: number; description: string; type?: 'text/html' | 'text/csv' };
  errors: ErrorCode[];
}

const FUTURE = '2031-01-01T00:00:00Z';

/** The example from DESIGN §5 (the test fixtures start from it too). */
export const projectExample = {
  projectId: 'fusion-diag-2027',
  title: 'Plasma diagnostics for fusion reactors',
  funderId: 'horizon-eu',
  coordinator: { name: 'A. Weber', email: 'a.weber@kit.example', partnerId: 'kit' },
  partners: [
    { id: 'kit', name: 'Karlsruhe Institute of Technology', country: 'DE' },
    { id: 'ornl', name: 'Oak Ridge National Laboratory', country: 'US' },
  ],
  components: [
    {
      id: 'c1',
      name: 'Open analysis software',
      description: 'Python analysis code',
      controlCodes: [],
      endUse: 'fundamental-research',
      destinations: ['US'],
      recipients: ['ornl'],
    },
    {
      id: 'c2',
      name: 'Radiation-hardened FPGA board',
      description: 'Readout board',
      controlCodes: ['3A001'],
      endUse: 'civilian-research',
      destinations: ['US'],
      recipients: ['ornl'],
    },
  ],
  milestones: [{ id: 'm1', title: 'Prototype', dueAt: '2027-06-30T00:00:00Z', componentIds: ['c2'] }],
};

export function operations(policy: Policy): Operation[] {
  const read: ErrorCode[] = ['UNAUTHORIZED', 'FORBIDDEN', 'NOT_FOUND', 'VALIDATION_FAILED', 'UNAVAILABLE'];
  const write: ErrorCode[] = [...read, 'CONFLICT', 'RATE_LIMITED'];
  const link: ErrorCode[] = ['VALIDATION_FAILED', 'FORBIDDEN', 'NOT_FOUND', 'CONFLICT', 'RATE_LIMITED', 'UNAVAILABLE'];
  return [
    {
      method: 'post',
      path: '/v1/projects',
      summary: 'Submit a project; classification starts at once',
      roles: ['coordinator', 'admin'],
      body: projectSubmissionSchema(policy),
      example: projectExample,
      success: { status: 201, description: '{ projectId, workflowId, stage }' },
      errors: write,
    },
    {
      method: 'get',
      path: '/v1/projects/{id}',
      summary: 'Current state: stage, components with tier and licence, open steps, milestones, disputes',
      roles: ['coordinator', 'funder', 'admin'],
      success: { status: 200, description: 'the project view' },
      errors: read,
    },
    {
      method: 'get',
      path: '/v1/projects/{id}/audit',
      summary: 'The ordered audit trail (JSON, or CSV with format=csv)',
      roles: ['coordinator', 'funder', 'admin'],
      query: auditQueryParams,
      success: { status: 200, description: '{ entries: [...] }, or CSV' },
      errors: read,
    },
    {
      method: 'post',
      path: '/v1/projects/{id}/scoping',
      summary: 'Confirm scoping, with tier overrides and justifications ({} confirms as classified)',
      roles: ['coordinator'],
      body: scopingBody,
      example: { overrides: [{ componentId: 'c1', tier: 'T2', justification: 'shared with a defence partner' }] },
      success: { status: 200, description: 'the components as confirmed' },
      errors: write,
    },
    {
      method: 'post',
      path: '/v1/projects/{id}/withdraw',
      summary: 'Withdraw: open steps close and their reviewers are told',
      roles: ['coordinator'],
      body: withdrawBody,
      example: { reason: 'funding ended' },
      success: { status: 200, description: '{ stage: "withdrawn", closedSteps }' },
      errors: write,
    },
    {
      method: 'post',
      path: '/v1/projects/{id}/delegates',
      summary: 'The owner (or an admin) lets another coordinator act on the project; a project that is not yours is 404, as a missing one',
      roles: ['coordinator', 'admin'],
      body: delegateBody,
      example: { userId: 'j.martin' },
      success: { status: 200, description: '{ projectId, owner, delegates }' },
      errors: write,
    },
    {
      method: 'post',
      path: '/v1/projects/{id}/info',
      summary: "Answer a reviewer's request for information; the step's stopped clock resumes",
      roles: ['coordinator'],
      body: infoBody,
      example: { stepId: 'c2-de-bafa', answer: 'The board is for the readout electronics only; datasheet attached to the e-mail.' },
      success: { status: 200, description: 'the step, clock running again' },
      errors: write,
    },
    {
      method: 'post',
      path: '/v1/projects/{id}/appeals',
      summary: "Appeal a final denial for a component to the issuing agency's appeal body (US: the Under Secretary)",
      roles: ['coordinator'],
      body: appealBody,
      example: { componentId: 'c2', legalBasis: 'EAR §742.4(b)(1): license exception applies', comment: 'see annex' },
      success: { status: 202, description: 'the appeal is recorded; the appeal body is asked to rule' },
      errors: write,
    },
    {
      method: 'post',
      path: '/v1/projects/{id}/components/{componentId}/resubmission',
      summary: 'Submit again a component whose review was returned (an information request went unanswered): a new licence review starts',
      roles: ['coordinator'],
      success: { status: 202, description: '{ componentId, workflowId, status: "in-review" }; 409 when the component was not returned' },
      errors: write,
    },
    {
      method: 'post',
      path: '/v1/projects/{id}/reports',
      summary: 'Post-licence compliance report for a licence and period; answers the anomalies found',
      roles: ['coordinator'],
      body: reportBody,
      example: {
        componentId: 'c2',
        period: 1,
        endUseConfirmed: true,
        shipments: [{ destination: 'US', endUser: 'Oak Ridge National Laboratory', quantity: 2, date: '2027-03-01' }],
      },
      success: { status: 200, description: '{ anomalies, correctiveActions }' },
      errors: write,
    },
    {
      method: 'post',
      path: '/v1/projects/{id}/corrective-actions/{actionId}/resolve',
      summary: 'Resolve a corrective action (a suspended licence is reinstated)',
      roles: ['coordinator'],
      body: resolutionBody,
      example: { note: 'Shipment recalled; end user re-screened.' },
      success: { status: 200, description: 'the action, resolved' },
      errors: write,
    },
    {
      method: 'post',
      path: '/v1/cycles',
      summary: "Launch a funder review cycle over the funder's projects",
      roles: ['funder'],
      body: cycleBody,
      example: { cycleId: 'spring-2031', name: 'Spring review', closesAt: FUTURE, projectIds: ['fusion-diag-2027'] },
      success: { status: 202, description: '{ cycleId, status: "launching" }' },
      errors: write,
    },
    {
      method: 'get',
      path: '/v1/cycles/{id}',
      summary: 'Per project: milestone outcome and who is awaited, with counts',
      roles: ['funder', 'admin'],
      success: { status: 200, description: 'the cycle view' },
      errors: read,
    },
    {
      method: 'get',
      path: '/v1/milestones/stalled',
      summary: 'Steps and milestones past due, oldest first, and licence cases past their legal limit (`outOfTime`), from Temporal visibility',
      roles: ['coordinator', 'funder', 'admin'],
      query: filtersSchema,
      success: { status: 200, description: '{ asOf, items, outOfTime, count, truncated }' },
      errors: read,
    },
    {
      method: 'get',
      path: '/r/{token}',
      summary: "A reviewer's decision page for one step; changes nothing",
      roles: ['reviewer (signed link)'],
      success: { status: 200, description: 'the page (or the step context as JSON with Accept: application/json)', type: 'text/html' },
      errors: link,
    },
    {
      method: 'post',
      path: '/r/{token}',
      summary: 'The decision (a form or JSON), applied through a Workflow Update; an approval of a licence review may carry `conditions`',
      roles: ['reviewer (signed link)'],
      body: decisionBody,
      example: { decision: 'deny', legalBasis: 'EAR §742.4, national security', comment: 'end user not eligible' },
      success: { status: 200, description: '{ recorded, stepId, decision, outcome, decidedAt }' },
      errors: link,
    },
    {
      method: 'get',
      path: '/dashboard',
      summary: 'Projects by stage, stalled work, who is awaited (HTML; a sign-in page without a key)',
      roles: ['coordinator', 'funder', 'admin'],
      success: { status: 200, description: 'the dashboard', type: 'text/html' },
      errors: ['UNAUTHORIZED', 'UNAVAILABLE'],
    },
    {
      method: 'post',
      path: '/dashboard/sign-in',
      summary: 'Sign in with an API key: sets an HttpOnly, SameSite=Strict session cookie good for reads',
      roles: ['anyone'],
      body: signInBody,
      bodyType: 'application/x-www-form-urlencoded',
      example: { key: 'dev-coordinator-key' },
      success: { status: 303, description: 'to /dashboard' },
      errors: ['UNAUTHORIZED', 'FORBIDDEN', 'RATE_LIMITED'],
    },
    {
      method: 'post',
      path: '/dashboard/sign-out',
      summary: 'End the dashboard session',
      roles: ['anyone'],
      success: { status: 303, description: 'to /dashboard' },
      errors: ['FORBIDDEN'],
    },
    { method: 'get', path: '/v1/openapi.json', summary: 'This document', roles: ['anyone'], success: { status: 200, description: 'OpenAPI 3.1' }, errors: [] },
    { method: 'get', path: '/healthz', summary: 'Liveness', roles: ['anyone'], success: { status: 200, description: '{ status: "ok" }' }, errors: [] },
    {
      method: 'get',
      path: '/readyz',
      summary: 'Readiness, including Temporal reachability',
      roles: ['anyone'],
      success: { status: 200, description: '{ status: "ready" }' },
      errors: ['UNAVAILABLE'],
    },
  ];
}

const jsonSchema = (schema: z.ZodType) => z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' });

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
    const signedIn = op.roles.some((r) => r === 'coordinator' || r === 'funder' || r === 'admin');
    const errors = Object.fromEntries(
      op.errors.map((code) => [
        String(STATUS[code]),
        { description: code, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
      ]),
    );
    (paths[op.path] ??= {})[op.method] = {
      summary: op.summary,
      description: `Who: ${op.roles.join(', ')}.`,
      ...(signedIn && !op.path.startsWith('/dashboard') ? { security: [{ apiKey: [] }] } : {}),
      parameters: [...pathParams, ...queryParams],
      ...(op.body
        ? {
            requestBody: {
              required: true,
              content: { [op.bodyType ?? 'application/json']: { schema: jsonSchema(op.body), ...(op.example !== undefined ? { example: op.example } : {}) } },
            },
          }
        : {}),
      responses: {
        [String(op.success.status)]: { description: op.success.description, ...(op.success.type ? { content: { [op.success.type]: {} } } : {}) },
        ...errors,
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
    },
    ...(publicUrl ? { servers: [{ url: publicUrl }] } : {}),
    components: {
      securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'An API key from API_KEYS: role coordinator, funder:<funderId> or admin' } },
      schemas: { Error: errorSchema },
    },
    paths,
  };
}
