/** What a phase's answers add up to under each regime (domain/regimes.ts), without a server. Working days: working-days.test.ts. */
import { phaseVerdict, type PhaseAnswer } from '../../domain/regimes';
import { testPolicy } from '../helpers/policy';

const policy = testPolicy();
const [US, EU, UK] = [policy.regimes.US, policy.regimes.EU, policy.regimes.UK];

const answer = (party: string, country: string, standing: PhaseAnswer['standing'], outcome: string, legalBasis?: string): PhaseAnswer => ({
  party,
  partyName: party.toUpperCase(),
  reviewer: `${party}@example`,
  country,
  standing,
  outcome,
  legalBasis,
});
const commerce = (outcome: string) => answer('us-bis', 'US', 'issuer', outcome, outcome === 'denied' ? 'EAR §742.4' : undefined);
const bafa = (outcome: string) => answer('de-bafa', 'DE', 'issuer', outcome, outcome === 'denied' ? 'AWV §8' : undefined);

describe('US (EO 12981): reviewing agencies are consulted; disagreement climbs the ladder', () => {
  test('a silent reviewing agency is no objection', () => {
    expect(phaseVerdict(US, [commerce('approved'), answer('us-dod', 'US', 'consulted', 'no-objection')])).toEqual({ verdict: 'proceed', advice: [] });
  });
  test('an objection against Commerce’s approval, or an approval against its denial, is a dispute between the deciders', () => {
    const dod = answer('us-dod', 'US', 'consulted', 'denied', 'national security');
    const silent = answer('us-dos', 'US', 'consulted', 'no-objection');
    const verdict = phaseVerdict(US, [commerce('approved'), dod, silent]);
    expect(verdict).toMatchObject({ verdict: 'dispute' });
    expect(verdict.verdict === 'dispute' && verdict.positions.map((p) => [p.party, p.outcome])).toEqual([
      ['us-bis', 'approved'],
      ['us-dod', 'denied'],
    ]);
    expect(phaseVerdict(US, [commerce('denied'), answer('us-dod', 'US', 'consulted', 'approved')]).verdict).toBe('dispute');
  });
  test('Commerce’s denial that nobody contests is a denial', () => {
    expect(phaseVerdict(US, [commerce('denied'), answer('us-dod', 'US', 'consulted', 'no-objection')])).toMatchObject({
      verdict: 'deny',
      basis: 'US-BIS (US): EAR §742.4',
    });
  });
  test('a foreign partner’s objection is advice: it is recorded, and decides nothing', () => {
    const advice = answer('de-bafa', 'DE', 'advisory', 'denied', 'AWV §8');
    expect(phaseVerdict(US, [commerce('approved'), advice])).toEqual({ verdict: 'proceed', advice: [advice] });
  });
});

describe('EU (2021/821): the Member States where the items will be are consulted; an objection binds', () => {
  test('a French objection makes BAFA deny, naming France and its basis; no ladder', () => {
    const fr = answer('fr-sbdu', 'FR', 'consulted', 'denied', 'essential security interests');
    expect(phaseVerdict(EU, [bafa('approved'), fr])).toEqual({
      verdict: 'deny',
      basis: 'objection by FR-SBDU (FR): essential security interests',
      by: [fr],
      advice: [],
    });
  });
  test('a silent Member State is no objection', () => {
    expect(phaseVerdict(EU, [bafa('approved'), answer('fr-sbdu', 'FR', 'consulted', 'no-objection')]).verdict).toBe('proceed');
  });
  test('the issuer’s own denial is a denial', () => {
    expect(phaseVerdict(EU, [bafa('denied'), answer('fr-sbdu', 'FR', 'consulted', 'approved')])).toMatchObject({
      verdict: 'deny',
      basis: 'DE-BAFA (DE): AWV §8',
    });
  });
});

describe('an advisory regime (UK): the issuer decides', () => {
  test('a consulted agency’s objection is advice', () => {
    const mod = answer('uk-mod', 'GB', 'consulted', 'denied', 'defence');
    const ecju = answer('uk-ecju', 'GB', 'issuer', 'approved');
    expect(phaseVerdict(UK, [ecju, mod])).toEqual({ verdict: 'proceed', advice: [mod] });
  });
});
