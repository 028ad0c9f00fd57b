/**
 * One project's path: scoping → grant review → component licensing → active.
 * Owns the project's view and audit trail; each component's licence review is
 * a child workflow that reports its progress here.
 */
import {
  allHandlersFinished,
  ApplicationFailure,
  CancellationScope,
  condition,
  getExternalWorkflowHandle,
  isCancellation,
  log,
  makeContinueAsNewFunc,
  ParentClosePolicy,
  patched,
  setHandler,
  startChild,
  workflowInfo,
  type ChildWorkflowHandle,
} from '@temporalio/workflow';
import { recordKeepingMs } from '../domain/record-keeping';
import { escalationPlan, grantReviewPlan, leadAgency, tierLoweringPlan } from '../domain/routing';
import {
  auditQuery,
  confirmScopingUpdate,
  assignUpdate,
  decideUpdate,
  progressSignal,
  answerInfoUpdate,
  licenceWorkflowId,
  resubmitUpdate,
  addDelegateUpdate,
  PROJECT_HISTORY_BYTES,
  PROJECT_HISTORY_EVENTS,
  ProjectRejection,
  projectViewQuery,
  searchAttributes,
  stepContextQuery,
  withdrawUpdate,
  type AuditEntry,
  type ComponentView,
  type DisputeView,
  type MilestoneView,
  type Licence,
  type LicenceStatus,
  type MonitorRef,
  type ProjectCarry,
  type ProjectInput,
  type ProjectView,
  type ReviewStep,
  type ScopingConfirmation,
  type Stage,
  type WithdrawRequest,
} from './definitions';
import { mail, mailsIdle, mailsSettled, records, reference } from './effects';
import type { MailContext, NoticeIntent } from './mail-intents';
import { licenceWorkflow } from './licence';
import { ReviewBoard, type AuditInput } from './review-board';
import { complianceMonitorWorkflow } from './compliance';
import { complianceMonitorStart } from './compliance-contract';
import { cycleReviewSignal } from './cycle-contract';
import { runCycleReview } from './cycle-review';
import { scopingValidator, applyScoping } from './scoping';
import { Visibility } from './visibility';
import { ProjectWrites } from './project-record-writes';
import { RecordWriter } from './record-writer';

/** Licence states with nothing left to decide or monitor: a project whose licences are all here closes. */
const LICENCE_ENDED = new Set<LicenceStatus>(['cleared', 'denied', 'returned', 'revoked', 'expired']);

export async function projectWorkflow(input: ProjectInput): Promise<Stage> {
  const { project, policy, continued } = input;
  const { workflowId } = workflowInfo();
  // Runs started before projects continued as new end as they did: their monitors are children they wait for.
  const continues = patched('project-continue-as-new');
  const lead = leadAgency(policy, project);
  const submittedAt = continued?.submittedAt ?? new Date().toISOString();
  /** Coordinators who act on the project as its owner (the submitter) does. */
  const delegates = new Set<string>(continued?.delegates);
  /** This run's entries of the audit trail (earlier runs' are in the record). */
  const auditTrail: AuditEntry[] = [];
  const writes = new ProjectWrites(
    {
      view: () => view(),
      audit: () => auditTrail,
      parties: [
        ...project.partners.map((p) => ({ partyId: p.id, role: 'partner' as const, name: p.name, country: p.country })),
        { partyId: project.funderId, role: 'funder' as const, name: policy.funders.find((f) => f.id === project.funderId)!.name },
        { partyId: lead.id, role: 'agency' as const, name: lead.name, country: lead.country },
      ],
      keepForMs: recordKeepingMs(policy),
    },
    continued?.record,
  );
  // Update handlers answer once their changes are recorded, so what the API answered is what it reads.
  const recorder = new RecordWriter(() => records.recordProject(writes.next()));
  const answer = <T>(result: T | Promise<T>) => recorder.answer(result);
  const record = (entry: AuditInput) => {
    auditTrail.push({ at: new Date().toISOString(), ...entry });
    recorder.changed();
    // One log line per audit entry (the SDK adds workflowId, runId and workflowType; replays log nothing).
    log.info(`audit: ${entry.action}`, { action: entry.action, channel: entry.channel, componentId: entry.componentId, stepId: entry.stepId });
  };
  const components = new Map<string, ComponentView>(
    continued?.components.map((c) => [c.id, c]) ??
      project.components.map((c) => [
        c.id,
        { id: c.id, name: c.name, tier: null, classifiedTier: null, tierReason: null, classification: null, licence: { status: 'in-review', conditions: [] } },
      ]),
  );
  /** Steps of the licence reviews and disputes, by the workflow that reported them. */
  const childSteps = new Map<string, ReviewStep[]>();
  const disputes = new Map<string, DisputeView>(continued?.disputes.map((d) => [d.disputeId, d]));
  const milestones = new Map<string, MilestoneView>(
    continued?.milestones.map((m) => [m.id, m]) ?? project.milestones.map((m) => [m.id, { ...m, status: 'pending' }]),
  );
  /** Bumped on every change a cycle review may wait for. */
  let changes = 0;
  let stage: Stage = continued ? 'active' : 'scoping';
  let confirmation: ScopingConfirmation | undefined;
  let withdrawal: WithdrawRequest | undefined;
  let children: Promise<Licence>[] = [];
  /** Submissions of each component's licence review (more than one after a return), and until when a returned one may be resubmitted. */
  const submissions = new Map<string, number>(continued?.submissions ?? project.components.map((c) => [c.id, 1]));
  const resubmittableUntil = new Map<string, number>(continued?.resubmittableUntil);
  /** The compliance monitors' results: each ends when its licence expires or is revoked. */
  const monitors: Promise<void>[] = [];
  /** Every monitor started, in this run or an earlier one; each says when it has sent its last report. */
  const monitorRefs: MonitorRef[] = continued?.monitors ?? [];
  let reviewsRunning = 0;

  const funder = policy.funders.find((f) => f.id === project.funderId)!;
  const board: ReviewBoard = new ReviewBoard({
    policy,
    coordinator: project.coordinator,
    audit: record,
    mailContext: (step) => ({
      projectId: project.projectId,
      projectTitle: project.title,
      componentName: step.componentId && components.get(step.componentId)?.name,
    }),
    // A silent grant reviewer's senior decides in their place; silence never approves a grant.
    // A milestone review left open at the cycle's close stays open, overdue: the cycle reports it stalled.
    escalationFor: (step) => escalationPlan(step, step.kind === 'grant-funder' ? funder.seniorReviewers : lead.seniorReviewers),
    waitingParties: [`${project.coordinator.name} (coordinator)`],
    onChange: async () => {
      changes += 1;
      publishVisibility();
    },
  });
  const allSteps = () => [...board.list(), ...[...childSteps.values()].flat()];

  const visibility = new Visibility(project.title);
  visibility.setOwners([input.submittedBy, ...delegates]);
  const publishVisibility = (): void => {
    visibility.publish(stage, board.open());
    recorder.changed();
  };
  const setStage = (next: Stage, why: string) => {
    record({ actor: 'system', action: 'stage-changed', channel: 'system', detail: `${stage} → ${next}: ${why}` });
    stage = next;
    publishVisibility();
  };
  const context: MailContext = { projectId: project.projectId, projectTitle: project.title };
  const coordinatorName = project.coordinator.name;
  const notify = async (to: string, key: string, intent: NoticeIntent) => {
    const receipt = await mail.sendNotice({ to, key: `${workflowId}.${key}`, intent });
    record({ actor: 'system', action: 'email-sent', channel: 'email', detail: `notice to ${receipt.to}: "${receipt.subject}"` });
  };
  const notifyCoordinator = (key: string, intent: NoticeIntent) => notify(project.coordinator.email, key, intent);

  const view = (): ProjectView => {
    const steps = allSteps();
    return {
      projectId: project.projectId,
      title: project.title,
      funderId: project.funderId,
      coordinator: project.coordinator,
      leadAgency: lead.id,
      policyVersion: policy.version,
      stage,
      submittedAt,
      components: [...components.values()],
      openSteps: steps.filter((s) => s.status === 'open'),
      steps,
      milestones: [...milestones.values()],
      disputes: [...disputes.values()],
      owner: input.submittedBy,
      delegates: [...delegates],
    };
  };

  setHandler(projectViewQuery, view);
  setHandler(auditQuery, () => [...auditTrail].sort((a, b) => a.at.localeCompare(b.at)));
  setHandler(stepContextQuery, (stepId) => {
    const step = board.steps.get(stepId);
    if (!step) return null;
    const coordinator = `${project.coordinator.name} <${project.coordinator.email}>`;
    return { step, projectId: project.projectId, projectTitle: project.title, funderId: project.funderId, coordinator };
  });
  setHandler(decideUpdate, (d) => answer(board.decide(d)), { validator: (d) => board.validate(d) });
  setHandler(assignUpdate, (a) => answer(board.assign(a)), { validator: (a) => board.validateAssign(a) });
  setHandler(
    confirmScopingUpdate,
    (c) => {
      confirmation = c;
      record({
        actor: c.confirmedBy,
        action: 'scoping-confirmed',
        channel: 'api',
        detail: c.overrides.length ? `${c.overrides.length} tier override(s)` : 'confirmed as classified',
      });
      return answer(applyScoping(components, c, record));
    },
    { validator: (c) => scopingValidator(stage, components, confirmation, c) },
  );
  setHandler(answerInfoUpdate, (a) => answer(board.answerInfo(a)), { validator: (a) => board.validateInfoAnswer(a) });
  setHandler(progressSignal, (progress) => {
    // Changed steps only (full lists from reviews started before that), merged by step id; a step is never removed.
    const known = childSteps.get(progress.source) ?? [];
    const changed = new Map(progress.steps.map((s) => [s.stepId, s]));
    childSteps.set(progress.source, [
      ...known.map((s) => changed.get(s.stepId) ?? s),
      ...progress.steps.filter((s) => !known.some((k) => k.stepId === s.stepId)),
    ]);
    const component = components.get(progress.componentId);
    if (component && progress.licence) component.licence = progress.licence;
    if (component && progress.caseClock) component.caseClock = progress.caseClock;
    if (progress.dispute) disputes.set(progress.dispute.disputeId, progress.dispute);
    if (progress.final) monitorRefs.filter((m) => m.workflowId === progress.source).forEach((m) => (m.finished = true));
    auditTrail.push(...progress.audit);
    changes += 1;
    recorder.changed();
  });
  setHandler(cycleReviewSignal, (request) =>
    runCycleReview(
      {
        project,
        funder,
        board,
        components,
        milestones,
        childSteps: () => [...childSteps.values()].flat(),
        stage: () => stage,
        changes: () => changes,
        record,
        notify,
      },
      request,
    ),
  );

  const main = new CancellationScope();
  setHandler(
    withdrawUpdate,
    async (request) => {
      withdrawal = request;
      record({ actor: request.withdrawnBy, action: 'withdrawal-requested', channel: 'api', detail: request.reason });
      main.cancel();
      await condition(() => stage === 'withdrawn');
      if (recorder.enabled) await recorder.flushed();
      return { stage: 'withdrawn' as const, closedSteps: allSteps().filter((s) => s.status === 'closed').length };
    },
    {
      validator: (_request: WithdrawRequest) => {
        if (withdrawal || !['scoping', 'grant-review', 'active'].includes(stage)) {
          const state = withdrawal ? 'already being withdrawn' : stage;
          throw ApplicationFailure.nonRetryable(`project ${project.projectId} is ${state} and cannot be withdrawn`, ProjectRejection.WrongStage);
        }
      },
    },
  );

  /** One submission of a component's licence review (a child workflow); a granted licence gets its compliance monitor at once. */
  async function reviewLicence(componentId: string): Promise<Licence> {
    reviewsRunning += 1;
    try {
      const spec = project.components.find((c) => c.id === componentId)!;
      const c = components.get(componentId)!;
      const handle: ChildWorkflowHandle<typeof licenceWorkflow> = await startChild(licenceWorkflow, {
        workflowId: licenceWorkflowId(project.projectId, componentId, submissions.get(componentId)),
        args: [{ project, component: spec, classification: c.classification!, tier: c.tier!, policy, parentWorkflowId: workflowId }],
        typedSearchAttributes: [
          { key: searchAttributes.projectId, value: project.projectId },
          { key: searchAttributes.funderId, value: project.funderId },
        ],
      });
      const licence = await handle.result();
      if (licence.status === 'returned') resubmittableUntil.set(componentId, Date.now() + policy.sla.resubmitWithin);
      if (licence.status === 'approved') {
        const start = complianceMonitorStart({ project, component: spec, licence, policy, projectWorkflowId: workflowId });
        // A monitor outlives the run that started it (the project continues as new): it is left running when the run
        // closes. A withdrawal cancels it with this run's scope, and those of earlier runs by their workflow ids.
        const monitor = await startChild(complianceMonitorWorkflow, continues ? { ...start, parentClosePolicy: ParentClosePolicy.ABANDON } : start);
        if (continues) monitorRefs.push({ componentId, workflowId: start.workflowId, finished: false });
        // Settled either way, and at once: an unobserved failure (a monitor terminated by an operator) would fail this workflow's task.
        monitors.push(
          monitor.result().then(
            () => undefined,
            (err) => log.warn('compliance monitor did not complete', { componentId, err }),
          ),
        );
      }
      return licence;
    } finally {
      reviewsRunning -= 1;
    }
  }

  setHandler(
    resubmitUpdate,
    async ({ componentId, submittedBy }) => {
      const submission = submissions.get(componentId)! + 1;
      submissions.set(componentId, submission);
      resubmittableUntil.delete(componentId);
      components.get(componentId)!.licence = { status: 'in-review', conditions: [] };
      record({ actor: submittedBy, action: 'component-resubmitted', channel: 'api', componentId, detail: `submission ${submission} after a return` });
      changes += 1;
      children.push(reviewLicence(componentId));
      return answer({ componentId, workflowId: licenceWorkflowId(project.projectId, componentId, submission) });
    },
    {
      validator: ({ componentId }) => {
        const c = components.get(componentId);
        if (!c) throw ApplicationFailure.nonRetryable(`project ${project.projectId} has no component ${componentId}`, ProjectRejection.NotReturned);
        if (stage !== 'active' || c.licence.status !== 'returned') {
          throw ApplicationFailure.nonRetryable(
            `component ${componentId} is ${c.licence.status}${stage !== 'active' ? ` and the project is ${stage}` : ''}: ` +
              'only a returned component may be submitted again',
            ProjectRejection.NotReturned,
          );
        }
      },
    },
  );

  setHandler(
    addDelegateUpdate,
    ({ userId, addedBy }) => {
      delegates.add(`coordinator:${userId}`);
      record({ actor: addedBy, action: 'delegate-added', channel: 'api', detail: `coordinator:${userId} may act on the project` });
      visibility.setOwners([input.submittedBy, ...delegates]);
      publishVisibility();
      return answer({ owner: input.submittedBy, delegates: [...delegates] });
    },
    {
      validator: ({ addedBy }) => {
        if (addedBy !== input.submittedBy && addedBy !== 'admin') {
          throw ApplicationFailure.nonRetryable(`only the project's owner (${input.submittedBy}) adds delegates`, ProjectRejection.NotOwner);
        }
      },
    },
  );

  if (!continued) {
    record({
      actor: input.submittedBy,
      action: 'project-submitted',
      channel: 'api',
      detail: `"${project.title}" with ${project.components.length} component(s), policy ${policy.version}`,
    });
  }
  publishVisibility();
  void recorder.run();

  /** Scoping, grant review and the first licence reviews; false when the grant is refused. */
  async function begin(): Promise<boolean> {
    // 1. Scoping: classify, then wait for the coordinator to confirm.
    const classifications = await reference.classifyProject({ project, rules: policy.classification });
    for (const c of classifications) {
      Object.assign(components.get(c.componentId)!, { classification: c, classifiedTier: c.tier, tier: c.tier, tierReason: c.rule.text });
      const codes = c.matchedEntries.map((e) => e.code).join(', ') || 'none listed';
      record({
        actor: 'system',
        action: 'classified',
        channel: 'system',
        componentId: c.componentId,
        detail:
          `${c.tier} by rule ${c.rule.id}: ${c.rule.text}; codes ${codes}; ` +
          `reasons ${c.reasons.join(', ') || 'none'}; party hits ${c.restrictedPartyHits.length}`,
      });
    }
    await notifyCoordinator('scoping', {
      kind: 'scoping-ready',
      context,
      coordinatorName,
      tiers: classifications.map((c) => ({ componentName: components.get(c.componentId)!.name, tier: c.tier, rule: c.rule.text })),
    });
    await condition(() => confirmation !== undefined);

    // 2. Grant review, with any tier lowering the lead agency must approve.
    setStage('grant-review', 'scoping confirmed');
    const lowerings = [...components.values()].filter((c) => c.pendingTier);
    const plans = [
      ...grantReviewPlan(policy, project),
      ...lowerings.map((c) =>
        tierLoweringPlan(policy, project, c.id, c.tier!, c.pendingTier!, confirmation!.overrides.find((o) => o.componentId === c.id)!.justification!),
      ),
    ];
    await board.openSteps(plans);
    await board.waitForDecisions(plans.map((p) => p.stepId));
    for (const c of lowerings) {
      const step = board.steps.get(`tier-${c.id}`)!;
      if (step.outcome === 'approved') {
        record({
          actor: step.reviewer,
          action: 'tier-lowered',
          channel: 'system',
          componentId: c.id,
          detail: `${c.tier} → ${c.pendingTier} approved by ${step.partyName}`,
        });
        Object.assign(c, { tier: c.pendingTier, tierReason: `lowered from ${c.tier} with ${step.partyName}'s approval` });
      } else {
        record({
          actor: step.reviewer,
          action: 'tier-lowering-refused',
          channel: 'system',
          componentId: c.id,
          detail: `stays ${c.tier}: ${step.legalBasis ?? ''}`,
        });
      }
      delete c.pendingTier;
    }
    const refusals = board.list().filter((s) => (s.kind === 'grant-funder' || s.kind === 'grant-agency') && s.outcome === 'denied');
    if (refusals.length) {
      setStage('rejected', refusals.map((s) => `${s.partyName} denied (${s.legalBasis})`).join('; '));
      await notifyCoordinator('rejected', {
        kind: 'grant-rejected',
        context,
        coordinatorName,
        refusals: refusals.map((s) => ({ partyName: s.partyName, legalBasis: s.legalBasis, comment: s.comment })),
      });
      return false;
    }

    // 3. Active: one child workflow per component licence.
    setStage('active', 'grant approved by the funder and the lead agency');
    children = project.components.map((spec) => reviewLicence(spec.id));
    const licences = await Promise.all(children);
    children = [];
    const summary = project.components.map(
      (spec, i) => `- ${spec.name}: ${licences[i].status}${licences[i].validUntil ? ` until ${licences[i].validUntil}` : ''}`,
    );
    record({ actor: 'system', action: 'licensing-complete', channel: 'system', detail: summary.join('; ') });
    await notifyCoordinator('licensing', {
      kind: 'licensing-complete',
      context,
      coordinatorName,
      licences: project.components.map((spec, i) => ({ componentName: spec.name, status: licences[i].status, validUntil: licences[i].validUntil })),
    });
    return true;
  }

  /** The project's record continues in a new run: its history stays bounded however long its licences last. */
  function continueInNewRun(): Promise<never> {
    const carry: ProjectCarry = {
      submittedAt,
      delegates: [...delegates],
      components: [...components.values()],
      milestones: [...milestones.values()],
      disputes: [...disputes.values()],
      submissions: [...submissions],
      resubmittableUntil: [...resubmittableUntil],
      monitors: monitorRefs,
      record: writes.carry(),
    };
    log.info('continuing as new', { historyLength: workflowInfo().historyLength, historySize: workflowInfo().historySize });
    const { typedSearchAttributes, memo } = workflowInfo();
    return makeContinueAsNewFunc<typeof projectWorkflow>({ typedSearchAttributes, memo })({ ...input, continued: carry });
  }

  try {
    await main.run(async () => {
      if (!continued && !(await begin())) return;

      // The project stays active while a licence is in force or under review: milestones, cycles and compliance follow.
      // A returned component may be submitted again within the policy's window; the project closes once nothing can change.
      const allEnded = () => [...components.values()].every((c) => LICENCE_ENDED.has(c.licence.status));
      // Its history grows with each report from its compliance monitors: past a bound, it continues as new, between
      // reviews, when nothing is in flight (no licence review, cycle review, handler, open step, mail or record write).
      const historyFull = () => {
        const info = workflowInfo();
        return (
          info.continueAsNewSuggested ||
          info.historyLength >= (input.continueAfterEvents ?? PROJECT_HISTORY_EVENTS) ||
          info.historySize >= PROJECT_HISTORY_BYTES
        );
      };
      const quiet = () => !withdrawal && reviewsRunning === 0 && board.open().length === 0 && recorder.idle() && mailsIdle() && allHandlersFinished();
      for (;;) {
        await condition(() => allEnded() || (continues && historyFull()));
        if (!allEnded()) {
          await condition(() => allEnded() || quiet());
          if (!allEnded()) await continueInNewRun();
          continue;
        }
        const until = Math.max(0, ...resubmittableUntil.values());
        if (Date.now() >= until) break;
        await condition(() => !allEnded(), until - Date.now());
      }
      if (continues) {
        // Monitors are not children of later runs: each says when it has sent its last report.
        await Promise.all(children);
        await condition(() => monitorRefs.every((m) => m.finished));
      } else {
        // Closing completes this workflow, which would end its monitors (the parent close policy): each must finish first.
        await Promise.all([...children, ...monitors]);
      }
      const ended = [...components.values()].map((c) => `${c.name}: ${c.licence.status}`).join('; ');
      setStage('closed', `every licence has ended (${ended})`);
      await notifyCoordinator('closed', { kind: 'project-closed', context, coordinatorName, ended });
    });
  } catch (err) {
    if (!(withdrawal && isCancellation(err))) throw err;
    await CancellationScope.nonCancellable(async () => {
      const reason = 'the project was withdrawn by its coordinator';
      await board.closeOpen(reason);
      await Promise.allSettled(children); // each licence review closes its own steps
      if (continues) {
        // This run's monitors were cancelled with its scope; an earlier run's are not its children.
        for (const m of (continued?.monitors ?? []).filter((r) => !r.finished)) {
          await getExternalWorkflowHandle(m.workflowId)
            .cancel()
            .catch((err) => log.warn('compliance monitor not cancelled', { componentId: m.componentId, err }));
        }
      }
      await notifyCoordinator('withdrawn', { kind: 'project-withdrawn', context, coordinatorName, reason: withdrawal!.reason });
      setStage('withdrawn', withdrawal!.reason); // last: the withdraw Update answers once everything above is done
    });
  }
  await mailsSettled();
  if (recorder.enabled) await recorder.flushed();
  await condition(allHandlersFinished);
  return stage;
}
