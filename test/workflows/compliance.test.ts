/**
 * Post-licence compliance on a real dev server, with the policy's durations
 * in seconds: a project is driven to a granted licence, its monitor runs, and
 * everything is checked where a user sees it — the project view, the project's
 * audit trail and the e-mails to the coordinator.
 */
import { WorkflowNotFoundError } from '@temporalio/client';
import { policySchema, type Policy, type PolicyFile } from '../../domain/policy';
import { ComplianceRejection, resolveCorrectiveActionUpdate, submitReportUpdate, type ReportSubmission } from '../../workflows/compliance-contract';
import { decideUpdate, DecisionRejection, type AuditEntry, type DecisionInput, type ProjectView } from '../../workflows/definitions';
import { firstRunId, grantLicence, monitorFor, monitoredLicence } from '../helpers/licensed-project';
import { testPolicy, testPolicyFile } from '../helpers/policy';
import {
  mockActivities,
  notices,
  rejectionType,
  useWorkflowEnv,
  type MockActivities,
  type ProjectHandle,
  recordedView,
  recordedAudit,
} from '../helpers/workflow-harness';

const h = useWorkflowEnv(testPolicy());
const client = () => h.env().client;
const COORDINATOR = 'a.weber@kit.example';

/** The test policy with the EU regime's validity and reporting period (the fixture's lead agency is BAFA) and compliance durations set. */
function policyWith(validity: string, period: string, compliance: PolicyFile['compliance']): Policy {
  const file = testPolicyFile();
  file.regimes.EU = { ...file.regimes.EU, licenceValidity: validity, reportingPeriod: period };
  file.compliance = { ...file.compliance, ...compliance };
  return policySchema.parse(file);
}

async function waitForAudit(handle: ProjectHandle, ready: (entries: AuditEntry[]) => boolean, what: string, timeoutMs = 20_000): Promise<AuditEntry[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const entries = await recordedAudit(handle);
    if (ready(entries)) return entries;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; audit: ${entries.map((e) => e.action).join(', ')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
const has = (action: string) => (entries: AuditEntry[]) => entries.some((e) => e.action === action);
const mailsTo = (acts: MockActivities, to: string) => notices(acts).filter((n) => n.to === to);

const report = (period: number, shipments: ReportSubmission['shipments'], endUseConfirmed = true): ReportSubmission => ({
  period,
  endUseConfirmed,
  shipments,
  notes: 'quarterly shipments',
  submittedBy: 'coordinator#test',
});

const BAFA = 'ausfuhr@bafa.example';
const BAFA_SENIOR = 'referatsleitung@bafa.example';
const stepOf = (view: ProjectView, stepId: string) => view.steps.find((s) => s.stepId === stepId);
const proposalOf = (view: ProjectView) => monitoredLicence(view).compliance.correctiveActions[0].proposal;

test(
  'an unresolved corrective action reaches the issuer as a proposed suspension: the holder is ' +
    'heard, the silent issuer suspends nothing and its senior decides; a proposed revocation likewise',
  async () => {
    const policy = policyWith('120s', '120s', {
      correctiveActionWithin: '2s',
      holderAnswerWithin: '30s',
      // Long enough for the revocation to be decided before its own step escalates on a busy machine.
      issuerDecisionWithin: '5s',
      suspensionBeforeRevocation: '2s',
    });
    const acts = mockActivities();
    await h.withWorker(acts, async (tq) => {
      const { handle, project, licence } = await grantLicence(h, tq, policy);
      const monitor = await monitorFor(client(), project, licence, policy);
      await waitForAudit(handle, has('report-requested'), 'report request');

      const submission = report(1, [
        { destination: 'US', endUser: 'Oak Ridge National Laboratory', date: '2027-01-10' },
        { destination: 'CN', endUser: 'Oak Ridge National Laboratory', quantity: 2, date: '2027-01-11' },
      ]);
      const result = await monitor.executeUpdate(submitReportUpdate, { args: [submission] });
      expect(result.anomalies).toEqual([expect.objectContaining({ kind: 'unlicensed-destination', subject: 'CN', shipments: [1] })]);
      expect(result.correctiveAction?.actionId).toBe('c1-ca-1');
      expect(result.licenceStatus).toBe('approved');
      // The validator turns away a second report for the period and one for a period that has not started.
      expect(await rejectionType(monitor.executeUpdate(submitReportUpdate, { args: [submission] }))).toBe(ComplianceRejection.AlreadySubmitted);
      expect(await rejectionType(monitor.executeUpdate(submitReportUpdate, { args: [report(2, [])] }))).toBe(ComplianceRejection.WrongPeriod);

      // Overdue: the suspension is proposed, and the holder is told and heard first, on a step of the monitor decided
      // like any other (the harness finds the step in the records and sends the Update to the workflow recorded with it).
      const [heard] = await h.decide(handle, ['c1-ca-1-suspension-hearing'], () => ({
        decision: 'respond',
        legalBasis: 'The CN entry is a data-entry error: both units went to ORNL (customs papers attached)',
      }));
      expect(heard.outcome).toBe('responded');

      // The issuer's step opens with the holder's answer; it stays silent, which goes to its senior and suspends nothing.
      let view = await h.waitForView(handle, (v) => v.openSteps.some((s) => s.stepId === 'c1-ca-1-suspension-decision-esc'), "the issuer's senior", 20_000);
      expect(stepOf(view, 'c1-ca-1-suspension-hearing')).toMatchObject({ kind: 'holder-hearing', reviewer: COORDINATOR, workflowId: monitor.workflowId });
      const decision = stepOf(view, 'c1-ca-1-suspension-decision')!;
      expect(decision).toMatchObject({ kind: 'sanction-decision', party: 'de-bafa', reviewer: BAFA, workflowId: monitor.workflowId, outcome: 'escalated' });
      expect(decision.question).toContain('responded: "The CN entry is a data-entry error');
      expect(stepOf(view, 'c1-ca-1-suspension-decision-esc')).toMatchObject({ kind: 'sanction-decision', reviewer: BAFA_SENIOR, status: 'open' });
      // The senior is silent too: its step stays open, reminded and flagged; still nothing is suspended.
      const silent = await waitForAudit(handle, (e) => e.filter((x) => x.action === 'escalated').length === 2, "the senior's silence", 30_000);
      expect(silent.filter((x) => x.action === 'escalated').map((x) => [x.stepId, x.detail])).toEqual([
        ['c1-ca-1-suspension-decision', expect.stringContaining(`escalated to ${BAFA_SENIOR}`)],
        ['c1-ca-1-suspension-decision-esc', expect.stringContaining('the step stays open')],
      ]);
      // Each step's clock starts once its e-mail is sent: the senior's silence means all three were mailed.
      expect(acts.sendReviewRequest.mock.calls.map(([r]) => [r.step.stepId, r.step.reviewer])).toEqual(
        expect.arrayContaining([
          ['c1-ca-1-suspension-hearing', COORDINATOR],
          ['c1-ca-1-suspension-decision', BAFA],
          ['c1-ca-1-suspension-decision-esc', BAFA_SENIOR],
        ]),
      );
      view = await recordedView(handle);
      expect(view.components[0].licence.status).toBe('approved');
      expect(proposalOf(view)).toMatchObject({ kind: 'suspension', stage: 'decision' });
      expect(monitoredLicence(view).compliance.correctiveActions[0]).toMatchObject({ status: 'overdue' });

      // The senior approves, citing the basis (as on the reviewer's own step): the licence is suspended, by the issuer.
      expect(
        await rejectionType(
          monitor.executeUpdate(decideUpdate, { args: [{ stepId: 'c1-ca-1-suspension-decision-esc', reviewer: BAFA_SENIOR, decision: 'approve' }] }),
        ),
      ).toBe(DecisionRejection.LegalBasisRequired);
      await h.decide(handle, ['c1-ca-1-suspension-decision-esc'], () => ({ decision: 'approve', legalBasis: 'AWG § 7: licence conditions breached' }));
      view = await h.waitForView(handle, (v) => v.components[0].licence.status === 'suspended', 'suspension', 10_000);
      expect(view.components[0].licence.basis).toMatch(/suspended by Bundesamt .*referatsleitung@bafa\.example.*AWG § 7.*c1-ca-1/);
      expect(proposalOf(view)).toMatchObject({ kind: 'suspension', stage: 'approved', decidedBy: BAFA_SENIOR });
      const suspended = monitoredLicence(view).compliance.correctiveActions[0];

      // Still unresolved after the policy's time: the revocation is proposed; the holder accepts it, the issuer approves.
      await h.decide(handle, ['c1-ca-1-revocation-hearing'], () => ({ decision: 'accept' }));
      await h.decide(handle, ['c1-ca-1-revocation-decision'], () => ({
        decision: 'approve',
        legalBasis: 'AWG § 7: conditions breached through the suspension',
      }));
      view = await h.waitForView(handle, (v) => v.components[0].licence.status === 'revoked', 'revocation', 10_000);
      const revokedAt = Date.parse(monitoredLicence(view).compliance.revokedAt!);
      expect(revokedAt - Date.parse(suspended.revokeAt!)).toBeGreaterThanOrEqual(0);
      expect(view.components[0].licence.basis).toMatch(/revoked by Bundesamt .*ausfuhr@bafa\.example/);
      expect(monitoredLicence(view).compliance.correctiveActions[0]).toMatchObject({ status: 'closed', closedReason: 'the licence was revoked' });
      expect(await monitor.result()).toEqual({ status: 'revoked', licenceId: licence.licenceId, period: 1 });

      const trail = await waitForAudit(
        handle,
        (e) => e.filter((x) => x.action === 'email-sent' && x.detail.startsWith('revocation notice')).length === 1,
        'revocation notice',
      );
      const actions = trail.filter((e) => e.componentId === 'c1').map((e) => e.action);
      const story = [
        'report-requested',
        'report-received',
        'parties-screened',
        'anomaly-found',
        'corrective-action-opened',
        'suspension-proposed',
        'holder-heard',
        'escalated',
        'escalated',
        'licence-suspended',
        'revocation-proposed',
        'holder-heard',
        'licence-revoked',
      ];
      expect(actions.filter((a) => story.includes(a))).toEqual(story);
      const subjects = mailsTo(acts, COORDINATOR).map((n) => n.subject);
      for (const prefix of ['Compliance report for period 1', 'Corrective action c1-ca-1', 'Licence suspended', 'Licence revoked']) {
        expect(subjects.filter((s) => s.startsWith(prefix))).toHaveLength(1);
      }
      expect(mailsTo(acts, COORDINATOR).find((n) => n.subject.startsWith('Corrective action'))!.text).toContain('CN, which the licence does not cover');

      // The monitor has ended: no report reaches it any more.
      await expect(monitor.executeUpdate(submitReportUpdate, { args: [report(1, [])] })).rejects.toBeInstanceOf(WorkflowNotFoundError);
    });
  },
  120_000,
);

test('the issuer may refuse a proposed suspension, with its basis: the licence stays in force; a resolution withdraws a pending proposal', async () => {
  const policy = policyWith('120s', '120s', { correctiveActionWithin: '1s', holderAnswerWithin: '1s', issuerDecisionWithin: '60s' });
  const acts = mockActivities();
  await h.withWorker(acts, async (tq) => {
    const { handle, project, licence } = await grantLicence(h, tq, policy);
    const monitor = await monitorFor(client(), project, licence, policy);
    await waitForAudit(handle, has('report-requested'), 'report request');
    await monitor.executeUpdate(submitReportUpdate, { args: [report(1, [], false)] });

    // The holder does not answer within its second: the window lapses and the issuer decides on the file.
    const view0 = await h.waitForView(handle, (v) => v.openSteps.some((s) => s.stepId === 'c1-ca-1-suspension-decision'), "the issuer's step", 20_000);
    expect(stepOf(view0, 'c1-ca-1-suspension-hearing')).toMatchObject({ status: 'closed' });
    expect(stepOf(view0, 'c1-ca-1-suspension-decision')!.question).toContain('did not answer in time');
    const decide = (d: Omit<DecisionInput, 'stepId' | 'reviewer'>) =>
      monitor.executeUpdate(decideUpdate, { args: [{ stepId: 'c1-ca-1-suspension-decision', reviewer: BAFA, ...d }] });
    expect(await rejectionType(decide({ decision: 'approve' }))).toBe(DecisionRejection.LegalBasisRequired);
    await decide({ decision: 'deny', legalBasis: 'End use confirmed by phone; written confirmation to follow' });
    const view = await h.waitForView(handle, (v) => proposalOf(v)?.stage === 'denied', 'refusal');
    expect(view.components[0].licence.status).toBe('approved');
    expect(proposalOf(view)).toMatchObject({ kind: 'suspension', decidedBy: BAFA, basis: 'End use confirmed by phone; written confirmation to follow' });
    await waitForAudit(handle, has('suspension-refused'), 'refusal in the trail');
    await monitor.terminate('test done');
  });

  const patient = policyWith('120s', '120s', { correctiveActionWithin: '1s', holderAnswerWithin: '60s', issuerDecisionWithin: '60s' });
  const acts2 = mockActivities();
  await h.withWorker(acts2, async (tq) => {
    const { handle, project, licence } = await grantLicence(h, tq, patient);
    const monitor = await monitorFor(client(), project, licence, patient);
    await waitForAudit(handle, has('report-requested'), 'report request');
    await monitor.executeUpdate(submitReportUpdate, { args: [report(1, [], false)] });
    await h.waitForView(handle, (v) => v.openSteps.some((s) => s.stepId === 'c1-ca-1-suspension-hearing'), 'the hearing', 20_000);

    const resolved = await monitor.executeUpdate(resolveCorrectiveActionUpdate, {
      args: [{ actionId: 'c1-ca-1', note: 'End-use statement signed by ORNL', resolvedBy: 'coordinator#test' }],
    });
    expect(resolved.licenceStatus).toBe('approved');
    const view = await recordedView(handle);
    expect(proposalOf(view)).toMatchObject({ kind: 'suspension', stage: 'withdrawn' });
    expect(stepOf(view, 'c1-ca-1-suspension-hearing')).toMatchObject({ status: 'closed', closedReason: expect.stringContaining('c1-ca-1 was resolved') });
    expect(view.openSteps).toEqual([]);
    expect(
      await rejectionType(monitor.executeUpdate(decideUpdate, { args: [{ stepId: 'c1-ca-1-suspension-hearing', reviewer: COORDINATOR, decision: 'accept' }] })),
    ).toBe(DecisionRejection.StepClosed);
    await waitForAudit(handle, has('suspension-proposal-withdrawn'), 'withdrawal in the trail');
    // Past the hearing's window nothing reaches the issuer.
    expect(acts2.sendReviewRequest.mock.calls.some(([r]) => r.step.kind === 'sanction-decision')).toBe(false);
    await monitor.terminate('test done');
  });
}, 120_000);

test('a report that never arrives is a missed-report anomaly: a corrective action opens, and the missed period takes no late report', async () => {
  const policy = policyWith('60s', '2s', { reportDueWithin: '1s', correctiveActionWithin: '30s' });
  const acts = mockActivities();
  await h.withWorker(acts, async (tq) => {
    const { handle, project, licence } = await grantLicence(h, tq, policy);
    const monitor = await monitorFor(client(), project, licence, policy);

    // The action opens once period 1 (2 s) and its report's grace (1 s) have passed since the grant, in the monitor's second
    // run: a timer there, then its report to the project and the project's next task. Each of those waits for the worker,
    // which a busy machine runs late, so the wait is the policy's 3 s plus the margin every other wait of the harness has.
    const dueAt = Date.parse(licence.validFrom!) + 3000;
    const view = await h.waitForView(
      handle,
      (v) => monitoredLicence(v)?.compliance?.correctiveActions.length === 1,
      'corrective action for the missed report',
      Math.max(0, dueAt - Date.now()) + 30_000,
    );
    const { compliance } = monitoredLicence(view);
    const action = compliance.correctiveActions[0];
    expect(action).toMatchObject({
      actionId: 'c1-ca-1',
      period: 1,
      status: 'open',
      anomalies: [expect.objectContaining({ kind: 'missed-report', subject: 'period 1' })],
    });
    const period1 = compliance.reports.find((r) => r.period === 1)!;
    expect(period1.status).toBe('missed');
    // Missed at the end of period 1 plus the grace: period 2 had already begun, in the next run.
    expect(Date.parse(action.openedAt)).toBeGreaterThanOrEqual(Date.parse(licence.validFrom!) + 3000);
    expect(compliance.period).toBeGreaterThanOrEqual(2);
    expect((await monitor.describe()).runId).not.toBe(await firstRunId(monitor));
    expect(view.components[0].licence.status).toBe('approved');

    const trail = await waitForAudit(
      handle,
      (e) => e.some((x) => x.action === 'email-sent' && x.detail.startsWith('corrective action notice')),
      'corrective action mail',
    );
    expect(trail.find((e) => e.action === 'report-missed')?.detail).toMatch(/no compliance report for period 1 by its due time/);
    const notice = mailsTo(acts, COORDINATOR).find((n) => n.subject.startsWith('Corrective action c1-ca-1'))!;
    expect(notice.text).toContain('missed-report: no compliance report for period 1');
    expect(notice.text).toContain(`/v1/projects/${project.projectId}/corrective-actions/c1-ca-1/resolve`);

    expect(await rejectionType(monitor.executeUpdate(submitReportUpdate, { args: [report(1, [])] }))).toBe(ComplianceRejection.WrongPeriod);
    await monitor.terminate('test done');
  });
}, 60_000);

test('a corrective action resolved in time keeps the licence approved past its deadline', async () => {
  const policy = policyWith('60s', '60s', { correctiveActionWithin: '2s', suspensionBeforeRevocation: '2s' });
  const acts = mockActivities();
  await h.withWorker(acts, async (tq) => {
    const { handle, project, licence } = await grantLicence(h, tq, policy);
    const monitor = await monitorFor(client(), project, licence, policy);
    await waitForAudit(handle, has('report-requested'), 'report request');

    // "Northwind PI" is an alias on the shipped restricted-party list, and no licensed recipient.
    const result = await monitor.executeUpdate(submitReportUpdate, { args: [report(1, [{ destination: 'US', endUser: 'Northwind PI', date: '2027-02-01' }])] });
    expect(acts.screenParties).toHaveBeenCalledWith(['Northwind PI']);
    expect(result.anomalies.map((a) => a.kind)).toEqual(['restricted-end-user', 'unlicensed-end-user']);
    expect(result.anomalies[0].detail).toContain('Northwind Precision Instruments');

    expect(
      await rejectionType(monitor.executeUpdate(resolveCorrectiveActionUpdate, { args: [{ actionId: 'c1-ca-9', note: 'x', resolvedBy: 'coordinator#test' }] })),
    ).toBe(ComplianceRejection.UnknownCorrectiveAction);
    const resolution = { actionId: 'c1-ca-1', note: 'Shipment recalled; end user screening added to dispatch', resolvedBy: 'coordinator#test' };
    const resolved = await monitor.executeUpdate(resolveCorrectiveActionUpdate, { args: [resolution] });
    expect(resolved.licenceStatus).toBe('approved');
    expect(await rejectionType(monitor.executeUpdate(resolveCorrectiveActionUpdate, { args: [resolution] }))).toBe(ComplianceRejection.AlreadyResolved);

    // Past the action's deadline: nothing is suspended.
    await new Promise((r) => setTimeout(r, 3000));
    const view = await recordedView(handle);
    expect(view.components[0].licence.status).toBe('approved');
    expect(monitoredLicence(view).compliance.correctiveActions[0]).toMatchObject({ status: 'resolved', note: resolution.note, resolvedBy: 'coordinator#test' });
    const trail = await recordedAudit(handle);
    expect(trail.find((e) => e.action === 'corrective-action-resolved')).toMatchObject({ actor: 'coordinator#test', channel: 'api', componentId: 'c1' });
    expect(trail.some((e) => e.action === 'licence-suspended')).toBe(false);
    expect(mailsTo(acts, COORDINATOR).some((n) => n.subject.startsWith('Licence suspended'))).toBe(false);
    await monitor.terminate('test done');
  });
}, 60_000);

test('resolving the overdue action of a licence the issuer suspended reinstates it', async () => {
  const policy = policyWith('120s', '120s', {
    correctiveActionWithin: '1s',
    holderAnswerWithin: '1s',
    issuerDecisionWithin: '60s',
    suspensionBeforeRevocation: '60s',
  });
  const acts = mockActivities();
  await h.withWorker(acts, async (tq) => {
    const { handle, project, licence } = await grantLicence(h, tq, policy);
    const monitor = await monitorFor(client(), project, licence, policy);
    await waitForAudit(handle, has('report-requested'), 'report request');
    await monitor.executeUpdate(submitReportUpdate, { args: [report(1, [], false)] });
    await h.decide(handle, ['c1-ca-1-suspension-decision'], () => ({ decision: 'approve', legalBasis: 'AWG § 7: end use unconfirmed' }));
    await h.waitForView(handle, (v) => v.components[0].licence.status === 'suspended', 'suspension', 10_000);

    const resolved = await monitor.executeUpdate(resolveCorrectiveActionUpdate, {
      args: [{ actionId: 'c1-ca-1', note: 'End-use statement signed by ORNL', resolvedBy: 'coordinator#test' }],
    });
    expect(resolved.licenceStatus).toBe('approved');
    const view = await h.waitForView(handle, (v) => v.components[0].licence.status === 'approved', 'reinstatement');
    expect(view.components[0].licence.basis).toBeUndefined();
    const trail = await waitForAudit(
      handle,
      (e) => e.some((x) => x.action === 'email-sent' && x.detail.startsWith('reinstatement notice')),
      'reinstatement mail',
    );
    expect(
      trail
        .map((e) => e.action)
        .filter((a) =>
          ['anomaly-found', 'suspension-proposed', 'response-window-passed', 'licence-suspended', 'corrective-action-resolved', 'licence-reinstated'].includes(
            a,
          ),
        ),
    ).toEqual(['anomaly-found', 'suspension-proposed', 'response-window-passed', 'licence-suspended', 'corrective-action-resolved', 'licence-reinstated']);
    expect(trail.find((e) => e.action === 'anomaly-found')?.detail).toContain('end-use-not-confirmed');
    await monitor.terminate('test done');
  });
}, 60_000);

test('before expiry the coordinator is reminded to renew; at the end of validity the licence expires and the monitor ends', async () => {
  const policy = policyWith('5s', '60s', { renewalReminderBefore: '2s' });
  const acts = mockActivities();
  await h.withWorker(acts, async (tq) => {
    const { handle, project, licence } = await grantLicence(h, tq, policy);
    const monitor = await monitorFor(client(), project, licence, policy);
    const validUntil = Date.parse(licence.validUntil!);

    const view = await h.waitForView(handle, (v) => v.components[0].licence.status === 'expired', 'expiry', 15_000);
    expect(await monitor.result()).toEqual({ status: 'expired', licenceId: licence.licenceId, period: 1 });
    const { compliance } = monitoredLicence(view);
    expect(Date.parse(compliance.renewalReminderSentAt!)).toBeGreaterThanOrEqual(validUntil - 2000);
    expect(Date.parse(compliance.renewalReminderSentAt!)).toBeLessThan(validUntil);
    expect(Date.parse(compliance.expiredAt!)).toBeGreaterThanOrEqual(validUntil);
    // The period's report was not yet due when the licence ended: closed, not missed.
    expect(compliance.reports).toEqual([expect.objectContaining({ period: 1, status: 'closed' })]);

    const trail = await waitForAudit(handle, (e) => e.some((x) => x.action === 'email-sent' && x.detail.startsWith('expiry notice')), 'expiry notice');
    const order = trail.map((e) => e.action).filter((a) => a === 'renewal-reminder' || a === 'licence-expired');
    expect(order).toEqual(['renewal-reminder', 'licence-expired']);
    const subjects = mailsTo(acts, COORDINATOR).map((n) => n.subject);
    const reminder = subjects.findIndex((s) => s.startsWith('Licence expires'));
    const expired = subjects.findIndex((s) => s.startsWith('Licence expired'));
    expect(reminder).toBeGreaterThanOrEqual(0);
    expect(expired).toBeGreaterThan(reminder);
    expect(mailsTo(acts, COORDINATOR)[expired].text).toContain('report for period 1');

    await expect(monitor.executeUpdate(submitReportUpdate, { args: [report(1, [])] })).rejects.toBeInstanceOf(WorkflowNotFoundError);
  });
}, 60_000);
