/**
 * The case a decision page shows (api/case-file.ts), from records built here, without a server: what an EU
 * consultation shares, which review's steps count, the questions paired with their answers, and the documents slot.
 * The US interagency case, and the grant page's scope, run on the real stack in test/api/decision-page-case.test.ts.
 */
import { caseFile } from '../../api/case-file';
import { caseSections } from '../../api/case-sections';
import { submittedCore, projectParties } from '../../workflows/project-core';
import type { CaseRecords } from '../../records/step-case';
import type { StepContext } from '../../records/steps';
import type { ReviewStep } from '../../workflows/definitions';
import { projectWith } from '../helpers/fixtures';
import { testPolicy } from '../helpers/policy';

const policy = testPolicy();
const project = projectWith('c2'); // exported by KIT (DE): BAFA issues under the EU regime
const REVIEW = 'licence-p--c2--submission-2';

const step = (stepId: string, party: string, kind: ReviewStep['kind'], extra: Partial<ReviewStep> = {}): ReviewStep => ({
  workflowId: REVIEW,
  stepId,
  kind,
  party,
  partyName: policy.agencies.find((a) => a.id === party)!.name,
  reviewer: `${party}@example`,
  componentId: 'c2',
  slaMs: 1000,
  question: '?',
  openedAt: '2027-01-04T09:00:00.000Z',
  dueAt: '2027-01-18T09:00:00.000Z',
  status: 'open',
  remindersSent: 0,
  stoppedMs: 0,
  ...extra,
});

const bafa = step('c2-de-bafa', 'de-bafa', 'issuer-review', { status: 'decided', outcome: 'approved', conditions: ['End use in Karlsruhe only'] });
const france = step('c2-fr-sbdu', 'fr-sbdu', 'consultation', { status: 'decided', outcome: 'approved', conditions: ['French condition'] });
const netherlands = step('c2-nl-cdiu', 'nl-cdiu', 'consultation');
const earlier = step('c2-fr-sbdu', 'fr-sbdu', 'consultation', { workflowId: 'licence-p--c2', status: 'closed', closedReason: 'returned' });

function records(): CaseRecords {
  const core = submittedCore(project, policy, 'coordinator:a.weber', '2027-01-01T00:00:00.000Z');
  return {
    core,
    submission: project,
    parties: projectParties(project, policy),
    steps: [earlier, bafa, france, netherlands],
    exchanges: [
      {
        source: REVIEW,
        stepId: 'c2-nl-cdiu',
        action: 'info-requested',
        at: '2027-01-05T10:00:00.000Z',
        actor: 'x',
        detail: `${netherlands.partyName} asks: Which lab?`,
      },
      { source: REVIEW, stepId: 'c2-nl-cdiu', action: 'info-answered', at: '2027-01-06T10:00:00.000Z', actor: 'coordinator:a.weber', detail: 'answer: Lab 3' },
      {
        source: REVIEW,
        stepId: 'c2-nl-cdiu',
        action: 'info-requested',
        at: '2027-01-07T10:00:00.000Z',
        actor: 'x',
        detail: `${netherlands.partyName} asks: And the shift plan?`,
      },
    ],
    licence: { status: 'in-review', conditions: [], issuer: { agencyId: 'de-bafa', name: bafa.partyName, regime: 'EU' } },
  };
}

const context = (viewer: ReviewStep): StepContext => ({ step: viewer, projectId: 'p', projectTitle: 't', funderId: project.funderId, coordinator: 'A <a@x>' });

test('an EU consulted state sees the issuer’s position, not another consulted state’s (Art. 14); the issuer sees both', () => {
  const dutch = caseFile(policy, context(netherlands), records());
  expect(dutch.funderName).toBe('European Commission, Horizon Europe');
  const positions = dutch.component!.positions;
  // The earlier submission's closed step is not this review's.
  expect(positions.map((p) => p.partyName)).toEqual([bafa.partyName, france.partyName]);
  expect(positions[0]).toMatchObject({ shared: true, status: 'approved', conditions: ['End use in Karlsruhe only'] });
  expect(positions[1]).toMatchObject({ shared: false, status: 'answered', conditions: [] });
  expect(positions[1].withheld).toContain('Art. 14');
  expect(JSON.stringify(dutch)).not.toContain('French condition');

  const issuer = caseFile(policy, context(bafa), records());
  expect(issuer.component!.positions.find((p) => p.partyName === france.partyName)).toMatchObject({ shared: true, conditions: ['French condition'] });
  expect(issuer.component!.positions.find((p) => p.partyName === netherlands.partyName)).toMatchObject({ shared: true, status: 'pending' });
});

test('exporter, issuer and screened recipients by name; questions paired with their answers; documents listed as given', () => {
  const file = caseFile(policy, context(bafa), records());
  expect(file.component).toMatchObject({
    exporter: { name: 'Karlsruhe Institute of Technology', country: 'DE' },
    issuer: bafa.partyName,
    // Not classified in these records: the page says so rather than claim a clean screening.
    recipients: [{ name: 'Oak Ridge National Laboratory', country: 'US', listed: false, screening: 'not screened yet' }],
  });
  expect(file.questions).toEqual([
    { askedBy: netherlands.partyName, askedAt: '2027-01-05T10:00:00.000Z', question: 'Which lab?', answeredAt: '2027-01-06T10:00:00.000Z', answer: 'Lab 3' },
    { askedBy: netherlands.partyName, askedAt: '2027-01-07T10:00:00.000Z', question: 'And the shift plan?' },
  ]);
  const empty = String(caseSections(file));
  expect(empty).toContain('No documents filed.');
  expect(empty).toContain('Not answered yet.');

  const sha256 = 'a'.repeat(64);
  const filed = String(
    caseSections({ ...file, documents: [{ name: 'spec <v2>.pdf', kind: 'specification', size: 204_800, sha256, href: '/d/1?sig=x&exp=2' }] }),
  );
  expect(filed).toContain(`<li><a href="/d/1?sig=x&amp;exp=2">spec &lt;v2&gt;.pdf</a> — specification, 200.0 KB, SHA-256 <code>${sha256}</code></li>`);
  expect(filed).not.toContain('No documents filed.');
});
