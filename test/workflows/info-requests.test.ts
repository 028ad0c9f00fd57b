/**
 * Requests for information under the policy's window (`sla.infoRequestWithin`,
 * 10 s here, ample for the first request on a loaded machine): one open request per step, none after the window; deciding stays
 * possible throughout.
 */
import { policySchema } from '../../domain/policy';
import { answerInfoUpdate, decideUpdate, DecisionRejection } from '../../workflows/definitions';
import { smallProject } from '../helpers/fixtures';
import { testPolicyFile } from '../helpers/policy';
import { mockActivities, rejectionType, useWorkflowEnv } from '../helpers/workflow-harness';

const WINDOW_MS = 10_000;
const file = testPolicyFile();
file.sla.infoRequestWithin = `${WINDOW_MS}ms`;
const policy = policySchema.parse(file);
const { env, withWorker, start, waitForView, openStep, confirm } = useWorkflowEnv(policy);

test('one request at a time, none after the window, and the reviewer decides all the same', async () => {
  await withWorker(mockActivities(), async (tq) => {
    const handle = await start(tq, smallProject());
    await confirm(handle);
    const step = await openStep(handle, 'grant-agency');
    expect(Date.parse(step.infoRequestUntil!) - Date.parse(step.openedAt)).toBe(WINDOW_MS);
    const decide = (decision: 'request-info' | 'approve', comment?: string) =>
      env()
        .client.workflow.getHandle(step.workflowId)
        .executeUpdate(decideUpdate, { args: [{ stepId: step.stepId, reviewer: step.reviewer, decision, comment }] });

    expect(await decide('request-info', 'End-user statement, please.')).toMatchObject({ outcome: 'info-requested' });
    expect(await rejectionType(decide('request-info', 'And the partner list?'))).toBe(DecisionRejection.InfoAlreadyRequested);
    await handle.executeUpdate(answerInfoUpdate, { args: [{ stepId: step.stepId, answer: 'Attached.', answeredBy: 'coordinator#test' }] });

    await new Promise((r) => setTimeout(r, Math.max(0, Date.parse(step.infoRequestUntil!) - Date.now() + 200)));
    expect(await rejectionType(decide('request-info', 'One more thing?'))).toBe(DecisionRejection.InfoRequestTooLate);
    // Past the window the reviewer decides on what the file holds.
    expect(await decide('approve')).toMatchObject({ outcome: 'approved' });
    await waitForView(handle, (v) => v.steps.some((s) => s.stepId === step.stepId && s.outcome === 'approved'), 'the approval');
  });
});
