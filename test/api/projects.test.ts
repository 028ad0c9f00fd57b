/**
 * `/v1/projects` over HTTP against the real stack: a Temporal dev server, a
 * worker with the production activities mailing into MailDev, and the Express
 * app. Each test submits its own project (unique id) so tests never share state.
 */
import { Client, Connection, WorkflowNotFoundError } from '@temporalio/client';
import request from 'supertest';
import { LinkSigner } from '../../activities/link-tokens';
import { buildApp } from '../../api/app';
import { apiKeyRing } from '../../config/env';
import { hashKey, KeyRing, newFileKey } from '../../config/principals';
import { createLogger } from '../../config/logger';
import { projectWorkflowId, type ProjectView } from '../../workflows/definitions';
import { expectStatus, readAnswered } from '../helpers/api-read';
import { bearer, KEYS, LINK_SECRET, useApiStack } from '../helpers/api-stack';
import { parseCsv } from '../helpers/csv';
import { projectWith, smallProject, uniqueId } from '../helpers/fixtures';
import { testPolicy } from '../helpers/policy';
import { testRecords } from '../helpers/records';

const stack = useApiStack();

const api = () => request(stack.app);
const asCoordinator = bearer(KEYS.coordinator);
/** A GET that reads the workflow, sent again while it answers 503 (a query not answered in time, as under load). */
const read = (path: string, auth: Record<string, string> = asCoordinator) => readAnswered(() => api().get(path).set(auth));

/** A valid one-component (T1) submission with a title unique to the test, so its e-mails can be told apart. */
function submission(prefix = 'prj') {
  const id = uniqueId(prefix);
  return { ...smallProject(id), title: `Project ${id}` };
}

async function submit(body = submission()): Promise<string> {
  const res = await api().post('/v1/projects').set(asCoordinator).send(body);
  expect(res.status).toBe(201);
  return body.projectId;
}

const classified = (id: string) => stack.waitForView(id, (v) => v.components.every((c) => c.tier !== null), 'classification');

/** Submitted, classified, and the scoping notice sent: nothing more happens until the coordinator confirms. */
async function settledInScoping(body = submission()): Promise<ProjectView> {
  const id = await submit(body);
  await stack.waitForAudit(id, (e) => e.some((x) => x.action === 'email-sent'), 'the scoping notice');
  return classified(id);
}

/** The error contract of DESIGN §5. */
function expectError(res: request.Response, status: number, code: string) {
  expect({ status: res.status, code: res.body?.error?.code }).toEqual({ status, code });
  expect(typeof res.body.error.message).toBe('string');
  expect(Array.isArray(res.body.error.details)).toBe(true);
}

const detailPaths = (res: request.Response): string[] => res.body.error.details.map((d: { path: string }) => d.path);

/** "Nothing is started": no workflow under this project's id. */
async function expectNotStarted(projectId: string) {
  await expect(stack.client.workflow.getHandle(projectWorkflowId(projectId)).describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);
}

/** For bodies that carry no usable id: no workflow at all started on our task queue since `since`. */
async function expectNothingStartedSince(since: Date) {
  // Visibility lags history a little; give it a moment so a start would have shown up.
  await new Promise((r) => setTimeout(r, 1000));
  const { count } = await stack.client.workflow.count(`TaskQueue = '${stack.taskQueue}' AND StartTime >= '${since.toISOString()}'`);
  expect(count).toBe(0);
}

/** Until the project's workflow has ended (a withdrawn project completes). */
async function waitForClosed(projectId: string) {
  const handle = stack.client.workflow.getHandle(projectWorkflowId(projectId));
  const deadline = Date.now() + 20_000;
  while ((await handle.describe()).status.name === 'RUNNING') {
    if (Date.now() > deadline) throw new Error(`workflow of ${projectId} still running`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

describe('POST /v1/projects', () => {
  test('201 with the projectId; GET shows stage scoping, then the classification', async () => {
    const body = submission();
    const res = await api().post('/v1/projects').set(asCoordinator).send(body);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ projectId: body.projectId, stage: 'scoping' });
    expect(res.headers.location).toBe(`/v1/projects/${body.projectId}`);

    const first = await stack.view(body.projectId);
    expect(first).toMatchObject({ projectId: body.projectId, stage: 'scoping', funderId: 'horizon-eu', leadAgency: 'de-bafa' });

    const view = await classified(body.projectId);
    expect(view.stage).toBe('scoping');
    expect(view.components).toEqual([
      expect.objectContaining({
        id: 'c1',
        tier: 'T1',
        classifiedTier: 'T1',
        tierReason: expect.any(String),
        licence: expect.objectContaining({ status: 'in-review' }),
      }),
    ]);
    expect(view.openSteps).toEqual([]);
    // The coordinator is asked to confirm, by e-mail.
    await stack.waitForMail((m) => m.subject === `Scoping ready to confirm: ${body.title}` && m.to[0].address === 'a.weber@kit.example');
  });

  test('an admin may submit too, and without a projectId one is assigned', async () => {
    const { projectId: _omitted, ...body } = submission();
    const res = await api().post('/v1/projects').set(bearer(KEYS.admin)).send(body);
    expect(res.status).toBe(201);
    expect(res.body.projectId).toMatch(/^p-[0-9a-f]{24}$/);
    // The admin owns what it submits until it names a coordinator as a delegate.
    const read = expectStatus(await readAnswered(() => api().get(`/v1/projects/${res.body.projectId}`).set(bearer(KEYS.admin))), 200);
    expect(read.body).toMatchObject({ title: body.title, owner: 'admin', delegates: [] });
    expect((await api().get(`/v1/projects/${res.body.projectId}`).set(asCoordinator)).status).toBe(404);
  });

  test('the same projectId again is 409 CONFLICT and the first project is untouched', async () => {
    const body = submission();
    await submit(body);
    const again = await api()
      .post('/v1/projects')
      .set(asCoordinator)
      .send({ ...body, title: 'A different title' });
    expectError(again, 409, 'CONFLICT');
    expect((await stack.view(body.projectId)).title).toBe(body.title);
  });

  test('Idempotency-Key: the same key and body get the first answer again, another body is 422, and one project exists', async () => {
    const { projectId: _omitted, ...body } = submission('idem');
    const key = `submit-${uniqueId('k')}`;
    const first = await api().post('/v1/projects').set(asCoordinator).set('Idempotency-Key', key).send(body);
    expect(first.status).toBe(201);
    expect(first.body.projectId).toMatch(/^p-[0-9a-f]{32}$/);
    // The same body with its fields in another order is the same request.
    const reordered = Object.fromEntries(Object.entries(body).reverse());
    const again = await api().post('/v1/projects').set(asCoordinator).set('Idempotency-Key', key).send(reordered);
    expect({ status: again.status, body: again.body, location: again.headers.location }).toEqual({
      status: 201,
      body: first.body,
      location: first.headers.location,
    });
    const other = await api()
      .post('/v1/projects')
      .set(asCoordinator)
      .set('Idempotency-Key', key)
      .send({ ...body, title: 'Another title' });
    expectError(other, 422, 'IDEMPOTENCY_KEY_REUSED');
    expect(detailPaths(other)).toEqual(['header.Idempotency-Key']);
    expect((await stack.view(first.body.projectId)).title).toBe(body.title);
    // The key is the caller's own: another coordinator's same key is another request.
    const theirs = await api().post('/v1/projects').set(bearer(KEYS.otherCoordinator)).set('Idempotency-Key', key).send(body);
    expect(theirs.status).toBe(201);
    expect(theirs.body.projectId).not.toBe(first.body.projectId);
    // Without a key, the same body is a new project.
    const unkeyed = await api().post('/v1/projects').set(asCoordinator).send(body);
    expect(unkeyed.status).toBe(201);
    expect(unkeyed.body.projectId).not.toBe(first.body.projectId);
  });

  test('an Idempotency-Key that is not 1–200 printable characters is 400 naming the header, and nothing starts', async () => {
    const body = submission('badkey');
    const res = await api().post('/v1/projects').set(asCoordinator).set('Idempotency-Key', 'has spaces in it').send(body);
    expectError(res, 400, 'VALIDATION_FAILED');
    expect(detailPaths(res)).toEqual(['header.Idempotency-Key']);
    await expectNotStarted(body.projectId);
  });

  test('a civil-only funder refuses a military-list component: 400 naming the component and the rule, and nothing starts', async () => {
    const body = { ...projectWith('c1', 'c3'), funderId: 'horizon-eu' };
    const res = await api().post('/v1/projects').set(asCoordinator).send(body);
    expectError(res, 400, 'VALIDATION_FAILED');
    expect(res.body.error.details).toEqual([
      {
        path: 'body.components.1.controlCodes.0',
        message: 'European Commission, Horizon Europe funds civil activities only: component "c3" is on the military list (ML22)',
      },
    ]);
    await expectNotStarted(body.projectId);
  });

  describe('a bad body is 400 VALIDATION_FAILED naming each bad field, and starts nothing', () => {
    test('missing fields', async () => {
      const projectId = uniqueId('bad');
      const res = await api().post('/v1/projects').set(asCoordinator).send({ projectId });
      expectError(res, 400, 'VALIDATION_FAILED');
      expect(detailPaths(res)).toEqual(expect.arrayContaining(['body.title', 'body.funderId', 'body.coordinator', 'body.partners', 'body.components']));
      await expectNotStarted(projectId);
    });

    test('wrong types', async () => {
      const body = submission('bad');
      const res = await api()
        .post('/v1/projects')
        .set(asCoordinator)
        .send({ ...body, title: 42, partners: 'kit', components: [{ ...body.components[0], controlCodes: '3A001' }] });
      expectError(res, 400, 'VALIDATION_FAILED');
      expect(detailPaths(res)).toEqual(expect.arrayContaining(['body.title', 'body.partners', 'body.components.0.controlCodes']));
      await expectNotStarted(body.projectId);
    });

    test('an unknown field', async () => {
      const body = submission('bad');
      const res = await api()
        .post('/v1/projects')
        .set(asCoordinator)
        .send({ ...body, budgetEur: 1_000_000 });
      expectError(res, 400, 'VALIDATION_FAILED');
      // zod reports an unrecognised key on the object, naming the key in the message.
      expect(res.body.error.details).toEqual([{ path: 'body.budgetEur', message: 'is not a known field' }]);
      await expectNotStarted(body.projectId);
    });

    test('a funder the policy does not know', async () => {
      const body = { ...submission('bad'), funderId: 'acme-foundation' };
      const res = await api().post('/v1/projects').set(asCoordinator).send(body);
      expectError(res, 400, 'VALIDATION_FAILED');
      expect(detailPaths(res)).toEqual(['body.funderId']);
      await expectNotStarted(body.projectId);
    });

    test('a malformed country code is named once; an exporter’s country without a licensing agency is named; a receiving partner needs none', async () => {
      const body = submission('bad');
      body.partners = [{ ...body.partners[0], country: 'Germany' }, ...body.partners.slice(1)];
      let res = await api().post('/v1/projects').set(asCoordinator).send(body);
      expectError(res, 400, 'VALIDATION_FAILED');
      expect(detailPaths(res)).toEqual(['body.partners.0.country']);
      // ORNL only receives: a country with no agency is no obstacle. Exporting from it is.
      body.partners = [submission('bad').partners[0], { ...body.partners[1], country: 'ZZ' }];
      body.components = body.components.map((c, i) => (i === 0 ? { ...c, exporter: body.partners[1].id } : c));
      res = await api().post('/v1/projects').set(asCoordinator).send(body);
      expectError(res, 400, 'VALIDATION_FAILED');
      expect(detailPaths(res)).toEqual(['body.components.0.exporter']);
      await expectNotStarted(body.projectId);
    });

    test('a recipient that is not a partner', async () => {
      const body = submission('bad');
      body.components = [{ ...body.components[0], recipients: ['ornl', 'cern'] }];
      const res = await api().post('/v1/projects').set(asCoordinator).send(body);
      expectError(res, 400, 'VALIDATION_FAILED');
      expect(detailPaths(res)).toEqual(['body.components.0.recipients.1']);
      await expectNotStarted(body.projectId);
    });

    test('malformed JSON', async () => {
      const projectId = uniqueId('bad');
      const res = await api().post('/v1/projects').set(asCoordinator).set('Content-Type', 'application/json').send(`{"projectId":"${projectId}","title":`);
      expectError(res, 400, 'VALIDATION_FAILED');
      expect(detailPaths(res)).toEqual(['body']);
      await expectNotStarted(projectId);
    });

    test('a body over the size limit', async () => {
      const body = submission('bad');
      // The JSON parser's limit is 256 kB; the description alone is larger.
      body.components = [{ ...body.components[0], description: 'x'.repeat(300_000) }];
      const res = await api().post('/v1/projects').set(asCoordinator).send(body);
      expectError(res, 400, 'VALIDATION_FAILED');
      expect(res.body.error.message).toMatch(/too large/);
      await expectNotStarted(body.projectId);
    });

    test('a body that is not an object (an array, a bare string, no JSON at all)', async () => {
      const since = new Date();
      for (const send of [
        () =>
          api()
            .post('/v1/projects')
            .set(asCoordinator)
            .send([submission('bad')]),
        () => api().post('/v1/projects').set(asCoordinator).set('Content-Type', 'application/json').send('"a project"'),
        () => api().post('/v1/projects').set(asCoordinator).set('Content-Type', 'text/plain').send('title=x'),
      ]) {
        const res = await send();
        expectError(res, 400, 'VALIDATION_FAILED');
        expect(detailPaths(res)).toEqual(['body']);
      }
      await expectNothingStartedSince(since);
    });
  });

  describe('authentication and roles', () => {
    test('no key, or a key nobody issued, is 401', async () => {
      const body = submission('auth');
      expectError(await api().post('/v1/projects').send(body), 401, 'UNAUTHORIZED');
      expectError(await api().post('/v1/projects').set(bearer('not-a-real-key')).send(body), 401, 'UNAUTHORIZED');
      expectError(await api().post('/v1/projects').set('Authorization', `Basic ${KEYS.coordinator}`).send(body), 401, 'UNAUTHORIZED');
      await expectNotStarted(body.projectId);
      const id = await submit();
      expectError(await api().get(`/v1/projects/${id}`), 401, 'UNAUTHORIZED');
      expectError(await api().get(`/v1/projects/${id}`).set(bearer('not-a-real-key')), 401, 'UNAUTHORIZED');
    });

    test('a funder may not submit: 403, nothing started', async () => {
      const body = submission('auth');
      expectError(await api().post('/v1/projects').set(bearer(KEYS.funder)).send(body), 403, 'FORBIDDEN');
      await expectNotStarted(body.projectId);
    });

    test("a funder reads its own projects; another funder's is answered exactly as a missing one", async () => {
      const id = await submit(); // funded by horizon-eu
      const own = expectStatus(await read(`/v1/projects/${id}`, bearer(KEYS.funder)), 200);
      expect(own.body.projectId).toBe(id);
      // Refused once the project is read (its funder is in the workflow): read again on 503 like any read.
      const other = await read(`/v1/projects/${id}`, bearer(KEYS.otherFunder));
      const missing = await read(`/v1/projects/${uniqueId('missing')}`, bearer(KEYS.otherFunder));
      expect({ status: other.status, body: other.body }).toEqual({ status: 404, body: missing.body });
      expectError(await read(`/v1/projects/${id}/audit`, bearer(KEYS.otherFunder)), 404, 'NOT_FOUND');
      expectStatus(await read(`/v1/projects/${id}/audit`, bearer(KEYS.funder)), 200);
    });
  });

  test('GET of a project that does not exist is 404', async () => {
    expectError(await read(`/v1/projects/${uniqueId('nobody')}`), 404, 'NOT_FOUND');
    expectError(await read(`/v1/projects/${uniqueId('nobody')}/audit`), 404, 'NOT_FOUND');
  });

  test('a malformed :id is 400 naming the path parameter', async () => {
    for (const bad of ['bad%20id', '-leading-dash', 'x'.repeat(65)]) {
      const res = await api().get(`/v1/projects/${bad}`).set(asCoordinator);
      expectError(res, 400, 'VALIDATION_FAILED');
      expect(detailPaths(res)).toEqual(['path.id']);
    }
  });
});

describe('POST /v1/projects/:id/scoping', () => {
  test('{} confirms as classified and the grant review opens', async () => {
    const { projectId } = await settledInScoping();
    const res = await api().post(`/v1/projects/${projectId}/scoping`).set(asCoordinator).send({});
    expect(res.status).toBe(200);
    expect(res.body.components).toEqual([expect.objectContaining({ id: 'c1', tier: 'T1' })]);
    const view = await stack.waitForView(projectId, (v) => v.openSteps.length === 2, 'the grant steps');
    expect(view.stage).toBe('grant-review');
    expect(view.openSteps.map((s) => s.stepId).sort()).toEqual(['grant-agency', 'grant-funder']);
    expect((await stack.audit(projectId)).filter((e) => e.action === 'scoping-confirmed')).toEqual([
      expect.objectContaining({ channel: 'api', detail: 'confirmed as classified' }),
    ]);
  });

  test('an override raising a tier is applied', async () => {
    const { projectId } = await settledInScoping();
    const res = await api()
      .post(`/v1/projects/${projectId}/scoping`)
      .set(asCoordinator)
      .send({ overrides: [{ componentId: 'c1', tier: 'T3', justification: 'the board goes to a defence lab' }] });
    expect(res.status).toBe(200);
    expect(res.body.components).toEqual([
      expect.objectContaining({ id: 'c1', tier: 'T3', classifiedTier: 'T1', tierReason: expect.stringContaining('raised from T1') }),
    ]);
    expect((await stack.view(projectId)).components[0].tier).toBe('T3');
    expect((await stack.audit(projectId)).map((e) => e.action)).toContain('tier-raised');
  });

  test('lowering a tier without a justification is 400 naming overrides.0.justification, and changes nothing', async () => {
    const { projectId } = await settledInScoping();
    const auditBefore = await stack.audit(projectId);
    const res = await api()
      .post(`/v1/projects/${projectId}/scoping`)
      .set(asCoordinator)
      .send({ overrides: [{ componentId: 'c1', tier: 'T0' }] });
    expectError(res, 400, 'VALIDATION_FAILED');
    expect(detailPaths(res)).toEqual(['body.overrides.0.justification']);
    const view = await stack.view(projectId);
    expect(view.stage).toBe('scoping');
    expect(view.components[0]).toMatchObject({ tier: 'T1' });
    expect(view.components[0].pendingTier).toBeUndefined();
    expect(await stack.audit(projectId)).toEqual(auditBefore);
    // The rejected confirmation did not count: a valid one still goes through.
    expect((await api().post(`/v1/projects/${projectId}/scoping`).set(asCoordinator).send({})).status).toBe(200);
  });

  test('an override for an unknown component, or an unknown tier, is 400', async () => {
    const { projectId } = await settledInScoping();
    const unknown = await api()
      .post(`/v1/projects/${projectId}/scoping`)
      .set(asCoordinator)
      .send({ overrides: [{ componentId: 'c9', tier: 'T2' }] });
    expectError(unknown, 400, 'VALIDATION_FAILED');
    expect(detailPaths(unknown)).toEqual(['body.overrides.0.componentId']);
    const badTier = await api()
      .post(`/v1/projects/${projectId}/scoping`)
      .set(asCoordinator)
      .send({ overrides: [{ componentId: 'c1', tier: 'T9' }] });
    expectError(badTier, 400, 'VALIDATION_FAILED');
    expect(detailPaths(badTier)).toEqual(['body.overrides.0.tier']);
    expect((await stack.view(projectId)).stage).toBe('scoping');
  });

  test('a second confirmation is 409', async () => {
    const { projectId } = await settledInScoping();
    expect((await api().post(`/v1/projects/${projectId}/scoping`).set(asCoordinator).send({})).status).toBe(200);
    expectError(await api().post(`/v1/projects/${projectId}/scoping`).set(asCoordinator).send({}), 409, 'CONFLICT');
    expect((await stack.audit(projectId)).filter((e) => e.action === 'scoping-confirmed')).toHaveLength(1);
  });

  test('a funder may not confirm: 403; an unknown project is 404', async () => {
    const { projectId } = await settledInScoping();
    expectError(await api().post(`/v1/projects/${projectId}/scoping`).set(bearer(KEYS.funder)).send({}), 403, 'FORBIDDEN');
    expect((await stack.view(projectId)).stage).toBe('scoping');
    expectError(
      await api()
        .post(`/v1/projects/${uniqueId('nobody')}/scoping`)
        .set(asCoordinator)
        .send({}),
      404,
      'NOT_FOUND',
    );
  });
});

describe('POST /v1/projects/:id/withdraw', () => {
  test('closes the open steps, tells their reviewers, and a second withdrawal is 409', async () => {
    const body = submission('wd');
    const { projectId } = await settledInScoping(body);
    expect((await api().post(`/v1/projects/${projectId}/scoping`).set(asCoordinator).send({})).status).toBe(200);
    // Both grant reviewers have their request before we withdraw.
    await stack.waitForAudit(projectId, (e) => e.filter((x) => x.action === 'email-sent' && x.stepId).length === 2, 'the two grant e-mails');

    const res = await api().post(`/v1/projects/${projectId}/withdraw`).set(asCoordinator).send({ reason: 'consortium dissolved' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ projectId, stage: 'withdrawn', closedSteps: 2 });

    const view = await stack.view(projectId);
    expect(view.stage).toBe('withdrawn');
    expect(view.openSteps).toEqual([]);
    expect(view.steps.map((s) => [s.stepId, s.status]).sort()).toEqual([
      ['grant-agency', 'closed'],
      ['grant-funder', 'closed'],
    ]);
    for (const reviewer of ['programme-officer@horizon-eu.example', 'ausfuhr@bafa.example']) {
      const mail = await stack.waitForMail((m) => m.subject === `No longer needed: ${body.title} — grant` && m.to[0].address === reviewer);
      expect(mail.text).toContain('withdrawn');
    }
    await stack.waitForMail((m) => m.subject === `Project withdrawn: ${body.title}` && m.text.includes('consortium dissolved'));

    // The workflow has ended by now; a retried withdrawal (or any other change) must say why it cannot, not 404.
    await waitForClosed(projectId);
    const again = await api().post(`/v1/projects/${projectId}/withdraw`).set(asCoordinator).send({});
    expectError(again, 409, 'CONFLICT');
    expect(again.body.error.message).toContain('withdrawn');
    expectError(await api().post(`/v1/projects/${projectId}/scoping`).set(asCoordinator).send({}), 409, 'CONFLICT');
    expect((await stack.view(projectId)).stage).toBe('withdrawn');
  });

  test('a bad body is 400 and withdraws nothing; a funder is 403', async () => {
    const { projectId } = await settledInScoping();
    const bad = await api().post(`/v1/projects/${projectId}/withdraw`).set(asCoordinator).send({ reason: 'x', notify: false });
    expectError(bad, 400, 'VALIDATION_FAILED');
    expect(bad.body.error.details).toEqual([{ path: 'body.notify', message: 'is not a known field' }]);
    const empty = await api().post(`/v1/projects/${projectId}/withdraw`).set(asCoordinator).send({ reason: '   ' });
    expectError(empty, 400, 'VALIDATION_FAILED');
    expect(detailPaths(empty)).toEqual(['body.reason']);
    expectError(await api().post(`/v1/projects/${projectId}/withdraw`).set(bearer(KEYS.funder)).send({}), 403, 'FORBIDDEN');
    expect((await stack.view(projectId)).stage).toBe('scoping');
    expect((await stack.audit(projectId)).map((e) => e.action)).not.toContain('withdrawal-requested');
  });
});

test("an agency key reads no project, audit trail or stalled list: its staff's seat is their queue (agency-seats.test.ts)", async () => {
  const { projectId } = await settledInScoping();
  for (const path of [`/v1/projects/${projectId}`, `/v1/projects/${projectId}/audit`, '/v1/milestones/stalled']) {
    const res = await request(stack.app).get(path).set(bearer(KEYS.agency));
    expect({ path, status: res.status, code: res.body.error?.code }).toEqual({ path, status: 403, code: 'FORBIDDEN' });
  }
});

describe('ownership', () => {
  test("another coordinator's project answers exactly as a missing one, on every route, and nothing changes", async () => {
    const { projectId } = await settledInScoping();
    const missingId = uniqueId('missing');
    const asOther = bearer(KEYS.otherCoordinator);
    for (const [method, path] of [
      ['get', ''],
      ['get', '/audit'],
      ['post', '/scoping'],
      ['post', '/withdraw'],
      ['post', '/info'],
      ['post', '/delegates'],
      ['post', '/appeals'],
      ['post', '/reports'],
      ['post', '/components/c1/resubmission'],
    ] as const) {
      const call = (id: string) => readAnswered(() => request(stack.app)[method](`/v1/projects/${id}${path}`).set(asOther).send({}));
      const [foreign, missing] = [await call(projectId), await call(missingId)];
      expect({ method, path, status: foreign.status, body: foreign.body }).toEqual({ method, path, status: 404, body: missing.body });
    }
    const view = await classified(projectId);
    expect(view.stage).toBe('scoping');
    expect((await stack.audit(projectId)).map((e) => e.actor)).not.toContain('coordinator:j.martin');
  });

  test(
    'the owner makes another coordinator a delegate, who then acts on the ' + 'project but adds or removes no delegates, until the owner removes them',
    async () => {
      const { projectId } = await settledInScoping();
      const added = await api().post(`/v1/projects/${projectId}/delegates`).set(bearer(KEYS.coordinator)).send({ userId: 'j.martin' });
      expect({ status: added.status, body: added.body }).toEqual({
        status: 200,
        body: { projectId, owner: 'coordinator:a.weber', delegates: ['coordinator:j.martin'] },
      });
      const asDelegate = bearer(KEYS.otherCoordinator);
      expect(expectStatus(await read(`/v1/projects/${projectId}`, asDelegate), 200).body).toMatchObject({ owner: 'coordinator:a.weber' });
      expect((await api().post(`/v1/projects/${projectId}/scoping`).set(asDelegate).send({})).status).toBe(200);
      expectError(await api().post(`/v1/projects/${projectId}/delegates`).set(asDelegate).send({ userId: 'someone.else' }), 403, 'FORBIDDEN');
      expectError(
        await api().post(`/v1/projects/${projectId}/delegates`).set(bearer(KEYS.coordinator)).send({ userId: 'not a user' }),
        400,
        'VALIDATION_FAILED',
      );
      const trail = await stack.audit(projectId);
      expect(trail.find((e) => e.action === 'delegate-added')).toMatchObject({
        actor: 'coordinator:a.weber',
        detail: expect.stringContaining('coordinator:j.martin'),
      });
      expect(trail.filter((e) => e.actor === 'coordinator:j.martin').length).toBeGreaterThan(0);
      expect(trail.filter((e) => e.action === 'delegate-added')).toHaveLength(1);

      // A delegate removes nobody; the owner removes the delegate, who then sees the project no more.
      const removal = (userId: string, key: string) => api().post(`/v1/projects/${projectId}/delegates/${userId}/removal`).set(bearer(key)).send();
      expectError(await removal('j.martin', KEYS.otherCoordinator), 403, 'FORBIDDEN');
      expect(expectStatus(await removal('j.martin', KEYS.coordinator), 200).body).toEqual({ projectId, owner: 'coordinator:a.weber', delegates: [] });
      expect((await read(`/v1/projects/${projectId}`, asDelegate)).status).toBe(404);
      expectError(await removal('j.martin', KEYS.coordinator), 404, 'NOT_FOUND');
      expect((await stack.audit(projectId)).find((e) => e.action === 'delegate-removed')).toMatchObject({
        actor: 'coordinator:a.weber',
        detail: expect.stringContaining('coordinator:j.martin'),
      });
    },
  );
});

describe('GET /v1/projects/:id/audit', () => {
  test('JSON: ordered entries with actor, time and channel; CSV: a header row and one row per entry', async () => {
    const { projectId } = await settledInScoping();
    const json = expectStatus(await read(`/v1/projects/${projectId}/audit`), 200);
    const entries = json.body.entries as { at: string; actor: string; action: string; channel: string }[];
    expect(json.body.projectId).toBe(projectId);
    expect(entries.map((e) => e.action)).toEqual(['project-submitted', 'classified', 'email-sent']);
    expect(entries[0]).toMatchObject({ actor: 'coordinator:a.weber', channel: 'api' });
    expect(JSON.stringify(entries)).not.toContain(KEYS.coordinator); // the actor is the principal, never the key
    expect([...entries].sort((a, b) => a.at.localeCompare(b.at))).toEqual(entries);

    const csv = expectStatus(await read(`/v1/projects/${projectId}/audit?format=csv`), 200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    expect(csv.headers['content-disposition']).toContain(`audit-${projectId}.csv`);
    const rows = parseCsv(csv.text);
    expect(rows[0]).toEqual(['at', 'actor', 'actorName', 'action', 'channel', 'componentId', 'stepId', 'detail']);
    expect(rows.slice(1).map((r) => [r[0], r[3], r[4]])).toEqual(entries.map((e) => [e.at, e.action, e.channel]));
  });

  test('names the people who acted: the principal id, and its name from PRINCIPALS_FILE', async () => {
    const { keyId, key } = newFileKey();
    const principals = KeyRing.fromFile({
      principals: [
        {
          id: 'coordinator:a.weber',
          role: 'coordinator',
          scope: 'a.weber',
          name: 'Anna Weber',
          email: 'a.weber@kit.example',
          keys: [{ keyId, hash: hashKey(key.slice(keyId.length + 1)) }],
        },
      ],
    });
    const named = buildApp({
      records: testRecords(),
      client: stack.client,
      connection: stack.env.connection,
      config: { apiKeys: principals, policy: stack.policy, TASK_QUEUE: stack.taskQueue },
      signer: stack.signer,
      logger: createLogger('silent', 'api-test'),
    });
    const body = submission('named');
    expect((await request(named).post('/v1/projects').set(bearer(key)).send(body)).status).toBe(201);
    const entries = expectStatus(await readAnswered(() => request(named).get(`/v1/projects/${body.projectId}/audit`).set(bearer(key))), 200).body.entries;
    expect(entries[0]).toMatchObject({ actor: 'coordinator:a.weber', actorName: 'Anna Weber', action: 'project-submitted' });
    expect(entries.filter((e: { actor: string }) => e.actor === 'system').every((e: { actorName?: string }) => e.actorName === undefined)).toBe(true);
    const csv = parseCsv(
      expectStatus(await readAnswered(() => request(named).get(`/v1/projects/${body.projectId}/audit?format=csv`).set(bearer(key))), 200).text,
    );
    expect(csv[1].slice(0, 4)).toEqual([entries[0].at, 'coordinator:a.weber', 'Anna Weber', 'project-submitted']);
  });

  test('an unknown format is 400 naming the query parameter', async () => {
    const { projectId } = await settledInScoping();
    const res = await api().get(`/v1/projects/${projectId}/audit?format=xml`).set(asCoordinator);
    expectError(res, 400, 'VALIDATION_FAILED');
    expect(detailPaths(res)).toEqual(['query.format']);
  });
});

describe('health', () => {
  test('/healthz and /readyz answer 200 with Temporal up, without a key', async () => {
    const live = await api().get('/healthz');
    expect(live.status).toBe(200);
    expect(live.body).toEqual({ status: 'ok' });
    // Its 2-s health check is read again should it not answer in time under load.
    const ready = expectStatus(await readAnswered(() => api().get('/readyz')), 200);
    expect(ready.body).toMatchObject({ status: 'ready' });
  });

  const unreachable =
    'with Temporal unreachable, /readyz and the project writes answer 503 UNAVAILABLE quickly instead of hanging; reads answer from the records';
  test(unreachable, async () => {
    // Nothing listens on port 1: the lazy connection never gets through.
    const connection = Connection.lazy({ address: '127.0.0.1:1' });
    try {
      const app = buildApp({
        records: testRecords(),
        client: new Client({ connection }),
        connection,
        config: { apiKeys: apiKeyRing(`coordinator:a.weber=${KEYS.coordinator}`), policy: testPolicy(), TASK_QUEUE: 'unreachable' },
        signer: new LinkSigner(LINK_SECRET),
        logger: createLogger('silent', 'api-test'),
        temporalTimeoutMs: 2000,
      });
      const started = Date.now();
      const ready = await request(app).get('/readyz');
      // Bounded by the 2 s health deadline (with slack for a loaded machine), not the gRPC default of waiting forever.
      expect(Date.now() - started).toBeLessThan(6000);
      expectError(ready, 503, 'UNAVAILABLE');

      const t1 = Date.now();
      expectError(await request(app).get(`/v1/projects/${uniqueId()}`).set(asCoordinator), 404, 'NOT_FOUND');
      expectError(await request(app).post('/v1/projects').set(asCoordinator).send(submission()), 503, 'UNAVAILABLE');
      expect(Date.now() - t1).toBeLessThan(12_000);
      // Liveness does not depend on Temporal.
      expect((await request(app).get('/healthz')).status).toBe(200);
    } finally {
      await connection.close();
    }
  });
});
