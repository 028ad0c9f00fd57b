/**
 * A project's part in a funder review cycle: the funder's reviewer decides
 * each milestone due in the window while the regulator side is checked — every
 * component the milestone depends on must hold a licence in good standing.
 * Pending licence reviews are reminded on the cycle's calendar, so both sides
 * are reminded together, but keep their legal due times: a licence still in
 * review at the close holds the milestone (held-regulator, with the date the
 * case is legally due). The project records its outcome in the cycle's
 * items whenever it changes; the cycle reads them from the records.
 */
import { condition, getExternalWorkflowHandle, log, upsertSearchAttributes } from '@temporalio/workflow';
import type { Funder } from '../domain/policy';
import type { Project } from '../domain/project';
import type { OutstandingCondition } from '../domain/tranche-conditions';
import type { CycleItemWrite } from '../records/contract';
import { NO_RUNNING_PROJECT, syncRemindersSignal, type CycleItem, type CycleReviewRequest } from './cycle-contract';
import { caseDueAt, licenceWorkflowId, searchAttributes, type ComponentView, type MilestoneView, type Stage } from './definitions';
import type { AuditInput, ReviewBoard } from './review-board';
import type { NoticeIntent } from './mail-intents';

/** Licence states that hold a tranche. */
const HOLDING = new Set(['denied', 'suspended', 'revoked', 'expired']);
const PENDING = new Set(['in-review', 'disputed']);

export interface CycleReviewContext {
  project: Project;
  funder: Funder;
  board: ReviewBoard;
  components: Map<string, ComponentView>;
  milestones: Map<string, MilestoneView>;
  /** Who the licence reviews and disputes of these components wait on, as they last reported. */
  awaiting: (componentIds: string[]) => string[];
  stage: () => Stage;
  /** Bumped on every change that can move an outcome. */
  changes: () => number;
  record: (entry: AuditInput) => void;
  /** The funder's tranche conditions (deliverables, training) outstanding at an instant (the close). */
  outstanding: (at: number) => OutstandingCondition[];
  notify: (to: string, key: string, intent: NoticeIntent) => Promise<void>;
  /** Records the project's row in the cycle's items, with its next record write. */
  writeItem: (item: CycleItemWrite) => void;
}

export async function runCycleReview(ctx: CycleReviewContext, req: CycleReviewRequest): Promise<void> {
  const skip = (reason: string) => ctx.writeItem({ cycleId: req.cycleId, skipped: { projectId: ctx.project.projectId, reason } });
  // Another funder's cycle learns nothing of this project: it is skipped as a missing one is.
  if (req.funderId !== ctx.project.funderId) return skip(NO_RUNNING_PROJECT);
  if (ctx.stage() !== 'active') return skip(`the project is ${ctx.stage()}, not active`);

  const closesAt = Date.parse(req.closesAt);
  const due = [...ctx.milestones.values()].filter((m) => Date.parse(m.dueAt) <= closesAt && m.status !== 'passed' && m.status !== 'in-review');
  upsertSearchAttributes([{ key: searchAttributes.cycleId, value: req.cycleId }]);
  ctx.record({
    actor: req.funderId,
    action: 'cycle-review-started',
    channel: 'system',
    detail: `cycle "${req.name}" (${req.cycleId}) closes ${req.closesAt}; milestones due: ${due.map((m) => m.id).join(', ') || 'none'}`,
  });
  for (const m of due) Object.assign(m, { status: 'in-review', cycleId: req.cycleId });

  const stepIds = due.map((m) => `${m.id}-${req.cycleId}`);
  await ctx.board.openSteps(
    due.map((m, i) => ({
      stepId: stepIds[i],
      kind: 'milestone-review' as const,
      party: ctx.funder.id,
      partyName: ctx.funder.name,
      reviewer: ctx.funder.reviewers[0],
      slaMs: Math.max(closesAt - Date.now(), 1000),
      question: `Review cycle "${req.name}": approve milestone "${m.title}" (due ${m.dueAt}) for the tranche?`,
      calendar: req.closesAt,
    })),
  );
  const componentIds = [...new Set(due.flatMap((m) => m.componentIds))];
  for (const id of componentIds.filter((c) => PENDING.has(ctx.components.get(c)!.licence.status))) {
    await getExternalWorkflowHandle(licenceWorkflowId(ctx.project.projectId, id))
      .signal(syncRemindersSignal, { cycleId: req.cycleId, closesAt: req.closesAt })
      .catch((err) => log.warn('licence review reminders not synchronized', { componentId: id, err }));
  }

  const evaluate = (): CycleItem => {
    const base = { projectId: ctx.project.projectId, milestoneIds: due.map((m) => m.id), at: new Date().toISOString() };
    if (!due.length) return { ...base, outcome: 'passed', awaited: [], detail: 'no milestone due in the window' };
    const steps = stepIds.map((id) => ctx.board.effective(id));
    const refused = steps.find((s) => s.outcome === 'denied');
    if (refused)
      return {
        ...base,
        outcome: 'held-funder',
        awaited: [],
        detail: `${refused.partyName}: ${refused.legalBasis ?? refused.comment ?? 'milestone not approved'}`,
      };
    const licence = (id: string) => ctx.components.get(id)!.licence;
    // A licence whose reviewers' conditions are not yet acknowledged is issued but not in use.
    const unacknowledged = (id: string) => !!licence(id).acknowledgement && !licence(id).acknowledgement!.acknowledgedAt;
    const held = componentIds.filter(
      (id) => HOLDING.has(licence(id).status) || (licence(id).validUntil && Date.parse(licence(id).validUntil!) < closesAt) || unacknowledged(id),
    );
    if (held.length) {
      const detail = held
        .map((id) => {
          const what = `licence ${licence(id).licenceId ?? ''} ${licence(id).status}${unacknowledged(id) ? ', its conditions not yet acknowledged' : ''}`;
          return `${ctx.components.get(id)!.name} (${id}): ${what.replace('  ', ' ')}`;
        })
        .join('; ');
      return { ...base, outcome: 'held-regulator', awaited: [], detail };
    }
    const pendingLicences = componentIds.filter((id) => PENDING.has(licence(id).status));
    const funderDone = steps.every((s) => s.outcome === 'approved');
    // A deliverable not received, or a certificate not valid at the close, holds the tranche (DOMAIN "Research funders").
    const outstanding = ctx.outstanding(closesAt);
    if (funderDone && !pendingLicences.length && !outstanding.length) return { ...base, outcome: 'passed', awaited: [] };
    const regulators = [...new Set(ctx.awaiting(pendingLicences))];
    const owers = outstanding.map((o) => o.owedBy);
    const awaited = [...new Set([...steps.filter((s) => s.status === 'open').map((s) => s.partyName), ...regulators, ...owers])];
    if (Date.now() < closesAt) return { ...base, outcome: 'pending', awaited };
    if (outstanding.length) return { ...base, outcome: 'held-funder', awaited: [], detail: outstanding.map((o) => o.detail).join('; ') };
    if (!funderDone) return { ...base, outcome: 'stalled', awaited };
    // The funder approved; the regulator side is not late, it is not due yet: the milestone waits for the licence.
    const dueAt = (id: string) => {
      const clock = ctx.components.get(id)!.caseClock;
      return clock && caseDueAt(clock, Date.now());
    };
    const licenceDueAt = pendingLicences
      .map(dueAt)
      .filter((d) => d !== undefined)
      .sort()
      .at(-1);
    const detail = pendingLicences
      .map((id) => `${ctx.components.get(id)!.name} (${id}): licence ${licence(id).status}, legally due ${dueAt(id) ?? 'when its review ends'}`)
      .join('; ');
    return { ...base, outcome: 'held-regulator', awaited: regulators, detail, licenceDueAt };
  };

  let reported = '';
  for (;;) {
    // Read with the state evaluated, before any await lets handlers run: a decision that lands while the
    // item's record write is in flight must wake the wait below, not be taken as already seen.
    const evaluated = ctx.changes();
    const item = evaluate();
    const key = JSON.stringify([item.outcome, item.awaited, item.detail]);
    if (key !== reported) {
      reported = key;
      ctx.writeItem({ cycleId: req.cycleId, item, ...(req.shard && { shard: req.shard }) });
    }
    if (item.outcome !== 'pending' || ctx.stage() !== 'active') return finish(item);
    await condition(() => ctx.changes() !== evaluated || ctx.stage() !== 'active', Math.max(closesAt - Date.now(), 1));
  }

  async function finish(item: CycleItem) {
    for (const m of due) m.status = item.outcome === 'passed' ? 'passed' : item.outcome === 'stalled' ? 'in-review' : 'held';
    ctx.record({
      actor: 'system',
      action: 'cycle-outcome',
      channel: 'system',
      detail:
        `cycle ${req.cycleId}: ${item.outcome}` +
        (item.detail ? ` — ${item.detail}` : '') +
        (item.awaited.length ? `; awaiting ${item.awaited.join(', ')}` : ''),
    });
    if (item.outcome === 'passed' && due.length) {
      await ctx.notify(ctx.funder.reviewers[0], `tranche.${req.cycleId}`, {
        kind: 'tranche-releasable',
        context: { projectId: ctx.project.projectId, projectTitle: ctx.project.title },
        cycleName: req.name,
        milestones: due.map((m) => m.title),
      });
    }
  }
}
