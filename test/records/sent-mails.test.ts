/**
 * The sent-mail memory (records/sent-mails.ts) as the mail activities use it: a send retried in another worker, whose
 * first attempt SMTP accepted but whose completion never reached Temporal, is not sent again. The SMTP transport is
 * mocked (what the activities hand it is the unit); the records are real.
 */
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import path from 'node:path';
import { createActivities, type ActivityDeps } from '../../activities';
import { LinkSigner } from '../../activities/link-tokens';
import { loadReferenceData } from '../../activities/reference-data';
import { forgetSentMails, SENT_MAIL_MEMORY_MS } from '../../records/sent-mails';
import { STORES, step, useRecordStore } from '../helpers/record-stores';

const ROOT = path.resolve(__dirname, '../..');
const referenceData = loadReferenceData(path.join(ROOT, 'reference-data/control-list.json'), path.join(ROOT, 'reference-data/restricted-parties.json'));
const context = { projectId: 'p-sent', projectTitle: 'Sent mails' };

describe.each(STORES)('%s', (_name, start) => {
  const s = useRecordStore(start);

  /** One worker's mail activities on the shared records, and the mails it handed to SMTP. */
  function worker() {
    const sendMail = jest.fn().mockResolvedValue({ accepted: ['ok'] });
    const transport = { sendMail } as unknown as ActivityDeps['transport'];
    const activities = createActivities({
      transport,
      mailFrom: 'reviews@licence-review.example',
      publicUrl: 'https://reviews.licence-review.example',
      signer: new LinkSigner('unit-test-link-secret-0123456789'),
      referenceData,
      records: s.db,
    });
    const env = new MockActivityEnvironment(undefined, { logger: new DefaultLogger('ERROR') });
    const request = (stepId: string) => env.run(activities.sendReviewRequest, { step: step('p-sent', stepId), context, linkValidForMs: 86_400_000 });
    return { sendMail, request };
  }

  test('a retry in another worker does not send again what SMTP took; another step is sent; a forgotten mail would be', async () => {
    const [a, b] = [worker(), worker()];
    const first = await a.request('grant-funder');
    expect(a.sendMail).toHaveBeenCalledTimes(1);

    expect(await b.request('grant-funder')).toEqual(first);
    expect(b.sendMail).not.toHaveBeenCalled();

    await b.request('grant-agency');
    expect(b.sendMail).toHaveBeenCalledTimes(1);

    expect(await forgetSentMails(s.db, new Date(Date.now() + SENT_MAIL_MEMORY_MS - 60_000))).toBe(0);
    expect(await forgetSentMails(s.db, new Date(Date.now() + SENT_MAIL_MEMORY_MS + 60_000))).toBe(2);
    const c = worker();
    await c.request('grant-funder');
    expect(c.sendMail).toHaveBeenCalledTimes(1);
  });
});
