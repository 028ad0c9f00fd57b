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
import { projectWith, usCamera, withPartner } from '../helpers/fixtures';
import { testPolicy, testPolicyFile } from '../helpers/policy';
import { mockActivities, notices, rejectionType, useWorkflowEnv, recordedAudit } from '../helpers/workflow-harness';

const policy = testPolicy();
const { env, withWorker, start, waitForView, decide, confirm, openStep } = useWorkflowEnv(policy);

/** A signed document as the API cites it once kept (the workflow takes its id and hash). */
const SIGNED = { documentId: 'doc-0123456789abcdef01234567', sha256: 'a'.repeat(64) };

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
    // A signed document goes with an acknowledgement only.
    const signedGrant = env()
      .client.workflow.getHandle(grant.workflowId)
      .executeUpdate(decideUpdate, { args: [{ stepId: 'grant-agency', reviewer: grant.reviewer, decision: 'approve', signedDocument: SIGNED }] });
    expect(await rejectionType(signedGrant)).toBe(DecisionRejection.SignedDocumentNotOffered);
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
    const decidedAt = view.steps.find((s) => s.stepId === 'c2-acknowledgement')!.decidedAt!;
    expect(view.components[0].licence.acknowledgement).toEqual({
      stepId: 'c2-acknowledgement',
      acknowledgedAt: decidedAt,
      acknowledgedBy: view.coordinator.email,
      // The licensee's own acknowledgement needs no signed document; the licence lists it without one.
      given: [{ stepId: 'c2-acknowledgement', party: ack.partyName, by: view.coordinator.email, at: decidedAt }],
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

test(
  'T3: the licence waits for each recipient’s written acknowledgement, through ' + 'its contact or the coordinator on its behalf; in use once both are in',
  async () => {
    await withWorker(mockActivities(), async (tq) => {
      // c1 raised to T3, delivered to ORNL (no contact named) and to CNRS (its contact acknowledges).
      const base = withPartner(projectWith('c1'), { id: 'cnrs', name: 'CNRS', country: 'FR' });
      const project = {
        ...base,
        partners: base.partners.map((p) => (p.id === 'cnrs' ? { ...p, contact: { name: 'M. Curie', email: 'm.curie@cnrs.example' } } : p)),
        components: base.components.map((c) => ({ ...c, recipients: ['ornl', 'cnrs'], destinations: ['US', 'FR'] })),
      };
      const handle = await start(tq, project);
      await confirm(handle, [{ componentId: 'c1', tier: 'T3', justification: 'the board goes to a defence laboratory' }]);
      await decide(handle, ['grant-funder', 'grant-agency']);
      const reviews = await waitForView(handle, (v) => v.openSteps.some((s) => s.stepId === 'c1-de-bafa'), 'the T3 review');
      await decide(
        handle,
        reviews.openSteps.filter((s) => s.componentId === 'c1').map((s) => s.stepId),
      );
      await decide(handle, ['c1-senior']);

      const owed = await waitForView(handle, (v) => v.openSteps.filter((s) => s.kind === 'acknowledgement').length === 2, 'both acknowledgements owed');
      expect(owed.openSteps.map((s) => [s.stepId, s.partyName, s.reviewer]).sort()).toEqual([
        ['c1-acknowledgement-cnrs', 'CNRS', 'm.curie@cnrs.example'],
        ['c1-acknowledgement-ornl', 'Oak Ridge National Laboratory', project.coordinator.email],
      ]);
      expect(owed.components[0].licence).toMatchObject({ status: 'approved', acknowledgement: { stepId: 'c1-acknowledgement-ornl' } });
      await decide(handle, ['c1-acknowledgement-cnrs'], () => ({ decision: 'acknowledge' }));
      const monitor = env().client.workflow.getHandle(complianceMonitorWorkflowId(project.projectId, 'c1'));
      const half = await waitForView(handle, (v) => v.openSteps.length === 1, 'one acknowledgement left');
      expect(half.components[0].licence.acknowledgement?.acknowledgedAt).toBeUndefined();
      await expect(monitor.describe()).rejects.toThrow(); // not in use: nothing to monitor yet

      // On ORNL's behalf the coordinator attaches its signed acknowledgement: without it, refused; with it, the step
      // and the licence cite the document's id and hash.
      const ornl = half.openSteps[0];
      const send = (extra: object) =>
        env()
          .client.workflow.getHandle(ornl.workflowId)
          .executeUpdate(decideUpdate, { args: [{ stepId: ornl.stepId, reviewer: ornl.reviewer, decision: 'acknowledge', ...extra }] });
      expect(await rejectionType(send({}))).toBe(DecisionRejection.SignedDocumentRequired);
      await decide(handle, ['c1-acknowledgement-ornl'], () => ({ decision: 'acknowledge', signedDocument: SIGNED }));
      const inUse = await waitForView(handle, (v) => !!v.components[0].licence.acknowledgement?.acknowledgedAt, 'every acknowledgement in');
      expect(inUse.components[0].licence.acknowledgement!.acknowledgedBy).toBe(`${project.coordinator.email}, m.curie@cnrs.example`);
      expect(inUse.steps.find((s) => s.stepId === 'c1-acknowledgement-ornl')!.signedDocument).toEqual(SIGNED);
      expect(inUse.components[0].licence.acknowledgement!.given).toEqual([
        expect.objectContaining({ stepId: 'c1-acknowledgement-ornl', party: 'Oak Ridge National Laboratory', by: project.coordinator.email, ...SIGNED }),
        expect.objectContaining({ stepId: 'c1-acknowledgement-cnrs', party: 'CNRS', by: 'm.curie@cnrs.example' }),
      ]);
      expect(inUse.components[0].licence.acknowledgement!.given![1]).not.toHaveProperty('sha256');
      const entries = (await recordedAudit(handle)).filter((e) => e.action === 'conditions-acknowledged').map((e) => e.detail);
      expect(entries).toEqual([expect.stringContaining('for Oak Ridge National Laboratory'), expect.stringContaining('for CNRS')]);
      for (const deadline = Date.now() + 15_000; !(await monitor.describe().catch(() => undefined)) && Date.now() < deadline;)
        await new Promise((r) => setTimeout(r, 200));
      expect((await monitor.describe()).status.name).toBe('RUNNING');
    });
  },
  90_000,
);
