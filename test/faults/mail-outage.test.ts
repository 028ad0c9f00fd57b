/**
 * The SMTP server (MailDev) is stopped while e-mails are due and comes back
 * later on the same ports: every e-mail arrives, once. Decisions are taken and
 * recorded while it is down. MailDev keeps its mail in the stack's
 * `--mail-directory` and reloads it when it starts, so the mails from before
 * the outage are counted too: every mail activity that completed, before or
 * after, is matched with exactly one mail.
 */
import { messageIdFor } from '../../activities';
import { projectWith } from '../helpers/fixtures';
import { useProcessStack } from '../helpers/process-stack';
import { approveEverything, requestMessageIds, settleMails, submitAndConfirm } from './fault-scenarios';

const stack = useProcessStack();

const DOWN_MS = 10_000;
const mailed = (entries: { action: string }[]) => entries.filter((e) => e.action === 'email-sent').length;

test('mails due while SMTP is down all arrive once it is back, each once', async () => {
  // B reaches its grant review before the outage.
  const b = projectWith('c1', 'c2');
  await submitAndConfirm(stack, b);
  const grant = await stack.until(
    'grant steps of B',
    () => stack.view(b.projectId),
    (v) => v.openSteps.length === 2,
  );
  const before = await settleMails(stack, requestMessageIds(grant.openSteps));
  const mailedBefore = mailed(await stack.audit(b.projectId));

  await stack.stop('mail');
  const downAt = Date.now();
  // While it is down: A is submitted and confirmed (its scoping notice and grant requests fall due),
  // and B's grant is approved (recorded at once; its licence review requests fall due).
  const a = projectWith('c1');
  await submitAndConfirm(stack, a);
  for (const step of grant.openSteps) expect(await stack.decide(step)).toBe(200);
  const decided = await stack.audit(b.projectId);
  expect(
    decided
      .filter((e) => e.action === 'decision-recorded')
      .map((e) => e.stepId)
      .sort(),
  ).toEqual(['grant-agency', 'grant-funder']);
  await new Promise((r) => setTimeout(r, Math.max(0, DOWN_MS - (Date.now() - downAt)))); // the outage itself
  expect(mailed(await stack.audit(b.projectId))).toBe(mailedBefore); // no send is claimed while SMTP is down

  await stack.startMail();
  const upAt = Date.now();
  const licence = await stack.until(
    'licence steps of B',
    () => stack.view(b.projectId),
    (v) => v.openSteps.some((s) => !s.kind.startsWith('grant-')),
  );
  const aGrant = await stack.until(
    'grant steps of A',
    () => stack.view(a.projectId),
    (v) => v.openSteps.length === 2,
  );
  // The scoping notice is the project workflow's, the run its grant steps name.
  const due = [...requestMessageIds([...licence.openSteps, ...aGrant.openSteps]), messageIdFor(`project-${a.projectId}.scoping`, aGrant.openSteps[0].runId)];
  const after = await settleMails(stack, due);
  const deliveredIn = Math.max(...after.mails.filter((m) => due.includes(m.headers['message-id'])).map((m) => stack.mailWrittenAt(m))) - upAt;
  expect(after.problems).toEqual([]);
  expect(after.cutOff).toEqual([]);
  // The mails from before the outage are still there, once each.
  for (const m of before.mails) expect(after.mails.filter((x) => x.headers['message-id'] === m.headers['message-id'])).toHaveLength(1);

  // Both projects then complete as usual, and their later mails arrive once too.
  const done = await Promise.all([a, b].map((p) => approveEverything(stack, p.projectId)));
  const final = await settleMails(stack, requestMessageIds(done.flatMap((v) => v.steps)));
  expect(final.problems).toEqual([]);
  expect(final.cutOff).toEqual([]);
  console.log(
    `mail outage: SMTP down ${((upAt - downAt) / 1000).toFixed(1)} s; ${due.length} mails fell due meanwhile, all delivered within ${(deliveredIn / 1000).toFixed(1)} s of its return; ` +
      `${before.mails.length} mails from before the outage kept across MailDev's restart; ${final.mails.length} mails in all, none twice`,
  );
}, 300_000);
