/**
 * Proposed sanctions (domain/sanctions.ts): suspension and revocation are the issuer's acts after the holder is
 * heard (EAR §750.8; in the EU the issuing authority under national law; ../shared/DOMAIN.md "Who holds authority").
 */
import { decisionPlan, hearingPlan, holderAnswer, sanctionStepIds, type SanctionCase } from '../../domain/sanctions';
import { STEP_KINDS } from '../../domain/step-kinds';

const c: SanctionCase = {
  sanction: 'suspension',
  componentId: 'c1',
  licenceId: 'LIC-p-c1',
  actionId: 'c1-ca-1',
  grounds: 'corrective action c1-ca-1 unresolved since 2027-03-01T00:00:00.000Z',
  holder: { name: 'A. Weber', email: 'a.weber@kit.example' },
  issuer: { id: 'de-bafa', name: 'BAFA', reviewers: ['ausfuhr@bafa.example', 'zwei@bafa.example'] },
};

test('one hearing and one decision per corrective action and sanction: a revocation never reuses a suspension step', () => {
  expect(sanctionStepIds('c1-ca-1', 'suspension')).toEqual({ hearing: 'c1-ca-1-suspension-hearing', decision: 'c1-ca-1-suspension-decision' });
  expect(sanctionStepIds('c1-ca-1', 'revocation').hearing).toBe('c1-ca-1-revocation-hearing');
});

test('the holder is heard first, on its own step, within the given time; the question names the issuer and the grounds', () => {
  const plan = hearingPlan(c, 14 * 86_400_000);
  expect(plan).toMatchObject({
    stepId: 'c1-ca-1-suspension-hearing',
    kind: 'holder-hearing',
    party: 'coordinator',
    reviewer: 'a.weber@kit.example',
    slaMs: 14 * 86_400_000,
  });
  expect(plan.question).toContain('The suspension of licence LIC-p-c1 is proposed to BAFA');
  expect(plan.question).toContain(c.grounds);
  // Not answering only closes the window: it decides nothing.
  expect(STEP_KINDS['holder-hearing']).toMatchObject({ decisions: ['respond', 'accept'], silence: 'lapses' });
});

test("the issuer's reviewer decides, with the holder's answer before it; approval and refusal both cite the basis; silence escalates", () => {
  const plan = decisionPlan({ ...c, sanction: 'revocation' }, 'A. Weber responded: "recalled"', 30 * 86_400_000);
  expect(plan).toMatchObject({ stepId: 'c1-ca-1-revocation-decision', kind: 'sanction-decision', party: 'de-bafa', reviewer: 'ausfuhr@bafa.example' });
  expect(plan.question).toContain('A. Weber responded: "recalled"');
  expect(plan.question).toContain('Approve to revoke the licence');
  expect(STEP_KINDS['sanction-decision']).toMatchObject({ decisions: ['approve', 'deny'], basisRequired: ['approve', 'deny'], silence: 'escalate' });
});

test("the holder's answer as the issuer reads it: a response with its grounds, an acceptance, or no answer", () => {
  const step = { partyName: 'A. Weber', status: 'decided' };
  expect(holderAnswer({ ...step, outcome: 'responded', legalBasis: 'shipment recalled' })).toBe('A. Weber responded: "shipment recalled"');
  expect(holderAnswer({ ...step, outcome: 'accepted' })).toBe('A. Weber accepted the proposal');
  expect(holderAnswer({ partyName: 'A. Weber', status: 'closed' })).toBe('A. Weber did not answer in time');
});
