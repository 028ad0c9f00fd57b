/**
 * How long a reviewer's link works (DESIGN §8): every reminder carries a fresh
 * link, so a step outlives its first link and is still decided by link. On the
 * real stack, e-mails read from MailDev. (A link's binding to its workflow run:
 * resubmitted-links.test.ts.)
 */
import request from 'supertest';
import { policySchema } from '../../domain/policy';
import { linkTokens, useApiStack, type Mail } from '../helpers/api-stack';
import { FUNDER_REVIEWER, toGrantReview } from '../helpers/grant-review';
import { testPolicyFile } from '../helpers/policy';

/** Links live 20 s; reminders come every 5 s; steps are due after 5 minutes, so only the links run out. */
function shortLinks() {
  const file = testPolicyFile();
  file.links = { validFor: '20s' };
  file.reminders = { every: '5s' };
  file.sla = { ...file.sla, grantReview: '300s' };
  return policySchema.parse(file);
}

const stack = useApiStack({ policy: shortLinks() });
const api = () => request(stack.app);
const decide = (token: string, body: object = { decision: 'approve' }) => api().post(`/r/${token}`).set('Accept', 'application/json').send(body);
const page = (token: string) => api().get(`/r/${token}`).set('Accept', 'text/html');

test("a reminder's link still decides the step after the first link expired", async () => {
  const g = await toGrantReview(stack, 'Lifetime');
  const firstExpiresAt = Date.parse(g.funderMail.time) + 20_000;
  // A reminder sent after the first link ran out: its own link is fresh.
  const reminder = await stack.waitForMail(
    (m: Mail) => m.to[0]?.address === FUNDER_REVIEWER && m.subject.startsWith('Reminder') && m.subject.includes(g.title) && Date.parse(m.time) > firstExpiresAt,
    60_000,
  );
  const expired = await page(g.funderToken);
  expect(expired.status).toBe(410);
  expect(expired.text).toContain('This link has expired');
  expect(expired.text).toContain('Every reminder about this step carries a fresh link');
  expect((await decide(g.funderToken)).status).toBe(410);

  const [fresh] = linkTokens(reminder.text);
  expect(fresh).not.toBe(g.funderToken);
  expect(reminder.text).toMatch(/valid until \d{4}-\d\d-\d\dT/);
  const decided = await decide(fresh);
  expect({ status: decided.status, outcome: decided.body.outcome }).toEqual({ status: 200, outcome: 'approved' });
  const view = await stack.view(g.projectId);
  expect(view.steps.find((s) => s.stepId === 'grant-funder')).toMatchObject({ status: 'decided', outcome: 'approved' });
}, 120_000);
