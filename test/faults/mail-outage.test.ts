/**
 * The SMTP server (MailDev) is down while e-mails are due and comes back
 * later on the same port: every e-mail arrives, once. Decisions are taken and
 * recorded while it is down.
 */
import { projectWith } from '../helpers/fixtures';
import { duplicateMails, useProcessStack } from '../helpers/process-stack';
import { approveEverything, requestMessageIds, settleMails, submitAndConfirm } from './fault-scenarios';

const stack = useProcessStack();

const DOWN_MS = 10_000;

test('mails due while SMTP is down all arrive once it is back, each once', async () => {
  // B reaches its grant review before the outage.
  const b = projectWith('c1', 'c2');
  await submitAndConfirm(stack, b);
  const grant = await stack.until('grant steps of B', () => stack.view(b.projectId), (v) => v.openSteps.length === 2);
  await settleMails(stack, requestMessageIds(grant.openSteps));
  const before = await stack.mails();
  const sentBefore = (await stack.audit(b.projectId)).filter((e) => e.action === 'email-sent').length;

  await stack.stop('mail');
  const downAt = Date.now();
  // While it is down: A is submitted and confirmed (its scoping notice and grant requests fall due),
  // and B's grant is approved (recorded at once; its licence review requests fall due).
  const a = projectWith('c1');
  await submitAndConfirm(stack, a);
  for (const step of grant.openSteps) expect(await stack.decide(step)).toBe(200);
  const decided = await stack.audit(b.projectId);
  expect(decided.filter((e) => e.action === 'decision-recorded').map((e) => e.stepId).sort()).toEqual(['grant-agency', 'grant-funder']);
  await new Promise((r) => setTimeout(r, Math.max(0, DOWN_MS - (Date.now() - downAt))));
  const mailedWhileDown = (await stack.audit(b.projectId)).filter((e) => e.action === 'email-sent').length;

  await stack.startMail();
  const upAt = Date.now();
  const licence = await stack.until('licence steps of B', () => stack.view(b.projectId), (v) => v.openSteps.some((s) => !s.kind.startsWith('grant-')));
  const aGrant = await stack.until('grant steps of A', () => stack.view(a.projectId), (v) => v.openSteps.length === 2);
  const due = requestMessageIds([...licence.openSteps, ...aGrant.openSteps]);
  const after = await settleMails(stack, [...due, `<project-${a.projectId}.scoping@licence-review>`]);
  console.log(`mail outage: SMTP down ${((upAt - downAt) / 1000).toFixed(1)} s; ${due.length} review requests and a notice due meanwhile, delivered ${((Date.now() - upAt) / 1000).toFixed(1)} s after it came back`);
  expect(mailedWhileDown).toBe(sentBefore); // no send is claimed while SMTP is down
  expect(duplicateMails([...before, ...after.filter((m) => !before.some((x) => x.id === m.id))])).toEqual([]);

  // Both projects then complete as usual, and their later mails arrive once too.
  const done = await Promise.all([a, b].map((p) => approveEverything(stack, p.projectId)));
  expect(duplicateMails(await settleMails(stack, requestMessageIds(done.flatMap((v) => v.steps))))).toEqual([]);
}, 300_000);
