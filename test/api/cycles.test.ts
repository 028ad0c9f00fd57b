/**
 * `POST /v1/cycles` and `GET /v1/cycles/:id` on the real stack: the 202 at
 * once, who may launch and read, bad input, and a stalled cycle item in
 * `GET /v1/milestones/stalled?cycleId=`.
 */
import { WorkflowNotFoundError } from '@temporalio/client';
import request from 'supertest';
import { cycleWorkflowId, NO_RUNNING_PROJECT } from '../../workflows/cycle-contract';
import { expectStatus, readAnswered } from '../helpers/api-read';
import { recordKeepingMs } from '../../domain/record-keeping';
import { snapshot } from '../../records/database';
import { bearer, KEYS, linkTokens, useApiStack } from '../helpers/api-stack';
import { smallProject, uniqueId } from '../helpers/fixtures';

// Its own record store: "allActive" takes every active project of the funder in the records, which here are this file's.
const stack = useApiStack({ ownRecordStore: true });

const api = () => request(stack.app);
const asFunder = bearer(KEYS.funder);
const inSeconds = (s: number) => new Date(Date.now() + s * 1000).toISOString();
/** A read that queries the cycle workflow: sent again while it answers 503 (not answered in time, as under load). */
const readCycle = (cycleId: string, auth = asFunder) => readAnswered(() => api().get(`/v1/cycles/${cycleId}`).set(auth));
/** The cycle's view; fails with the status and body unless 200. */
const cycleView = async (cycleId: string) => expectStatus(await readCycle(cycleId), 200).body;

/** An active project (grant approved, licence approved) with milestone m1 due now. */
async function activeProject(funderId = 'horizon-eu'): Promise<string> {
  const projectId = uniqueId('cy');
  const title = `Cycle ${projectId}`;
  const funderReviewer = stack.policy.funders.find((f) => f.id === funderId)!.reviewers[0];
  const body = { ...smallProject(projectId), funderId, title, milestones: [{ id: 'm1', title: 'Prototype', dueAt: inSeconds(1), componentIds: ['c1'] }] };
  expect((await api().post('/v1/projects').set(bearer(KEYS.coordinator)).send(body)).status).toBe(201);
  await stack.waitForView(projectId, (v) => v.components.every((c) => c.tier !== null), 'classification');
  expect((await api().post(`/v1/projects/${projectId}/scoping`).set(bearer(KEYS.coordinator)).send({})).status).toBe(200);
  const approveFromMail = async (subjectStart: string, reviewer: string) => {
    const mail = await stack.waitForMail((m) => m.to[0]?.address === reviewer && m.subject.startsWith(subjectStart));
    expect(
      (
        await api()
          .post(`/r/${linkTokens(mail.text)[0]}`)
          .set('Accept', 'application/json')
          .send({ decision: 'approve' })
      ).status,
    ).toBe(200);
  };
  await approveFromMail(`Review requested: ${title} — grant`, funderReviewer);
  await approveFromMail(`Review requested: ${title} — grant`, 'ausfuhr@bafa.example');
  await approveFromMail(`Review requested: ${title} — Radiation-hardened FPGA board`, 'ausfuhr@bafa.example');
  await stack.waitForView(projectId, (v) => v.components[0].licence.status === 'approved', 'licence');
  return projectId;
}

test('a funder launches a cycle: 202 at once, outcomes readable by the funder and admin only; a stalled item is listed', async () => {
  const projectId = await activeProject();
  const cycleId = uniqueId('cycle');
  const res = await api()
    .post('/v1/cycles')
    .set(asFunder)
    .send({ cycleId, name: 'Spring review', closesAt: inSeconds(4), projectIds: [projectId] });
  expect(res.status).toBe(202);
  expect(res.headers.location).toBe(`/v1/cycles/${cycleId}`);
  expect(res.body).toMatchObject({ cycleId, status: 'launching' });

  // Nobody decides the milestone: at the close the project is stalled, awaiting the funder.
  let view;
  for (const deadline = Date.now() + 30_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 300))) {
    view = await cycleView(cycleId);
    if (view.items?.[0]?.outcome === 'stalled') break;
  }
  expect(view).toMatchObject({ cycleId, funderId: 'horizon-eu', total: 1, launched: 1, counts: { stalled: 1, passed: 0 } });
  expect(view.items[0]).toMatchObject({ projectId, outcome: 'stalled', awaited: ['European Commission, Horizon Europe'], milestoneIds: ['m1'] });

  const stalled = expectStatus(await readAnswered(() => api().get('/v1/milestones/stalled').query({ cycleId }).set(asFunder)), 200);
  expect(stalled.body.items).toEqual([expect.objectContaining({ projectId, kind: 'milestone-review', party: 'horizon-eu', stepId: `m1-${cycleId}` })]);

  expectStatus(await readCycle(cycleId, bearer(KEYS.admin)), 200);
  // Another funder's cycle is answered as a missing one is.
  const foreignRead = await readCycle(cycleId, bearer(KEYS.otherFunder));
  const missingRead = await readCycle(uniqueId('no-such-cycle'), bearer(KEYS.otherFunder));
  expect({ status: foreignRead.status, body: foreignRead.body }).toEqual({ status: 404, body: missingRead.body });
  expect((await api().get(`/v1/cycles/${cycleId}`).set(bearer(KEYS.coordinator))).status).toBe(403); // by role, before any query
  expect((await readCycle('no-such-cycle')).status).toBe(404);
  // The same cycle id again is a conflict.
  const again = await api()
    .post('/v1/cycles')
    .set(asFunder)
    .send({ cycleId, name: 'Again', closesAt: inSeconds(60), projectIds: [projectId] });
  expect(again.status).toBe(409);
}, 90_000);

test('bad cycle requests are 400 naming the field, and only a funder may launch; nothing starts', async () => {
  const bad = async (body: object, path: string) => {
    const cycleId = uniqueId('bad');
    const res = await api()
      .post('/v1/cycles')
      .set(asFunder)
      .send({ cycleId, ...body });
    expect({ status: res.status, paths: res.body.error?.details?.map((d: { path: string }) => d.path) }).toEqual({
      status: 400,
      paths: expect.arrayContaining([path]),
    });
    await expect(stack.client.workflow.getHandle(cycleWorkflowId(cycleId)).describe()).rejects.toThrow();
  };
  await bad({ name: 'x', closesAt: inSeconds(-60), projectIds: ['p1'] }, 'body.closesAt');
  await bad({ name: 'x', closesAt: 'tomorrow', projectIds: ['p1'] }, 'body.closesAt');
  await bad({ name: 'x', closesAt: inSeconds(60) }, 'body.projectIds');
  await bad({ name: 'x', closesAt: inSeconds(60), projectIds: ['p1'], allActive: true }, 'body.projectIds');
  await bad({ name: 'x', closesAt: inSeconds(60), projectIds: ['p1', 'p1'] }, 'body.projectIds');
  await bad({ name: '', closesAt: inSeconds(60), allActive: true }, 'body.name');
  await bad({ name: 'x', closesAt: inSeconds(60), allActive: true, extra: 1 }, 'body.extra');

  const byCoordinator = await api()
    .post('/v1/cycles')
    .set(bearer(KEYS.coordinator))
    .send({ name: 'x', closesAt: inSeconds(60), allActive: true });
  expect(byCoordinator.status).toBe(403);
  expect(
    (
      await api()
        .post('/v1/cycles')
        .send({ name: 'x', closesAt: inSeconds(60), allActive: true })
    ).status,
  ).toBe(401);
});

test('"allActive" reviews every active project of the funder, and no other funder’s', async () => {
  const projectId = await activeProject();
  const otherFunders = await activeProject('nsf');
  const cycleId = uniqueId('all');
  expect(
    (
      await api()
        .post('/v1/cycles')
        .set(asFunder)
        .send({ cycleId, name: 'Everything', closesAt: inSeconds(30), allActive: true })
    ).status,
  ).toBe(202);
  let view;
  for (const deadline = Date.now() + 20_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 300))) {
    view = await cycleView(cycleId);
    if (view.status !== 'launching' && view.items.some((i: { projectId: string }) => i.projectId === projectId)) break;
  }
  expect(view.items.map((i: { projectId: string }) => i.projectId)).toContain(projectId);
  expect(view.items.map((i: { projectId: string }) => i.projectId)).not.toContain(otherFunders);
  expect(view.total).toBe(view.launched + view.skipped.length);

  // Another funder's project is skipped exactly as a missing one is, whichever funder asks: nothing tells them apart.
  for (const [key, foreign, own, foreignFunder] of [
    [KEYS.funder, otherFunders, projectId, 'nsf'],
    [KEYS.otherFunder, projectId, otherFunders, 'horizon-eu'],
  ]) {
    const crossId = uniqueId('cross');
    const missing = uniqueId('no-such-project');
    const cross = await api()
      .post('/v1/cycles')
      .set(bearer(key))
      .send({ cycleId: crossId, name: 'Cross', closesAt: inSeconds(60), projectIds: [own, foreign, missing] });
    expect(cross.status).toBe(202);
    let crossView;
    for (const deadline = Date.now() + 20_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 300))) {
      crossView = expectStatus(await readAnswered(() => api().get(`/v1/cycles/${crossId}`).set(bearer(key))), 200).body;
      // The skips come from the shard and the project that declines; the own project records its item itself.
      if (crossView.skipped.length === 2 && crossView.items.length === 1) break;
    }
    expect(crossView.skipped.sort((a: { projectId: string }, b: { projectId: string }) => a.projectId.localeCompare(b.projectId))).toEqual(
      [
        { projectId: foreign, reason: NO_RUNNING_PROJECT },
        { projectId: missing, reason: NO_RUNNING_PROJECT },
      ].sort((a, b) => a.projectId.localeCompare(b.projectId)),
    );
    expect({ launched: crossView.launched, items: crossView.items.map((i: { projectId: string }) => i.projectId) }).toEqual({ launched: 1, items: [own] });
    expect(JSON.stringify(crossView)).not.toContain(`"${foreignFunder}"`);
  }
}, 90_000);

test('Idempotency-Key on a launch: the same key and body launch one cycle and answer alike; another body is 422', async () => {
  const key = uniqueId('launch');
  const body = { name: `Keyed ${key}`, closesAt: inSeconds(600), projectIds: [uniqueId('none')] };
  const first = await api().post('/v1/cycles').set(asFunder).set('Idempotency-Key', key).send(body);
  expect(first.status).toBe(202);
  expect(first.body.cycleId).toMatch(/^cy-[0-9a-f]{32}$/);
  const again = await api().post('/v1/cycles').set(asFunder).set('Idempotency-Key', key).send(body);
  expect({ status: again.status, body: again.body, location: again.headers.location }).toEqual({
    status: 202,
    body: first.body,
    location: first.headers.location,
  });
  const other = await api()
    .post('/v1/cycles')
    .set(asFunder)
    .set('Idempotency-Key', key)
    .send({ ...body, name: 'Another name' });
  expect({ status: other.status, code: other.body.error?.code }).toEqual({ status: 422, code: 'IDEMPOTENCY_KEY_REUSED' });
  expect((await cycleView(first.body.cycleId)).name).toBe(body.name);
});

test("a taken cycle id is 409 before anything is written, for its funder and any other; each funder's list is its own set, claimed by its cycle", async () => {
  const cycleId = uniqueId('taken');
  const closesAt = inSeconds(600);
  const sets = () =>
    snapshot(stack.records, (tx) =>
      tx.selectFrom('cycle_target_sets').select(['set_id', 'funder_id', 'cycle_id']).where('set_id', 'like', `${cycleId}:%`).orderBy('set_id').execute(),
    );
  const launch = (auth: Record<string, string>, projectIds: string[], key?: string) =>
    api()
      .post('/v1/cycles')
      .set(auth)
      .set(key ? { 'Idempotency-Key': key } : {})
      .send({ cycleId, name: 'Taken', closesAt, projectIds });
  const key = uniqueId('key');
  expect((await launch(asFunder, ['p-one'], key)).status).toBe(202);
  const first = await sets();
  expect(first).toEqual([{ set_id: expect.stringMatching(`^${cycleId}:`), funder_id: 'horizon-eu', cycle_id: cycleId }]);

  for (const [auth, list] of [
    [asFunder, ['p-two']],
    [asFunder, ['p-one']],
    [bearer(KEYS.otherFunder), ['p-one']],
  ] as const) {
    const refused = await launch(auth, [...list]);
    expect({ status: refused.status, body: refused.body }).toEqual({
      status: 409,
      body: {
        error: {
          code: 'CONFLICT',
          message: `the cycle id "${cycleId}" is taken: choose another cycleId, or leave it out and one is made`,
          details: [{ path: 'body.cycleId', message: 'is taken' }],
        },
      },
    });
  }
  // The first request again, with its key, gets its answer again; none of the refused lists was written.
  expect((await launch(asFunder, ['p-one'], key)).status).toBe(202);
  expect(await sets()).toEqual(first);
  expect((await cycleView(cycleId)).funderId).toBe('horizon-eu');
});

test("a cycle's projects in pages by outcome, from the records, also after its workflow is deleted", async () => {
  const projectId = await activeProject();
  const missing = Array.from({ length: 5 }, () => uniqueId('gone')).sort();
  const cycleId = uniqueId('cycle');
  const launched = await api()
    .post('/v1/cycles')
    .set(asFunder)
    .send({ cycleId, name: 'Paged review', closesAt: inSeconds(4), projectIds: [projectId, ...missing] });
  expect(launched.status).toBe(202);
  for (const deadline = Date.now() + 60_000; (await cycleView(cycleId)).status !== 'closed'; await new Promise((r) => setTimeout(r, 300))) {
    if (Date.now() > deadline) throw new Error('the cycle did not close within 60 s');
  }

  const page = async (query: Record<string, string | number>) => {
    const res = await api().get(`/v1/cycles/${cycleId}/items`).query(query).set(asFunder);
    expect(res.status).toBe(200);
    return res.body as { items: { projectId: string; outcome?: string; reason?: string }[]; nextCursor: string | null };
  };
  const all = async (query: Record<string, string | number>) => {
    const seen: string[][] = [];
    let cursor: string | null = null;
    do {
      const p = await page({ ...query, ...(cursor && { cursor }) });
      seen.push(p.items.map((i) => i.projectId));
      cursor = p.nextCursor;
    } while (cursor);
    return seen;
  };
  expect(await all({ outcome: 'skipped', limit: 2 })).toEqual([missing.slice(0, 2), missing.slice(2, 4), missing.slice(4)]);
  expect((await page({ outcome: 'skipped', limit: 1 })).items[0]).toEqual({ projectId: missing[0], reason: NO_RUNNING_PROJECT });
  expect((await page({ outcome: 'stalled' })).items).toEqual([expect.objectContaining({ projectId, outcome: 'stalled', milestoneIds: ['m1'] })]);
  expect((await page({ outcome: 'passed' })).items).toEqual([]);
  expect((await page({})).items.map((i) => i.projectId)).toEqual([projectId]); // every outcome but skipped
  const bad = await api().get(`/v1/cycles/${cycleId}/items`).query({ outcome: 'late', limit: 0 }).set(asFunder);
  expect({ status: bad.status, paths: bad.body.error.details.map((d: { path: string }) => d.path).sort() }).toEqual({
    status: 400,
    paths: ['query.limit', 'query.outcome'],
  });
  expect((await api().get(`/v1/cycles/${cycleId}/items`).set(bearer(KEYS.otherFunder))).status).toBe(404);

  // The cycle's workflow is deleted (as Temporal's retention would): the outcomes stay readable.
  const before = await cycleView(cycleId);
  await stack.client.workflowService.deleteWorkflowExecution({
    namespace: stack.client.options.namespace,
    workflowExecution: { workflowId: cycleWorkflowId(cycleId) },
  });
  // Deletion runs in the background; on a busy machine it may take a while.
  for (const deadline = Date.now() + 120_000; ; await new Promise((r) => setTimeout(r, 500))) {
    const gone = await stack.client.workflow
      .getHandle(cycleWorkflowId(cycleId))
      .describe()
      .then(
        () => false,
        (err) => err instanceof WorkflowNotFoundError,
      );
    if (gone) break;
    if (Date.now() > deadline) throw new Error('the cycle workflow was not deleted within 120 s');
  }
  expect(await cycleView(cycleId)).toEqual(before);
  expect(before).toMatchObject({ cycleId, status: 'closed', total: 6, launched: 1, counts: { stalled: 1 } });
  expect(before.skipped.map((s: { projectId: string }) => s.projectId)).toEqual(missing);
  // Kept for the policy's record-keeping period from its close, then purged (npm run purge-records).
  const { keep_until } = await snapshot(stack.records, (tx) =>
    tx.selectFrom('cycles').select('keep_until').where('cycle_id', '=', cycleId).executeTakeFirstOrThrow(),
  );
  expect(keep_until!.getTime() - Date.now()).toBeGreaterThan(recordKeepingMs(stack.policy) - 600_000);
}, 240_000);
