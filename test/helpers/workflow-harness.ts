/**
 * Driving the workflows on a real dev server with the mail activities mocked
 * (they are the collaborator) and the real classification.
 */
import { policyForProject } from '../../domain/project-policy';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import type { ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { createActivities, type Activities } from '../../activities';
import { LinkSigner } from '../../activities/link-tokens';
import { renderNotice } from '../../activities/mail';
import { loadReferenceData } from '../../activities/reference-data';
import type { Policy } from '../../domain/policy';
import type { Project } from '../../domain/project';
import { readAuditTrail, readProjectRecord } from '../../records/project-reads';
import {
  confirmScopingUpdate,
  decideUpdate,
  projectWorkflowId,
  type AuditEntry,
  type DecisionInput,
  type ProjectInput,
  type ProjectView,
  type ReviewStep,
  type TierOverride,
} from '../../workflows/definitions';
import type { projectWorkflow } from '../../workflows/project';
import { testRecords } from './records';
import { startTestEnv, workflowBundle } from './temporal';

const ROOT = path.resolve(__dirname, '../..');
const real = createActivities({
  transport: { sendMail: async () => ({}) as never },
  mailFrom: 'test@example',
  publicUrl: 'http://test',
  signer: new LinkSigner('test-secret-0123456789'),
  referenceData: loadReferenceData(path.join(ROOT, 'reference-data/control-list.json'), path.join(ROOT, 'reference-data/restricted-parties.json')),
  get records() {
    return testRecords();
  },
});

/** Mocked mail activities typed by the real ones; classification and restricted-party screening are the real activities. */
export function mockActivities() {
  const receipt = (to: string) => ({ to, subject: 's', messageId: `<${randomUUID()}@test>` });
  return {
    classifyProject: jest.fn<ReturnType<Activities['classifyProject']>, Parameters<Activities['classifyProject']>>(real.classifyProject),
    sendReviewRequest: jest.fn<ReturnType<Activities['sendReviewRequest']>, Parameters<Activities['sendReviewRequest']>>(async ({ step }) =>
      receipt(step.reviewer),
    ),
    sendStepClosed: jest.fn<ReturnType<Activities['sendStepClosed']>, Parameters<Activities['sendStepClosed']>>(async ({ step }) => receipt(step.reviewer)),
    // Rendered by the real renderer (pure): the receipt carries the real subject, as the audit trail would.
    sendNotice: jest.fn<ReturnType<Activities['sendNotice']>, Parameters<Activities['sendNotice']>>(async ({ to, intent }) => ({
      ...receipt(to),
      subject: renderNotice(intent).subject,
    })),
    // The real screening against the shipped restricted-party list, like classification.
    screenParties: jest.fn<ReturnType<Activities['screenParties']>, Parameters<Activities['screenParties']>>(real.screenParties),
    // The real record store (the suite's database).
    recordProject: jest.fn<ReturnType<Activities['recordProject']>, Parameters<Activities['recordProject']>>(real.recordProject),
    recordCycle: jest.fn<ReturnType<Activities['recordCycle']>, Parameters<Activities['recordCycle']>>(real.recordCycle),
    shippedUnder: jest.fn<ReturnType<Activities['shippedUnder']>, Parameters<Activities['shippedUnder']>>(real.shippedUnder),
    cycleTargets: jest.fn<ReturnType<Activities['cycleTargets']>, Parameters<Activities['cycleTargets']>>(real.cycleTargets),
    readCycleTargets: jest.fn<ReturnType<Activities['readCycleTargets']>, Parameters<Activities['readCycleTargets']>>(real.readCycleTargets),
    cycleShardTally: jest.fn<ReturnType<Activities['cycleShardTally']>, Parameters<Activities['cycleShardTally']>>(real.cycleShardTally),
    markCycleUnreported: jest.fn<ReturnType<Activities['markCycleUnreported']>, Parameters<Activities['markCycleUnreported']>>(real.markCycleUnreported),
    // Working days on the real holiday calendars.
    dueAfterWorkingDays: jest.fn<ReturnType<Activities['dueAfterWorkingDays']>, Parameters<Activities['dueAfterWorkingDays']>>(real.dueAfterWorkingDays),
  };
}
export type MockActivities = ReturnType<typeof mockActivities>;

/** Every notice the workflows asked for, with its kind and its rendered subject and text. */
export function notices(acts: MockActivities) {
  return acts.sendNotice.mock.calls.map(([n]) => ({ to: n.to, key: n.key, kind: n.intent.kind, ...renderNotice(n.intent) }));
}
/**
 * The notices sent so far once one matches `sent`: a notice is an activity that may run a moment after the record
 * that announces it (a busy worker), so a test waits for it rather than reading at once. Resolves false on timeout.
 */
export async function noticeSent(acts: MockActivities, sent: (n: ReturnType<typeof notices>[number]) => boolean, timeoutMs = 15_000): Promise<boolean> {
  for (const deadline = Date.now() + timeoutMs; !notices(acts).some(sent); await new Promise((r) => setTimeout(r, 200))) {
    if (Date.now() > deadline) return false;
  }
  return true;
}
export type ProjectHandle = WorkflowHandle<typeof projectWorkflow>;
/** How a test's project runs: after how many history events it continues as new. */
export type RunOptions = Pick<ProjectInput, 'continueAfterEvents'>;

/** One dev server's worth of helpers; `policy` is what projects are started with. */
export function harness(getEnv: () => TestWorkflowEnvironment, policy: Policy) {
  const client = () => getEnv().client;

  async function withWorker<T>(activities: MockActivities, fn: (taskQueue: string) => Promise<T>): Promise<T> {
    const taskQueue = `wf-test-${randomUUID()}`;
    const worker = await Worker.create({ connection: getEnv().nativeConnection, taskQueue, workflowBundle: await workflowBundle(), activities });
    return worker.runUntil(fn(taskQueue));
  }

  async function start(taskQueue: string, project: Project, with_: Policy = policy, options: RunOptions = {}): Promise<ProjectHandle> {
    return client().workflow.start<typeof projectWorkflow>('projectWorkflow', {
      workflowId: projectWorkflowId(project.projectId),
      taskQueue,
      args: [{ project, policy: policyForProject(with_, project), submittedBy: 'coordinator#test', ...options }],
    });
  }

  /** Waits until the project's record (every one of its workflows records its own part) is `ready`. */
  async function waitForView(handle: ProjectHandle, ready: (v: ProjectView) => boolean, what: string, timeoutMs = 30_000): Promise<ProjectView> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const view = await viewOf(handle);
      if (view && ready(view)) return view;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; stage ${view?.stage}, open ${view?.openSteps.map((s) => s.stepId)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  const openStep = (handle: ProjectHandle, stepId: string) =>
    waitForView(handle, (v) => v.openSteps.some((s) => s.stepId === stepId), `step ${stepId}`).then((v) => v.openSteps.find((s) => s.stepId === stepId)!);

  /** Waits until every step in `stepIds` is open, then decides each as `decision(step)` says. */
  async function decide(
    handle: ProjectHandle,
    stepIds: string[],
    decision: (s: ReviewStep) => Omit<DecisionInput, 'stepId' | 'reviewer'> = () => ({ decision: 'approve' }),
  ) {
    const view = await waitForView(handle, (v) => stepIds.every((id) => v.openSteps.some((s) => s.stepId === id)), `steps ${stepIds}`);
    const results = [];
    for (const id of stepIds) {
      const step = view.openSteps.find((s) => s.stepId === id)!;
      results.push(
        await client()
          .workflow.getHandle(step.workflowId)
          .executeUpdate(decideUpdate, { args: [{ stepId: id, reviewer: step.reviewer, ...decision(step) }] }),
      );
    }
    return results;
  }

  async function confirm(handle: ProjectHandle, overrides: TierOverride[] = []) {
    await waitForView(handle, (v) => v.components.every((c) => c.tier !== null), 'classification');
    return handle.executeUpdate(confirmScopingUpdate, { args: [{ overrides, confirmedBy: 'coordinator#test' }] });
  }

  return { withWorker, start, waitForView, openStep, decide, confirm };
}

const projectIdOf = (handle: ProjectHandle) => handle.workflowId.replace(/^project-/, '');

/** The project as recorded; undefined before its first record write. */
async function viewOf(handle: ProjectHandle): Promise<ProjectView | undefined> {
  return (await readProjectRecord(testRecords(), projectIdOf(handle)))?.view;
}

/** The project as recorded now (it must have a record). */
export async function recordedView(handle: ProjectHandle): Promise<ProjectView> {
  const v = await viewOf(handle);
  if (!v) throw new Error(`${handle.workflowId} has no record yet`);
  return v;
}

/** The project's audit trail as recorded, from all its workflows. */
export function recordedAudit(handle: ProjectHandle): Promise<AuditEntry[]> {
  return readAuditTrail(testRecords(), projectIdOf(handle));
}

/** The ApplicationFailure type an Update validator rejected with. */
export async function rejectionType(p: Promise<unknown>): Promise<string | undefined> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
  return ((err as WorkflowUpdateFailedError).cause as ApplicationFailure).type ?? undefined;
}

/** A dev server for this test file (started before, torn down after its tests) and the helpers bound to it. */
export function useWorkflowEnv(policy: Policy) {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await startTestEnv();
  }, 120_000);
  afterAll(() => env?.teardown());
  return { env: () => env, ...harness(() => env, policy) };
}
