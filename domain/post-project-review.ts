/**
 * The post-project review of a closed project (issue 27): a short step for the coordinator and one for the lead
 * agency, each asked the same summary of what was licensed, what was released to whom, and what stays open; their
 * comment is the review (lessons). Silence lapses: the review is recorded as not given. Pure: the project workflow
 * opens the steps.
 */
import type { Agency, Policy } from './policy';
import type { Project } from './project';
import type { StepPlan } from './routing';

/** What the review is asked about (workflows/people-contract.ts PostProjectSummary). */
export interface ReviewSummary {
  licensed: string[];
  shipped: string[];
  released: string[];
  openConditions: string[];
}

export const POST_PROJECT_STEP_IDS = { coordinator: 'post-project-coordinator', agency: 'post-project-agency' } as const;

const DEFAULT_WINDOW_MS = 30 * 86_400_000;

/** The summary as one question: each list on its own line, `none` for an empty one. */
export function reviewQuestion(project: Pick<Project, 'title'>, s: ReviewSummary): string {
  const list = (xs: string[]) => (xs.length ? xs.join('; ') : 'none');
  return (
    `"${project.title}" has closed. Licensed: ${list(s.licensed)}. Shipped: ${list(s.shipped)}. Released: ${list(s.released)}. ` +
    `Open conditions: ${list(s.openConditions)}. Record your review: what went well, what did not, lessons.`
  );
}

/** The two steps: the coordinator's (a party of its own, as a holder's hearing is) and the lead agency's first reviewer's. */
export function postProjectReviewPlans(policy: Policy, project: Project, lead: Agency, summary: ReviewSummary): StepPlan[] {
  // Policy snapshots of projects started before the post-project review have no window for it.
  const slaMs = policy.sla.postProjectReview ?? DEFAULT_WINDOW_MS;
  const question = reviewQuestion(project, summary);
  return [
    {
      stepId: POST_PROJECT_STEP_IDS.coordinator,
      kind: 'post-project-review',
      party: 'coordinator',
      partyName: project.coordinator.name,
      reviewer: project.coordinator.email,
      slaMs,
      question,
    },
    { stepId: POST_PROJECT_STEP_IDS.agency, kind: 'post-project-review', party: lead.id, partyName: lead.name, reviewer: lead.reviewers[0], slaMs, question },
  ];
}
