/**
 * Amendments on a real dev server (mail mocked, classification and records real): an approval given for the old facts
 * does not count after a change to what it approved, an unchanged licence stands, and two amendments sent at once
 * are both applied, in order, the second told of the first.
 */
import { amendmentSchema } from '../../domain/amendments';
import type { Project } from '../../domain/project';
import { snapshot } from '../../records/database';
import { AmendmentRejection, amendUpdate, type AmendResult } from '../../workflows/amendment-contract';
import { complianceMonitorWorkflowId } from '../../workflows/compliance-contract';
import { licenceWorkflowId } from '../../workflows/definitions';
import { projectWith } from '../helpers/fixtures';
import { testPolicy } from '../helpers/policy';
import { testRecords } from '../helpers/records';
import { mockActivities, noticeSent, recordedAudit, rejectionType, useWorkflowEnv, type ProjectHandle } from '../helpers/workflow-harness';

const policy = testPolicy();
const { env, withWorker, start, waitForView, decide, confirm } = useWorkflowEnv(policy);

const amend = (handle: ProjectHandle, body: unknown): Promise<AmendResult> =>
  handle.executeUpdate(amendUpdate, { args: [{ amendment: amendmentSchema.parse(body), amendedBy: 'coordinator#test' }] });

/** The submission as the records keep it (amended in place by each amendment). */
async function recordedSubmission(projectId: string): Promise<Project> {
  const row = await snapshot(testRecords(), (tx) =>
    tx.selectFrom('projects').select('submission').where('project_id', '=', projectId).executeTakeFirstOrThrow(),
  );
  return (typeof row.submission === 'string' ? JSON.parse(row.submission) : row.submission) as Project;
}

/** c1 (T1: BAFA alone) and c2 (T2: BAFA issues, the US advises), both from KIT (DE) to ORNL (US); the grant approved. */
async function activeProject(tq: string) {
  const project = projectWith('c1', 'c2');
  const handle = await start(tq, project);
  await confirm(handle);
  await decide(handle, ['grant-funder', 'grant-agency']);
  return { project, handle };
}

test('an approval given before a change to what it approved does not count: the review opens again, and no licence until it completes', async () => {
  const acts = mockActivities();
  await withWorker(acts, async (tq) => {
    const { project, handle } = await activeProject(tq);
    const id = project.projectId;
    // BAFA, the issuer, approves c2; the US's advice is still open.
    await decide(handle, ['c2-de-bafa']);
    await decide(handle, ['c1-de-bafa']);

    const c2 = project.components.find((c) => c.id === 'c2')!;
    const answer = await amend(handle, { components: [{ ...c2, destinations: ['US', 'CA'] }] });
    expect(answer).toEqual({ amendmentId: 'amendment-1', after: [], changes: ['component c2: destinations changed'], reviewedAgain: ['c2'] });

    // The old review is ended (its open step closed, saying why); the new one asks BAFA again, in a new workflow.
    const second = licenceWorkflowId(id, 'c2', 2);
    let view = await waitForView(handle, (v) => v.openSteps.some((s) => s.stepId === 'c2-de-bafa' && s.workflowId === second), 'c2 reviewed again');
    const old = view.steps.filter((s) => s.workflowId === licenceWorkflowId(id, 'c2'));
    expect(old.find((s) => s.stepId === 'c2-de-bafa')).toMatchObject({ status: 'decided', outcome: 'approved' });
    expect(old.find((s) => s.stepId === 'c2-us-bis')).toMatchObject({ status: 'closed' });
    expect(old.find((s) => s.stepId === 'c2-us-bis')!.closedReason).toContain('amendment-1 changed the component (destinations)');
    expect(view.components.find((c) => c.id === 'c2')!.licence.status).toBe('in-review');
    expect(view.components.find((c) => c.id === 'c1')!.licence.status).toBe('approved');

    // Deciding the old advice does nothing; only the new steps decide the licence, and it waits for all of them.
    await decide(handle, ['c2-de-bafa']);
    view = await waitForView(
      handle,
      (v) => v.steps.some((s) => s.workflowId === second && s.stepId === 'c2-de-bafa' && s.status === 'decided'),
      'new approval',
    );
    expect(view.components.find((c) => c.id === 'c2')!.licence.status).toBe('in-review');
    const open = view.openSteps.filter((s) => s.workflowId === second).map((s) => s.stepId);
    expect(open.length).toBeGreaterThan(0);
    await decide(handle, open);
    view = await waitForView(handle, (v) => v.components.find((c) => c.id === 'c2')!.licence.status === 'approved', 'c2 licensed again');

    const audit = await recordedAudit(handle);
    const actions = audit.map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['amendment-accepted', 'reclassified', 'review-superseded', 'amendment-applied']));
    expect(audit.find((e) => e.action === 'amendment-accepted')).toMatchObject({ actor: 'coordinator#test', channel: 'api' });
    expect(audit.filter((e) => e.action === 'licence-granted' && e.componentId === 'c2')).toHaveLength(1); // only for the new facts
    expect(await noticeSent(acts, (n) => n.kind === 'amendment-applied' && n.text.includes('High-speed camera'))).toBe(true);
    // The reviewer whose open step the amendment closed was told; the issuer was asked again.
    expect(acts.sendStepClosed.mock.calls.some(([{ step }]) => step.stepId === 'c2-us-bis')).toBe(true);
    expect(acts.sendReviewRequest.mock.calls.filter(([{ step }]) => step.stepId === 'c2-de-bafa')).toHaveLength(2);
    expect((await recordedSubmission(id)).components.find((c) => c.id === 'c2')!.destinations).toEqual(['US', 'CA']);
  });
});

test('an issued licence for the old facts no longer stands; the unchanged component’s licence does', async () => {
  const acts = mockActivities();
  await withWorker(acts, async (tq) => {
    const { project, handle } = await activeProject(tq);
    await decide(handle, ['c1-de-bafa', 'c2-de-bafa', 'c2-us-bis']);
    const before = await waitForView(handle, (v) => v.components.every((c) => c.licence.status === 'approved'), 'both licensed');
    const c1Licence = before.components.find((c) => c.id === 'c1')!.licence;
    // Both licences in use: their compliance monitors run (each starts just after its licence is recorded).
    const monitorStatus = async (componentId: string) =>
      (await env().client.workflow.getHandle(complianceMonitorWorkflowId(project.projectId, componentId)).describe()).status.name;
    const statusOrNone = (componentId: string) => monitorStatus(componentId).catch(() => 'NOT STARTED');
    for (const until = Date.now() + 20_000; Date.now() < until; await new Promise((r) => setTimeout(r, 250))) {
      if ((await statusOrNone('c1')) === 'RUNNING' && (await statusOrNone('c2')) === 'RUNNING') break;
    }
    expect([await statusOrNone('c1'), await statusOrNone('c2')]).toEqual(['RUNNING', 'RUNNING']);

    const c2 = project.components.find((c) => c.id === 'c2')!;
    await amend(handle, { components: [{ ...c2, controlCodes: ['6A003'], description: 'Framing camera, 2 Mfps' }] });
    const view = await waitForView(handle, (v) => v.openSteps.some((s) => s.workflowId === licenceWorkflowId(project.projectId, 'c2', 2)), 'c2 reviewed again');
    expect(view.components.find((c) => c.id === 'c2')!.licence.status).toBe('in-review');
    const c1 = view.components.find((c) => c.id === 'c1')!.licence;
    expect(c1).toMatchObject({ status: 'approved', licenceId: c1Licence.licenceId, validUntil: c1Licence.validUntil });
    // The old licence's compliance monitor is cancelled; the unchanged licence's runs on.
    for (const until = Date.now() + 20_000; (await monitorStatus('c2')) === 'RUNNING' && Date.now() < until;) await new Promise((r) => setTimeout(r, 250));
    expect(await monitorStatus('c2')).toBe('CANCELLED');
    expect(await monitorStatus('c1')).toBe('RUNNING');
    const audit = await recordedAudit(handle);
    expect(audit.filter((e) => e.action === 'reclassified').map((e) => e.componentId)).toEqual(['c2']);
  });
});

test('two amendments at once: both applied, one at a time, in order, the second told of the first; nothing lost', async () => {
  const acts = mockActivities();
  await withWorker(acts, async (tq) => {
    const { project, handle } = await activeProject(tq);
    const [c1, c2] = project.components;
    const answers = await Promise.all([
      amend(handle, { components: [{ ...c1, destinations: ['US', 'CA'] }] }),
      amend(handle, {
        partners: [{ id: 'cea', name: 'CEA', country: 'FR' }],
        components: [{ ...c2, recipients: ['ornl', 'cea'], destinations: ['US', 'FR'] }],
      }),
    ]);
    const byId = new Map(answers.map((a) => [a.amendmentId, a]));
    expect([...byId.keys()].sort()).toEqual(['amendment-1', 'amendment-2']);
    expect(byId.get('amendment-1')!.follows).toBeUndefined();
    expect(byId.get('amendment-2')!.follows).toBe('amendment-1');

    await waitForView(
      handle,
      (v) => ['c1', 'c2'].every((c) => v.openSteps.some((s) => s.workflowId === licenceWorkflowId(project.projectId, c, 2))),
      'both reviewed again',
    );
    const audit = await recordedAudit(handle);
    const applied = audit.filter((e) => e.action === 'amendment-applied').map((e) => e.detail.split(':')[0]);
    expect(applied).toEqual(['amendment-1', 'amendment-2']);
    // One at a time: the second is applied after the first is done.
    const index = (action: string, id: string) => audit.findIndex((e) => e.action === action && e.detail.startsWith(id));
    expect(index('amendment-applied', 'amendment-1')).toBeLessThan(index('reclassified', 'amendment-2'));

    const submission = await recordedSubmission(project.projectId);
    expect(submission.partners.map((p) => p.id)).toEqual(['kit', 'ornl', 'cea']);
    expect(submission.components.map((c) => c.destinations)).toEqual([
      ['US', 'CA'],
      ['US', 'FR'],
    ]);
    expect(await noticeSent(acts, (n) => n.kind === 'amendment-applied' && n.subject.includes('amendment-2'))).toBe(true);
  });
});

test('under grant review: an added component is classified, and its licence review starts with the grant, on the amended facts', async () => {
  const acts = mockActivities();
  await withWorker(acts, async (tq) => {
    const project = projectWith('c1', 'c2');
    const handle = await start(tq, project);
    await confirm(handle);
    await waitForView(handle, (v) => v.stage === 'grant-review', 'grant review');
    const c2 = project.components[1];
    const answer = await amend(handle, { components: [{ ...c2, id: 'c9', name: 'Spare camera' }] });
    expect(answer.reviewedAgain).toEqual(['c9']);
    await waitForView(handle, (v) => v.components.some((c) => c.id === 'c9' && c.tier === 'T2'), 'c9 classified');
    await decide(handle, ['grant-funder', 'grant-agency']);
    const view = await waitForView(handle, (v) => v.openSteps.some((s) => s.workflowId === licenceWorkflowId(project.projectId, 'c9')), 'c9 reviewed');
    expect(view.openSteps.filter((s) => s.componentId === 'c9').map((s) => s.stepId)).toEqual(expect.arrayContaining(['c9-de-bafa']));
    expect(view.steps.some((s) => s.workflowId.includes('--submission-'))).toBe(false); // nothing was reviewed twice
  });
});

test('refused, nothing changed: before the grant review, or an amendment that breaks a rule', async () => {
  const acts = mockActivities();
  await withWorker(acts, async (tq) => {
    const project = projectWith('c1');
    const handle = await start(tq, project);
    await waitForView(handle, (v) => v.components.every((c) => c.tier !== null), 'classification');
    expect(await rejectionType(amend(handle, { remove: ['ornl'] }))).toBe(AmendmentRejection.WrongStage);
    await confirm(handle);
    expect(await rejectionType(amend(handle, { remove: ['kit'] }))).toBe(AmendmentRejection.Invalid);
    expect(await rejectionType(amend(handle, { remove: ['ornl'] }))).toBe(AmendmentRejection.Invalid); // c1's only recipient
    const audit = await recordedAudit(handle);
    expect(audit.some((e) => e.action.startsWith('amendment'))).toBe(false);
  });
});
