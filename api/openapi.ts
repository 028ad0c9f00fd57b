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
import { cycleBody, cycleItemsQuery } from './routes/cycles';
import { signInBody } from './routes/dashboard';
import { filtersSchema } from './routes/stalled';
import { assignBody, stepsQuery } from './routes/steps';
import { appealBody, auditQueryParams, decisionBody, delegateBody, infoBody, projectListQuery, scopingBody, withdrawBody } from './schemas';

/** The roles whose API keys reach operations. */
type Role = 'admin' | 'coordinator' | 'funder' | 'agency';

export interface Operation {
  /** Unique and stable: client generators name their methods after it. camelCase. */
  operationId: string;
  method: 'get' | 'post';
  /** OpenAPI form: `/v1/projects/{id}`. */
  path: string;
  summary: string;
  /**
   * Who may call it with an API key: each role (requireRole in the route or app.ts) with what it may reach
   * (assertMayAccess and the route's own checks). Empty: the operation takes no key.
   */
  roles: Partial<Record<Role, string>>;
  /** Who may call it without an API key, and how: public operations, mounted before `authenticate` in app.ts. */
  anonymous?: string;
  /** Takes an `Idempotency-Key` header (the POSTs that start a workflow). */
  idempotent?: true;
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
  /** Every request is read by the body parsers first, so even a route without a body answers 400 to a malformed one. */
  const unreadable: ErrorCode[] = ['VALIDATION_FAILED'];
  const projectReaders = { admin: 'any project', coordinator: 'a project they own or are a delegate of', funder: 'its own projects' };
  const projectActors = { coordinator: 'a project they own or are a delegate of' };
  const reviewer = 'the signed link in the path is the credential; a reviewer opens it from their e-mail';
  return [
    {
      operationId: 'submitProject',
      method: 'post',
      path: '/v1/projects',
      summary: 'Submit a project; classification starts at once',
      roles: { coordinator: "becomes the project's owner", admin: "becomes the project's owner" },
      idempotent: true,
      body: projectSubmissionSchema(policy),
      example: projectExample,
      success: { status: 201, description: '{ projectId, workflowId, stage }' },
      errors: [...write, 'IDEMPOTENCY_KEY_REUSED'],
    },
    {
      operationId: 'listProjects',
      method: 'get',
      path: '/v1/projects',
      summary: 'The projects the caller may see, newest first, filtered (stage, funderId, agency, q), a page at a time (limit, cursor)',
      roles: { admin: 'every project', coordinator: 'the projects they own or are a delegate of', funder: 'its own projects' },
      query: projectListQuery,
      success: { status: 200, description: '{ items: [{ projectId, title, funderId, leadAgency, stage, owner, submittedAt, closedAt }], nextCursor }' },
      errors: read,
    },
    {
      operationId: 'getProject',
      method: 'get',
      path: '/v1/projects/{id}',
      summary: 'Current state: stage, components with tier and licence, open steps, milestones, disputes',
      roles: projectReaders,
      success: { status: 200, description: 'the project view' },
      errors: read,
    },
    {
      operationId: 'getProjectAudit',
      method: 'get',
      path: '/v1/projects/{id}/audit',
      summary: 'The ordered audit trail (JSON, or CSV with format=csv)',
      roles: projectReaders,
      query: auditQueryParams,
      success: { status: 200, description: '{ entries: [...] }, or CSV' },
      errors: read,
    },
    {
      operationId: 'confirmProjectScoping',
      method: 'post',
      path: '/v1/projects/{id}/scoping',
      summary: 'Confirm scoping, with tier overrides and justifications ({} confirms as classified)',
      roles: projectActors,
      body: scopingBody,
      example: { overrides: [{ componentId: 'c1', tier: 'T2', justification: 'shared with a defence partner' }] },
      success: { status: 200, description: 'the components as confirmed' },
      errors: write,
    },
    {
      operationId: 'withdrawProject',
      method: 'post',
      path: '/v1/projects/{id}/withdraw',
      summary: 'Withdraw: open steps close and their reviewers are told',
      roles: projectActors,
      body: withdrawBody,
      example: { reason: 'funding ended' },
      success: { status: 200, description: '{ stage: "withdrawn", closedSteps }' },
      errors: write,
    },
    {
      operationId: 'addProjectDelegate',
      method: 'post',
      path: '/v1/projects/{id}/delegates',
      summary: 'The owner (or an admin) lets another coordinator act on the project; a project that is not yours is 404, as a missing one',
      roles: { admin: 'any project', coordinator: "the project's owner; a delegate gets 403" },
      body: delegateBody,
      example: { userId: 'j.martin' },
      success: { status: 200, description: '{ projectId, owner, delegates }' },
      errors: write,
    },
    {
      operationId: 'answerInfoRequest',
      method: 'post',
      path: '/v1/projects/{id}/info',
      summary: "Answer a reviewer's request for information; the step's stopped clock resumes",
      roles: projectActors,
      body: infoBody,
      example: { stepId: 'c2-de-bafa', answer: 'The board is for the readout electronics only; datasheet attached to the e-mail.' },
      success: { status: 200, description: 'the step, clock running again' },
      errors: write,
    },
    {
      operationId: 'appealComponentDenial',
      method: 'post',
      path: '/v1/projects/{id}/appeals',
      summary: "Appeal a final denial for a component to the issuing agency's appeal body (US: the Under Secretary)",
      roles: projectActors,
      body: appealBody,
      example: { componentId: 'c2', legalBasis: 'EAR §742.4(b)(1): license exception applies', comment: 'see annex' },
      success: { status: 202, description: 'the appeal is recorded; the appeal body is asked to rule' },
      errors: write,
    },
    {
      operationId: 'resubmitComponent',
      method: 'post',
      path: '/v1/projects/{id}/components/{componentId}/resubmission',
      summary: 'Submit again a component whose review was returned (an information request went unanswered): a new licence review starts',
      roles: projectActors,
      success: { status: 202, description: '{ componentId, workflowId, status: "in-review" }; 409 when the component was not returned' },
      errors: write,
    },
    {
      operationId: 'submitComplianceReport',
      method: 'post',
      path: '/v1/projects/{id}/reports',
      summary: 'Post-licence compliance report for a licence and period; answers the anomalies found',
      roles: projectActors,
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
      operationId: 'resolveCorrectiveAction',
      method: 'post',
      path: '/v1/projects/{id}/corrective-actions/{actionId}/resolve',
      summary: 'Resolve a corrective action (a suspended licence is reinstated)',
      roles: projectActors,
      body: resolutionBody,
      example: { note: 'Shipment recalled; end user re-screened.' },
      success: { status: 200, description: 'the action, resolved' },
      errors: write,
    },
    {
      operationId: 'launchCycle',
      method: 'post',
      path: '/v1/cycles',
      summary: "Launch a funder review cycle over the funder's projects",
      roles: { funder: "its own projects; another funder's project is skipped as a missing one" },
      idempotent: true,
      body: cycleBody,
      example: { cycleId: 'spring-2031', name: 'Spring review', closesAt: FUTURE, projectIds: ['fusion-diag-2027'] },
      success: { status: 202, description: '{ cycleId, status: "launching" }' },
      errors: [...write, 'IDEMPOTENCY_KEY_REUSED'],
    },
    {
      operationId: 'getCycle',
      method: 'get',
      path: '/v1/cycles/{id}',
      summary: 'Per project: milestone outcome and who is awaited, with counts (the first 100 projects; itemsNext pages through the rest)',
      roles: { admin: 'any cycle', funder: 'its own cycles' },
      success: { status: 200, description: 'the cycle view' },
      errors: read,
    },
    {
      operationId: 'listCycleItems',
      method: 'get',
      path: '/v1/cycles/{id}/items',
      summary: "A cycle's projects with one outcome (or skipped), in project id order, a page at a time (limit, cursor)",
      roles: { admin: 'any cycle', funder: 'its own cycles' },
      query: cycleItemsQuery,
      success: { status: 200, description: '{ cycleId, outcome, items, nextCursor }' },
      errors: read,
    },
    {
      operationId: 'listStalledMilestones',
      method: 'get',
      path: '/v1/milestones/stalled',
      summary: 'Steps and milestones past due, oldest first, and licence cases past their legal limit (`outOfTime`), from the records',
      roles: {
        admin: 'every project',
        coordinator: 'the projects they own or are a delegate of',
        funder: 'its own projects; another funderId is 403',
      },
      query: filtersSchema,
      success: { status: 200, description: '{ asOf, items, outOfTime, count, truncated }' },
      errors: read,
    },
    {
      operationId: 'listAgencySteps',
      method: 'get',
      path: '/v1/steps',
      summary:
        "The open steps the caller's agency owes, oldest due first, each with its `ref` (steps waiting for the coordinator's information come back when answered)",
      roles: { agency: 'its own agency' },
      query: stepsQuery,
      success: {
        status: 200,
        description: '{ agencyId, asOf, count, steps: [{ ref, projectId, projectTitle, stepId, kind, reviewer, dueAt, overdue, … }], truncated }',
      },
      errors: read,
    },
    {
      operationId: 'decideAgencyStep',
      method: 'post',
      path: '/v1/steps/{ref}/decision',
      summary: "Decide one of the agency's steps, with the body a reviewer's link takes; the audit names the principal who decided",
      roles: { agency: "its own agency's steps; another agency's step is a missing one (404)" },
      body: decisionBody,
      example: { decision: 'approve', comment: 'end use confirmed with the consignee' },
      success: { status: 200, description: '{ recorded, stepId, decision, outcome, decidedAt, decidedBy }' },
      errors: write,
    },
    {
      operationId: 'assignAgencyStep',
      method: 'post',
      path: '/v1/steps/{ref}/assign',
      summary:
        "Pass a step to another reviewer of the agency's pool (or take it, with one's own address): they are mailed a fresh link, and the previous reviewer's link stops deciding it",
      roles: { agency: "its own agency's steps; another agency's step is a missing one (404)" },
      body: assignBody,
      example: { reviewer: 'ausfuhr-2@bafa.example' },
      success: { status: 200, description: '{ stepId, reviewer, previous }' },
      errors: write,
    },
    {
      operationId: 'openReviewLink',
      method: 'get',
      path: '/r/{token}',
      summary: "A reviewer's decision page for one step; changes nothing",
      roles: {},
      anonymous: reviewer,
      success: { status: 200, description: 'the page (or the step context as JSON with Accept: application/json)', type: 'text/html' },
      errors: link,
    },
    {
      operationId: 'decideReviewLink',
      method: 'post',
      path: '/r/{token}',
      summary: 'The decision (a form or JSON), applied through a Workflow Update; an approval of a licence review may carry `conditions`',
      roles: {},
      anonymous: reviewer,
      body: decisionBody,
      example: { decision: 'deny', legalBasis: 'EAR §742.4, national security', comment: 'end user not eligible' },
      success: { status: 200, description: '{ recorded, stepId, decision, outcome, decidedAt }' },
      errors: link,
    },
    {
      operationId: 'getDashboard',
      method: 'get',
      path: '/dashboard',
      summary: "Projects by stage, stalled work, who is awaited; for agency staff, their agency's queue (HTML; a sign-in page without a key)",
      roles: {
        admin: 'every project',
        coordinator: 'the projects they own or are a delegate of',
        funder: 'its own projects',
        agency: "its agency's open steps, oldest due first",
      },
      anonymous: 'the sign-in page; after signing in, the session cookie stands for the key',
      success: { status: 200, description: 'the dashboard', type: 'text/html' },
      errors: ['UNAUTHORIZED', 'FORBIDDEN', 'UNAVAILABLE'],
    },
    {
      operationId: 'signInToDashboard',
      method: 'post',
      path: '/dashboard/sign-in',
      summary: 'Sign in with an API key: sets an HttpOnly, SameSite=Strict session cookie good for reads',
      roles: {},
      anonymous: 'anyone: the API key is sent in the form',
      body: signInBody,
      bodyType: 'application/x-www-form-urlencoded',
      example: { key: 'dev-coordinator-key' },
      success: { status: 303, description: 'to /dashboard' },
      errors: ['UNAUTHORIZED', 'FORBIDDEN', 'RATE_LIMITED'],
    },
    {
      operationId: 'signOutOfDashboard',
      method: 'post',
      path: '/dashboard/sign-out',
      summary: 'End the dashboard session',
      roles: {},
      anonymous: 'anyone',
      success: { status: 303, description: 'to /dashboard' },
      errors: ['FORBIDDEN', 'RATE_LIMITED'],
    },
    {
      operationId: 'getOpenApiDocument',
      method: 'get',
      path: '/v1/openapi.json',
      summary: 'This document',
      roles: {},
      anonymous: 'anyone',
      success: { status: 200, description: 'OpenAPI 3.1' },
      errors: unreadable,
    },
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
 * generators send no key), and either for the dashboard, which shows its sign-in page to a caller without one.
 */
function security(op: Operation): Record<string, string[]>[] {
  if (Object.keys(op.roles).length === 0) return [];
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
      },
      schemas: { Error: errorSchema },
    },
    paths,
  };
}
