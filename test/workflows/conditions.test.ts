/**
 * Approve with conditions (provisos): an agency's conditions join the
 * component's licence, each naming who set it; steps whose kind sets no
 * licence conditions refuse them before anything is written to history.
 */
import { auditQuery, decideUpdate, DecisionRejection } from '../../workflows/definitions';
import { projectWith, usCamera } from '../helpers/fixtures';
import { testPolicy } from '../helpers/policy';
import { mockActivities, rejectionType, useWorkflowEnv } from '../helpers/workflow-harness';

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

    const view = await waitForView(handle, (v) => v.components[0].licence.status === 'approved', 'the licence');
    const dodStep = view.steps.find((s) => s.stepId === 'c2-us-dod')!;
    const dosStep = view.steps.find((s) => s.stepId === 'c2-us-dos')!;
    expect(dodStep.conditions).toEqual(PROVISOS);
    expect(view.components[0].licence.conditions).toEqual([
      ...policy.licenceConditions.T2,
      `${PROVISOS[0]} (set by ${dodStep.partyName}, ${dodStep.reviewer})`,
      `${PROVISOS[1]} (set by ${dodStep.partyName}, ${dodStep.reviewer})`,
      `Annual report to ISN (set by ${dosStep.partyName}, ${dosStep.reviewer})`,
    ]);
    const recorded = (await handle.query(auditQuery)).find((e) => e.action === 'decision-recorded' && e.stepId === 'c2-us-dod')!;
    expect(recorded).toMatchObject({ actor: dodStep.reviewer, detail: `approved by ${dodStep.partyName}; conditions: ${PROVISOS.join('; ')}` });
  });
});
