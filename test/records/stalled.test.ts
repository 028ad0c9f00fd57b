/**
 * The stalled list and the dashboard's projects, read from the records (records/stalled.ts), on both databases:
 * what is past due and what is not, a stopped clock, a closed project, each filter, and a licence case out of time.
 */
import type { ProjectCore, ProjectRecordWrite } from '../../records/contract';
import { writeProjectRecord } from '../../records/project-writes';
import { dashboardProjects, listStalled } from '../../records/stalled';
import type { Licence } from '../../workflows/definitions';
import { uniqueId } from '../helpers/fixtures';
import { firstWrite, step, STORES, useRecordStore } from '../helpers/record-stores';

const NOW = new Date('2026-12-03T10:00:00.000Z');
const PAST = '2026-12-02T10:00:00.000Z';
const FUTURE = '2026-12-09T10:00:00.000Z';

describe.each(STORES)('%s', (_name, start) => {
  const s = useRecordStore(start);

  /** A project of `funderId`, owned by `owner`, with these steps and this core. */
  async function project(o: { funderId: string; owner?: string; core?: Partial<ProjectCore>; steps: ProjectRecordWrite['steps']; closed?: boolean }) {
    const base = firstWrite(uniqueId('p'));
    const core = { ...base.core!, funderId: o.funderId, owner: o.owner ?? 'coordinator:a.weber', ...o.core } as ProjectCore;
    const closed = o.closed ? { at: PAST, keepUntil: FUTURE } : undefined;
    await writeProjectRecord(s.db, {
      ...base,
      core,
      steps: o.steps.map((s) => ({ ...s, workflowId: `project-${base.projectId}` })),
      ...(closed && { closed }),
    });
    return base.projectId;
  }

  test('open steps past due, oldest first; not a stopped clock, a step not yet due, or a closed project', async () => {
    const funderId = uniqueId('funder');
    const p = await project({
      funderId,
      steps: [
        step('x', 'late', { dueAt: PAST }),
        step('x', 'later', { dueAt: '2026-12-01T10:00:00.000Z', party: 'de-bafa', partyName: 'BAFA', kind: 'grant-agency' }),
        step('x', 'not-yet', { dueAt: FUTURE }),
        step('x', 'stopped', { dueAt: PAST, infoRequest: { question: 'Which lab?', askedAt: PAST, remainingMs: 1 } }),
        step('x', 'decided', { dueAt: PAST, status: 'decided', outcome: 'approved' }),
      ],
    });
    await project({ funderId, steps: [step('y', 'late', { dueAt: PAST })], closed: true, core: { stage: 'withdrawn' } });

    const list = await listStalled(s.db, { funderId }, NOW);
    expect(list.items.map((i) => [i.projectId, i.stepId])).toEqual([
      [p, 'later'],
      [p, 'late'],
    ]);
    expect(list.items[1]).toMatchObject({
      party: 'horizon-eu',
      partyName: 'Horizon Europe',
      workflowId: `project-${p}`,
      clockStopped: false,
      overdueMs: 86_400_000,
    });
    expect(list).toMatchObject({ asOf: NOW.toISOString(), outOfTime: [], truncated: false });
    expect((await listStalled(s.db, { funderId, agency: 'de-bafa' }, NOW)).items.map((i) => i.stepId)).toEqual(['later']);
    expect((await listStalled(s.db, { funderId, owner: 'coordinator:someone-else' }, NOW)).items).toEqual([]);
  });

  test("a cycle's milestone reviews, by the milestones the project put in that cycle", async () => {
    const funderId = uniqueId('funder');
    const milestones: ProjectCore['milestones'] = [{ id: 'm1', title: 'Prototype', dueAt: PAST, componentIds: ['c1'], status: 'in-review', cycleId: 'q2' }];
    const p = await project({
      funderId,
      core: { milestones },
      steps: [step('x', 'm1-q2', { dueAt: PAST, kind: 'milestone-review' }), step('x', 'm1-q1', { dueAt: PAST, kind: 'milestone-review' })],
    });
    expect((await listStalled(s.db, { funderId, cycleId: 'q2' }, NOW)).items.map((i) => [i.projectId, i.stepId])).toEqual([[p, 'm1-q2']]);
  });

  test('a licence case past its legal limit, with its issuer and who it waits on, whether or not a step is past due', async () => {
    const funderId = uniqueId('funder');
    const licence: Licence = { status: 'in-review', conditions: [], outOfTimeSince: PAST, issuer: { agencyId: 'us-bis', name: 'BIS', regime: 'US' } };
    const p = await project({ funderId, steps: [] });
    const licenceWorkflow = `licence-${p}--c1`;
    // The licence review writes its licence and its steps.
    await writeProjectRecord(s.db, {
      projectId: p,
      run: 'run-1',
      source: licenceWorkflow,
      version: 2,
      licence: { componentId: 'c1', licence },
      steps: [
        step(p, 'c1-us-bis', { workflowId: licenceWorkflow, componentId: 'c1', party: 'us-bis', partyName: 'BIS', dueAt: FUTURE, kind: 'issuer-review' }),
      ],
      auditFrom: 2,
      audit: [],
    });
    const list = await listStalled(s.db, { funderId }, NOW);
    expect(list.items).toEqual([]);
    expect(list.outOfTime).toEqual([
      {
        componentId: 'c1',
        since: PAST,
        issuer: { agencyId: 'us-bis', name: 'BIS' },
        projectId: p,
        projectTitle: 'Quantum sensors',
        funderId,
        workflowId: licenceWorkflow,
        awaiting: ['BIS'],
      },
    ]);
    expect((await listStalled(s.db, { funderId, agency: 'de-bafa' }, NOW)).outOfTime).toEqual([]);

    const dashboard = await dashboardProjects(s.db, { funderId });
    expect(dashboard.projects).toEqual([
      expect.objectContaining({
        projectId: p,
        stage: 'grant-review',
        openSteps: [expect.objectContaining({ stepId: 'c1-us-bis', workflowId: licenceWorkflow })],
      }),
    ]);
  });
});
