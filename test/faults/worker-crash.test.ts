/**
 * `kill -9` of the worker in the middle of a multi-agency review, on the real
 * stack as separate processes. Decisions sent while it is down are not lost
 * and not doubled; after a restart the project completes; no e-mail is sent twice.
 */
import { allTiersProject, uniqueId } from '../helpers/fixtures';
import { duplicateMails, useProcessStack } from '../helpers/process-stack';
import { approveEverything, requestMessageIds, settleMails, submitAndConfirm } from './fault-scenarios';

const stack = useProcessStack();

test('decisions sent while the worker is down are recorded once; the project completes; no e-mail twice', async () => {
  const project = { ...allTiersProject(uniqueId('crash')), title: `Worker crash ${Date.now()}` };
  const id = project.projectId;
  await submitAndConfirm(stack, project);
  const grant = await stack.until('the two grant steps', () => stack.view(id), (v) => v.openSteps.length === 2);
  for (const step of grant.openSteps) expect(await stack.decide(step)).toBe(200);

  // Licence reviews open for several agencies at once; their e-mails are going out. Crash now.
  const review = await stack.until('licence steps of three agencies', () => stack.view(id), (v) => new Set(v.openSteps.map((s) => s.party)).size >= 3);
  await stack.stop('worker', 'SIGKILL');

  // Nothing can take a decision while no worker runs: the API says so (503) instead of hanging or claiming it.
  const whileDown = review.openSteps.slice(0, 2);
  for (const step of whileDown) expect(await stack.decide(step)).toBe(503);

  const restartedAt = Date.now();
  await stack.startWorker();
  // The same links again: the first attempt was either applied once the worker came back (409) or not at all (200).
  const retried: number[] = [];
  for (const step of whileDown) retried.push(await stack.until(`a decision on ${step.stepId}`, () => stack.decide(step), (s) => s === 200 || s === 409, 90_000));
  expect(retried.every((s) => s === 200 || s === 409)).toBe(true);

  // Everyone else approves, including the senior sign-offs that open later.
  const done = await approveEverything(stack, id);
  console.log(`worker crash: project complete ${((Date.now() - restartedAt) / 1000).toFixed(1)} s after the restart`);
  expect(done.components.map((c) => [c.id, c.licence.status])).toEqual([['c0', 'cleared'], ['c1', 'approved'], ['c2', 'approved'], ['c3', 'approved']]);

  // Exactly one recorded decision per decided step.
  const audit = await stack.audit(id);
  const decided = done.steps.filter((s) => s.status === 'decided').map((s) => s.stepId);
  const recorded = audit.filter((e) => e.action === 'decision-recorded').map((e) => e.stepId);
  expect(recorded.sort()).toEqual([...decided].sort());
  expect(decided).toEqual(expect.arrayContaining(whileDown.map((s) => s.stepId)));

  // Every step's review request arrived, and no mail (requests, notices, reminders) arrived twice.
  const mails = await settleMails(stack, requestMessageIds(done.steps));
  expect(duplicateMails(mails)).toEqual([]);
  console.log(`worker crash: ${mails.length} e-mails, ${done.steps.length} steps, ${recorded.length} decisions; the links used while down answered ${retried} afterwards`);
}, 420_000);
