/** What a phase's answers add up to under each regime (domain/regimes.ts), and working-day deadlines, without a server. */
import { workingDaysAfter } from '../../activities/working-days';
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

describe('working days on the deciding agency’s public holidays (date-holidays)', () => {
  test('10 working days in France skip weekends and Christmas', () => {
    // Friday 18 December 2026: Mon 21 … Thu 24 (4), Fri 25 is Noël, Mon 28 … Thu 31 (8), Fri 1 January is a holiday, Mon 4, Tue 5 (10).
    expect(workingDaysAfter('2026-12-18T09:30:00.000Z', 10, 'FR')).toBe('2027-01-05T09:30:00.000Z');
  });
  // Ten French working days from each kind of day, counted by hand on the 2027 calendar (no holiday in February).
  test('opened on a Friday: the window ends on the Friday two weeks later (14 calendar days)', () => {
    // Fri 5 Feb: Mon 8 … Fri 12 (5), Mon 15 … Fri 19 (10).
    expect(workingDaysAfter('2027-02-05T15:00:00.000Z', 10, 'FR')).toBe('2027-02-19T15:00:00.000Z');
  });
  test('opened on a Saturday or a Sunday: the weekend does not count (13 and 12 calendar days)', () => {
    expect(workingDaysAfter('2027-02-06T15:00:00.000Z', 10, 'FR')).toBe('2027-02-19T15:00:00.000Z');
    expect(workingDaysAfter('2027-02-07T15:00:00.000Z', 10, 'FR')).toBe('2027-02-19T15:00:00.000Z');
  });
  test('opened on the eve of a public holiday: the holiday does not count (15 calendar days)', () => {
    // Tue 13 July; Wed 14 July is the Fête nationale: Thu 15, Fri 16 (2), Mon 19 … Fri 23 (7), Mon 26, Tue 27, Wed 28 (10).
    expect(workingDaysAfter('2027-07-13T15:00:00.000Z', 10, 'FR')).toBe('2027-07-28T15:00:00.000Z');
    // In Germany 14 July is a working day: the same window ends a day earlier.
    expect(workingDaysAfter('2027-07-13T15:00:00.000Z', 10, 'DE')).toBe('2027-07-27T15:00:00.000Z');
  });
  test('each country’s own holidays count: Easter differs between Germany and the US', () => {
    expect(workingDaysAfter('2026-12-18T09:30:00.000Z', 10, 'US')).toBe('2027-01-05T09:30:00.000Z');
    // Easter 2027: in Germany Good Friday (26 March) and Easter Monday (29 March) are public holidays; in the US neither is.
    expect(workingDaysAfter('2027-03-25T12:00:00.000Z', 1, 'DE')).toBe('2027-03-30T12:00:00.000Z');
    expect(workingDaysAfter('2027-03-25T12:00:00.000Z', 1, 'US')).toBe('2027-03-26T12:00:00.000Z');
  });
  test('without a country (a funder), only weekends are skipped; a bad count is refused', () => {
    expect(workingDaysAfter('2026-12-24T00:00:00.000Z', 1, undefined)).toBe('2026-12-25T00:00:00.000Z');
    expect(() => workingDaysAfter('2026-12-24T00:00:00.000Z', 0, 'FR')).toThrow(/positive whole number/);
  });
});
