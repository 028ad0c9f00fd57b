/**
 * A dispute over one component climbs the issuer's regime's ladder (US only
 * in the default policy: Operating Committee → ACEP → EARB → President). At each
 * level the chair rules from an e-mail link; the parties whose position lost
 * may appeal to the next level inside the window, in writing with a legal
 * basis; no appeal in time makes the ruling final. A silent chair escalates.
 * Returns the final ruling, which binds the component's licence. It records
 * its own steps and audit entries, and tells the project its rulings.
 */
import { CancellationScope, condition, isCancellation } from '@temporalio/workflow';
import type { StepPlan } from '../domain/routing';
import type { DisputeInput, DisputeView, ReviewStep } from './definitions';
import { RecordOwner } from './record-writer';
import { ParentReport } from './reporter';
import { awaitingOf, ReviewBoard } from './review-board';
import { Visibility } from './visibility';

export async function disputeWorkflow(input: DisputeInput): Promise<'approved' | 'denied'> {
  const owner = new RecordOwner({ projectId: input.project.projectId, run: input.projectRun }, { componentId: input.component.id });
  return owner.run(() => settleDispute(input, owner));
}

async function settleDispute(input: DisputeInput, owner: RecordOwner): Promise<'approved' | 'denied'> {
  const { project, component, policy, positions } = input;
  const ladder = input.ladder;
  const view: DisputeView = {
    disputeId: input.disputeId,
    componentId: component.id,
    reason: input.reason,
    status: 'open',
    level: 0,
    levelName: ladder[0].name,
    rulings: [],
    appeals: [],
  };
  const visibility = new Visibility();
  const reporter = new ParentReport(input.projectWorkflowId, component.id, () => ({ dispute: view, awaiting: awaitingOf(board.open()) }));
  const board: ReviewBoard = new ReviewBoard({
    policy,
    coordinator: project.coordinator,
    audit: owner.audit,
    mailContext: () => ({
      projectId: project.projectId,
      projectTitle: project.title,
      componentName: component.name,
      tier: input.tier,
      tierReason: `dispute (${input.reason})`,
    }),
    // A silent chair escalates to the next level; the last level's chair is reminded until they rule.
    escalationFor: (step) => (step.kind === 'ruling' && view.level < ladder.length - 1 ? 'resolve' : undefined),
    waitingParties: [...positions.map((p) => p.partyName), `${project.coordinator.name} (coordinator)`],
    onChange: () => {
      visibility.publish('dispute', board.open());
      owner.recorder.changed();
      void reporter.send();
    },
  });
  owner.serve(board);
  const positionsText = () => positions.map((p) => `${p.partyName}: ${p.outcome}${p.legalBasis ? ` (${p.legalBasis})` : ''}`).join('; ');
  const stepId = (what: string) => `${component.id}-${input.disputeId.split('-').pop()}-${what}`;

  const final = async (ruling: 'approved' | 'denied', why: string) => {
    Object.assign(view, { status: 'final', finalRuling: ruling });
    owner.audit({ actor: 'system', action: 'ruling-final', channel: 'system', detail: `${ruling} at ${view.levelName}: ${why}` });
    await reporter.send();
    return ruling;
  };

  try {
    for (let level = 0; level < ladder.length; level++) {
      const rung = ladder[level];
      Object.assign(view, { level, levelName: rung.name });
      const chair: StepPlan = {
        stepId: stepId(`L${level + 1}-ruling`),
        kind: 'ruling',
        party: rung.id,
        partyName: rung.name,
        reviewer: rung.chair,
        componentId: component.id,
        tier: input.tier,
        slaMs: rung.decideWithin,
        question: `As chair of the ${rung.name}, rule on the licence for "${component.name}": approve or deny? Positions: ${positionsText()}`,
      };
      await board.openSteps([chair]);
      const [ruled] = await board.waitForDecisions([chair.stepId]);
      if (ruled.outcome === 'escalated') {
        view.rulings.push({ level, levelName: rung.name, outcome: 'escalated', by: 'silence', at: ruled.decidedAt! });
        continue;
      }
      const ruling = ruled.outcome === 'denied' ? 'denied' : 'approved';
      view.rulings.push({ level, levelName: rung.name, outcome: ruling, by: ruled.reviewer, at: ruled.decidedAt!, legalBasis: ruled.legalBasis });
      if (level === ladder.length - 1 || !rung.appealWithin) return await final(ruling, 'the last level has ruled');

      const appealed = await appealWindow(level, ruling, rung.appealWithin);
      if (!appealed) return await final(ruling, 'no appeal within the window');
      view.appeals.push({ level, by: appealed.reviewer, at: appealed.decidedAt!, legalBasis: appealed.legalBasis! });
      owner.audit({
        actor: appealed.reviewer,
        action: 'appealed',
        channel: appealed.decidedVia ?? 'email-link',
        stepId: appealed.stepId,
        detail: `to ${ladder[level + 1].name}; legal basis: ${appealed.legalBasis}`,
      });
    }
    // Every chair up to the last was silent; the last one is reminded until they rule (above), so this is unreachable by silence.
    throw new Error('escalation ladder ended without a ruling');
  } catch (err) {
    if (!isCancellation(err)) throw err;
    await CancellationScope.nonCancellable(() => board.closeOpen('the project was withdrawn by its coordinator'));
    throw err;
  }

  /** The parties whose position lost may appeal until the window closes; the first appeal moves the dispute up. */
  async function appealWindow(level: number, ruling: 'approved' | 'denied', windowMs: number): Promise<ReviewStep | undefined> {
    const losers = positions.filter((p) => p.outcome !== ruling);
    const plans: StepPlan[] = losers.map((p, i) => ({
      stepId: stepId(`L${level + 1}-appeal-${i + 1}`),
      kind: 'appeal',
      party: p.party,
      partyName: p.partyName,
      reviewer: p.reviewer,
      componentId: component.id,
      tier: input.tier,
      slaMs: windowMs,
      question: `The ${ladder[level].name} ruled "${ruling}" on "${component.name}". Appeal to the ${ladder[level + 1].name} (in writing, with your legal basis), or accept the ruling?`,
    }));
    if (!plans.length) return undefined;
    await board.openSteps(plans);
    const steps = plans.map((p) => board.steps.get(p.stepId)!);
    await condition(() => steps.some((s) => s.outcome === 'appealed') || steps.every((s) => s.status !== 'open'));
    const appeal = steps.find((s) => s.outcome === 'appealed');
    if (appeal) await board.closeOpen(`${appeal.partyName} appealed to the ${ladder[level + 1].name}`);
    return appeal;
  }
}
