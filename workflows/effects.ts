/** Activity proxies: the only way workflow code reaches the outside world. */
import { proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';

/** Mail retries without limit: an SMTP outage delays mail, never loses it. */
export const mail = proxyActivities<Pick<Activities, 'sendReviewRequest' | 'sendStepClosed' | 'sendNotice'>>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

/** Record writes retry without limit: a database outage delays the record, never loses it (each write is idempotent). */
export const records = proxyActivities<Pick<Activities, 'recordProject' | 'recordCycle'>>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds' },
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
