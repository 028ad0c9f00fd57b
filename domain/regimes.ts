/**
 * What the answers of one review phase add up to, under the issuer's regime
 * (DOMAIN.md "Who holds authority"). Pure: it runs inside the licence
 * workflow and in unit tests.
 *
 * - The issuer decides its own licence; silence never decides for it.
 * - A consulted agency's silence is no objection. What its objection does is
 *   the regime's: `ladder` (US) sends any disagreement with the issuer up the
 *   regime's ladder; `binding` (EU) makes the issuer deny, naming the state;
 *   `advisory` leaves the decision to the issuer.
 * - A partner country outside the issuer's regime only advises.
 */
import type { Regime } from './policy';
import type { Standing } from './routing';

export interface PhaseAnswer {
  party: string;
  partyName: string;
  reviewer: string;
  /** The party's country, named when its objection binds. */
  country: string;
  standing: Standing;
  /** The step's final outcome: approved, denied, or no-objection (silence of a consulted party). */
  outcome: string;
  legalBasis?: string;
}

export interface Position {
  party: string;
  partyName: string;
  reviewer: string;
  outcome: 'approved' | 'denied';
  legalBasis?: string;
}

export type PhaseVerdict =
  /** Nothing stops the licence; `advice` lists the objections that were advice only, for the record. */
  | { verdict: 'proceed'; advice: PhaseAnswer[] }
  /** The issuer and a consulted agency disagree, in a ladder regime. */
  | { verdict: 'dispute'; positions: Position[]; advice: PhaseAnswer[] }
  /** The licence is to be denied: by the issuer, or by a binding objection. */
  | { verdict: 'deny'; basis: string; by: PhaseAnswer[]; advice: PhaseAnswer[] };

const position = (a: PhaseAnswer): Position => ({
  party: a.party,
  partyName: a.partyName,
  reviewer: a.reviewer,
  outcome: a.outcome === 'denied' ? 'denied' : 'approved',
  legalBasis: a.legalBasis,
});

const named = (a: PhaseAnswer) => `${a.partyName} (${a.country})${a.legalBasis ? `: ${a.legalBasis}` : ''}`;

export function phaseVerdict(regime: Pick<Regime, 'consultation'>, answers: PhaseAnswer[]): PhaseVerdict {
  const denied = (a: PhaseAnswer) => a.outcome === 'denied';
  const issuer = answers.filter((a) => a.standing === 'issuer');
  const consulted = answers.filter((a) => a.standing === 'consulted');
  const objection = regime.consultation.objection;
  // Objections that are only advice: every advisory party's, and in an advisory regime the consulted ones' too.
  const advice = answers.filter((a) => denied(a) && (a.standing === 'advisory' || (a.standing === 'consulted' && objection === 'advisory')));
  const issuerDenials = issuer.filter(denied);
  const objections = consulted.filter(denied);

  if (objection === 'ladder') {
    // Silence is no objection; decided positions that differ from the issuer's go up the ladder.
    const binding = [...issuer, ...consulted];
    const deniers = binding.filter(denied);
    if (!deniers.length) return { verdict: 'proceed', advice };
    if (deniers.length === binding.length || (issuerDenials.length && consulted.every((a) => a.outcome === 'no-objection' || denied(a)))) {
      return { verdict: 'deny', basis: deniers.map(named).join('; '), by: deniers, advice };
    }
    return { verdict: 'dispute', positions: binding.filter((a) => a.outcome !== 'no-objection').map(position), advice };
  }
  if (objection === 'binding' && objections.length) {
    const by = [...issuerDenials, ...objections];
    return { verdict: 'deny', basis: by.map((a) => (a.standing === 'consulted' ? `objection by ${named(a)}` : named(a))).join('; '), by, advice };
  }
  if (issuerDenials.length) return { verdict: 'deny', basis: issuerDenials.map(named).join('; '), by: issuerDenials, advice };
  return { verdict: 'proceed', advice };
}
