/**
 * The project and licence workflows on a real dev server, with the mail
 * activities mocked (they are the collaborator) and the real classification.
 */
import { WorkflowNotFoundError } from '@temporalio/client';
import type { Policy } from '../../domain/policy';
import { confirmScopingUpdate, decideUpdate, withdrawUpdate, type DecisionInput, type TierOverride } from '../../workflows/definitions';
import { allTiersProject, exportingFromUs, smallProject } from '../helpers/fixtures';
import { testPolicy } from '../helpers/policy';
import { useWorkflowEnv, mockActivities, notices, rejectionType, recordedView, recordedAudit } from '../helpers/workflow-harness';

const policy: Policy = testPolicy();
const { withWorker, start, waitForView, openStep, decide, confirm } = useWorkflowEnv(policy);

test('a project with one component per tier: T0 cleared, T1–T3 routed and decided, T2 denied by every agency and the denial accepted', async () => {
  const acts = mockActivities();
  await withWorker(acts, async (tq) => {
    const handle = await start(tq, allTiersProject());
    const scoped = await confirm(handle);
    expect(scoped.map((c) => c.tier)).toEqual(['T0', 'T1', 'T2', 'T3']);

    await decide(handle, ['grant-funder', 'grant-agency']);
    // Every component is exported from Germany: BAFA issues. T1: BAFA only. T2: BAFA, and the US (outside the EU regime) advises.
    // T3: plus Germany's defence reviewer (BMVg), then BAFA's senior.
    await decide(handle, ['c1-de-bafa']);
    await decide(handle, ['c2-de-bafa', 'c2-us-bis'], () => ({ decision: 'deny', legalBasis: 'AWV §8 and EAR §742.4: national security' }));
    // A unanimous denial leaves the applicant an appeal window; here the coordinator accepts it.
    await decide(handle, ['c2-appeal-1'], () => ({ decision: 'accept' }));
    // c3 (ML22) is military: BAFA issues under Germany's military regime, and the US advises through the State Department (DDTC).
    const t3 = ['c3-de-bafa', 'c3-us-ddtc', 'c3-de-bmvg'];
    let view = await waitForView(handle, (v) => t3.every((id) => v.openSteps.some((s) => s.stepId === id)), 'T3 first phase');
    expect(view.openSteps.some((s) => s.stepId === 'c3-senior')).toBe(false); // sign-off only after every agency approved
    await decide(handle, t3);
    await decide(handle, ['c3-senior']);
    // T3's conditions require each recipient's written acknowledgement; ORNL names no contact, so the coordinator gives it.
    const ack = await openStep(handle, 'c3-acknowledgement-ornl');
    expect(ack).toMatchObject({ kind: 'acknowledgement', partyName: 'Oak Ridge National Laboratory', reviewer: 'a.weber@kit.example' });
    const signedDocument = { documentId: 'doc-00000000000000000000000a', sha256: 'b'.repeat(64) }; // required on ORNL's behalf
    await decide(handle, ['c3-acknowledgement-ornl'], () => ({ decision: 'acknowledge', signedDocument }));

    view = await waitForView(
      handle,
      (v) => v.components.every((c) => c.licence.status !== 'in-review') && !!v.components[3].licence.acknowledgement?.acknowledgedAt,
      'licences',
    );
    expect(view.stage).toBe('active');
    expect(view.components.map((c) => c.licence.status)).toEqual(['cleared', 'approved', 'denied', 'approved']);
    expect(view.components[2].licence.basis).toContain('EAR §742.4');
    expect(view.components[3].licence.conditions).toEqual(policy.licenceConditions.T3);
    expect(Date.parse(view.components[1].licence.validUntil!) - Date.parse(view.components[1].licence.validFrom!)).toBe(policy.regimes.EU.licenceValidity);
    expect(view.openSteps).toEqual([]);

    // One e-mail per step, to the step's reviewer.
    const mailed = acts.sendReviewRequest.mock.calls.map(([{ step }]) => step.stepId).sort();
    expect(mailed).toEqual(view.steps.map((s) => s.stepId).sort());
    const audit = await recordedAudit(handle);
    expect(audit.filter((e) => e.action === 'decision-recorded')).toHaveLength(view.steps.length);
    expect(audit.find((e) => e.action === 'cleared-deemed-to-comply')?.componentId).toBe('c0');
    expect(audit.map((e) => e.at)).toEqual([...audit.map((e) => e.at)].sort());
  });
});

test('a grant denied by the funder rejects the project and starts no licence review', async () => {
  const acts = mockActivities();
  await withWorker(acts, async (tq) => {
    const handle = await start(tq, smallProject());
    await confirm(handle);
    await decide(handle, ['grant-funder'], () => ({ decision: 'deny', legalBasis: 'Horizon Europe Art. 18: civil activities only' }));
    await decide(handle, ['grant-agency']);
    expect(await handle.result()).toBe('rejected');
    const view = await recordedView(handle);
    expect(view.steps.map((s) => s.stepId)).toEqual(['grant-funder', 'grant-agency']);
    expect(notices(acts).some((n) => n.subject.startsWith('Grant not approved'))).toBe(true);
  });
});

test(
  'lowering a tier is each component’s issuer’s: Commerce finds, with its ' + 'basis, that a US camera needs no licence; BAFA refuses to lower its own',
  async () => {
    const acts = mockActivities();
    await withWorker(acts, async (tq) => {
      const project = exportingFromUs(allTiersProject(), 'c2');
      project.components = project.components.slice(2); // c2 (T2, 6A003, exported from the US) and c3 (T3, from Germany)
      const handle = await start(tq, project);
      const scoped = await confirm(handle, [
        { componentId: 'c2', tier: 'T0', justification: 'camera below the 6A003 thresholds' },
        { componentId: 'c3', tier: 'T2', justification: 'only public data' },
      ]);
      expect(scoped.map((c) => [c.tier, c.pendingTier])).toEqual([
        ['T2', 'T0'],
        ['T3', 'T2'],
      ]);
      // Not BAFA (the coordinator's lead agency): Commerce issues c2's licence, so only Commerce may find none is needed.
      const finding = await openStep(handle, 'tier-c2');
      expect(finding).toMatchObject({ kind: 'no-licence-finding', party: 'us-bis' });
      expect(await openStep(handle, 'tier-c3')).toMatchObject({ kind: 'tier-lowering', party: 'de-bafa' });
      const send = (legalBasis?: string) =>
        handle.executeUpdate(decideUpdate, { args: [{ stepId: 'tier-c2', reviewer: finding.reviewer, decision: 'approve', legalBasis }] });
      expect(await rejectionType(send())).toBe('LegalBasisRequired');
      await send('EAR §774 Supp. 1, 6A003.b.4: below the frame-rate threshold; EAR99');
      await decide(handle, ['grant-funder', 'grant-agency']);
      await decide(handle, ['tier-c3'], () => ({ decision: 'deny', legalBasis: 'ML22 technology stays T3' }));
      const view = await waitForView(handle, (v) => v.stage === 'active' && v.components[0].licence.status === 'cleared', 'c2 cleared on the finding');
      expect(view.components.map((c) => c.tier)).toEqual(['T0', 'T3']);
      expect(view.components[0].licence.basis).toContain('found no licence required: EAR §774');
      const actions = (await recordedAudit(handle)).map((e) => [e.action, e.actor]);
      expect(actions).toEqual(expect.arrayContaining([['tier-lowered', finding.reviewer]]));
    });
  },
);

test('the decision validator rejects foreign, unknown, repeated and unfounded decisions before they reach history', async () => {
  const acts = mockActivities();
  await withWorker(acts, async (tq) => {
    const handle = await start(tq, smallProject());
    await confirm(handle);
    const view = await waitForView(handle, (v) => v.openSteps.length === 2, 'grant steps');
    const step = view.openSteps[0];
    const send = (input: Partial<DecisionInput> = {}) =>
      handle.executeUpdate(decideUpdate, { args: [{ stepId: step.stepId, reviewer: step.reviewer, decision: 'approve', ...input }] });

    expect(await rejectionType(send({ reviewer: 'someone@else.example' }))).toBe('NotYourStep');
    expect(await rejectionType(send({ stepId: 'no-such-step' }))).toBe('UnknownStep');
    expect(await rejectionType(send({ decision: 'deny' }))).toBe('LegalBasisRequired');
    await send();
    expect(await rejectionType(send())).toBe('AlreadyDecided');
    expect(await rejectionType(send({ decision: 'deny', legalBasis: 'x' }))).toBe('AlreadyDecided');

    const audit = await recordedAudit(handle);
    expect(audit.filter((e) => e.action === 'decision-recorded')).toHaveLength(1);
    const history = await handle.fetchHistory();
    const accepted = history.events!.filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes);
    expect(accepted).toHaveLength(1 + 1); // the scoping confirmation and the one valid decision
  });
});

test('scoping confirms once, and overrides are checked', async () => {
  const acts = mockActivities();
  await withWorker(acts, async (tq) => {
    const handle = await start(tq, allTiersProject());
    await waitForView(handle, (v) => v.components.every((c) => c.tier !== null), 'classification');
    const confirmWith = (overrides: TierOverride[]) => handle.executeUpdate(confirmScopingUpdate, { args: [{ overrides, confirmedBy: 'c' }] });
    expect(await rejectionType(confirmWith([{ componentId: 'c3', tier: 'T1' }]))).toBe('InvalidOverride');
    expect(await rejectionType(confirmWith([{ componentId: 'nope', tier: 'T2' }]))).toBe('InvalidOverride');
    const scoped = await confirmWith([{ componentId: 'c0', tier: 'T2', justification: 'partner request' }]);
    expect(scoped[0]).toMatchObject({ tier: 'T2', classifiedTier: 'T0' });
    expect(await rejectionType(confirmWith([]))).toBe('WrongStage');
  });
});

test('withdrawal closes every open step in the project and its licence reviews, and tells each reviewer', async () => {
  const acts = mockActivities();
  await withWorker(acts, async (tq) => {
    const handle = await start(tq, allTiersProject());
    await confirm(handle);
    await decide(handle, ['grant-funder', 'grant-agency']);
    await decide(handle, ['c1-de-bafa']);
    const before = await waitForView(handle, (v) => v.openSteps.length === 5, 'T2 and T3 steps open'); // 2 for c2, 3 for c3
    const result = await handle.executeUpdate(withdrawUpdate, { args: [{ reason: 'consortium dissolved', withdrawnBy: 'coordinator#test' }] });
    expect(result).toEqual({ stage: 'withdrawn' });
    expect(await handle.result()).toBe('withdrawn');
    // Answered once every workflow of the project has recorded its closing: the record shows all five closed.
    const after = await recordedView(handle);
    expect(after.openSteps).toEqual([]);
    const wasOpen = before.openSteps.map((s) => s.stepId);
    expect(after.steps.filter((s) => wasOpen.includes(s.stepId)).map((s) => s.status)).toEqual(wasOpen.map(() => 'closed'));
    const closedIds = acts.sendStepClosed.mock.calls.map(([{ step }]) => step.stepId).sort();
    expect(closedIds).toEqual(before.openSteps.map((s) => s.stepId).sort());
    const again = await handle.executeUpdate(withdrawUpdate, { args: [{ reason: 'again', withdrawnBy: 'c' }] }).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(again).toBeInstanceOf(WorkflowNotFoundError); // the workflow has completed: nothing left to withdraw
  });
});
