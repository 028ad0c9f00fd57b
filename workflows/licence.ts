/**
 * One component's licence review, a child of the project workflow.
 * T0 is cleared at once; T1–T3 open the routed review steps, phase by phase,
 * and end with a licence or a denial. Every change is reported to the parent,
 * which holds the project's single view and audit trail.
 */
import { CancellationScope, getExternalWorkflowHandle, isCancellation, log, setHandler } from '@temporalio/workflow';
import { componentReviewPlan, leadAgency } from '../domain/routing';
import {
  decideUpdate,
  licenceProgressSignal,
  stepContextQuery,
  type AuditEntry,
  type Licence,
  type LicenceInput,
} from './definitions';
import { ReviewBoard, type AuditInput } from './review-board';

export async function licenceWorkflow(input: LicenceInput): Promise<Licence> {
  const { project, component, classification, tier, policy } = input;
  const parent = getExternalWorkflowHandle(input.parentWorkflowId);
  let licence: Licence = tier === 'T0' ? { status: 'cleared', conditions: [] } : { status: 'in-review', conditions: [] };
  let unsent: AuditEntry[] = [];

  const audit = (entry: AuditInput) => unsent.push({ at: new Date().toISOString(), componentId: component.id, ...entry });
  // Reports go out one after another, so the parent receives them in the order they were made.
  // One that fails (the parent already closed) is logged and must not fail a reviewer's decision.
  let reported = Promise.resolve();
  const report = () => {
    const progress = { componentId: component.id, licence, steps: board.list().map((s) => ({ ...s })), audit: unsent };
    unsent = [];
    reported = reported.then(() => parent.signal(licenceProgressSignal, progress)).catch((err) => log.warn('progress report not delivered', { err }));
    return reported;
  };
  const mailContext = () => ({ projectId: project.projectId, projectTitle: project.title, componentName: component.name, tier, tierReason: classification.rule.text });
  const board = new ReviewBoard({
    linkValidForMs: policy.links.validFor,
    coordinator: project.coordinator,
    audit,
    mailContext,
    onChange: report,
  });

  setHandler(decideUpdate, (decision) => board.decide(decision), { validator: (decision) => board.validate(decision) });
  setHandler(stepContextQuery, (stepId) => {
    const step = board.steps.get(stepId);
    if (!step) return null;
    return {
      step,
      projectId: project.projectId,
      projectTitle: project.title,
      funderId: project.funderId,
      coordinator: `${project.coordinator.name} <${project.coordinator.email}>`,
      component: { ...component, tier, tierReason: classification.rule.text, reasons: classification.reasons },
    };
  });

  const finish = async (outcome: Licence) => {
    licence = outcome;
    await report();
    return outcome;
  };

  if (tier === 'T0') {
    audit({ actor: 'system', action: 'cleared-deemed-to-comply', channel: 'system', detail: `T0 cleared without review: ${classification.rule.text}` });
    return finish({ status: 'cleared', conditions: policy.licenceConditions.T0, basis: classification.rule.text });
  }

  try {
    for (const phase of componentReviewPlan(policy, project, component, classification, tier)) {
      await board.openSteps(phase);
      const decided = await board.waitForDecisions(phase.map((p) => p.stepId));
      const denials = decided.filter((s) => s.outcome === 'denied');
      if (denials.length) {
        const basis = denials.map((s) => `${s.partyName}: ${s.legalBasis}`).join('; ');
        audit({ actor: 'system', action: 'licence-denied', channel: 'system', detail: basis });
        return await finish({ status: 'denied', conditions: [], basis });
      }
    }
  } catch (err) {
    if (!isCancellation(err)) throw err;
    // The project was withdrawn: close what is open and tell the reviewers, even though we are cancelled.
    await CancellationScope.nonCancellable(async () => {
      await board.closeOpen('the project was withdrawn by its coordinator');
    });
    throw err;
  }

  const regime = policy.regimes[leadAgency(policy, project).regime];
  const validFrom = new Date();
  const granted: Licence = {
    status: 'approved',
    licenceId: `LIC-${project.projectId}-${component.id}`,
    validFrom: validFrom.toISOString(),
    validUntil: new Date(validFrom.getTime() + regime.licenceValidity).toISOString(),
    conditions: policy.licenceConditions[tier],
    reportingPeriodMs: regime.reportingPeriod,
  };
  audit({ actor: 'system', action: 'licence-granted', channel: 'system', detail: `${granted.licenceId} valid until ${granted.validUntil}; conditions: ${granted.conditions.join('; ')}` });
  return finish(granted);
}
