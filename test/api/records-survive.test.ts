/**
 * Records outlive their workflows (DESIGN §8 "Records"): a project is granted its licence and withdrawn, then every
 * workflow execution of it is terminated and deleted with the Temporal CLI, as Temporal's retention would. The API
 * still serves its view, its audit trail (JSON and CSV) and its licence, exactly as before, from the record store:
 * on the suite's embedded PGlite and on a real PostgreSQL server.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import request from 'supertest';
import { temporalCliPath } from '../../scripts/lib/stack';
import { bearer, KEYS, startApiStack, type ApiStack } from '../helpers/api-stack';
import { AGENCY_REVIEWER, toGrantReview, tokenOf } from '../helpers/grant-review';
import { startPostgres, type ThrowawayPostgres } from '../../scripts/lib/postgres';

const run = promisify(execFile);
const asCoordinator = bearer(KEYS.coordinator);

describe.each([
  ['PGlite (the suite’s record store)', false],
  ['PostgreSQL', true],
])('on %s', (_name, ownPostgres) => {
  let stack: ApiStack;
  let postgres: ThrowawayPostgres | undefined;
  beforeAll(async () => {
    if (ownPostgres) postgres = await startPostgres();
    stack = await startApiStack({ databaseUrl: postgres?.url });
  }, 180_000);
  afterAll(async () => {
    await stack?.stop();
    await postgres?.stop();
  }, 60_000);

  const api = () => request(stack.app);
  const read = async (path: string) => {
    const res = await api().get(path).set(asCoordinator);
    return { status: res.status, type: res.type, body: res.type === 'text/csv' ? res.text : res.body };
  };
  const temporal = (...args: string[]) =>
    run(temporalCliPath(), ['workflow', ...args, '--address', stack.env.address, '--namespace', stack.client.options.namespace, '--yes']);

  test('withdrawn, its workflows terminated and deleted: view, audit trail (JSON, CSV) and licence are served as before', async () => {
    const { projectId, title, funderToken, agencyToken } = await toGrantReview(stack, 'Records survive');
    for (const token of [funderToken, agencyToken])
      expect((await api().post(`/r/${token}`).set('Accept', 'application/json').send({ decision: 'approve' })).status).toBe(200);
    const licenceMail = await stack.waitForMail(
      (m) => m.to[0]?.address === AGENCY_REVIEWER && m.subject.startsWith(`Review requested: ${title} — `) && !m.subject.includes('grant'),
    );
    expect(
      (
        await api()
          .post(`/r/${tokenOf(licenceMail)}`)
          .set('Accept', 'application/json')
          .send({ decision: 'approve' })
      ).status,
    ).toBe(200);
    await stack.waitForView(projectId, (v) => v.components[0].licence.status === 'approved', 'licence granted');
    await stack.waitForAudit(projectId, (e) => e.some((x) => x.action === 'compliance-monitoring-started'), 'the licence monitored');
    expect([200, 202]).toContain((await api().post(`/v1/projects/${projectId}/withdraw`).set(asCoordinator).send({ reason: 'records test' })).status);
    await stack.waitForView(projectId, (v) => v.stage === 'withdrawn', 'withdrawn');

    const paths = [`/v1/projects/${projectId}`, `/v1/projects/${projectId}/audit`, `/v1/projects/${projectId}/audit?format=csv`];
    const before = await Promise.all(paths.map(read));
    expect(before.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(before[0].body.components[0].licence).toMatchObject({ status: 'approved', licenceId: expect.any(String), validUntil: expect.any(String) });
    expect(before[1].body.entries.map((e: { action: string }) => e.action)).toEqual(
      expect.arrayContaining(['project-submitted', 'decision-recorded', 'withdrawal-requested']),
    );

    // Every execution of the project (project, licence review, compliance monitor) is ended and deleted.
    const query = `ProjectId = '${projectId}'`;
    const { stdout } = await run(temporalCliPath(), [
      'workflow',
      'count',
      '--query',
      query,
      '--address',
      stack.env.address,
      '--namespace',
      stack.client.options.namespace,
    ]);
    expect(Number(/(\d+)/.exec(stdout)?.[1])).toBeGreaterThanOrEqual(3);
    // None may be running any more: then the CLI has nothing to terminate and says so.
    await temporal('terminate', '--query', `${query} AND ExecutionStatus = 'Running'`, '--reason', 'records test').catch(() => undefined);
    await temporal('delete', '--query', query);
    for (const deadline = Date.now() + 120_000; ;) {
      const left = await stack.client.workflow.count(query);
      if (left.count === 0) break;
      if (Date.now() > deadline) throw new Error(`${left.count} executions of ${projectId} still listed 120 s after their deletion`);
      await new Promise((r) => setTimeout(r, 500));
    }
    await expect(stack.client.workflow.getHandle(`project-${projectId}`).describe()).rejects.toThrow(/not found/i);

    expect(await Promise.all(paths.map(read))).toEqual(before);
  }, 240_000);
});
