/** Steps the cluster's fault tests share: projects brought to their grant review, decisions sent at once, and the end state checked. */
import { projectWith } from '../helpers/fixtures';
import type { ApiPart, ProcessStack } from '../helpers/process-stack';
import { approveEverything, expectDecisionsRecordedOnce, requestMessageIds, settleMails, submitAndConfirm } from '../faults/fault-scenarios';
import type { ProjectView, ReviewStep } from '../../workflows/definitions';

/** `count` projects submitted and confirmed, each with its two grant steps open (and their requests mailed); returns the steps. */
export async function projectsInGrantReview(stack: ProcessStack, count: number): Promise<{ projectIds: string[]; steps: ReviewStep[] }> {
  const projects = Array.from({ length: count }, () => projectWith('c1', 'c2'));
  await Promise.all(projects.map((p) => submitAndConfirm(stack, p)));
  const views = await Promise.all(
    projects.map((p) =>
      stack.until(
        `${p.projectId}: grant steps open`,
        () => stack.view(p.projectId),
        (v) => v.openSteps.filter((s) => s.kind.startsWith('grant-')).length === 2,
      ),
    ),
  );
  return { projectIds: projects.map((p) => p.projectId), steps: views.flatMap((v) => v.openSteps) };
}

/**
 * `count` projects in their grant review with every other open step decided (each answered 200) before a fault;
 * returns the steps left for the test to decide while the fault lasts.
 */
export async function projectsHalfDecided(stack: ProcessStack, count: number): Promise<{ projectIds: string[]; undecided: ReviewStep[] }> {
  const { projectIds, steps } = await projectsInGrantReview(stack, count);
  const [decided, undecided] = [steps.filter((_, i) => i % 2 === 0), steps.filter((_, i) => i % 2 === 1)];
  expect((await decideAll(stack, decided)).map((d) => d.status)).toEqual(decided.map(() => 200));
  return { projectIds, undecided };
}

/** Sends every decision at once; resolves with each one's status and how long it took. */
export function decideAll(stack: ProcessStack, steps: ReviewStep[], via: ApiPart = 'api'): Promise<{ step: ReviewStep; status: number; ms: number }[]> {
  return Promise.all(
    steps.map(async (step) => {
      const t0 = Date.now();
      const status = await stack.decide(step, undefined, via).catch(() => 0);
      return { step, status, ms: Date.now() - t0 };
    }),
  );
}

/**
 * Every project approved to the end, then: each decided step recorded once in its audit trail, every review request
 * mailed once, no mail twice and none cut off (no worker died).
 */
export async function expectCompleteAndOnce(stack: ProcessStack, projectIds: string[], via?: ApiPart): Promise<ProjectView[]> {
  const done = await Promise.all(projectIds.map((id) => approveEverything(stack, id, 180_000, via)));
  for (const view of done) {
    expect(view.components.map((c) => c.licence.status)).toEqual(['approved', 'approved']);
    await expectDecisionsRecordedOnce(stack, view);
  }
  const { problems, cutOff } = await settleMails(stack, requestMessageIds(done.flatMap((v) => v.steps)));
  expect(problems).toEqual([]);
  expect(cutOff).toEqual([]);
  return done;
}

/** Polls until `check` resolves true; returns how long that took, in ms. */
export async function msUntil(stack: ProcessStack, what: string, check: () => Promise<boolean>, timeoutMs = 120_000): Promise<number> {
  const t0 = Date.now();
  await stack.until(
    what,
    () => check().catch(() => false),
    (ok) => ok,
    timeoutMs,
  );
  return Date.now() - t0;
}
