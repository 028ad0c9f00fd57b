/** Steps the fault tests share: a project to its grant review, every step approved, and the mails once they stop changing. */
import { messageIdFor } from '../../activities';
import type { ProjectSubmission } from '../../domain/project';
import type { ProjectView, ReviewStep } from '../../workflows/definitions';
import { SIGNED_PDF } from '../helpers/fixtures';
import type { Mail } from '../helpers/maildev';
import type { ApiPart, ProcessStack } from '../helpers/process-stack';

/** Submits the project and confirms its scoping once it is classified, through one API (`via`). */
export async function submitAndConfirm(stack: ProcessStack, project: ProjectSubmission & { projectId: string }, via?: ApiPart): Promise<void> {
  const submitted = await stack.fetch('/v1/projects', { method: 'POST', body: JSON.stringify(project), via });
  expect(submitted.status).toBe(201);
  await stack.until(
    'classification',
    () => stack.view(project.projectId, via),
    (v) => v.components.every((c) => c.tier !== null),
  );
  // 503 means "not answered in time" (a busy machine): sent again, as a client does. A confirmation that landed after
  // its deadline makes the next attempt 409 (already confirmed), which is then the answer to the first.
  for (let attempt = 1; ; attempt++) {
    const { status } = await stack.fetch(`/v1/projects/${project.projectId}/scoping`, { method: 'POST', body: '{}', via });
    if (status === 200 || (status === 409 && attempt > 1)) return;
    if (status !== 503 || attempt === 5) throw new Error(`confirming the scoping of ${project.projectId}: ${status} on attempt ${attempt}`);
  }
}

/** The review-request e-mail's Message-ID of each step, as the mail activity writes it (from the step's workflow run). */
export const requestMessageIds = (steps: ReviewStep[]) => steps.map((s) => messageIdFor(`${s.workflowId}.${s.stepId}.request`, s.runId));

/**
 * Waits until the mails with `messageIds` have all arrived, then until mails and
 * mail activities stop changing; returns them matched (see `matchMails`).
 */
export async function settleMails(stack: ProcessStack, messageIds: string[]): ReturnType<ProcessStack['settledMails']> {
  const ids = (mails: Mail[]) => new Set(mails.map((m) => m.headers['message-id']));
  await stack.until(
    `${messageIds.length} e-mails`,
    () => stack.mails(),
    (mails) => messageIds.every((id) => ids(mails).has(id)),
    90_000,
  );
  return stack.settledMails();
}

/** The project's audit trail records one decision for each step its view shows decided, and no other. */
export async function expectDecisionsRecordedOnce(stack: ProcessStack, view: ProjectView): Promise<void> {
  const recorded = (await stack.audit(view.projectId)).filter((e) => e.action === 'decision-recorded').map((e) => e.stepId);
  const decided = view.steps.filter((s) => s.status === 'decided').map((s) => s.stepId);
  expect({ project: view.projectId, recorded: [...recorded].sort() }).toEqual({ project: view.projectId, recorded: [...decided].sort() });
}

/** Approves every open step (and those that open after, such as senior sign-offs) until the project is active with every licence decided. */
export function approveEverything(stack: ProcessStack, projectId: string, timeoutMs = 120_000, via?: ApiPart): Promise<ProjectView> {
  return stack.until(
    `every step of ${projectId} decided`,
    async () => {
      const view = await stack.view(projectId, via);
      // An acknowledgement of a licence's conditions is acknowledged, with its signed document (required on a recipient's
      // behalf); every other step approved.
      const acknowledge = { decision: 'acknowledge', file: SIGNED_PDF };
      for (const step of view.openSteps) await stack.decide(step, step.kind === 'acknowledgement' ? acknowledge : undefined, via);
      return view;
    },
    (v) => v.stage === 'active' && v.openSteps.length === 0 && v.components.every((c) => c.licence.status !== 'in-review'),
    timeoutMs,
  );
}
