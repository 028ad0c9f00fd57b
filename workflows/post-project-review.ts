/**
 * A closed project's post-project review (patch `post-project-review`): the summary of what was licensed, released
 * and left open, the coordinator's and the lead agency's steps on the project's board, and the outcome once both
 * are reviewed or their window has passed. Open deemed-export reviews end with the project first.
 */
import { POST_PROJECT_STEP_IDS, postProjectReviewPlans } from '../domain/post-project-review';
import type { Agency, Policy } from '../domain/policy';
import type { Project } from '../domain/project';
import type { ComponentView } from './definitions';
import type { PostProjectSummary } from './people-contract';
import type { ProjectPeople } from './project-people';
import type { AuditInput, ReviewBoard } from './review-board';
import { records } from './effects';
import type { ShippedUnder } from '../records/shipments';

export interface PostProjectHost {
  policy: Policy;
  project: Project;
  lead: Agency;
  board: ReviewBoard;
  components: Map<string, ComponentView>;
  people: ProjectPeople;
  record(entry: AuditInput): void;
  /** The summary the steps ask about: the project's core shows it. */
  summarised(summary: PostProjectSummary): void;
}

/** Each component's licence: status, id and validity. */
function licensed(components: ComponentView[]): string[] {
  return components.map(({ id, name, licence: l }) => {
    const validity = l.validFrom || l.validUntil ? `, valid ${l.validFrom ?? '…'} to ${l.validUntil ?? '…'}` : '';
    return `${name} (${id}): ${l.status}${l.licenceId ? ` ${l.licenceId}` : ''}${validity}`;
  });
}

/** What each licensed component's compliance reports declared shipped. */
function shipped(components: ComponentView[], sums: ShippedUnder[]): string[] {
  return components
    .filter((c) => c.licence.licenceId)
    .map(({ id, name }) => {
      const s = sums.find((x) => x.componentId === id);
      if (!s?.shipments) return `${name} (${id}): nothing reported shipped${s ? ` in ${s.reports} report(s)` : ''}`;
      return `${name} (${id}): ${s.shipments} shipment(s), ${s.quantity} item(s) to ${s.destinations.join(', ')}, in ${s.reports} report(s)`;
    });
}

export async function runPostProjectReview(host: PostProjectHost): Promise<void> {
  const { board, record } = host;
  const deemed = (s: { kind: string }) => s.kind === 'deemed-export';
  if (board.open().some(deemed)) await board.closeOpen('the project closed: the release is no longer planned', deemed);
  const summary: PostProjectSummary = {
    licensed: licensed([...host.components.values()]),
    shipped: shipped([...host.components.values()], await records.shippedUnder(host.project.projectId)),
    released: host.people.released(),
    openConditions: host.people.outstanding(Date.now()).map((o) => o.detail),
  };
  host.summarised(summary);
  const plans = postProjectReviewPlans(host.policy, host.project, host.lead, summary);
  await board.openSteps(plans);
  const steps = await board.waitForDecisions(Object.values(POST_PROJECT_STEP_IDS));
  const outcome = steps.map((s) => `${s.partyName}: ${s.outcome === 'reviewed' ? `reviewed ("${s.comment ?? ''}")` : 'not given, the window passed'}`);
  record({ actor: 'system', action: 'post-project-review-ended', channel: 'system', detail: outcome.join('; ') });
}
