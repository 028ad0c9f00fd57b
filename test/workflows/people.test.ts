/**
 * People on a project, on a real dev server with the policy in seconds (issue 27): a foreign researcher given access
 * to controlled technology opens a deemed-export review of the issuer, a domestic one none; a person on the
 * restricted-party list is flagged at scoping; an expired training certificate and a missing ethics deliverable
 * hold a cycle's item; a closed project gets its post-project review. One worker serves the file.
 */
import { randomUUID } from 'node:crypto';
import { Worker } from '@temporalio/worker';
import { policySchema } from '../../domain/policy';
import type { Person, ProjectSubmission } from '../../domain/project';
import { amendmentSchema } from '../../domain/amendments';
import { amendUpdate } from '../../workflows/amendment-contract';
import { recordDeliverableUpdate, recordTrainingUpdate, PeopleRejection, type TrainingInput } from '../../workflows/people-contract';
import { startCycle, waitForCycle } from '../helpers/cycles';
import { projectWith, smallProject, uniqueId } from '../helpers/fixtures';
import { testPolicyFile } from '../helpers/policy';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { startTestEnv, workflowBundle } from '../helpers/temporal';
import { harness, mockActivities, recordedAudit, recordedView, rejectionType, type ProjectHandle } from '../helpers/workflow-harness';

const file = testPolicyFile();
file.sla = { ...file.sla, postProjectReview: '8s' };
const policy = policySchema.parse(file);
let testEnv: TestWorkflowEnvironment;
const env = () => testEnv;
const { start, waitForView, decide, confirm } = harness(env, policy);

const acts = mockActivities();
const taskQueue = `wf-people-${randomUUID()}`;
let worker: Worker;
let running: Promise<void>;
beforeAll(async () => {
  testEnv = await startTestEnv();
  worker = await Worker.create({ connection: testEnv.nativeConnection, taskQueue, workflowBundle: await workflowBundle(), activities: acts });
  running = worker.run();
}, 120_000);
// The worker stops before the server it polls.
afterAll(async () => {
  worker?.shutdown();
  await running;
  await testEnv?.teardown();
}, 60_000);

const at = (ms: number) => new Date(Date.now() + ms).toISOString();
const person = (id: string, name: string, partnerId: string, citizenship: string[], residence: string): Person => ({
  ...{ id, name, email: `${id}@${partnerId}.example`, partnerId, citizenship, residence },
});
/** Design data (3E001): controlled technology. */
const TECH = { name: 'Detector design data', description: 'Design data of the readout board', controlCodes: ['3E001'] };

test(
  'a CN researcher at a US partner given controlled technology opens a deemed-export review of BIS until it is decided; a US citizen opens none; ' +
    'an amendment giving access opens another, the licence standing',
  async () => {
    const base = smallProject(uniqueId('deemed'));
    // The technology leaves the US partner (ORNL): the US regime issues, and treats a release to a foreign person as an export.
    const project: ProjectSubmission & { projectId: string } = {
      ...base,
      funderId: 'nsf',
      people: [person('wei', 'Wei Zhang', 'ornl', ['CN'], 'CN'), person('pat', 'Pat Doe', 'ornl', ['US'], 'US')],
      components: [{ ...base.components[0], ...TECH, exporter: 'ornl', recipients: ['kit'], destinations: ['DE'], access: ['wei', 'pat'] }],
    };
    const handle = await start(taskQueue, project);
    await confirm(handle);
    await decide(handle, ['grant-funder', 'grant-agency']);

    const opened = await waitForView(handle, (v) => v.openSteps.some((s) => s.stepId === 'deemed-c1--wei'), 'the deemed-export review');
    expect(opened.openSteps.find((s) => s.stepId === 'deemed-c1--wei')).toMatchObject({
      kind: 'deemed-export',
      party: 'us-bis',
      reviewer: 'licensing@bis.example',
      componentId: 'c1',
      personId: 'wei',
      tier: 'T2',
    });
    expect(opened.people?.map((p) => [p.id, p.screening?.status])).toEqual([
      ['wei', 'clear'],
      ['pat', 'clear'],
    ]);
    // The domestic researcher: no step, and the release is audited with its basis.
    const audit = await recordedAudit(handle);
    expect(audit.filter((e) => e.action === 'release-assessed').map((e) => e.detail)).toEqual([
      'release to Pat Doe (pat) needs no deemed-export review: Pat Doe is a citizen or permanent resident of US: not a foreign person',
    ]);
    expect(audit.filter((e) => e.action === 'person-screened').map((e) => e.detail)).toEqual([
      'Wei Zhang (wei): clear by rule no-match: Wei Zhang matches no entry of the restricted-party list',
      'Pat Doe (pat): clear by rule no-match: Pat Doe matches no entry of the restricted-party list',
    ]);

    // Open until decided: the licence review runs beside it and decides nothing about the release.
    await new Promise((r) => setTimeout(r, 2000));
    const still = await recordedView(handle);
    expect(still.openSteps.map((s) => s.stepId)).toContain('deemed-c1--wei');
    expect(still.steps.some((s) => s.stepId === 'deemed-c1--pat')).toBe(false);
    await decide(handle, ['deemed-c1--wei'], () => ({ decision: 'approve', legalBasis: 'License Exception TSR (EAR §740.6)' }));
    const decided = await waitForView(handle, (v) => v.steps.some((s) => s.stepId === 'deemed-c1--wei' && s.status === 'decided'), 'the release decided');
    expect(decided.steps.find((s) => s.stepId === 'deemed-c1--wei')).toMatchObject({ outcome: 'approved', legalBasis: 'License Exception TSR (EAR §740.6)' });
    expect(decided.steps.filter((s) => s.kind === 'deemed-export').map((s) => s.stepId)).toEqual(['deemed-c1--wei']);

    // An amendment that only adds a person and opens the component to them: a review of that release, and the licence stands.
    const li = person('li', 'Li Wang', 'ornl', ['CN'], 'CN');
    const amendment = amendmentSchema.parse({ people: [li], components: [{ ...project.components[0], access: ['wei', 'pat', 'li'] }] });
    const result = await handle.executeUpdate(amendUpdate, { args: [{ amendment, amendedBy: 'coordinator#test' }] });
    expect(result).toMatchObject({ changes: ['component c1: access changed', 'person li added'], reviewedAgain: [] });
    const amended = await waitForView(handle, (v) => v.openSteps.some((s) => s.stepId === 'deemed-c1--li'), 'the new release reviewed');
    expect(amended.people?.find((p) => p.id === 'li')?.screening?.status).toBe('clear');
    const actions = (await recordedAudit(handle)).map((e) => e.action);
    expect(actions).not.toContain('review-superseded');
    expect(actions).not.toContain('reclassified');
  },
);

test('a person on the restricted-party list is flagged at scoping, audited with the rule, and their component is T3', async () => {
  const base = smallProject(uniqueId('listed'));
  const handle = await start(taskQueue, {
    ...base,
    people: [person('av', 'Arkady Volkonsky', 'kit', ['RU'], 'DE'), person('lw', 'Lena Weber', 'kit', ['DE'], 'DE')],
    components: [{ ...base.components[0], ...TECH, access: ['av'] }],
  });
  const view = await waitForView(handle, (v) => v.components[0].tier !== null && !!v.people?.every((p) => p.screening), 'classification and screening');
  expect(view.components[0]).toMatchObject({ tier: 'T3', classification: { rule: { id: 'restricted-person' } } });
  expect(view.components[0].tierReason).toBe('Arkady Volkonsky, who has access to it, matches "Arkady Volkonsky" on EU sanctions list (sample)');
  expect(view.people!.find((p) => p.id === 'av')!.screening).toMatchObject({
    status: 'flagged',
    rule: { id: 'restricted-person' },
    list: 'EU sanctions list (sample)',
  });
  expect(view.people!.find((p) => p.id === 'lw')!.screening).toMatchObject({ status: 'clear' });
  const screened = (await recordedAudit(handle)).filter((e) => e.action === 'person-screened');
  expect(screened.map((e) => e.detail)).toEqual([
    'Arkady Volkonsky (av): FLAGGED by rule restricted-person: Arkady Volkonsky matches "Arkady Volkonsky" on EU sanctions list (sample)',
    'Lena Weber (lw): clear by rule no-match: Lena Weber matches no entry of the restricted-party list',
  ]);
  expect((await recordedAudit(handle)).find((e) => e.action === 'classified')!.detail).toMatch(/^T3 by rule restricted-person/);
});

describe('Horizon Europe tranche conditions in a cycle', () => {
  const certificate = (personId: string, expiresAt: string): TrainingInput => ({
    ...{ personId, course: 'Export control awareness', completedAt: '2026-01-10T00:00:00Z', expiresAt },
    ...{ documentId: `doc-${randomUUID().slice(0, 8)}`, sha256: 'a'.repeat(64), recordedBy: 'coordinator#test' },
  });
  const deliverable = (conditionId: string) => ({ conditionId, documentId: `doc-${conditionId}`, sha256: 'b'.repeat(64), submittedBy: 'coordinator#test' });

  /** An active horizon-eu project releasing 3E001 from KIT (no deemed export in the EU), licence granted, m1 due soon. */
  async function activeWithTechnology(label: string): Promise<ProjectHandle> {
    const base = smallProject(uniqueId(label));
    const handle = await start(taskQueue, {
      ...base,
      people: [person('ines', 'Ines Kraus', 'kit', ['DE'], 'DE')],
      components: [{ ...base.components[0], ...TECH, access: ['ines'] }],
      milestones: [{ id: 'm1', title: `${label} prototype`, dueAt: at(3000), componentIds: ['c1'] }],
    });
    await confirm(handle);
    await decide(handle, ['grant-funder', 'grant-agency']);
    await decide(handle, ['c1-de-bafa']);
    await waitForView(handle, (v) => v.components[0].licence.status === 'approved', 'licence granted');
    return handle;
  }

  test('an expired training certificate holds the item as held-funder naming the person; a missing ethics deliverable, naming it', async () => {
    const [training, ethics] = await Promise.all([activeWithTechnology('training'), activeWithTechnology('ethics')]);
    // The validators: an unknown person, a deliverable the funder does not ask for, a certificate that ends before it starts.
    expect(await rejectionType(training.executeUpdate(recordTrainingUpdate, { args: [certificate('nobody', at(60_000))] }))).toBe(
      PeopleRejection.UnknownPerson,
    );
    expect(await rejectionType(training.executeUpdate(recordDeliverableUpdate, { args: [deliverable('export-control-training')] }))).toBe(
      PeopleRejection.UnknownCondition,
    );
    const backwards = { ...certificate('ines', '2025-01-01T00:00:00Z') };
    expect(await rejectionType(training.executeUpdate(recordTrainingUpdate, { args: [backwards] }))).toBe(PeopleRejection.InvalidTraining);
    expect(await rejectionType(training.executeUpdate(recordTrainingUpdate, { args: [{ ...backwards, expiresAt: 'soon' }] }))).toBe(
      PeopleRejection.InvalidTraining,
    );

    // Both deliverables in; the certificate expires before the cycle closes.
    const expiresAt = at(2000);
    const recorded = await training.executeUpdate(recordTrainingUpdate, { args: [certificate('ines', expiresAt)] });
    expect(recorded.training).toMatchObject([{ certificateId: 'ines-training-1', expiresAt }]);
    for (const id of ['ethics-deliverable', 'security-deliverable']) await training.executeUpdate(recordDeliverableUpdate, { args: [deliverable(id)] });
    // Valid training and the security deliverable; the ethics deliverable never comes.
    await ethics.executeUpdate(recordTrainingUpdate, { args: [certificate('ines', '2030-01-01T00:00:00Z')] });
    await ethics.executeUpdate(recordDeliverableUpdate, { args: [deliverable('security-deliverable')] });

    const cycleId = `cy-${randomUUID().slice(0, 8)}`;
    const closesAt = at(15_000);
    const ids = [training, ethics].map((h) => h.workflowId.replace(/^project-/, ''));
    await startCycle(env().client, taskQueue, { cycleId, name: 'Tranche 2', funderId: 'horizon-eu', closesAt, projectIds: ids });
    await decide(training, [`m1-${cycleId}`]);
    await decide(ethics, [`m1-${cycleId}`]);
    // Before the close: pending, the coordinator awaited (the funder and the regulator have both approved).
    const pending = await waitForCycle(
      cycleId,
      (v) => v.items.length === 2 && v.items.every((i) => i.outcome === 'pending' && i.awaited.join() === 'the coordinator'),
      'both items pending on the coordinator',
    );
    expect(pending.status).toBe('open');

    const done = await waitForCycle(cycleId, (v) => v.status === 'closed', 'the cycle closed');
    const item = (h: ProjectHandle) => done.items.find((i) => `project-${i.projectId}` === h.workflowId)!;
    expect(item(training)).toMatchObject({
      outcome: 'held-funder',
      detail:
        'Export-control training certificate of each person with access to controlled technology: ' +
        `Ines Kraus's certificate expired ${expiresAt} at ${closesAt}, owed by the coordinator`,
    });
    expect(item(ethics)).toMatchObject({
      outcome: 'held-funder',
      detail: 'Ethics deliverable (ethics appraisal: dual use, misuse of research results) not received, owed by the coordinator',
    });
    expect(done.counts).toMatchObject({ 'held-funder': 2, passed: 0 });
    // Each recorded with its document, and on the project's record.
    const entries = (await recordedAudit(training)).filter((e) => e.action === 'training-recorded' || e.action === 'deliverable-received');
    const sha = (c: string) => `(sha256 ${c.repeat(64)})`;
    expect(entries.map((e) => [e.action, e.actor, e.detail.split('; ').at(-1)])).toEqual([
      ['training-recorded', 'coordinator#test', `document ${recorded.training[0].documentId} ${sha('a')}`],
      ['deliverable-received', 'coordinator#test', `document doc-ethics-deliverable ${sha('b')}`],
      ['deliverable-received', 'coordinator#test', `document doc-security-deliverable ${sha('b')}`],
    ]);
    const view = await recordedView(training);
    expect(view.deliverables?.map((d) => d.conditionId)).toEqual(['ethics-deliverable', 'security-deliverable']);
    expect(view.people?.[0].training).toHaveLength(1);
  });
});

test('a closed project gets its post-project review: the coordinator reviews, the lead agency lets its window pass, the workflow ends', async () => {
  // c0 needs no licence and there is no milestone: the project closes once its grant is approved.
  const project = { ...projectWith('c0'), people: [person('ines', 'Ines Kraus', 'kit', ['DE'], 'DE')] };
  project.components = [{ ...project.components[0], access: ['ines'] }];
  const handle = await start(taskQueue, project);
  await confirm(handle);
  await decide(handle, ['grant-funder', 'grant-agency']);
  const view = await waitForView(handle, (v) => v.stage === 'closed' && v.openSteps.length === 2, 'the post-project review');
  expect(view.openSteps.map((s) => [s.stepId, s.kind, s.party, s.reviewer])).toEqual([
    ['post-project-coordinator', 'post-project-review', 'coordinator', 'a.weber@kit.example'],
    ['post-project-agency', 'post-project-review', 'de-bafa', 'ausfuhr@bafa.example'],
  ]);
  expect(view.postProjectReview).toEqual({ licensed: ['Open analysis software (c0): cleared'], shipped: [], released: [], openConditions: [] });
  expect(view.openSteps[0].question).toContain('Licensed: Open analysis software (c0): cleared. Shipped: none. Released: none. Open conditions: none.');
  expect(Date.parse(view.openSteps[0].dueAt) - Date.parse(view.openSteps[0].openedAt)).toBe(8000);

  await decide(handle, ['post-project-coordinator'], () => ({ decision: 'review', comment: 'Screening early saved a month' }));
  expect(await handle.result()).toBe('closed');
  const ended = (await recordedAudit(handle)).find((e) => e.action === 'post-project-review-ended')!;
  expect(ended.detail).toBe(
    'A. Weber: reviewed ("Screening early saved a month"); Bundesamt für Wirtschaft und Ausfuhrkontrolle (BAFA): not given, the window passed',
  );
  const steps = (await recordedView(handle)).steps.filter((s) => s.kind === 'post-project-review');
  expect(steps.map((s) => [s.stepId, s.status, s.outcome ?? s.closedReason])).toEqual([
    ['post-project-coordinator', 'decided', 'reviewed'],
    ['post-project-agency', 'closed', 'the review window passed without a review'],
  ]);
});
