/**
 * Disputes on a real dev server, the ladder's durations in seconds: in a
 * US-issued case, Commerce and a reviewing agency that disagree climb the US
 * ladder by a chair's silence or by a party's written appeal; the final
 * ruling binds the licence while the project's other components move on.
 * An applicant's appeal goes to the issuer's appeal body, never up the ladder.
 */
import { WorkflowNotFoundError } from '@temporalio/client';
import { policySchema } from '../../domain/policy';
import { decideUpdate, disputeWorkflowId, type ProjectView, type ReviewStep } from '../../workflows/definitions';
import { exportingFromUs, projectWith } from '../helpers/fixtures';
import { testPolicyFile } from '../helpers/policy';
import { useWorkflowEnv, mockActivities, rejectionType, type ProjectHandle, recordedView, recordedAudit } from '../helpers/workflow-harness';

const file = testPolicyFile();
file.regimes.US.ladder = file.regimes.US.ladder!.map((level) => ({ ...level, decideWithin: '2500ms', ...(level.appealWithin ? { appealWithin: '2s' } : {}) }));
file.regimes.US.intentToDeny = { respondWithin: '1s', finalAfter: '2s' };
const policy = policySchema.parse(file);
const LADDER = policy.regimes.US.ladder!;
const LEVELS = LADDER.map((l) => l.name);

/** The project's components, the T2 camera (c2) exported from the US: Commerce issues it, DoD and State are consulted, BAFA advises. */
const usProject = (...ids: string[]) => exportingFromUs(projectWith(...ids), 'c2');

const { env: testEnv, withWorker, start, waitForView, openStep, decide, confirm } = useWorkflowEnv(policy);

const DENY = { decision: 'deny' as const, legalBasis: 'EAR §742.4(b)(1): national security' };
const APPEAL = { decision: 'appeal' as const, legalBasis: 'EO 12981 §5(f): the ruling ignores the end-use assurances' };

/** Grant approved, then DoD objects to the T2 camera that Commerce and State approve: a conflict. BAFA's advice is not a position. */
async function toConflict(handle: ProjectHandle) {
  await confirm(handle);
  await decide(handle, ['grant-funder', 'grant-agency']);
  await decide(handle, ['c2-us-dod'], () => DENY);
  await decide(handle, ['c2-us-bis', 'c2-us-dos', 'c2-de-bafa']);
}

const dispute = (v: ProjectView) => v.disputes[0];
const licenceOf = (v: ProjectView, id: string) => v.components.find((c) => c.id === id)!.licence;
const sendDecision = (s: ReviewStep, d: { decision: 'appeal' | 'approve'; legalBasis?: string }) =>
  testEnv()
    .client.workflow.getHandle(s.workflowId)
    .executeUpdate(decideUpdate, { args: [{ stepId: s.stepId, reviewer: s.reviewer, ...d }] });

test('a conflict climbs every level by the chairs’ silence; the last chair rules; other components keep moving', async () => {
  await withWorker(mockActivities(), async (tq) => {
    const handle = await start(tq, usProject('c1', 'c2'));
    await toConflict(handle);
    let view = await waitForView(handle, (v) => v.disputes.length === 1, 'dispute');
    expect(licenceOf(view, 'c2').status).toBe('disputed');
    expect(dispute(view)).toMatchObject({ reason: 'conflict', status: 'open', levelName: LEVELS[0] });

    await decide(handle, ['c1-de-bafa']); // the T1 component is licensed while c2 is disputed
    view = await waitForView(handle, (v) => licenceOf(v, 'c1').status === 'approved', 'c1 licensed during the dispute');
    expect(licenceOf(view, 'c2').status).toBe('disputed');

    const last = await openStep(handle, 'c2-1-L4-ruling'); // three silent chairs later
    expect(last.reviewer).toBe(LADDER[3].chair);
    await decide(handle, ['c2-1-L4-ruling']);
    view = await waitForView(handle, (v) => licenceOf(v, 'c2').status === 'approved', 'final ruling binds');
    expect(dispute(view).rulings.map((r) => [r.levelName, r.outcome])).toEqual([
      [LEVELS[0], 'escalated'],
      [LEVELS[1], 'escalated'],
      [LEVELS[2], 'escalated'],
      [LEVELS[3], 'approved'],
    ]);
    expect(dispute(view)).toMatchObject({ status: 'final', finalRuling: 'approved' });
    const actions = (await recordedAudit(handle)).map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['dispute-opened', 'ruling-final', 'ruling-binds', 'licence-granted']));
    expect(actions.filter((a) => a === 'escalated')).toHaveLength(3);
  });
}, 90_000);

test('a conflict climbs every level by appeal; an appeal without a legal basis is refused', async () => {
  await withWorker(mockActivities(), async (tq) => {
    const handle = await start(tq, usProject('c2'));
    await toConflict(handle);

    await decide(handle, ['c2-1-L1-ruling'], () => DENY); // the approving agencies lost: each may appeal
    const appeal = await openStep(handle, 'c2-1-L1-appeal-1');
    expect(await rejectionType(sendDecision(appeal, { decision: 'appeal' }))).toBe('LegalBasisRequired');
    await decide(handle, ['c2-1-L1-appeal-1'], () => APPEAL);
    let view = await waitForView(handle, (v) => v.openSteps.some((s) => s.stepId === 'c2-1-L2-ruling'), 'ACEP');
    expect(view.steps.filter((s) => s.stepId.startsWith('c2-1-L1-appeal-')).map((s) => s.status)).toEqual(['decided', 'closed']);

    await decide(handle, ['c2-1-L2-ruling']); // approve: DoD lost and appeals
    await decide(handle, ['c2-1-L2-appeal-1'], () => APPEAL);
    await decide(handle, ['c2-1-L3-ruling'], () => DENY);
    await decide(handle, ['c2-1-L3-appeal-2'], () => APPEAL);
    await decide(handle, ['c2-1-L4-ruling'], () => DENY); // the last level: final, no appeal

    // The final ruling binds Commerce (EO 12981 §5): the denial is final at once; no notice of intent, no appeal body may reverse it.
    // The licence (its review's record) and the dispute (the dispute's own record) are written by different workflows: wait for both.
    view = await waitForView(handle, (v) => licenceOf(v, 'c2').status === 'denied' && v.disputes.some((d) => d.status === 'final'), 'final denial binds');
    expect(licenceOf(view, 'c2').basis).toBe(`final ruling of ${disputeWorkflowId(view.projectId, 'c2', 1)}`);
    expect(dispute(view).rulings.map((r) => r.outcome)).toEqual(['denied', 'approved', 'denied', 'denied']);
    expect(dispute(view).appeals.map((a) => [a.level, a.by])).toEqual([
      [0, 'licensing@bis.example'],
      [1, 'export-review@dtsa.example'],
      [2, 'export-review@isn.example'],
    ]);
    expect(dispute(view).appeals.every((a) => a.legalBasis === APPEAL.legalBasis)).toBe(true);
    expect(view.openSteps).toEqual([]);
    const actions = (await recordedAudit(handle)).map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['ruling-binds', 'licence-denied']));
    expect(actions).not.toContain('intent-to-deny');
  });
}, 90_000);

test('an appeal after the window is refused and the ruling is final', async () => {
  await withWorker(mockActivities(), async (tq) => {
    const handle = await start(tq, usProject('c2'));
    await toConflict(handle);
    await decide(handle, ['c2-1-L1-ruling']); // approve: BAFA may appeal for 2 s
    const appeal = await openStep(handle, 'c2-1-L1-appeal-1');
    // The licence (its review's record) and the dispute (the project's, from the dispute's report) are written by
    // different workflows: wait for both.
    const view = await waitForView(
      handle,
      (v) => licenceOf(v, 'c2').status === 'approved' && v.disputes.some((d) => d.status === 'final'),
      'ruling final after the window',
      15_000,
    );
    expect(view.steps.find((s) => s.stepId === appeal.stepId)).toMatchObject({ status: 'closed', closedReason: 'the appeal window passed without an appeal' });
    // The dispute has ended with its final ruling: nothing takes the late appeal (the reviewer page says the step is closed).
    await expect(sendDecision(appeal, APPEAL)).rejects.toBeInstanceOf(WorkflowNotFoundError);
    expect(dispute(view)).toMatchObject({ status: 'final', finalRuling: 'approved', appeals: [] });
  });
}, 60_000);

test('the applicant appeals a denial in writing to the issuer’s appeal body, whose ruling grants the licence; no ladder opens', async () => {
  await withWorker(mockActivities(), async (tq) => {
    const handle = await start(tq, projectWith('c1'));
    await confirm(handle);
    await decide(handle, ['grant-funder', 'grant-agency']);
    await decide(handle, ['c1-de-bafa'], () => DENY);
    const window = await openStep(handle, 'c1-appeal-1');
    expect(window).toMatchObject({ kind: 'appeal', reviewer: 'a.weber@kit.example' });
    expect(licenceOf(await recordedView(handle), 'c1').status).toBe('denied');
    expect(await rejectionType(sendDecision(window, { decision: 'appeal' }))).toBe('LegalBasisRequired');
    expect(await rejectionType(sendDecision(window, { decision: 'approve' }))).toBe('DecisionNotOffered');
    await decide(handle, ['c1-appeal-1'], () => APPEAL);

    const body = policy.agencies.find((a) => a.id === 'de-bafa')!.appealBody!;
    const ruling = await openStep(handle, 'c1-appeal-1-ruling');
    expect(ruling).toMatchObject({ kind: 'ruling', party: body.id, reviewer: body.chair });
    await decide(handle, ['c1-appeal-1-ruling']);
    const view = await waitForView(handle, (v) => licenceOf(v, 'c1').status === 'approved', 'licence granted on appeal', 15_000);
    expect(view.disputes).toEqual([]);
    expect(licenceOf(view, 'c1')).toMatchObject({ issuer: { agencyId: 'de-bafa', regime: 'EU' } });
    const actions = (await recordedAudit(handle)).map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['licence-denied', 'appealed', 'appeal-decided', 'licence-granted']));
    expect(actions).not.toContain('dispute-opened');
  });
}, 60_000);
