/**
 * The project page's pure parts, without a stack: the corrective actions it offers to resolve (as the compliance
 * monitors show them), and the timeline's sections escaping what workflows wrote.
 */
import type { AuditEntry, ComponentView, ProjectView, ReviewStep } from '../../workflows/definitions';
import { actionsToResolve } from '../../api/web/coordinator/project-context';
import type { CorrectiveAction } from '../../workflows/compliance-contract';
import { decidedStepsSection, trailSection } from '../../api/web/coordinator/project-timeline';

const entry = (action: string, detail: string, componentId?: string): AuditEntry => ({
  at: '2027-04-01T10:00:00.000Z',
  actor: 'system',
  action,
  channel: 'system',
  detail,
  ...(componentId && { componentId }),
});
const component = (id: string, status: ComponentView['licence']['status']): ComponentView => ({
  id,
  name: `Component ${id}`,
  tier: 'T2',
  classifiedTier: 'T2',
  tierReason: null,
  classification: null,
  licence: { status, conditions: [] },
});

test('the corrective actions to resolve: those the monitors show open or past due, on any licence they follow', () => {
  const action = (actionId: string, status: CorrectiveAction['status']) =>
    ({ actionId, period: 1, anomalies: [], openedAt: '2027-04-01T10:00:00.000Z', dueAt: '2027-05-01T00:00:00.000Z', status }) as CorrectiveAction;
  const followed = (id: string, status: ComponentView['licence']['status'], actions: CorrectiveAction[]) =>
    ({ ...component(id, status), licence: { status, conditions: [], compliance: { reports: [], correctiveActions: actions } } }) as ComponentView;
  const view = {
    components: [
      followed('c1', 'approved', [action('c1-ca-1', 'resolved'), action('c1-ca-2', 'open')]),
      followed('c2', 'suspended', [action('c2-ca-1', 'overdue')]),
      followed('c3', 'revoked', [action('c3-ca-1', 'closed')]),
      component('c4', 'in-review'),
    ],
  } as unknown as ProjectView;
  expect(actionsToResolve(view).map(({ component, action }) => [action.actionId, component.id])).toEqual([
    ['c1-ca-2', 'c1'],
    ['c2-ca-1', 'c2'],
  ]);
});

test('the sections escape what reviewers and workflows wrote, and show a decision with its legal basis and conditions', () => {
  const step = {
    stepId: 'c1-de-bafa',
    kind: 'issuer-review',
    party: 'de-bafa',
    partyName: 'BAFA',
    reviewer: 'ausfuhr@bafa.example',
    componentId: 'c1',
    slaMs: 1,
    question: 'Issue a licence?',
    workflowId: 'licence-p--c1',
    openedAt: '2027-04-01T10:00:00.000Z',
    dueAt: '2027-04-08T10:00:00.000Z',
    status: 'decided',
    outcome: 'denied',
    legalBasis: 'Art. 12(1) <b>2021/821</b>',
    conditions: ['No re-export'],
    decidedAt: '2027-04-02T10:00:00.000Z',
    decidedVia: 'email-link',
    remindersSent: 0,
    stoppedMs: 0,
  } as ReviewStep;
  const decided = String(decidedStepsSection([component('c1', 'denied')], [step]));
  expect(decided).toContain('<span class="tag bad">denied</span>');
  expect(decided).toContain('<strong>Legal basis:</strong> Art. 12(1) &lt;b&gt;2021/821&lt;/b&gt;');
  expect(decided).toContain('<ol><li>No re-export</li></ol>');
  expect(decided).toContain('<time datetime="2027-04-02T10:00:00.000Z">2027-04-02 10:00 UTC</time>');

  const many = Array.from({ length: 25 }, (_, i) => entry('email-sent', `mail ${i} <script>`));
  const latest = String(trailSection('p-1', many, false));
  expect(latest.match(/<tr><td class="when">/g)).toHaveLength(20);
  expect(latest).toContain('mail 24 &lt;script&gt;'); // newest first
  expect(latest).not.toContain('mail 4 ');
  expect(latest).toContain('<a href="/app/projects/p-1?trail=all#trail-title">Show all 25 entries</a>');
  expect(String(trailSection('p-1', many, true)).match(/<tr><td class="when">/g)).toHaveLength(25);
});
