/** Activity proxies: the only way workflow code reaches the outside world. */
import { condition, proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';

type MailActivities = Pick<Activities, 'sendReviewRequest' | 'sendStepClosed' | 'sendNotice'>;

/** Mail retries without limit: an SMTP outage delays mail, never loses it. */
const mailActivities = proxyActivities<MailActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

/** Sends in flight in this workflow (module state is per workflow execution). */
let mailsInFlight = 0;
/** The send's own promise is returned, untouched: callers resume exactly when they did (replay depends on it). */
const counted =
  <A extends unknown[], R>(send: (...args: A) => Promise<R>) =>
  (...args: A): Promise<R> => {
    mailsInFlight += 1;
    const sent = send(...args);
    const done = () => {
      mailsInFlight -= 1;
    };
    sent.then(done, done);
    return sent;
  };

export const mail: MailActivities = {
  sendReviewRequest: counted(mailActivities.sendReviewRequest),
  sendStepClosed: counted(mailActivities.sendStepClosed),
  sendNotice: counted(mailActivities.sendNotice),
};

/**
 * Before a workflow returns: the mails it started (a reminder that fell due as the last step was decided) are
 * delivered and their sends recorded, so no mail goes out from a closed workflow with no record of it.
 */
export function mailsSettled(): Promise<void> {
  return condition(mailsIdle);
}

/** No send this workflow started is still in flight. */
export const mailsIdle = (): boolean => mailsInFlight === 0;

/**
 * Record writes are local activities: the worker runs each within the workflow task that made the change, so a
 * decision is written and answered in one task, with no activity task to schedule, poll and complete. A worker that
 * dies mid-write loses the task, and the next worker runs it again, the write included: that write supersedes what
 * the lost attempt wrote, and a late write from it is refused (records/record-writers.ts).
 * They retry without limit: a database outage delays the record, never loses it.
 */
export const records = proxyLocalActivities<Pick<Activities, 'recordProject' | 'recordCycle' | 'shippedUnder'>>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '200 milliseconds', backoffCoefficient: 2, maximumInterval: '30 seconds' },
});

/** Classification reads local reference data: quick, and retried until the data file is fixed. */
export const reference = proxyActivities<Pick<Activities, 'classifyProject'>>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

/** Restricted-party screening reads local reference data, like classification. */
export const screening = proxyActivities<Pick<Activities, 'screenParties'>>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

/** Working-day deadlines: a local activity, so the holiday tables stay out of the workflow bundle. */
export const calendar = proxyLocalActivities<Pick<Activities, 'dueAfterWorkingDays'>>({
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
});
