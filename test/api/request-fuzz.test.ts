/**
 * Property-based tests (fast-check) over every JSON endpoint, on the real
 * stack over real HTTP: thousands of generated requests — arbitrary JSON,
 * valid bodies with one part broken (removed, retyped, unicode edge cases,
 * huge arrays, unknown fields), bytes that are not JSON, other content types,
 * odd paths and query strings. Whatever arrives: never a 5xx, always the error
 * contract of DESIGN §5 with the status of its code, and nothing started
 * except for the requests that were answered 2xx.
 *
 * The routes on one project are aimed at a project id that does not exist, so
 * even a body that happens to be valid changes nothing (it ends as 404 after
 * validation); submissions and cycles may really start, and are counted.
 */
import fc from 'fast-check';
import { z } from 'zod';
import { STATUS } from '../../api/errors';
import { recordedProject } from '../../records/project-reads';
import { answerOf, fetchAnswered } from '../helpers/api-read';
import { bearer, KEYS, useApiStack, useServedApp } from '../helpers/api-stack';
import { smallProject } from '../helpers/fixtures';

// A failure prints its seed: FC_SEED=<seed> npx jest test/api/request-fuzz reproduces it.
if (process.env.FC_SEED) fc.configureGlobal({ seed: Number(process.env.FC_SEED) });

const stack = useApiStack();
const served = useServedApp(stack);

const errorContract = z.strictObject({
  error: z.strictObject({
    code: z.enum(Object.keys(STATUS) as [keyof typeof STATUS, ...(keyof typeof STATUS)[]]),
    message: z.string().min(1),
    details: z.array(z.strictObject({ path: z.string().min(1), message: z.string().min(1) })),
  }),
});

const GHOST = 'fuzz-no-such-project';
const inAYear = new Date(Date.now() + 365 * 86_400_000).toISOString();

interface Endpoint {
  path: string;
  key?: string;
  /** A body the route accepts (its answer may still be 404: the project does not exist). */
  valid: Record<string, unknown>;
  /** 2xx answers allowed here: the ones that start a workflow. */
  starts?: 'project' | 'cycle';
}

const ENDPOINTS: Endpoint[] = [
  { path: '/v1/projects', key: KEYS.coordinator, valid: smallProject('fuzz-project'), starts: 'project' },
  { path: `/v1/projects/${GHOST}/scoping`, key: KEYS.coordinator, valid: { overrides: [{ componentId: 'c1', tier: 'T2', justification: 'raise' }] } },
  { path: `/v1/projects/${GHOST}/withdraw`, key: KEYS.coordinator, valid: { reason: 'no longer funded' } },
  { path: `/v1/projects/${GHOST}/info`, key: KEYS.coordinator, valid: { stepId: 'grant-agency', answer: 'the datasheet' } },
  { path: `/v1/projects/${GHOST}/appeals`, key: KEYS.coordinator, valid: { componentId: 'c1', legalBasis: 'EAR §742.4', comment: 'see annex' } },
  {
    path: `/v1/projects/${GHOST}/reports`,
    key: KEYS.coordinator,
    valid: {
      componentId: 'c1',
      period: 1,
      endUseConfirmed: true,
      shipments: [{ destination: 'US', endUser: 'Oak Ridge National Laboratory', quantity: 2, date: '2027-03-01' }],
      notes: 'ok',
    },
  },
  { path: `/v1/projects/${GHOST}/corrective-actions/c1-ca-1/resolve`, key: KEYS.coordinator, valid: { note: 'fixed' } },
  {
    path: '/v1/cycles',
    key: KEYS.funder,
    valid: { cycleId: 'fuzz-cycle', name: 'Fuzz', closesAt: inAYear, projectIds: ['fuzz-none-1', 'fuzz-none-2'] },
    starts: 'cycle',
  },
];

/** A link for a workflow that never existed: its body is validated, then the link is 404. */
const decisionEndpoint = (): Endpoint => ({
  path: `/r/${stack.signer.sign({
    workflowId: 'project-fuzz-ghost',
    stepId: 'grant-agency',
    reviewer: 'ausfuhr@bafa.example',
    expiresAt: Date.now() + 86_400_000,
  })}`,
  valid: { decision: 'approve', comment: 'fine' },
});

const started = { project: 0, cycle: 0 };
/** The projects answered 201: each must be in the records (text the store cannot keep would leave it unrecorded for ever). */
const startedProjects: string[] = [];
let requests = 0;

/** Sends one request and checks the answer against the contract. */
async function send(e: Endpoint, body: string | Uint8Array, contentType = 'application/json', method = 'POST'): Promise<void> {
  const headers: Record<string, string> = { Accept: 'application/json', 'Content-Type': contentType, ...(e.key ? bearer(e.key) : {}) };
  const init = { method, headers, body: method === 'GET' ? undefined : body };
  // A read is sent again while it answers 503 (Temporal did not answer in time, as under load); a write only once.
  const res = method === 'GET' ? await fetchAnswered(served.base + e.path, init) : await answerOf(await fetch(served.base + e.path, init), method);
  const text = res.text;
  requests++;
  const what = `${method} ${e.path.slice(0, 80)} ${contentType} ${JSON.stringify(typeof body === 'string' ? body.slice(0, 300) : `<${body.length} bytes>`)} → ${res.status} ${text.slice(0, 300)}`;
  if (res.status >= 500) throw new Error(`server error: ${what}`);
  if (res.status < 300) {
    if (method === 'GET') return; // a read may find what an earlier generated request created
    if (!e.starts) throw new Error(`accepted where nothing may be: ${what}`);
    started[e.starts]++;
    if (e.starts === 'project') startedProjects.push((JSON.parse(text) as { projectId: string }).projectId);
    return;
  }
  let parsed: z.infer<typeof errorContract>;
  try {
    parsed = errorContract.parse(JSON.parse(text));
  } catch {
    throw new Error(`not the error contract: ${what}`);
  }
  if (STATUS[parsed.error.code] !== res.status) throw new Error(`code ${parsed.error.code} with status ${res.status}: ${what}`);
  if (parsed.error.code === 'VALIDATION_FAILED' && parsed.error.details.length === 0) throw new Error(`a 400 that names nothing: ${what}`);
}

/** Every path into a JSON value, e.g. ['components', 0, 'id'] (the root excluded). */
function pathsOf(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (value === null || typeof value !== 'object') return [];
  const entries = Array.isArray(value) ? value.map((v, i) => [i, v] as const) : Object.entries(value);
  return entries.flatMap(([k, v]) => [[...prefix, k], ...pathsOf(v, [...prefix, k])]);
}

const edgeStrings = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom(
    '',
    ' ',
    '\u0000',
    '\uD800',
    '\uDFFF',
    '\uFEFF',
    '\u202Eevil',
    '👩‍🔬',
    'ﷺ',
    'e\u0301',
    'a'.repeat(70_000),
    '<script>alert(1)</script>',
    "'; DROP TABLE x; --",
    "x' OR FunderId != 'y",
    '../../etc/passwd',
    '__proto__',
    '1e999',
    'NaN',
  ),
);

type Mutation = { kind: 'remove' | 'replace' | 'string' | 'huge-array' | 'unknown-field'; at: number; value: unknown; text: string };
const mutation: fc.Arbitrary<Mutation> = fc.record({
  kind: fc.constantFrom('remove', 'replace', 'string', 'huge-array', 'unknown-field'),
  at: fc.nat(),
  value: fc.jsonValue({ maxDepth: 3 }),
  text: edgeStrings,
});

function mutate(valid: Record<string, unknown>, m: Mutation): unknown {
  const copy = structuredClone(valid) as Record<string, unknown>;
  const paths = pathsOf(copy);
  const path = paths[m.at % paths.length];
  const parent = path.slice(0, -1).reduce<Record<string | number, unknown>>((o, k) => o[k] as Record<string | number, unknown>, copy);
  const key = path[path.length - 1];
  if (m.kind === 'remove') {
    if (Array.isArray(parent)) parent.splice(key as number, 1);
    else delete parent[key];
  } else if (m.kind === 'replace') parent[key] = m.value;
  else if (m.kind === 'string') parent[key] = m.text;
  else if (m.kind === 'huge-array') parent[key] = Array.from({ length: 20_000 }, () => m.value);
  else if (typeof parent === 'object' && parent !== null && !Array.isArray(parent)) parent[m.text || 'extra'] = m.value;
  else copy[m.text || 'extra'] = m.value;
  return copy;
}

const notJson = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.constantFrom(
    '{',
    '{"a":',
    '[1,',
    'nul',
    '{"title": "x",}',
    "{'a': 1}",
    '{"__proto__": {"polluted": true}}',
    '{"constructor": {"prototype": {"polluted": true}}}',
    '\uFEFF{}',
    '1e99999',
  ),
);

const RUNS = { mutated: 250, json: 120, notJson: 80 };

describe.each(ENDPOINTS.map((e) => [e.path.replace(GHOST, ':id'), e] as const))('POST %s', (_name, endpoint) => {
  test('valid bodies with one part broken', async () => {
    await fc.assert(
      fc.asyncProperty(mutation, (m) => send(endpoint, JSON.stringify(mutate(endpoint.valid, m)))),
      { numRuns: RUNS.mutated },
    );
  });

  test('arbitrary JSON', async () => {
    await fc.assert(
      fc.asyncProperty(fc.jsonValue({ maxDepth: 4 }), (v) => send(endpoint, JSON.stringify(v) ?? 'null')),
      { numRuns: RUNS.json },
    );
  });

  test('bytes that are not JSON, and bodies of other types', async () => {
    const types = fc.constantFrom(
      'application/json',
      'application/json; charset=latin1',
      'text/plain',
      'application/x-www-form-urlencoded',
      'application/octet-stream',
      'multipart/form-data; boundary=x',
    );
    await fc.assert(
      fc.asyncProperty(notJson, types, (body, type) => send(endpoint, body, type)),
      { numRuns: RUNS.notJson },
    );
  });

  test('a body over the size limit, and gzip that is not gzip', async () => {
    await send(endpoint, JSON.stringify({ ...endpoint.valid, padding: 'x'.repeat(300_000) }));
    const res = await fetch(served.base + endpoint.path, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip', ...(endpoint.key ? bearer(endpoint.key) : {}) },
      body: '{"a":1}',
    });
    expect(res.status).toBe(400);
    expect(errorContract.safeParse(await res.json()).success).toBe(true);
  });
});

describe('POST /r/:token (JSON)', () => {
  test('valid decisions with one part broken, and arbitrary JSON', async () => {
    const endpoint = decisionEndpoint();
    await fc.assert(
      fc.asyncProperty(mutation, (m) => send(endpoint, JSON.stringify(mutate(endpoint.valid, m)))),
      { numRuns: RUNS.mutated },
    );
    await fc.assert(
      fc.asyncProperty(fc.jsonValue({ maxDepth: 4 }), (v) => send(endpoint, JSON.stringify(v) ?? 'null')),
      { numRuns: RUNS.json },
    );
  });
});

describe('paths and query strings', () => {
  const segment = fc.oneof(
    edgeStrings.map((s) => encodeURIComponent(Buffer.from(s.slice(0, 100)).toString())) /* lone surrogates become U+FFFD */,
    fc.constantFrom('%', '%E0%A4%A', '%00', '..', '%2e%2e', '%FF'),
  );
  const routes = (id: string, q: string): Endpoint[] => [
    { path: `/v1/projects/${id}`, key: KEYS.coordinator, valid: {} },
    { path: `/v1/projects/${id}/audit?format=${q}`, key: KEYS.coordinator, valid: {} },
    { path: `/v1/milestones/stalled?funderId=${q}&agency=${q}&cycleId=${q}`, key: KEYS.funder, valid: {} },
    { path: `/v1/cycles/${id}`, key: KEYS.funder, valid: {} },
    { path: `/r/${id}`, valid: {} },
  ];
  test('GET with odd ids and filters', async () => {
    await fc.assert(
      fc.asyncProperty(segment, segment, async (id, q) => {
        for (const e of routes(id, q)) await send(e, '', 'application/json', 'GET');
      }),
      { numRuns: 150 },
    );
  });
  test('POST with odd ids', async () => {
    await fc.assert(
      fc.asyncProperty(segment, async (raw) => {
        // Prefixed: a generated submission may have created a project whose id is a plain segment (e.g. "1e999").
        const id = `odd-${raw}`;
        for (const suffix of ['scoping', 'withdraw', 'info', 'appeals', 'reports', 'corrective-actions/x-ca-1/resolve']) {
          await send({ path: `/v1/projects/${id}/${suffix}`, key: KEYS.coordinator, valid: {} }, '{}');
        }
      }),
      { numRuns: 60 },
    );
  });
});

// Runs last (Jest keeps the order of a file's tests).
test('nothing was started but what was answered 2xx, over more than 5,000 requests', async () => {
  // Count every workflow the namespace ran but the shards an accepted cycle starts itself.
  const expected = started.project + started.cycle;
  const count = async () => (await stack.client.workflow.count(`WorkflowType != 'cycleShardWorkflow'`)).count;
  for (const deadline = Date.now() + 10_000; (await count()) < expected && Date.now() < deadline;) await new Promise((r) => setTimeout(r, 250));
  await new Promise((r) => setTimeout(r, 1000)); // a late, unexpected start would show up by now
  expect({
    requests: requests > 5000,
    workflows: await count(),
    projects: (await stack.client.workflow.count(`WorkflowType = 'projectWorkflow'`)).count,
  }).toEqual({
    requests: true,
    workflows: expected,
    projects: started.project,
  });
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  const unrecorded = [];
  for (const id of startedProjects) if (!(await recordedProject(stack.records, id))) unrecorded.push(id);
  expect(unrecorded).toEqual([]);
});
