/**
 * activities/mail: every notice intent a workflow can send renders to a subject and a text
 * that name the case and say what is owed. Pure functions: no server, no transport.
 */
import { NOTICE_KINDS, renderNotice } from '../../activities/mail';
import type { CorrectiveAction, ReportRequest } from '../../workflows/compliance-contract';
import type { ReviewStep } from '../../workflows/definitions';
import type { MailContext, MailLicence, NoticeIntent, NoticeKind } from '../../workflows/mail-intents';

const context: MailContext = { projectId: 'p-fusion', projectTitle: 'Plasma diagnostics', componentName: 'High-speed camera', tier: 'T2' };
const step: ReviewStep = {
  stepId: 'c2-us-bis',
  workflowId: 'licence-p-fusion--c2',
  kind: 'issuer-review',
  party: 'us-bis',
  partyName: 'U.S. Department of Commerce, Bureau of Industry and Security',
  reviewer: 'licensing@bis.example',
  componentId: 'c2',
  question: 'Approve a licence for "High-speed camera" (T2) to US?',
  openedAt: '2027-03-01T09:00:00.000Z',
  dueAt: '2027-03-31T09:00:00.000Z',
  slaMs: 30 * 86_400_000,
  status: 'open',
  remindersSent: 1,
  stoppedMs: 0,
};
const licence: MailLicence = {
  projectId: 'p-fusion',
  projectTitle: 'Plasma diagnostics',
  coordinatorName: 'Anna Weber',
  componentId: 'c2',
  componentName: 'High-speed camera',
  licenceId: 'LIC-p-fusion-c2',
  validUntil: '2028-03-01T00:00:00.000Z',
  destinations: ['US', 'FR'],
  recipients: ['CNRS', 'MIT'],
};
const request: ReportRequest = {
  period: 2,
  startsAt: '2027-06-01T00:00:00.000Z',
  endsAt: '2027-09-01T00:00:00.000Z',
  dueAt: '2027-09-15T00:00:00.000Z',
  status: 'awaited',
};
const action: CorrectiveAction = {
  actionId: 'c2-ca-2',
  period: 2,
  anomalies: [{ kind: 'unlicensed-destination', subject: 'CN', shipments: [0], detail: 'shipment to CN, which the licence does not cover' }],
  openedAt: '2027-09-16T00:00:00.000Z',
  dueAt: '2027-10-16T00:00:00.000Z',
  status: 'overdue',
  overdueAt: '2027-10-16T00:00:00.000Z',
  revokeAt: '2027-11-16T00:00:00.000Z',
  note: 'shipment recalled',
};

/** One intent of every kind; the type makes a kind without an example a compile error. */
const EXAMPLES: { [K in NoticeKind]: Extract<NoticeIntent, { kind: K }> } = {
  'step-reminder': { kind: 'step-reminder', context, step, n: 2, openFor: '12 days', waiting: ['Anna Weber (coordinator)'] },
  'step-escalated': { kind: 'step-escalated', context, step, coordinatorName: 'Anna Weber', what: 'its senior reviewer now decides' },
  'info-requested': { kind: 'info-requested', context, step, coordinatorName: 'Anna Weber', question: 'Who operates the camera?' },
  'info-reminder': {
    kind: 'info-reminder',
    context,
    step,
    coordinatorName: 'Anna Weber',
    n: 1,
    question: 'Who operates the camera?',
    askedAt: '2027-03-05T09:00:00.000Z',
    returnAt: '2027-04-02T09:00:00.000Z',
  },
  'info-answered': { kind: 'info-answered', context, step, question: 'Who operates the camera?', answer: 'Dr Martin, CNRS' },
  'step-reassigned': {
    kind: 'step-reassigned',
    context,
    step: { ...step, reviewer: 'ausfuhr-2@bafa.example' },
    previous: 'ausfuhr@bafa.example',
    by: 'agency:de-bafa',
  },
  'licence-returned': {
    kind: 'licence-returned',
    context,
    componentId: 'c2',
    coordinatorName: 'Anna Weber',
    issuerName: 'BIS',
    basis: 'the request for information went unanswered',
  },
  'out-of-time': { kind: 'out-of-time', context, issuerName: 'BIS', limitPassedAt: '2027-05-30T09:00:00.000Z', stillOpen: ['BIS (licensing@bis.example)'] },
  'scoping-ready': {
    kind: 'scoping-ready',
    context,
    coordinatorName: 'Anna Weber',
    tiers: [{ componentName: 'High-speed camera', tier: 'T2', rule: 'listed 6A003' }],
  },
  'grant-rejected': { kind: 'grant-rejected', context, coordinatorName: 'Anna Weber', refusals: [{ partyName: 'Horizon Europe', legalBasis: 'out of scope' }] },
  'licensing-complete': {
    kind: 'licensing-complete',
    context,
    coordinatorName: 'Anna Weber',
    licences: [
      { componentName: 'High-speed camera', status: 'approved', validUntil: '2028-03-01T00:00:00.000Z' },
      { componentName: 'Software', status: 'cleared' },
    ],
  },
  'project-closed': { kind: 'project-closed', context, coordinatorName: 'Anna Weber', ended: 'High-speed camera: expired' },
  'project-withdrawn': { kind: 'project-withdrawn', context, coordinatorName: 'Anna Weber', reason: 'funding ended' },
  'amendment-applied': {
    kind: 'amendment-applied',
    context,
    coordinatorName: 'Anna Weber',
    amendmentId: 'amendment-2',
    changes: ['component c2: destinations changed'],
    reviewedAgain: ['High-speed camera'],
  },
  'tranche-releasable': { kind: 'tranche-releasable', context, cycleName: '2027 Q2', milestones: ['M1 prototype'] },
  'cycle-incomplete': {
    kind: 'cycle-incomplete',
    cycleId: 'cy-2027q2',
    cycleName: '2027 Q2',
    closesAt: '2027-06-30T00:00:00.000Z',
    funderName: 'European Commission, Horizon Europe',
    unreported: 3,
    total: 150,
  },
  'report-request': { kind: 'report-request', licence, request },
  'corrective-action': { kind: 'corrective-action', licence, action },
  'licence-suspended': { kind: 'licence-suspended', licence, action, alreadySuspended: false },
  'licence-reinstated': { kind: 'licence-reinstated', licence, action },
  'licence-revoked': { kind: 'licence-revoked', licence, action },
  'renewal-reminder': { kind: 'renewal-reminder', licence },
  'licence-expired': { kind: 'licence-expired', licence, stillOpen: ['report for period 3'] },
};

describe('renderNotice', () => {
  it.each(NOTICE_KINDS)('%s: names its project (or a cycle, its cycle) in the subject, and leaves no field unfilled', (kind) => {
    const mail = renderNotice(EXAMPLES[kind]);
    expect(mail.subject).toContain(kind === 'cycle-incomplete' ? '2027 Q2' : 'Plasma diagnostics');
    expect(mail.subject).not.toMatch(/undefined|null|\[object/);
    expect(mail.text).not.toMatch(/undefined|null|\[object/);
    expect(mail.text.length).toBeGreaterThan(40);
  });

  it('renders every kind the intents declare, each differently', () => {
    expect(NOTICE_KINDS.sort()).toEqual(Object.keys(EXAMPLES).sort());
    const subjects = NOTICE_KINDS.map((k) => renderNotice(EXAMPLES[k]).subject);
    expect(new Set(subjects).size).toBe(subjects.length);
  });

  it('a reminder of a request for information names the return date only when the case can be returned', () => {
    const withReturn = renderNotice(EXAMPLES['info-reminder']).text;
    expect(withReturn).toContain('Unanswered by 2027-04-02T09:00:00.000Z, the case is returned without a decision');
    expect(withReturn).toContain('POST /v1/projects/p-fusion/info with {"stepId": "c2-us-bis"');
    const grantStep = renderNotice({ ...EXAMPLES['info-reminder'], returnAt: undefined }).text;
    expect(grantStep).not.toContain('returned');
  });

  it('a reminder and an answered question carry the fresh link the activity signed, with its expiry; without one they point to the first mail', () => {
    const link = 'https://reviews.example/r/fresh.token';
    const reminder = renderNotice({ ...EXAMPLES['step-reminder'], linkUntil: '2027-03-01T09:00:00.000Z' }, link).text;
    expect(reminder).toContain(`Decide from this link (personal to you and to this step, valid until 2027-03-01T09:00:00.000Z):\n${link}`);
    expect(reminder).not.toContain('original e-mail');
    expect(renderNotice({ ...EXAMPLES['info-answered'], linkUntil: '2027-03-01T09:00:00.000Z' }, link).text).toContain(link);
    expect(renderNotice(EXAMPLES['step-reminder']).text).toContain('Decide from the link in the original e-mail.');
  });

  it('an out-of-time notice names the issuer and what is still open, or says nothing is', () => {
    const open = renderNotice(EXAMPLES['out-of-time']);
    expect(open.subject).toBe('Out of time: Plasma diagnostics — High-speed camera');
    expect(open.text).toContain('issued by BIS, passed its legal limit undecided on 2027-05-30T09:00:00.000Z');
    expect(open.text).toContain('Still open: BIS (licensing@bis.example).');
    expect(renderNotice({ ...EXAMPLES['out-of-time'], stillOpen: [] }).text).toContain('Still open: nothing (a dispute or a notice period).');
  });

  it('a returned licence tells the coordinator how to submit it again', () => {
    expect(renderNotice(EXAMPLES['licence-returned']).text).toContain('POST /v1/projects/p-fusion/components/c2/resubmission');
  });

  it('compliance notices list the anomalies, the deadline and how to resolve', () => {
    const suspended = renderNotice(EXAMPLES['licence-suspended']);
    expect(suspended.subject).toBe('Licence suspended: Plasma diagnostics — High-speed camera — licence LIC-p-fusion-c2');
    expect(suspended.text).toContain('- unlicensed-destination: shipment to CN, which the licence does not cover');
    expect(suspended.text).toContain('Unless the action is resolved by 2027-11-16T00:00:00.000Z, the licence may be revoked.');
    expect(suspended.text).toContain('POST /v1/projects/p-fusion/corrective-actions/c2-ca-2/resolve');
    expect(renderNotice({ ...EXAMPLES['licence-suspended'], alreadySuspended: true }).subject).toMatch(/^Licence remains suspended/);
    expect(renderNotice(EXAMPLES['report-request']).text).toContain('Licensed destinations: US, FR. Licensed recipients: CNRS, MIT.');
    expect(renderNotice(EXAMPLES['licence-expired']).text).toContain('- report for period 3');
    expect(renderNotice({ ...EXAMPLES['licence-expired'], stillOpen: [] }).text).not.toContain('Still open');
  });

  it('an intent of a kind it does not know is refused by name (a worker older than the workflow that sent it)', () => {
    expect(() => renderNotice({ kind: 'carrier-pigeon' } as unknown as NoticeIntent)).toThrow('no e-mail renderer for notice kind "carrier-pigeon"');
  });
});
