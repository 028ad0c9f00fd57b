/**
 * The compliance monitor's history stays bounded for a licence's whole life:
 * it continues as new at the end of every reporting period. A licence with
 * 50 ms periods runs 200 of them here; every run's history is
 * fetched and measured, and replayed against the current workflow code.
 * The project, which takes the monitor's reports, continues as new too (here
 * after 300 events), so its runs stay bounded as well.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { policySchema } from '../../domain/policy';
import { complianceMonitorWorkflowId } from '../../workflows/compliance-contract';
import { readAuditTrail, readComplianceRecords } from '../../records/project-reads';

import { firstRunId, grantLicence, monitorFor, monitoredLicence } from '../helpers/licensed-project';
import { testPolicy, testPolicyFile } from '../helpers/policy';
import { testRecords } from '../helpers/records';
import { loweredLimitArgs, startTestEnv, workflowBundle } from '../helpers/temporal';
import { harness, mockActivities, recordedView } from '../helpers/workflow-harness';

/** The bound this test holds every run to: far below Temporal's 50,000-event limit, whatever the licence's length. */
const MAX_EVENTS_PER_RUN = 100;
/**
 * The project continues as new after this many events, once nothing is in flight: few enough that it does so once
 * licensing is over (its history no longer grows with the licence's periods: the monitor tells it only of a change of
 * standing), so its next run carries on and closes when the monitor's last report comes.
 */
const PROJECT_EVENTS = 60;
const MAX_EVENTS_PER_PROJECT_RUN = 400;
const PERIOD_MS = 50;
const PERIODS = 200;

const file = testPolicyFile();
file.regimes.EU = { ...file.regimes.EU, licenceValidity: `${PERIOD_MS * PERIODS}ms`, reportingPeriod: `${PERIOD_MS}ms` };
// Nobody reports: each missed report is recorded (one anomaly per period) without opening a corrective action, so the periods just roll.
file.compliance = { reportDueWithin: '20ms', renewalReminderBefore: '1s', missedReport: 'record-only' };
const policy = policySchema.parse(file);

/**
 * This file's dev server is tuned for a licence whose periods last 50 ms instead of months:
 * - it spaces the runs of one workflow id at least 1 s apart (history.workflowIdReuseMinimalInterval,
 *   a guard against accidental tight continue-as-new loops), which would make 200 periods take 200 s;
 * - eager activity dispatch (system.enableActivityEagerExecution, off by default in the dev server) saves
 *   one matching round trip per run, the report request's mail.
 * Neither changes what a run writes to its history, which is what this test measures.
 */
let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await startTestEnv([
    '--dynamic-config-value',
    'history.workflowIdReuseMinimalInterval="0s"',
    '--dynamic-config-value',
    'system.enableActivityEagerExecution=true',
    // The server's lowered limits (LOWERED_LIMITS): the licence's 200 periods fit in them all.
    ...loweredLimitArgs(),
  ]);
}, 120_000);
afterAll(() => env?.teardown());
const h = { env: () => env, ...harness(() => env, testPolicy()) };

/** The chain of runs from `firstRun`: each one ends by continuing as new into the next. */
async function runsFrom(workflowId: string, firstRun: string) {
  const runs = [];
  for (let runId: string | undefined = firstRun; runId;) {
    const history = await env.client.workflow.getHandle(workflowId, runId).fetchHistory();
    runs.push({ workflowId, runId, history });
    runId = history.events!.at(-1)!.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined;
  }
  return runs;
}

test(`a monitor runs ${PERIODS} reporting periods, one run each, no run over ${MAX_EVENTS_PER_RUN} events; the project's runs stay bounded too`, async () => {
  const client = () => h.env().client;
  await h.withWorker(mockActivities(), async (tq) => {
    const { handle, project, licence } = await grantLicence(h, tq, policy, { continueAfterEvents: PROJECT_EVENTS });
    const monitor = await monitorFor(client(), project, licence, policy);
    const firstRun = await firstRunId(monitor);

    const outcome = await monitor.result();
    expect(outcome).toEqual({ status: 'expired', licenceId: licence.licenceId, period: PERIODS });

    const histories = await runsFrom(monitor.workflowId, firstRun);
    const sizes = histories.map((r) => r.history.events!.length);
    console.log(
      `${sizes.length} runs; events per run: max ${Math.max(...sizes)}, min ${Math.min(...sizes)}, ` +
        `mean ${(sizes.reduce((a, b) => a + b, 0) / sizes.length).toFixed(1)} (bound ${MAX_EVENTS_PER_RUN})`,
    );
    expect(sizes.length).toBe(PERIODS);
    expect(sizes.length).toBeGreaterThanOrEqual(200);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(MAX_EVENTS_PER_RUN);

    // Every run kept the search attributes it was started with: visibility finds all of them by project, funder and stage.
    const query = `WorkflowId = '${complianceMonitorWorkflowId(project.projectId, 'c1')}' AND ProjectId = '${project.projectId}' AND FunderId = '${project.funderId}' AND Stage = 'compliance'`;
    let listed = 0;
    for (const deadline = Date.now() + 10_000; listed < PERIODS && Date.now() < deadline; await new Promise((r) => setTimeout(r, 200))) {
      listed = 0;
      for await (const _ of client().workflow.list({ query })) listed += 1;
    }
    expect(listed).toBe(PERIODS);

    // The project closes once the monitor's last report is in, in a later run than the one that started the monitor.
    expect(await handle.result()).toBe('closed');
    const projectRuns = await runsFrom(handle.workflowId, await firstRunId(handle));
    const projectSizes = projectRuns.map((r) => r.history.events!.length);
    console.log(`project: ${projectSizes.length} runs; events per run: ${projectSizes.join(', ')} (bound ${MAX_EVENTS_PER_PROJECT_RUN})`);
    expect(projectSizes.length).toBeGreaterThan(1);
    expect(Math.max(...projectSizes)).toBeLessThanOrEqual(MAX_EVENTS_PER_PROJECT_RUN);

    // The state carried through every run: each period's report was requested and (nobody reporting) missed, the last one closed at expiry.
    const view = await recordedView(handle);
    expect(view.components[0].licence.status).toBe('expired');
    expect(monitoredLicence(view).compliance.totals).toMatchObject({ reportsMissed: PERIODS - 1, actionsOpened: 0 });
    // Bounded whatever the number of periods: the last 12 closed reports, plus the ones still open (grace < period: at most two).
    expect(monitoredLicence(view).compliance.reports.length).toBeLessThanOrEqual(14);
    // The records keep every period's report, though the view keeps the recent ones.
    const reports = (await readComplianceRecords(testRecords(), project.projectId)).filter((r) => r.kind === 'report');
    expect(reports.map((r) => r.data.period).sort((a, b) => Number(a) - Number(b))).toEqual(Array.from({ length: PERIODS }, (_, i) => i + 1));
    // The whole trail, every run's entries, numbered in one sequence, is in the records.
    const trail = await readAuditTrail(testRecords(), project.projectId);
    expect(trail.filter((e) => e.action === 'report-requested')).toHaveLength(PERIODS);
    expect(trail.filter((e) => e.action === 'renewal-reminder')).toHaveLength(1);

    // Every recorded run replays against the current workflow code.
    let replayed = 0;
    for await (const result of Worker.runReplayHistories({ workflowBundle: await workflowBundle() }, [...histories, ...projectRuns])) {
      if (result.error) throw result.error;
      replayed += 1;
    }
    expect(replayed).toBe(PERIODS + projectRuns.length);
  });
  // About 45 s on two cores on its own (200 runs of five round trips each). The timeout only guards against a hang
  // when files run in parallel on a busy machine.
}, 300_000);
