/** What each regime lets a party on a case read of the others' positions (domain/case-sharing.ts), without a server. */
import { positionShared, type CaseRole, type Objection } from '../../domain/case-sharing';
import { testPolicy } from '../helpers/policy';

const policy = testPolicy();
const objectionOf = (regime: string): Objection => policy.regimes[regime].consultation.objection;
const shared = (regime: string, viewer: CaseRole, other: CaseRole) => positionShared(objectionOf(regime), viewer, other).shared;

describe('the issuer and a chair see every position, under every regime', () => {
  test.each(['US', 'EU', 'UK', 'DE-military'])('%s', (regime) => {
    for (const other of ['issuer', 'consulted', 'advisory', 'chair'] as const) {
      expect(shared(regime, 'issuer', other)).toBe(true);
      expect(shared(regime, 'chair', other)).toBe(true);
    }
  });
});

describe('what a consulted party sees', () => {
  test('US interagency review (ladder): the other reviewing agencies and the issuer', () => {
    expect(objectionOf('US')).toBe('ladder');
    expect(shared('US', 'consulted', 'consulted')).toBe(true);
    expect(shared('US', 'consulted', 'issuer')).toBe(true);
    expect(positionShared('ladder', 'consulted', 'consulted').why).toContain('EO 12981');
  });

  test('EU Art. 14 (binding): the issuer, never another consulted state', () => {
    expect(objectionOf('EU')).toBe('binding');
    expect(shared('EU', 'consulted', 'issuer')).toBe(true);
    expect(shared('EU', 'consulted', 'consulted')).toBe(false);
    expect(positionShared('binding', 'consulted', 'consulted').why).toContain('Art. 14');
  });

  test('an advisory regime (UK, a military regime): the issuer only', () => {
    for (const regime of ['UK', 'DE-military']) {
      expect(shared(regime, 'consulted', 'issuer')).toBe(true);
      expect(shared(regime, 'consulted', 'consulted')).toBe(false);
    }
  });

  test('a party outside the issuing regime neither sees nor is seen, even in a ladder regime', () => {
    expect(shared('US', 'advisory', 'consulted')).toBe(false);
    expect(shared('US', 'consulted', 'advisory')).toBe(false);
    expect(shared('US', 'advisory', 'issuer')).toBe(true);
  });

  test('a ruling is told to every agency on the case', () => {
    expect(shared('US', 'consulted', 'chair')).toBe(true);
    expect(shared('EU', 'advisory', 'chair')).toBe(true);
  });
});

test("the applicant sees no reviewer's position, and an unknown regime shares nothing between consulted parties", () => {
  for (const other of ['issuer', 'consulted', 'advisory', 'chair'] as const) expect(shared('US', 'applicant', other)).toBe(false);
  expect(positionShared(undefined, 'consulted', 'consulted').shared).toBe(false);
  expect(positionShared(undefined, 'consulted', 'issuer').shared).toBe(true);
});
