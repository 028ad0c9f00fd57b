/**
 * One granted licence's post-licence compliance monitor, a child of the
 * project workflow (`monitor-<projectId>--<componentId>`). Each run is one
 * reporting period: the coordinator is asked for the period's report, reports
 * and corrective-action resolutions arrive through Updates, and deadlines
 * suspend, revoke, remind to renew and expire the licence (LicenceMonitor).
 * At the end of each period the monitor continues as new with the state it
 * carries, so its history stays bounded for the licence's whole life.
 */
import { CancellationScope, isCancellation, makeContinueAsNewFunc, setHandler, workflowInfo } from '@temporalio/workflow';
import {
  complianceRecordQuery,
  resolveCorrectiveActionUpdate,
  submitReportUpdate,
  type ComplianceMonitorInput,
  type ComplianceOutcome,
} from './compliance-contract';
import { LicenceMonitor, type PeriodOutcome } from './compliance-monitor';

export async function complianceMonitorWorkflow(input: ComplianceMonitorInput): Promise<ComplianceOutcome> {
  const monitor = new LicenceMonitor(input);
  // Each answers once its audit entries are written.
  const { recorder } = monitor.owner;
  setHandler(submitReportUpdate, (s) => recorder.answer(monitor.submit(s)), { validator: (s) => monitor.validateSubmission(s) });
  setHandler(resolveCorrectiveActionUpdate, (r) => recorder.answer(monitor.resolve(r)), { validator: (r) => monitor.validateResolution(r) });
  setHandler(complianceRecordQuery, () => monitor.record);

  let outcome: PeriodOutcome;
  try {
    outcome = await monitor.runPeriod();
  } catch (err) {
    // Cancelled with its project (withdrawn): the trail says why monitoring stopped.
    if (isCancellation(err)) await CancellationScope.nonCancellable(() => monitor.stop('monitoring stopped: the project workflow cancelled the monitor'));
    throw err;
  }
  // A report still being screened, or one landing meanwhile, finishes and is reported in this run: nothing it changes is lost to the next one.
  await monitor.flush();
  if (outcome !== 'next-period') {
    // Projects no longer wait for their monitors as children (they continue as new): the last report tells them.
    await monitor.reportFinal();
    return { status: outcome, licenceId: input.licence.licenceId, period: monitor.record.period };
  }

  // The search attributes (ProjectId, FunderId, Stage…) and the memo go explicitly to the next run.
  const info = workflowInfo();
  return makeContinueAsNewFunc<typeof complianceMonitorWorkflow>({ typedSearchAttributes: info.typedSearchAttributes, memo: info.memo })(monitor.nextRun());
}
