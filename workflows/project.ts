/**
 * One project's path: scoping → grant review → component licensing → active.
 * Owns the project's core view, its own steps and its own audit entries, and
 * records them; each component's licence review is a child workflow that
 * records its own and tells the project only what it decides on.
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
  setHandler,
  startChild,
  workflowInfo,
  type ChildWorkflowHandle,
} from '@temporalio/workflow';
import { recordKeepingMs } from '../domain/record-keeping';
import { escalationPlan, grantReviewPlan, leadAgency } from '../domain/routing';
import { leadTierLoweringPlan, tierLoweringPlan, type TierLowering } from '../domain/tier-lowering';
import { isPatched } from './patches';
import { serveDelegates } from './project-delegates';
import {
  childReportSignal,
  confirmScopingUpdate,
  licenceWorkflowId,
  resubmitUpdate,
  PROJECT_HISTORY_BYTES,
  PROJECT_HISTORY_EVENTS,
  ProjectRejection,
  searchAttributes,
  withdrawUpdate,
  type ComponentView,
  type DisputeView,
  type MilestoneView,
  type Licence,
  type LicenceStatus,
  type MonitorRef,
  type ProjectCarry,
  type ProjectInput,
  type ScopingConfirmation,
  type Stage,
  type WithdrawRequest,
} from './definitions';
import type { ProjectCore } from '../records/contract';
import { mail, mailsIdle, reference } from './effects';
import type { MailContext, NoticeIntent } from './mail-intents';
import { licenceWorkflow } from './licence';
import { ReviewBoard } from './review-board';
import { complianceMonitorStart } from './compliance-contract';
import { cycleReviewSignal } from './cycle-contract';
import { runCycleReview, type CycleReviewContext } from './cycle-review';
import { scopingValidator, applyScoping, applyLowering } from './scoping';
import { Visibility } from './visibility';
import { projectParties, submissionEntry, submittedCore } from './project-core';
import { CycleItemWrites, ProjectCoreWrites, wakeShard } from './project-record-writes';
import { RecordOwner } from './record-writer';
import { Amendments } from './project-amendments';
import { ReviewRuns, startMonitor } from './review-runs';
import { ProjectPeople } from './project-people';
import { runPostProjectReview } from './post-project-review';
import type { PostProjectSummary } from './people-contract';

/** Licence states with nothing left to decide or monitor: a project whose licences are all here closes. */
const LICENCE_ENDED = new Set<LicenceStatus>(['cleared', 'not-required', 'denied', 'returned', 'revoked', 'expired']);

export async function projectWorkflow(input: ProjectInput): Promise<Stage> {
  const { project, policy, continued } = input;
  const { workflowId, firstExecutionRunId } = workflowInfo();
  const lead = leadAgency(policy, project);
  const submittedAt = continued?.submittedAt ?? input.submittedAt ?? new Date().toISOString();
  const submitted = submittedCore(project, policy, input.submittedBy, submittedAt);
  /** Coordinators who act on the project as its owner (the submitter) does. */
  const delegates = new Set<string>(continued?.delegates);
  const coreWrites = new ProjectCoreWrites(
    {
      core: () => core(),
      parties: projectParties(project, policy),
      submission: project,
      keepForMs: recordKeepingMs(policy),
    },
    !continued,
  );
  const cycleItems = new CycleItemWrites();
  // Update handlers answer once their changes are recorded, so what the API answered is what it reads.
  const owner = new RecordOwner(
    { projectId: project.projectId, run: firstExecutionRunId },
    {
      from: continued?.record,
      extra: () => ({ ...coreWrites.next(), ...cycleItems.take() }),
      // This write recorded the last final outcome of a cycle shard's projects: the shard reads them now.
      written: ({ settledShards }) => settledShards.forEach(wakeShard),
    },
  );
  const { recorder } = owner;
  const answer = <T>(result: T | Promise<T>) => recorder.answer(result);
  const record = owner.audit;
  const components = new Map<string, ComponentView>((continued?.components ?? submitted.components).map((c) => [c.id, c]));
  /** Who each licence review and dispute waits on, by the workflow that reported it (for a cycle's outcome). */
  const awaiting = new Map<string, { componentId: string; parties: string[] }>();
  const disputes = new Map<string, DisputeView>(continued?.disputes.map((d) => [d.disputeId, d]));
  const milestones = new Map<string, MilestoneView>((continued?.milestones ?? submitted.milestones).map((m) => [m.id, m]));
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
    // A step's own party's seniors: the lead agency's for its grant review, a component issuer's for its tier lowering.
    escalationFor: (step) =>
      escalationPlan(step, step.kind === 'grant-funder' ? funder.seniorReviewers : (policy.agencies.find((a) => a.id === step.party) ?? lead).seniorReviewers),
    waitingParties: [`${project.coordinator.name} (coordinator)`],
    onChange: () => changed(),
  });
  owner.serve(board);
  let postProjectReview: PostProjectSummary | undefined;
  const people = new ProjectPeople({
    ...{ project, policy, funder, board, record, answer, carried: continued?.people },
    ...{ stage: () => stage, changed: () => changed() },
  });

  /** A change a cycle review may wait for: counted, published and recorded. */
  const changed = () => {
    changes += 1;
    publishVisibility();
  };
  const visibility = new Visibility();
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

  /** The project's view without steps (each workflow records its own): what its record's core holds. */
  const core = (): ProjectCore => ({
    projectId: project.projectId,
    title: project.title,
    funderId: project.funderId,
    coordinator: project.coordinator,
    leadAgency: lead.id,
    policyVersion: policy.version,
    stage,
    submittedAt,
    components: [...components.values()],
    milestones: [...milestones.values()],
    disputes: [...disputes.values()],
    owner: input.submittedBy,
    delegates: [...delegates],
    ...people.view(),
    ...(postProjectReview && { postProjectReview }),
  });

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
  const reviews = new ReviewRuns();
  setHandler(childReportSignal, (report) => {
    if (reviews.isEnded(report.source)) return; // a review or monitor an amendment ended
    const component = components.get(report.componentId);
    if (component && report.licence) component.licence = report.licence;
    if (component && report.caseClock) component.caseClock = report.caseClock;
    if (report.dispute) disputes.set(report.dispute.disputeId, report.dispute);
    if (report.awaiting) awaiting.set(report.source, { componentId: report.componentId, parties: report.awaiting });
    if (report.final) monitorRefs.filter((m) => m.workflowId === report.source).forEach((m) => (m.finished = true));
    changes += 1;
    recorder.changed();
  });
  const cycleContext: CycleReviewContext = {
    ...{ project, funder, board, components, milestones, record, notify, stage: () => stage, changes: () => changes },
    awaiting: (componentIds) => [...awaiting.values()].filter((a) => componentIds.includes(a.componentId)).flatMap((a) => a.parties),
    outstanding: (at) => people.outstanding(at),
    writeItem: (item) => (cycleItems.set(item), recorder.changed()),
  };
  setHandler(cycleReviewSignal, (request) => runCycleReview(cycleContext, request));

  const main = new CancellationScope();
  setHandler(
    withdrawUpdate,
    async (request) => {
      withdrawal = request;
      record({ actor: request.withdrawnBy, action: 'withdrawal-requested', channel: 'api', detail: request.reason });
      main.cancel();
      await condition(() => stage === 'withdrawn');
      await recorder.flushed();
      return { stage: 'withdrawn' as const };
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
        args: [
          {
            ...{ project, component: spec, classification: c.classification!, tier: c.tier!, tierReason: c.tierReason, policy },
            ...{ parentWorkflowId: workflowId, projectRun: firstExecutionRunId },
          },
        ],
        typedSearchAttributes: [
          { key: searchAttributes.projectId, value: project.projectId },
          { key: searchAttributes.funderId, value: project.funderId },
        ],
      });
      const outcome = await reviews.outcome(componentId, handle);
      awaiting.delete(handle.workflowId);
      if ('replaced' in outcome) return outcome.replaced;
      const { licence } = outcome;
      c.licence = licence;
      if (licence.status === 'returned') resubmittableUntil.set(componentId, Date.now() + policy.sla.resubmitWithin);
      if (licence.status === 'approved') {
        const start = complianceMonitorStart({ project, component: spec, licence, policy, projectWorkflowId: workflowId, projectRun: firstExecutionRunId });
        await startMonitor(componentId, start, monitorRefs, monitors);
      }
      reviews.release(componentId, handle.workflowId);
      return licence;
    } finally {
      reviewsRunning -= 1;
    }
  }

  /** A new submission of a component's licence review (after a return, or an amendment): its licence is in review again. */
  function submitAgain(componentId: string): Promise<Licence> {
    submissions.set(componentId, (submissions.get(componentId) ?? 0) + 1);
    resubmittableUntil.delete(componentId);
    components.get(componentId)!.licence = { status: 'in-review', conditions: [] };
    changes += 1;
    return reviewLicence(componentId);
  }

  setHandler(
    resubmitUpdate,
    async ({ componentId, submittedBy }) => {
      const submission = submissions.get(componentId)! + 1;
      record({ actor: submittedBy, action: 'component-resubmitted', channel: 'api', componentId, detail: `submission ${submission} after a return` });
      children.push(submitAgain(componentId));
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

  const amendments = new Amendments({
    ...{ project, policy, components, context, record, answer, notifyCoordinator, carried: continued?.amendments },
    stage: () => stage,
    changed: publishVisibility,
    recordSubmission: () => coreWrites.amended(projectParties(project, policy)),
    peopleAmended: (screenAgain) => people.amended(screenAgain),
    reviewAgain: async (componentId, reason) => {
      record({ actor: 'system', action: 'review-superseded', channel: 'system', componentId, detail: reason });
      children.push((await reviews.replace(componentId, reason, monitorRefs, () => submitAgain(componentId))).next);
    },
  });
  serveDelegates(delegates, { owner: input.submittedBy, record, changed: publishVisibility, answer });

  // The API records the submission it took (input.submittedAt); a project started otherwise records it here.
  if (!continued && !input.submittedAt) {
    const { at: _now, ...entry } = submissionEntry(project, policy, input.submittedBy, submittedAt);
    record(entry);
  }
  publishVisibility();

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
    if (people.any()) await people.screen();
    await notifyCoordinator('scoping', {
      kind: 'scoping-ready',
      context,
      coordinatorName,
      tiers: classifications.map((c) => ({ componentName: components.get(c.componentId)!.name, tier: c.tier, rule: c.rule.text })),
    });
    await condition(() => confirmation !== undefined);

    // 2. Grant review, with any tier lowering the component's issuer must approve.
    setStage('grant-review', 'scoping confirmed');
    const lowerings = [...components.values()].filter((c) => c.pendingTier);
    const lowering = (c: ComponentView): TierLowering => ({
      componentId: c.id,
      from: c.tier!,
      to: c.pendingTier!,
      justification: confirmation!.overrides.find((o) => o.componentId === c.id)!.justification!,
    });
    const byIssuer = lowerings.length > 0 && isPatched('tier-lowering-by-issuer');
    const plans = [
      ...grantReviewPlan(policy, project),
      ...lowerings.map((c) =>
        byIssuer ? tierLoweringPlan(policy, project, lowering(c), c.classification!) : leadTierLoweringPlan(policy, project, lowering(c)),
      ),
    ];
    await board.openSteps(plans);
    await board.waitForDecisions(plans.map((p) => p.stepId));
    for (const c of lowerings) applyLowering(c, board.steps.get(`tier-${c.id}`)!, record);
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

    // 3. Active: one child workflow per component licence, with the facts of every amendment accepted meanwhile.
    if (!amendments.idle()) await condition(() => amendments.idle());
    setStage('active', 'grant approved by the funder and the lead agency');
    if (people.any()) await people.openReleases();
    const specs = [...project.components];
    children = specs.map((spec) => reviewLicence(spec.id));
    const licences = await Promise.all(children);
    children = [];
    const summary = specs.map((spec, i) => `- ${spec.name}: ${licences[i].status}${licences[i].validUntil ? ` until ${licences[i].validUntil}` : ''}`);
    record({ actor: 'system', action: 'licensing-complete', channel: 'system', detail: summary.join('; ') });
    await notifyCoordinator('licensing', {
      kind: 'licensing-complete',
      context,
      coordinatorName,
      licences: specs.map((spec, i) => ({ componentName: spec.name, status: licences[i].status, validUntil: licences[i].validUntil })),
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
      record: owner.position(),
      ...(amendments.carry().accepted && { amendments: amendments.carry() }),
      ...(people.carry() && { people: people.carry() }),
    };
    log.info('continuing as new', { historyLength: workflowInfo().historyLength, historySize: workflowInfo().historySize });
    const { typedSearchAttributes, memo } = workflowInfo();
    return makeContinueAsNewFunc<typeof projectWorkflow>({ typedSearchAttributes, memo })({ ...input, continued: carry });
  }

  return owner.run(async () => {
    await runProject();
    await condition(allHandlersFinished);
    return stage;
  });

  async function runProject(): Promise<void> {
    try {
      await main.run(async () => {
        amendments.run().catch((err) => {
          if (!isCancellation(err)) throw err;
        });
        if (!continued && !(await begin())) return;

        // The project stays active while a licence is in force or under review, and (since 0.4.0) while a milestone
        // waits for its funder's review: a project that needs no licence still has tranches to be released.
        // A returned component may be submitted again within the policy's window; the project closes once nothing can change.
        const licencesEnded = () => [...components.values()].every((c) => LICENCE_ENDED.has(c.licence.status));
        const milestonesWait = isPatched('close-after-milestones');
        const allEnded = () => licencesEnded() && amendments.idle() && (!milestonesWait || [...milestones.values()].every((m) => m.status === 'passed'));
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
        const quiet = () =>
          !withdrawal && reviewsRunning === 0 && amendments.idle() && board.open().length === 0 && recorder.idle() && mailsIdle() && allHandlersFinished();
        for (;;) {
          await condition(() => allEnded() || historyFull());
          if (!allEnded()) {
            await condition(() => allEnded() || quiet());
            if (!allEnded()) await continueInNewRun();
            continue;
          }
          const until = Math.max(0, ...resubmittableUntil.values());
          if (Date.now() >= until) break;
          await condition(() => !allEnded(), until - Date.now());
        }
        // Monitors are not children of later runs: each says when it has sent its last report.
        await Promise.all(children);
        await condition(() => monitorRefs.every((m) => m.finished));
        const ended = [...components.values()].map((c) => `${c.name}: ${c.licence.status}`).join('; ');
        const reviewed = milestones.size ? `; every milestone reviewed (${[...milestones.keys()].join(', ')})` : '';
        setStage('closed', `every licence has ended (${ended})${milestonesWait ? reviewed : ''}`);
        await notifyCoordinator('closed', { kind: 'project-closed', context, coordinatorName, ended });
        if (isPatched('post-project-review')) {
          const summarised = (summary: PostProjectSummary) => ((postProjectReview = summary), recorder.changed());
          await runPostProjectReview({ policy, project, lead, board, components, people, record, summarised });
        }
      });
    } catch (err) {
      if (!(withdrawal && isCancellation(err))) throw err;
      await CancellationScope.nonCancellable(async () => {
        const reason = 'the project was withdrawn by its coordinator';
        await board.closeOpen(reason);
        await Promise.allSettled(children); // each licence review closes and records its own steps
        // This run's monitors were cancelled with its scope; an earlier run's are not its children.
        for (const m of (continued?.monitors ?? []).filter((r) => !r.finished)) {
          await getExternalWorkflowHandle(m.workflowId)
            .cancel()
            .catch((err) => log.warn('compliance monitor not cancelled', { componentId: m.componentId, err }));
        }
        await notifyCoordinator('withdrawn', { kind: 'project-withdrawn', context, coordinatorName, reason: withdrawal!.reason });
        setStage('withdrawn', withdrawal!.reason); // last: the withdraw Update answers once everything above is done
      });
    }
  }
}
