/**
 * The decision letters without a stack: what letters/letter-data.ts reads from a fixed project record (who set each
 * condition, the acknowledgements, the appeal route and deadline, no letter before a decision), and the renderer's
 * determinism: the same data gives the same bytes, with the record's dates as the PDF's.
 */
import { createHash } from 'node:crypto';
import { letterOf } from '../../letters/letter';
import { letterDataOf, type LetterData, type LicenceLetter, type RefusalLetter } from '../../letters/letter-data';
import { winAnsi } from '../../letters/pdf-page';
import { renderLetter } from '../../letters/render-letter';
import type { ProjectRecord } from '../../records/project-reads';
import type { Licence, ProjectView, ReviewStep } from '../../workflows/definitions';
import { smallProject } from '../helpers/fixtures';
import { flat, pdfInfo, pdfText } from '../helpers/pdf';
import { testPolicy } from '../helpers/policy';

const policy = testPolicy();
const project = smallProject('letters-unit');
const ISSUED = '2027-01-05T14:03:27.120Z';
const BAFA = { agencyId: 'de-bafa', name: 'Bundesamt für Wirtschaft und Ausfuhrkontrolle (BAFA)', regime: 'EU' };
const REVIEWS = 'licence-letters-unit--c1';

function step(stepId: string, fields: Partial<ReviewStep>): ReviewStep {
  return {
    ...{ stepId, kind: 'issuer-review', party: 'de-bafa', partyName: 'BAFA', reviewer: 'ausfuhr@bafa.example', componentId: 'c1', tier: 'T1' },
    ...{ slaMs: 60_000, question: '?', workflowId: REVIEWS, openedAt: '2027-01-04T10:00:00.000Z', dueAt: '2027-01-14T10:00:00.000Z' },
    ...{ status: 'decided', remindersSent: 0, stoppedMs: 0 },
    ...fields,
  } as ReviewStep;
}

function record(licence: Licence, steps: ReviewStep[]): ProjectRecord {
  const view = {
    projectId: project.projectId,
    title: project.title,
    funderId: project.funderId,
    coordinator: project.coordinator,
    policyVersion: policy.version,
    submittedAt: '2027-01-01T00:00:00.000Z',
    components: [
      {
        id: 'c1',
        name: project.components[0].name,
        tier: 'T1',
        classifiedTier: 'T1',
        tierReason: null,
        classification: {
          ...{ componentId: 'c1', unmatchedCodes: [], reasons: ['NS'], restrictedPartyHits: [], tier: 'T1', rule: { id: 'r', text: 'r' } },
          matchedEntries: [{ code: '3A001', description: 'Electronic components', reasons: ['NS'], list: 'dual-use' }],
        },
        licence,
      },
    ],
    steps,
    openSteps: steps.filter((s) => s.status === 'open'),
  } as unknown as ProjectView;
  return { view, submission: project, owners: [], run: 'run-1' };
}

const approval = step('c1-de-bafa', { outcome: 'approved', conditions: ['No re-export without BAFA consent'], decidedAt: ISSUED });
const granted: Licence = {
  status: 'approved',
  licenceId: 'LIC-letters-unit-c1',
  issuer: BAFA,
  validFrom: ISSUED,
  validUntil: '2028-01-05T14:03:27.120Z',
  conditions: ['End use limited to the declared research', 'No re-export without BAFA consent (set by BAFA, ausfuhr@bafa.example)'],
  acknowledgement: { stepId: 'c1-acknowledgement' },
};
const ackStep = (fields: Partial<ReviewStep>) =>
  step('c1-acknowledgement', { kind: 'acknowledgement', party: 'coordinator', partyName: 'A. Weber', reviewer: 'a.weber@kit.example', ...fields });

describe('letterDataOf: what the letter reads from the record', () => {
  test('the licence: each condition with who set it, the parties by name and country, the acknowledgement owed', () => {
    const letter = letterDataOf(record(granted, [approval, ackStep({ status: 'open' })]), 'c1', policy) as LicenceLetter;
    expect(letter).toMatchObject({
      kind: 'licence',
      licenceId: 'LIC-letters-unit-c1',
      issuer: { name: BAFA.name, regime: 'EU' },
      exporter: { name: 'Karlsruhe Institute of Technology', country: 'DE', countryName: 'Germany' },
      recipients: [{ name: 'Oak Ridge National Laboratory', country: 'US', countryName: 'United States' }],
      item: { controlCodes: [{ code: '3A001', description: 'Electronic components' }], tier: 'T1' },
      destinations: [{ code: 'US', name: 'United States' }],
      conditions: [
        { text: 'End use limited to the declared research', setBy: `standard condition for T1 licences (policy ${policy.version})` },
        { text: 'No re-export without BAFA consent', setBy: 'BAFA (ausfuhr@bafa.example)' },
      ],
      acknowledgements: { given: [], pending: 1 },
      dated: ISSUED,
      revised: ISSUED,
    });
  });

  test('an acknowledgement given is listed with who and when, and its signed document, and dates the letter', () => {
    const at = '2027-01-06T09:00:00.000Z';
    const signedDocument = { documentId: 'doc-0123456789abcdef01234567', sha256: 'c'.repeat(64) };
    const acknowledged = ackStep({ outcome: 'acknowledged', decidedAt: at, decidedBy: 'a.weber@kit.example', signedDocument });
    const letter = letterDataOf(record(granted, [approval, acknowledged]), 'c1', policy) as LicenceLetter;
    expect(letter.acknowledgements).toEqual({
      given: [{ stepId: 'c1-acknowledgement', party: 'A. Weber', by: 'a.weber@kit.example', at, ...signedDocument }],
      pending: 0,
    });
    expect({ dated: letter.dated, revised: letter.revised }).toEqual({ dated: ISSUED, revised: at });
  });

  test('the law it is issued under stays when the compliance monitor holds the licence; its basis goes with the status', () => {
    const issued = letterDataOf(record(granted, [approval]), 'c1', policy) as LicenceLetter;
    expect(issued.basis).toMatch(/Regulation \(EU\) 2021\/821/);
    const suspended: Licence = { ...granted, status: 'suspended', basis: 'compliance report overdue' };
    const letter = letterDataOf(record(suspended, [approval]), 'c1', policy) as LicenceLetter;
    expect({ status: letter.status, basis: letter.basis }).toEqual({ status: 'suspended (compliance report overdue)', basis: issued.basis });
  });

  test("an earlier review's steps (a case returned, then submitted again) are not this licence's", () => {
    const earlier = ackStep({ workflowId: 'licence-letters-unit--c1-old', outcome: 'acknowledged', decidedAt: ISSUED });
    const letter = letterDataOf(record(granted, [earlier, { ...approval, workflowId: REVIEWS }]), 'c1', policy) as LicenceLetter;
    expect(letter.acknowledgements).toEqual({ given: [], pending: 1 });
  });

  test("the refusal: the record's legal basis, the refusing decision, the policy's appeal body and the window's deadline", () => {
    const denial = step('c1-de-bafa', { outcome: 'denied', legalBasis: 'AWV §8', decidedAt: ISSUED });
    const window = step('c1-appeal-1', { kind: 'appeal', status: 'open', party: 'coordinator', openedAt: ISSUED, dueAt: '2027-02-04T14:03:27.120Z' });
    const denied: Licence = { status: 'denied', conditions: [], basis: 'BAFA: AWV §8', issuer: BAFA };
    const letter = letterDataOf(record(denied, [denial, window]), 'c1', policy) as RefusalLetter;
    const body = policy.agencies.find((a) => a.id === 'de-bafa')!.appealBody!;
    expect(letter).toMatchObject({
      kind: 'refusal',
      legalBasis: 'BAFA: AWV §8',
      decisions: [{ by: 'BAFA', reviewer: 'ausfuhr@bafa.example', at: ISSUED, legalBasis: 'AWV §8' }],
      appeal: { body: body.name, within: body.appealWithin, deadline: '2027-02-04T14:03:27.120Z', state: 'open' },
      dated: ISSUED,
    });
  });

  test('no letter while nothing is issued or refused; none for a component the project does not have', () => {
    expect(letterDataOf(record({ status: 'in-review', conditions: [], issuer: BAFA }, []), 'c1', policy)).toEqual({ kind: 'none', status: 'in-review' });
    expect(letterDataOf(record({ status: 'cleared', conditions: [] }, []), 'c1', policy)).toEqual({ kind: 'none', status: 'cleared' });
    expect(letterDataOf(record(granted, [approval]), 'c9', policy)).toBeUndefined();
  });
});

describe('the renderer', () => {
  const licence = letterDataOf(record(granted, [approval, ackStep({ status: 'open' })]), 'c1', policy) as LetterData;

  test('the same data gives the same bytes, and the hash is of those bytes', async () => {
    const [a, b] = [await letterOf(licence), await letterOf(structuredClone(licence))];
    expect(a.bytes.equals(b.bytes)).toBe(true);
    expect(a).toMatchObject({ kind: 'licence', filename: 'licence-LIC-letters-unit-c1.pdf', sha256: createHash('sha256').update(a.bytes).digest('hex') });
    expect(b.sha256).toBe(a.sha256);
  });

  test("the PDF's dates are the record's; another date is another letter", async () => {
    const bytes = await renderLetter(licence);
    expect(await pdfInfo(bytes)).toMatchObject({ CreationDate: '2027-01-05T14:03:27Z', ModDate: '2027-01-05T14:03:27Z', Author: BAFA.name });
    const later = await renderLetter({ ...licence, revised: '2027-01-06T09:00:00.000Z' });
    expect(await pdfInfo(later)).toMatchObject({ CreationDate: '2027-01-05T14:03:27Z', ModDate: '2027-01-06T09:00:00Z' });
    expect(later.equals(bytes)).toBe(false);
  });

  test('reads back as text, the conditions numbered with who set them', async () => {
    const text = flat(await pdfText(await renderLetter(licence)));
    expect(text).toContain('Licence number LIC-letters-unit-c1');
    expect(text).toContain('2. No re-export without BAFA consent Set by: BAFA (ausfuhr@bafa.example)');
    expect(text).toContain('Valid until 2028-01-05 14:03 UTC');
  });

  test('text outside the built-in fonts’ encoding is written without accents, or as "?"', () => {
    expect(winAnsi('Dvořák → Zürich – “ok” €')).toBe('Dvorák ? Zürich – “ok” €');
  });
});
