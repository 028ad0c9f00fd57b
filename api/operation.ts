/**
 * An operation of the HTTP API as the OpenAPI document describes it. Each route module declares the operations of its
 * routes beside them (`projectOperations` in api/routes/projects.ts, …); api/openapi.ts assembles the document from
 * those lists, and a test checks each list against its module's routes.
 */
import type { z } from 'zod';
import type { ErrorCode } from './errors';

/** The roles whose API keys reach operations. */
type Role = 'admin' | 'coordinator' | 'funder' | 'agency';

export interface Operation {
  /** Unique and stable: client generators name their methods after it. camelCase. */
  operationId: string;
  method: 'get' | 'post';
  /** OpenAPI form, with the prefix app.ts mounts the router on: `/v1/projects/{id}`. */
  path: string;
  summary: string;
  /**
   * Who may call it with an API key: each role (requireRole in the route or app.ts) with what it may reach
   * (assertMayAccess and the route's own checks). Empty: the operation takes no key.
   */
  roles: Partial<Record<Role, string>>;
  /** Who may call it without an API key, and how: public operations, mounted before `authenticate` in app.ts. */
  anonymous?: string;
  /** Also takes a signed feed URL's `?token=` instead of the key (calendar feeds, api/feed-links.ts): calendar apps send no header. */
  feedToken?: true;
  /** Takes an `Idempotency-Key` header (the POSTs that start a workflow). */
  idempotent?: true;
  body?: z.ZodType;
  /** The body's content type when it is not JSON. */
  bodyType?: 'application/x-www-form-urlencoded';
  /**
   * The body as multipart/form-data (api/uploads.ts): the JSON Schema of its parts, files as `format: binary`, when it
   * takes only a form with files; `'with-files'` when it takes `body` as JSON or as a form: the same fields, plus files.
   */
  multipart?: Record<string, unknown> | 'with-files';
  query?: z.ZodType;
  example?: unknown;
  success: { status: number; description: string; type?: 'text/html' | 'text/csv' | 'text/calendar' | 'application/pdf' };
  /** Every error code the route, or the middleware app.ts puts in front of it, can answer. */
  errors: ErrorCode[];
}

/** Every request is read by the body parsers first, so even a route without a body answers 400 to a malformed one. */
export const unreadable: ErrorCode[] = ['VALIDATION_FAILED'];

/**
 * What a keyed /v1 route can answer before it runs: a missing or unknown key (401), a role it does not take (403),
 * and 429 once the caller's address has failed to authenticate too often (reads too) or the caller writes too often.
 */
const keyed: ErrorCode[] = [...unreadable, 'UNAUTHORIZED', 'FORBIDDEN', 'RATE_LIMITED'];

/** A keyed list, read from the records: the record store can be unreachable (503). */
export const list: ErrorCode[] = [...keyed, 'UNAVAILABLE'];

/** A keyed read of one project or cycle: one the caller may not see is 404, as a missing one. */
export const read: ErrorCode[] = [...list, 'NOT_FOUND'];

/** A keyed act on a project, a cycle or a step: refused by the state it is in (409), or not confirmed in time (503). */
export const write: ErrorCode[] = [...read, 'CONFLICT'];

/** A keyed act that takes files (api/uploads.ts): a file over the policy's limit (413), of a type not allowed (415). */
export const withFiles: ErrorCode[] = [...write, 'PAYLOAD_TOO_LARGE', 'UNSUPPORTED_MEDIA_TYPE'];

/**
 * A reviewer's link (api/decisions.ts, REJECTIONS): a damaged link or a refused decision (400), a decision the
 * four-eyes rule leaves to another person (403), a step the records do not hold (404), a step decided, closed or
 * passed to another reviewer (409), a link that expired or belongs to an earlier submission (410), too many requests
 * from the address (429), the records or Temporal unreachable (503).
 */
export const link: ErrorCode[] = ['VALIDATION_FAILED', 'FORBIDDEN', 'NOT_FOUND', 'CONFLICT', 'GONE', 'RATE_LIMITED', 'UNAVAILABLE'];

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
