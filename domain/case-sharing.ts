/**
 * Whose position on a component a party on the case may read on its decision page: what each regime shares
 * (DOMAIN.md "Who holds authority"). A position is the outcome, its conditions (provisos) and its legal basis; who
 * else is on the case, and whether they have answered yet, is always shown. Pure: the page and its JSON read it.
 *
 * - Every answer goes to the issuing authority, and a ruling's chair rules between the positions: both see all.
 * - The issuer's own position is what the others are consulted on, and a ruling binds the parties: both are shared
 *   with every agency on the case.
 * - US interagency review (EO 12981, `ladder`): the reviewing agencies' recommendations are shared among them, and
 *   a disagreement goes up the ladder with every position on it.
 * - EU consultation (2021/821 Art. 14, `binding`) is between the issuing state and the consulted state; in an
 *   `advisory` regime (the UK's, a military regime) each adviser advises the issuer; a party outside the issuer's
 *   regime advises the issuer only. None of these sees another's answer.
 * - The applicant (coordinator, licensee) learns the outcome from the regime's notices and the licence, not from
 *   the reviewers' positions.
 */
import type { Regime } from './policy';
import type { Standing } from './routing';

/** How a party stands on the case: as the routing placed it, as a ruling's chair, or as the applicant. */
export type CaseRole = Standing | 'chair' | 'applicant';

export type Objection = Regime['consultation']['objection'];

export interface Sharing {
  shared: boolean;
  /** Why, in a sentence the page shows beside a position it does not show. */
  why: string;
}

const OUTSIDE = 'a party outside the issuing regime advises the issuing authority only';

/** Whether `viewer` sees the position of `other` on a component whose issuer's regime treats objections as `objection`. */
export function positionShared(objection: Objection | undefined, viewer: CaseRole, other: CaseRole): Sharing {
  if (viewer === 'issuer') return { shared: true, why: 'every answer goes to the issuing authority' };
  if (viewer === 'chair') return { shared: true, why: 'a chair rules between the positions before it' };
  if (viewer === 'applicant') return { shared: false, why: "the applicant learns the outcome from the regime's notices and the licence" };
  if (other === 'issuer') return { shared: true, why: "the issuing authority's position is what the others are consulted on" };
  if (other === 'chair') return { shared: true, why: 'a ruling binds the parties and is told to them' };
  if (other === 'applicant') return { shared: false, why: 'not a position on the licence' };
  if (viewer === 'advisory' || other === 'advisory') return { shared: false, why: OUTSIDE };
  if (objection === 'ladder') {
    return { shared: true, why: 'US interagency review (EO 12981): reviewing agencies share their recommendations' };
  }
  if (objection === 'binding') {
    return { shared: false, why: 'each consultation under Regulation (EU) 2021/821 Art. 14 is between the issuing and the consulted state' };
  }
  return { shared: false, why: "under the issuer's regime each reviewing agency advises the issuing authority only" };
}
