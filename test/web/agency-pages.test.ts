/**
 * The agency's pages over HTTP on the real stack: the queue lists the step; the agency's shared key may pass it on but
 * never decides (the seat's refusal shown at the top of the page); a deny without legal basis is refused beside its
 * field with what was typed kept; a person of the pool decides through the page, through the one decide service; the
 * figures page then counts the decision in time.
 */
import request from 'supertest';
import { policySchema } from '../../domain/policy';
import { bearer, KEYS, useApiStack } from '../helpers/api-stack';
import { AGENCY_REVIEWER, toGrantReview } from '../helpers/grant-review';
import { setReviewDurations, testPolicyFile } from '../helpers/policy';
import { formTokens, signedInAgent } from '../helpers/web';

const COLLEAGUE = 'ausfuhr-2@bafa.example';

/** BAFA with a pool of two reviewers, and reviews long enough that nothing falls due during the test. */
function poolPolicy() {
  const file = testPolicyFile();
  setReviewDurations(file, 600, 1800);
  file.agencies.find((a) => a.id === 'de-bafa')!.reviewers = [AGENCY_REVIEWER, COLLEAGUE];
  return policySchema.parse(file);
}

const stack = useApiStack({ policy: poolPolicy() });
const api = () => request(stack.app);

type Queued = { ref: string; projectId: string; stepId: string; reviewer: string };

/** The project's grant step in BAFA's queue, once it is listed. */
async function queuedStep(projectId: string): Promise<Queued> {
  for (const deadline = Date.now() + 30_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 300))) {
    const res = await api().get('/v1/steps').set(bearer(KEYS.agency));
    const step = (res.body.steps as Queued[] | undefined)?.find((s) => s.projectId === projectId);
    if (step) return step;
  }
  throw new Error(`the grant step of ${projectId} was not queued within 30 s`);
}

const figures = async () => (await api().get('/v1/steps/figures').set(bearer(KEYS.agency))).body;

test('pass on, refusals beside their fields, then a decision from the queue; the figures count it', async () => {
  const { projectId, title } = await toGrantReview(stack, 'Agency pages');
  const step = await queuedStep(projectId);
  const page = `/app/queue/${encodeURIComponent(step.ref)}`;
  const before = await figures();

  // The shared key: it lists and passes on…
  const shared = await signedInAgent(stack.app, KEYS.agency);
  const queue = await shared.get('/app/queue');
  expect(queue.status).toBe(200);
  expect(queue.text).toContain(`<a href="${page}">Grant review — lead agency</a>`);
  expect(queue.text).toContain(title);
  // The case's documents, as the link's page lists them: a signed link for the person reading, which downloads the bytes.
  const spec = Buffer.from('%PDF-1.4\n% grant proposal\n%%EOF\n');
  await api()
    .post(`/v1/projects/${projectId}/documents`)
    .set(bearer(KEYS.coordinator))
    .field('kind', 'other')
    .attach('file', spec, { filename: 'Grant proposal.pdf', contentType: 'application/pdf' })
    .expect(201);
  let form = await shared.get(page);
  expect(form.status).toBe(200);
  const link = new RegExp('<a href="(/d/[^"]+)"[^>]*>Grant proposal.pdf</a>').exec(form.text)?.[1];
  expect(link).toBeDefined();
  const download = await shared.get(link!).buffer(true);
  expect(download.status).toBe(200);
  expect(Buffer.compare(download.body as Buffer, spec)).toBe(0);
  expect(form.text).toContain('<legend>Your decision</legend>');
  expect(form.text).toContain('<label for="legalBasis">Legal basis</label>');

  const outsider = await shared
    .post(`${page}/assign`)
    .type('form')
    .send({ ...formTokens(form.text), reviewer: 'someone@elsewhere.example' });
  expect(outsider.status).toBe(422);
  expect(outsider.text).toMatch(/<a href="#reviewer">Reviewer: [^<]+<\/a>/);
  expect(outsider.text).toContain('<span class="field-error" id="reviewer-error">');
  expect(outsider.text).toContain('value="someone@elsewhere.example"');
  const passed = await shared
    .post(`${page}/assign`)
    .type('form')
    .send({ ...formTokens(outsider.text), reviewer: COLLEAGUE });
  expect(passed.status).toBe(303);
  expect(passed.headers.location).toBe('/app/queue?done=passed-on');
  expect((await queuedStep(projectId)).reviewer).toBe(COLLEAGUE);
  expect((await shared.get('/app/queue?done=passed-on')).text).toContain('The step was passed on');

  // …but never decides: the seat's refusal is shown at the top, and nothing is recorded.
  form = await shared.get(page);
  const refused = await shared
    .post(page)
    .type('form')
    .send({ ...formTokens(form.text), decision: 'approve', comment: 'fine by us' });
  expect(refused.status).toBe(422);
  expect(refused.text).toMatch(/<div class="error-summary"[^>]*autofocus>/);
  expect(refused.text).toMatch(/<h2 id="error-summary-title">There is a problem<\/h2><ul><li>[^<]*person[^<]*<\/li>/i);
  expect(refused.text).toContain('fine by us</textarea>');

  // A person of the pool: a deny without legal basis is refused beside the field, what was typed kept.
  const person = await signedInAgent(stack.app, KEYS.agencyPerson);
  form = await person.get(page);
  const bad = await person
    .post(page)
    .type('form')
    .send({ ...formTokens(form.text), decision: 'deny', legalBasis: '', comment: 'end user not eligible' });
  expect(bad.status).toBe(422);
  expect(bad.text).toContain('<title>Error: Grant review');
  expect(bad.text).toMatch(/<a href="#legalBasis">Legal basis: [^<]+<\/a>/);
  const message = /<a href="#legalBasis">([^<]+)<\/a>/.exec(bad.text)![1];
  expect(bad.text).toContain(`<span class="field-error" id="legalBasis-error"><span class="muted">Error:</span> ${message}</span>`);
  expect(bad.text).toMatch(/value="deny" checked/);
  expect(bad.text).toContain('end user not eligible</textarea>');
  expect((await queuedStep(projectId)).stepId).toBe(step.stepId); // still open

  const good = await person
    .post(page)
    .type('form')
    .send({ ...formTokens(bad.text), decision: 'approve', comment: 'end use confirmed' });
  expect(good.status).toBe(303);
  expect(good.headers.location).toBe('/app/queue?done=decided');
  const view = await stack.waitForView(projectId, (v) => v.steps.some((s) => s.stepId === step.stepId && s.status === 'decided'), 'the grant step decided');
  expect(view.steps.find((s) => s.stepId === step.stepId)).toMatchObject({ status: 'decided', outcome: 'approved' });
  const trail = await stack.waitForAudit(projectId, (e) => e.some((x) => x.stepId === step.stepId && x.action === 'decision-recorded'), 'the decision audited');
  expect(trail.find((x) => x.stepId === step.stepId && x.action === 'decision-recorded')).toMatchObject({ actor: expect.stringContaining(AGENCY_REVIEWER) });
  // Sent again (another form key: not a replay): the API's refusal says why, and nothing changes.
  const again = await person
    .post(page)
    .type('form')
    .send({ _csrf: formTokens(bad.text)._csrf, _key: 'another-key-0001', decision: 'deny', legalBasis: 'EAR §742.4', comment: 'second thoughts' });
  expect(again.status).toBe(422);
  expect(again.text).toContain('This step is not in your queue');
  expect(again.text).toMatch(/<li>[^<]*already decided[^<]*<\/li>/i);
  const after = (await person.get('/app/queue?done=decided')).text;
  expect(after).toContain('Your decision was recorded');
  expect(after).not.toContain(page);

  // The figures: one more grant step decided in time, over all time and recently.
  const now = await figures();
  const row = (f: { kinds: { kind: string; allTime: { inTime: number }; recent: { inTime: number } }[] }) => f.kinds.find((k) => k.kind === 'grant-agency');
  expect(row(now)!.allTime.inTime).toBe((row(before)?.allTime.inTime ?? 0) + 1);
  expect(row(now)!.recent.inTime).toBe((row(before)?.recent.inTime ?? 0) + 1);
  // The table and the JSON, read one after the other: open and overdue steps come and go with the other tests'
  // workflows, so they are read again until both reads saw the same moment; the decided figures stand still.
  const shown = async () => {
    const table = (await person.get('/app/figures')).text;
    expect(table).toContain('<th scope="row">Grant review — lead agency</th>');
    const cells = new RegExp(`<th scope="row">Grant review — lead agency</th>((?:<td class="num">[^<]*</td>){8})`).exec(table)![1];
    return [...cells.matchAll(/<td class="num">([^<]*)<\/td>/g)].map((m) => m[1]);
  };
  type Row = { open: number; overdue: number; allTime: Record<string, number>; recent: Record<string, number> };
  let numbers = await shown();
  let g = row(await figures()) as unknown as Row;
  for (let i = 0; i < 20 && numbers.slice(0, 2).join() !== [g.open, g.overdue].join(); i++) {
    numbers = await shown();
    g = row(await figures()) as unknown as Row;
  }
  expect(numbers.slice(0, 4)).toEqual([g.open, g.overdue, g.allTime.inTime, g.allTime.late].map(String));
  expect(numbers[5]).toBe(String(g.recent.inTime));
});

test("a step not in the queue has no page; the queue and figures are the agency's only", async () => {
  const person = await signedInAgent(stack.app, KEYS.agencyPerson);
  expect((await person.get('/app/queue/not-a-ref')).status).toBe(404);
  const coordinator = await signedInAgent(stack.app, KEYS.coordinator);
  const refused = await coordinator.get('/app/figures');
  expect(refused.status).toBe(403);
});
