/**
 * The authorization matrix (issue 12): every operation of the OpenAPI document × every caller (each role's key, and
 * no key) × an own, a foreign and a missing resource, with the exact status each cell answers and a check that
 * nothing changed. The operations come from the document, so a new route cannot skip the matrix: its test fails
 * until TABLE says what each caller gets. And every request goes through the client openapi-fetch types with
 * openapi-typescript's output for the document (test/generated/openapi.ts), against the app on a real port: the
 * document has to describe the API as it answers.
 *
 * Cheap and side-effect free because every route decides who may call it (401, 403, 404) before it reads the body:
 * each write is sent with a body no route accepts, so a caller who gets past authorization is answered 400
 * VALIDATION_FAILED and nothing is written; everyone else gets 401, 403 or 404. After every cell the projects, their
 * audit trails, the cycles, the number of workflows and of e-mails are read again and must not have changed.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { openApiDocument } from '../../api/openapi';
import { loadPolicy } from '../../config/env';
import { describeAnswer, readAnswered } from '../helpers/api-read';
import { KEYS, PUBLIC_URL, bearer, useApiStack, useServedApp } from '../helpers/api-stack';
import {
  changes,
  createMatrixResources,
  RESOURCE_NAMES,
  RESOURCE_PARAMS,
  settledSnapshot,
  snapshot,
  type MatrixResources,
  type ResourceKind,
  type ResourceName,
  type Snapshot,
} from '../helpers/matrix-resources';
import { apiClient, answerOf, callOperation, type ApiClient, type Method, type OperationId, type OperationRequest } from '../helpers/openapi-client';
import { DEFAULT_POLICY_FILE } from '../helpers/policy';

const ROOT = path.resolve(__dirname, '../..');

/**
 * Who calls: a key of each role (coordinator a.weber, funder horizon-eu, admin, and for the agency de-bafa's person
 * ausfuhr@bafa.example, the reviewer its grant step goes to), and no key. The agency's shared key, which names no
 * person, differs only in never deciding: its own test below.
 */
const CALLERS = ['coordinator', 'funder', 'admin', 'agency', 'no key'] as const;
type Caller = (typeof CALLERS)[number];
const KEY: Record<Caller, string | undefined> = {
  coordinator: KEYS.coordinator,
  funder: KEYS.funder,
  admin: KEYS.admin,
  agency: KEYS.agencyPerson,
  'no key': undefined,
};

/**
 * The status of every cell. A row: the kind of resource the path names ('-': none), then per caller the statuses
 * for the own, foreign and missing resource (one status when the path names none). Own and foreign are the
 * caller's: a.weber's project (funded by horizon-eu) against j.martin's (funded by nsf), horizon-eu's cycle against
 * nsf's, de-bafa's step against the US lead agency's, the link to de-bafa's step against the link to the US one.
 *
 * Read a row as the route decides: no key is 401 on a keyed route; an agency key is 403 on every /v1 route but its
 * steps and the documents of a project routed to it; a project route first checks that the caller may see the project (a foreign or missing one is 404, the
 * same answer), then the role (403 for a funder or admin on a coordinator's action), then the body (400: the matrix
 * sends one no route accepts, so 400 means "authorized, and nothing done"). Review links take no key: the signed
 * token in the path is the credential, so every caller gets the same answer.
 *
 * Keyed by the generated types' operations: after `npm run openapi-types` for a new route, tsc asks for its row too.
 */
type Row = [resource: ResourceKind | '-', coordinator: string, funder: string, admin: string, agency: string, noKey: string];

// prettier-ignore
const TABLE: Record<OperationId, Row> = {
  //                          resource   coordinator    funder         admin          agency         no key
  submitProject:             ['-',       '400',         '403',         '400',         '403',         '401'        ],
  listProjects:              ['-',       '200',         '200',         '200',         '403',         '401'        ],
  getProject:                ['project', '200 404 404', '200 404 404', '200 200 404', '403 403 403', '401 401 401'],
  getProjectAudit:           ['project', '200 404 404', '200 404 404', '200 200 404', '403 403 403', '401 401 401'],
  confirmProjectScoping:     ['project', '400 404 404', '403 404 404', '403 403 404', '403 403 403', '401 401 401'],
  withdrawProject:           ['project', '400 404 404', '403 404 404', '403 403 404', '403 403 403', '401 401 401'],
  addProjectDelegate:        ['project', '400 404 404', '403 404 404', '400 400 404', '403 403 403', '401 401 401'],
  removeProjectDelegate:     ['project', '400 404 404', '403 404 404', '400 400 404', '403 403 403', '401 401 401'],
  amendProject:              ['project', '400 404 404', '403 404 404', '400 400 404', '403 403 403', '401 401 401'],
  getControlPlan:            ['project', '200 404 404', '200 404 404', '200 200 404', '403 403 403', '401 401 401'],
  recordTrainingCertificate: ['project', '400 404 404', '403 404 404', '403 403 404', '403 403 403', '401 401 401'],
  submitDeliverable:         ['project', '400 404 404', '403 404 404', '403 403 404', '403 403 403', '401 401 401'],
  answerInfoRequest:         ['project', '400 404 404', '403 404 404', '403 403 404', '403 403 403', '401 401 401'],
  appealComponentDenial:     ['project', '400 404 404', '403 404 404', '403 403 404', '403 403 403', '401 401 401'],
  resubmitComponent:         ['project', '400 404 404', '403 404 404', '403 403 404', '403 403 403', '401 401 401'],
  submitComplianceReport:    ['project', '400 404 404', '403 404 404', '403 403 404', '403 403 403', '401 401 401'],
  resolveCorrectiveAction:   ['project', '400 404 404', '403 404 404', '403 403 404', '403 403 403', '401 401 401'],
  getProjectCalendar:        ['project', '200 404 404', '200 404 404', '200 200 404', '403 403 403', '401 401 401'],
  getAgencyCalendar:         ['agency',  '403 403 403', '403 403 403', '200 200 404', '200 403 403', '401 401 401'],
  getFunderCalendar:         ['funder',  '403 403 403', '200 403 403', '200 200 404', '403 403 403', '401 401 401'],
  createCalendarLink:        ['-',       '400',         '400',         '400',         '400',         '401'        ],
  getComponentLetter:        ['project', '400 404 404', '400 404 404', '400 400 404', '403 403 403', '401 401 401'],
  uploadDocument:            ['project', '400 404 404', '403 404 404', '403 403 404', '403 404 404', '401 401 401'],
  listDocuments:             ['project', '200 404 404', '200 404 404', '200 200 404', '200 404 404', '401 401 401'],
  downloadDocument:          ['project', '400 404 404', '400 404 404', '400 400 404', '400 404 404', '401 401 401'],
  downloadDocumentLink:      ['link',    '400 400 400', '400 400 400', '400 400 400', '400 400 400', '400 400 400'],
  launchCycle:               ['-',       '403',         '400',         '403',         '403',         '401'        ],
  getCycle:                  ['cycle',   '403 403 403', '200 404 404', '200 200 404', '403 403 403', '401 401 401'],
  listCycleItems:            ['cycle',   '403 403 403', '200 404 404', '200 200 404', '403 403 403', '401 401 401'],
  listStalledMilestones:     ['-',       '200',         '200',         '200',         '403',         '401'        ],
  listAgencySteps:           ['-',       '403',         '403',         '403',         '200',         '401'        ],
  getAgencyFigures:          ['-',       '403',         '403',         '403',         '200',         '401'        ],
  decideAgencyStep:          ['step',    '403 403 403', '403 403 403', '403 403 403', '400 404 404', '401 401 401'],
  assignAgencyStep:          ['step',    '403 403 403', '403 403 403', '403 403 403', '400 404 404', '401 401 401'],
  revokeSessions:            ['-',       '400',         '400',         '400',         '400',         '401'        ],
  openReviewLink:            ['link',    '200 200 404', '200 200 404', '200 200 404', '200 200 404', '200 200 404'],
  decideReviewLink:          ['link',    '400 400 404', '400 400 404', '400 400 404', '400 400 404', '400 400 404'],
  getDashboard:              ['-',       '200',         '200',         '200',         '200',         '200'        ],
  signInToDashboard:         ['-',       '403',         '403',         '403',         '403',         '403'        ],
  signOutOfDashboard:        ['-',       '403',         '403',         '403',         '403',         '403'        ],
  signOutEverywhere:         ['-',       '403',         '403',         '403',         '403',         '403'        ],
  getOpenApiDocument:        ['-',       '200',         '200',         '200',         '200',         '200'        ],
  getLiveness:               ['-',       '200',         '200',         '200',         '200',         '200'        ],
  getReadiness:              ['-',       '200',         '200',         '200',         '200',         '200'        ],
};
// Notes on single rows:
// - the calendar feeds: an agency's or a funder's feed is its own key's only (another, or one that does not exist, is 403);
//   an admin reads every one of the policy's (a missing one is 404). createCalendarLink checks the feed it names after the body.
// - decideReviewLink: the token is checked first; a body no route accepts is then 400 on a step that exists, and
//   404 on a missing one (the page that would show the errors has no step to show). openReviewLink changes nothing.
// - uploadDocument, listDocuments, downloadDocument: a project's documents are read by the agencies it is routed to as
//   well (the own project's grant step is de-bafa's), so the agency key gets past authorization there, and 404 elsewhere.
// - downloadDocumentLink: the signed download link is the credential; a decision link (the link resource) is no download
//   link, so every caller gets 400, and nothing is downloaded.
// - signInToDashboard, signOutOfDashboard, signOutEverywhere: refused (403) before the body is read, as a request that does not show it
//   comes from the dashboard's own page (no Sec-Fetch-Site: same-origin, no Origin) must be: no session starts or ends.

/** The path parameters other than the resource. Routes read them only after authorization, so they decide nothing but an authorized caller's 400. */
const OTHER_PARAMS: Record<string, string> = {
  // Not a component id (a slug starts with a letter or digit): an authorized caller gets 400 before anything is resubmitted
  // or any letter is read.
  componentId: '-not-a-component',
  // A well-formed corrective action id: the body (no note) is what is refused.
  actionId: 'c1-ca-1',
  // Not a user id: an authorized caller gets 400 before any delegate is removed.
  userId: 'not a user',
  // Not a document id: a caller who may read the project gets 400 before anything is read or audited.
  documentId: '-not-a-document',
  // Not a person or a condition id: an authorized caller gets 400 before any document is staged.
  personId: '-not-a-person',
  conditionId: '-not-a-condition',
};

/**
 * The body of every write: JSON no route accepts. Not `{}`: withdraw and scoping take `{}` (their fields have
 * defaults), and would withdraw or confirm. No object schema, strict or not, takes an array, and nothing fills it in.
 */
const REFUSED_JSON = ['matrix: not a request body'];

/** The shipped policy: its durations are days, so nothing in the matrix's projects moves on its own while it runs. */
const POLICY = loadPolicy(DEFAULT_POLICY_FILE);

/** The document the app serves (the first tests check that it does), and its operations: the matrix's rows. */
const DOCUMENT = openApiDocument(POLICY, PUBLIC_URL);

interface DocumentOperation {
  operationId: string;
  method: Method;
  path: string;
  security: Record<string, string[]>[];
  'x-roles'?: string[];
  requestBody?: { content: Record<string, unknown> };
  responses: Record<string, unknown>;
}

const OPERATIONS: DocumentOperation[] = Object.entries(DOCUMENT.paths).flatMap(([p, methods]) =>
  Object.entries(methods).map(([method, op]) => ({ ...(op as Omit<DocumentOperation, 'method' | 'path'>), method: method as Method, path: p })),
);

const rowOf = (operationId: string): Row | undefined => (TABLE as Record<string, Row>)[operationId];
const label = (op: DocumentOperation) => `${op.operationId} (${op.method.toUpperCase()} ${op.path})`;

/** The columns of a row: own, foreign and missing for a resource, one column ('-') for none. */
const columnsOf = (row: Row): (ResourceName | '-')[] => (row[0] === '-' ? ['-'] : RESOURCE_NAMES);

/** The statuses a caller gets, by column. */
function expected(row: Row, caller: Caller): number[] {
  return String(row[1 + CALLERS.indexOf(caller)])
    .trim()
    .split(/\s+/)
    .map(Number);
}

const stack = useApiStack({ policy: POLICY });
const served = useServedApp(stack);
let api: ApiClient;
let resources: MatrixResources;
/** What the last cell left; the next cell must leave it unchanged. */
let last: Snapshot;
let cells = 0;
let operationsRun = 0;

beforeAll(async () => {
  api = apiClient(served.base);
  resources = await createMatrixResources(api, stack);
  last = await settledSnapshot(api, stack, resources);
}, 180_000);

afterAll(() => {
  // Cited by the closing note.
  console.log(
    `authorization matrix: ${operationsRun} operations × ${CALLERS.length} callers (${CALLERS.join(', ')}) × own/foreign/missing where the path ` +
      `names a resource = ${cells} cells, each with its exact status and nothing changed`,
  );
});

test('the typed client is generated from the current document (else: run npm run openapi-types)', async () => {
  // Regenerated in memory (the script prints it): openapi-typescript's ES module dependencies do not load in jest.
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'scripts/openapi-types.ts', '--print'], {
    cwd: ROOT,
    maxBuffer: 64 * 1024 * 1024,
  });
  const checkedIn = readFileSync(path.join(ROOT, 'test/generated/openapi.ts'), 'utf8');
  if (stdout !== checkedIn) throw new Error('test/generated/openapi.ts is stale: it is not what the OpenAPI document generates now; run npm run openapi-types');
});

test('the app serves the document the matrix is generated from', async () => {
  const res = answerOf(await api.GET('/v1/openapi.json', { parseAs: 'text' }), 'GET /v1/openapi.json');
  expect(res.status).toBe(200);
  expect(res.body).toEqual(JSON.parse(JSON.stringify(DOCUMENT)));
});

test('the table has a row for every operation of the document, and no other', () => {
  const documented = OPERATIONS.map((op) => op.operationId);
  const missingRows = OPERATIONS.filter((op) => !rowOf(op.operationId)).map((op) => `${label(op)} has no row in TABLE: add the status each caller gets`);
  const extraRows = Object.keys(TABLE)
    .filter((id) => !documented.includes(id))
    .map((id) => `TABLE has a row for ${id}, which the document does not have`);
  expect([...missingRows, ...extraRows]).toEqual([]);
});

test('the table agrees with the document: resources, security, x-roles, declared responses', () => {
  const problems: string[] = [];
  for (const op of OPERATIONS) {
    const row = rowOf(op.operationId);
    if (!row) continue; // the test above names it
    const params = [...op.path.matchAll(/\{(\w+)\}/g)].map(([, name]) => name);
    const resource = row[0];
    if (resource !== '-' && !params.includes(RESOURCE_PARAMS[resource]))
      problems.push(`${label(op)}: a ${resource} row, but the path has no {${RESOURCE_PARAMS[resource]}}`);
    for (const name of params) {
      if ((resource === '-' || name !== RESOURCE_PARAMS[resource]) && !(name in OTHER_PARAMS))
        problems.push(`${label(op)}: no value for {${name}} (OTHER_PARAMS)`);
    }
    for (const caller of CALLERS) {
      const statuses = expected(row, caller);
      if (statuses.length !== columnsOf(row).length || statuses.some((s) => !(s >= 100 && s < 600)))
        problems.push(`${label(op)}: ${caller} needs ${columnsOf(row).length} status(es), has "${row[1 + CALLERS.indexOf(caller)]}"`);
      for (const s of statuses.filter((s) => !(String(s) in op.responses)))
        problems.push(`${label(op)}: ${caller} gets ${s}, which the document does not declare`);
    }
    // A key is required exactly when every security requirement names one; then no key is 401 everywhere.
    const keyRequired = op.security.length > 0 && op.security.every((requirement) => Object.keys(requirement).length > 0);
    if (keyRequired !== expected(row, 'no key').every((s) => s === 401))
      problems.push(`${label(op)}: the document says a key is ${keyRequired ? '' : 'not '}required, the table's no-key row is ${row[5]}`);
    // The roles the document names are exactly those the table lets past authorization (a cell not 401, 403 or 404).
    const past = CALLERS.filter((c) => c !== 'no key' && expected(row, c).some((s) => ![401, 403, 404].includes(s)));
    if (op['x-roles']) {
      if ([...op['x-roles']].sort().join() !== [...past].sort().join())
        problems.push(`${label(op)}: x-roles [${op['x-roles']}], but the table lets [${past}] past authorization`);
    } else if (CALLERS.some((c) => expected(row, c).join() !== expected(row, 'no key').join())) {
      problems.push(`${label(op)}: no x-roles (the operation takes no key), but the table's answer depends on the key`);
    }
  }
  expect(problems).toEqual([]);
});

/** The request of one cell: the resource in its path parameter, the caller's key, and a refused body for a write. */
function requestFor(op: DocumentOperation, row: Row, caller: Caller, column: ResourceName | '-'): OperationRequest {
  const resource = row[0];
  const pathParams = Object.fromEntries(
    [...op.path.matchAll(/\{(\w+)\}/g)].map(([, name]) => [
      name,
      resource !== '-' && column !== '-' && name === RESOURCE_PARAMS[resource] ? resources[resource][column] : OTHER_PARAMS[name],
    ]),
  );
  const key = KEY[caller];
  const headers: Record<string, string> = key ? bearer(key) : {};
  const content = Object.keys(op.requestBody?.content ?? {});
  if (content.includes('application/json')) return { path: pathParams, headers, body: REFUSED_JSON };
  if (content.includes('application/x-www-form-urlencoded'))
    return { path: pathParams, headers: { ...headers, 'Content-Type': 'application/x-www-form-urlencoded' }, body: {}, bodySerializer: () => '' };
  return { path: pathParams, headers };
}

describe('every operation × every caller × own, foreign and missing resources: the exact status, and nothing changed', () => {
  test.each(OPERATIONS.map((op) => [label(op), op] as const))('%s', async (_label, op) => {
    const row = rowOf(op.operationId);
    if (!row) throw new Error(`${label(op)} has no row in TABLE: add the status each caller gets (own, foreign, missing)`);
    operationsRun++;
    const problems: string[] = [];
    for (const caller of CALLERS) {
      const statuses = expected(row, caller);
      for (const [i, column] of columnsOf(row).entries()) {
        const cell = `${op.operationId} · ${caller} · ${column === '-' ? 'no resource' : column}`;
        const request = requestFor(op, row, caller, column);
        // A 503 (Temporal did not answer in time, as under load) is sent again, writes too: each write carries a body
        // no route accepts, so the only Temporal call before its answer is the read that checks access. The snapshot
        // below shows that nothing was written.
        const res = await readAnswered(() => callOperation(api, op.method, op.path, request));
        cells++;
        if (res.status !== statuses[i]) problems.push(`${cell}: expected ${statuses[i]}, but ${describeAnswer(res).slice(0, 400)}`);
        const now = await snapshot(api, stack, resources);
        for (const change of changes(last, now)) problems.push(`${cell} (answered ${res.status}) changed something: ${change}`);
        last = now;
      }
    }
    if (problems.length) throw new Error(`${problems.length} cell(s) of ${label(op)} failed:\n${problems.join('\n')}`);
  });
});

test("an agency key that names no person lists and assigns, and never decides: 403 on its own agency's step, 404 on another's, nothing changed", async () => {
  const problems: string[] = [];
  for (const column of RESOURCE_NAMES) {
    const ref = resources.step[column];
    const decide = await readAnswered(async () =>
      answerOf(await api.POST('/v1/steps/{ref}/decision', { params: { path: { ref } }, headers: bearer(KEYS.agency), body: REFUSED_JSON as never }), 'decide'),
    );
    const assign = await readAnswered(async () =>
      answerOf(await api.POST('/v1/steps/{ref}/assign', { params: { path: { ref } }, headers: bearer(KEYS.agency), body: REFUSED_JSON as never }), 'assign'),
    );
    const want = column === 'own' ? [403, 400] : [404, 404];
    if (decide.status !== want[0] || assign.status !== want[1])
      problems.push(`${column}: decide ${describeAnswer(decide).slice(0, 300)}; assign ${describeAnswer(assign).slice(0, 300)}`);
    if (column === 'own') expect((decide.body as { error: { message: string } }).error.message).toMatch(/names no person .* never decides/);
    const now = await snapshot(api, stack, resources);
    problems.push(...changes(last, now).map((c) => `${column} changed something: ${c}`));
    last = now;
  }
  const listed = await readAnswered(async () => answerOf(await api.GET('/v1/steps', { headers: bearer(KEYS.agency) }), 'list'));
  expect(listed.status).toBe(200);
  expect(problems).toEqual([]);
});
