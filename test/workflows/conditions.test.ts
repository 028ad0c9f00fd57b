/**
 * Approve with conditions (provisos): an agency's conditions join the
 * component's licence, each naming who set it; steps whose kind sets no
 * licence conditions refuse them before anything is written to history.
 * The licensee acknowledges them in writing before the licence is in use;
 * unacknowledged, the licence lapses unused at its expiry.
 */
import { policySchema } from '../../domain/policy';
import { complianceMonitorWorkflowId } from '../../workflows/compliance-contract';
import { decideUpdate, DecisionRejection } from '../../workflows/definitions';
import { projectWith, usCamera } from '../helpers/fixtures';
import { testPolicy, testPolicyFile } from '../helpers/policy';
import { mockActivities, notices, rejectionType, useWorkflowEnv, recordedAudit } from '../helpers/workflow-harness';

const policy = testPolicy();
const { env, withWorker, start, waitForView, decide, confirm, openStep } = useWorkflowEnv(policy);

const PROVISOS = ['No re-export without prior written consent', 'End-use report to DTSA within 30 days of delivery'];

test('T2: the conditions of two agencies reach the licence after the policy’s own, each with who set it; a grant step and a denial refuse them', async () => {
  await withWorker(mockActivities(), async (tq) => {
    // The camera exported from the US: Commerce issues; DoD and State are consulted and may set provisos.
    const handle = await start(tq, usCamera());
    await confirm(handle);

    // A grant has no licence to put conditions on: refused by the validator, and the step stays open.
    const grant = await openStep(handle, 'grant-agency');
    const onGrant = env()
      .client.workflow.getHandle(grant.workflowId)
      .executeUpdate(decideUpdate, { args: [{ stepId: 'grant-agency', reviewer: grant.reviewer, decision: 'approve', conditions: ['x'] }] });
    expect(await rejectionType(onGrant)).toBe(DecisionRejection.ConditionsNotOffered);
    await decide(handle, ['grant-funder', 'grant-agency']);

    // Conditions with a denial are refused too (the API refuses them first; the workflow does not rely on it).
    const dod = await openStep(handle, 'c2-us-dod');
    const onDenial = env()
      .client.workflow.getHandle(dod.workflowId)
      .executeUpdate(decideUpdate, {
        args: [{ stepId: 'c2-us-dod', reviewer: dod.reviewer, decision: 'deny', legalBasis: 'EAR §742.4', conditions: ['x'] }],
      });
    expect(await rejectionType(onDenial)).toBe(DecisionRejection.ConditionsNotOffered);

    await decide(handle, ['c2-us-bis', 'c2-de-bafa']);
    await decide(handle, ['c2-us-dod'], () => ({ decision: 'approve', conditions: PROVISOS }));
    await decide(handle, ['c2-us-dos'], () => ({ decision: 'approve', conditions: ['Annual report to ISN'] }));

    let view = await waitForView(handle, (v) => v.components[0].licence.status === 'approved', 'the licence');
    const dodStep = view.steps.find((s) => s.stepId === 'c2-us-dod')!;
    const dosStep = view.steps.find((s) => s.stepId === 'c2-us-dos')!;
    expect(dodStep.conditions).toEqual(PROVISOS);
    expect(view.components[0].licence.conditions).toEqual([
      ...policy.licenceConditions.T2,
      `${PROVISOS[0]} (set by ${dodStep.partyName}, ${dodStep.reviewer})`,
      `${PROVISOS[1]} (set by ${dodStep.partyName}, ${dodStep.reviewer})`,
      `Annual report to ISN (set by ${dosStep.partyName}, ${dosStep.reviewer})`,
    ]);
    const recorded = (await recordedAudit(handle)).find((e) => e.action === 'decision-recorded' && e.stepId === 'c2-us-dod')!;
    expect(recorded).toMatchObject({ actor: dodStep.reviewer, detail: `approved by ${dodStep.partyName}; conditions: ${PROVISOS.join('; ')}` });

    // Issued, not yet in use: the coordinator owes a written acknowledgement of the three provisos, and no monitor runs.
    expect(view.components[0].licence.acknowledgement).toEqual({ stepId: 'c2-acknowledgement' });
    const ack = await openStep(handle, 'c2-acknowledgement');
    expect(ack).toMatchObject({ kind: 'acknowledgement', party: 'coordinator', reviewer: view.coordinator.email });
    expect(ack.question).toContain(`(1) ${PROVISOS[0]}`);
    expect(ack.question).toContain('(3) Annual report to ISN');
    expect('compliance' in view.components[0].licence).toBe(false);
    await decide(handle, ['c2-acknowledgement'], () => ({ decision: 'acknowledge', comment: 'Signed for ORNL and KIT' }));
    view = await waitForView(handle, (v) => 'compliance' in v.components[0].licence, 'monitoring after the acknowledgement');
    expect(view.components[0].licence.acknowledgement).toEqual({
      stepId: 'c2-acknowledgement',
      acknowledgedAt: view.steps.find((s) => s.stepId === 'c2-acknowledgement')!.decidedAt,
      acknowledgedBy: view.coordinator.email,
    });
    expect((await recordedAudit(handle)).filter((e) => e.action === 'conditions-acknowledged')).toHaveLength(1);
  });
});

test('unacknowledged, a licence with reviewers’ conditions is reminded, never assumed, and lapses unused at its expiry', async () => {
  const file = testPolicyFile();
  file.regimes.EU = { ...file.regimes.EU, licenceValidity: '8s' };
  file.sla = { ...file.sla, acknowledgeWithin: '2s' };
  const shortLived = policySchema.parse(file);
  const acts = mockActivities();
  await withWorker(acts, async (tq) => {
    const project = projectWith('c1'); // T1: BAFA alone issues
    const handle = await start(tq, project, shortLived);
    await confirm(handle);
    await decide(handle, ['grant-funder', 'grant-agency']);
    await decide(handle, ['c1-de-bafa'], () => ({ decision: 'approve', conditions: ['No transfer to third parties'] }));
    const issued = await waitForView(handle, (v) => v.openSteps.some((s) => s.stepId === 'c1-acknowledgement'), 'the acknowledgement owed');
    expect(issued.components[0].licence.status).toBe('approved');

    const view = await waitForView(handle, (v) => v.stage === 'closed', 'the project closed', 30_000);
    expect(view.components[0].licence.status).toBe('expired');
    expect(view.components[0].licence.acknowledgement).toEqual({ stepId: 'c1-acknowledgement' });
    expect(view.steps.find((s) => s.stepId === 'c1-acknowledgement')).toMatchObject({ status: 'closed' });
    const actions = (await recordedAudit(handle)).map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['escalated', 'licence-lapsed']));
    expect(actions).not.toContain('conditions-acknowledged');
    // Past its due date the coordinator is told it stays open; no compliance monitor ever ran.
    expect(notices(acts).some((n) => n.kind === 'step-escalated' && n.to === project.coordinator.email)).toBe(true);
    await expect(env().client.workflow.getHandle(complianceMonitorWorkflowId(project.projectId, 'c1')).describe()).rejects.toThrow();
  });
}, 60_000);
