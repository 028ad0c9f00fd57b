/**
 * The EU dual-use rules that decide whether a component needs an
 * authorisation at all, and whom the issuer must consult (Regulation (EU)
 * 2021/821; DOMAIN.md "EU consultation", "Inside the Union"). The lists are
 * policy data (`regimes.EU.union`); this module is pure and zod-free, as it
 * runs inside the licence workflow.
 */

export interface Union {
  /** The Member States: a dual-use delivery from one to another is not an export (Art. 2(2)). */
  members: string[];
  /** EU001's destinations (Annex II, Section A, Part 2): exports there alone trigger no Art. 14(1) consultation. */
  generalAuthorisationDestinations: string[];
  /** Annex IV entries, each a control code or a prefix of one ("0B" covers every 0B entry). */
  annexIV: string[];
}

/** Is the code in Annex IV? A declared heading that contains an Annex IV sub-item ("1C351" for "1C351.d.4") counts: nothing shows it is outside. */
export function inAnnexIV(union: Union, code: string): boolean {
  return union.annexIV.some((entry) => code.startsWith(entry) || entry.startsWith(`${code}.`));
}

export interface EuCase {
  /** The Member State where the exporter is established: its authority issues (Art. 12(1)(a)). */
  exporter: string;
  /** Where the items are when exported (`heldIn`, default the exporter's state). */
  heldIn: string;
  destinations: string[];
  codes: string[];
}

export type EuRuling =
  /** Every destination is in the Union and no item is in Annex IV: not an export, no authorisation (Art. 2(2), Art. 3, Art. 11). */
  | { authorisation: 'not-required'; basis: string }
  /** Annex IV items delivered inside the Union: an intra-Union transfer authorisation (Art. 11(1)); not an export, so no Art. 14(1). */
  | { authorisation: 'intra-union-transfer'; basis: string; annexIV: string[] }
  /** An export (Art. 2(2)): an individual authorisation (Art. 12), with the Art. 14(1) consultation when it applies. */
  | { authorisation: 'export'; basis: string; consult?: { country: string; basis: string } };

export function euDualUseRuling(union: Union, c: EuCase): EuRuling {
  const annexIV = c.codes.filter((code) => inAnnexIV(union, code));
  const exports = c.destinations.filter((d) => !union.members.includes(d));
  if (!exports.length) {
    const inside = c.destinations.join(', ');
    if (annexIV.length) {
      return {
        authorisation: 'intra-union-transfer',
        annexIV,
        basis: `intra-Union transfer authorisation: ${annexIV.join(', ')} in Annex IV, delivered to ${inside} (Regulation (EU) 2021/821 Art. 11(1))`,
      };
    }
    return {
      authorisation: 'not-required',
      basis:
        `no export authorisation required: every destination (${inside}) is in the Union, so the delivery is not an export, ` +
        'and no item is in Annex IV (Regulation (EU) 2021/821 Art. 2(2), Art. 3(1); Art. 11(1) covers Annex IV items only)',
    };
  }
  const basis = `individual export authorisation to ${exports.join(', ')} (Regulation (EU) 2021/821 Art. 3(1), Art. 12(1)(a))`;
  // Art. 14(1): the Member State where the items are or will be located, if it is not the issuer's, is consulted when
  // a destination is outside EU001 or the item is in Annex IV.
  if (c.heldIn === c.exporter || !union.members.includes(c.heldIn)) return { authorisation: 'export', basis };
  const outsideEu001 = exports.filter((d) => !union.generalAuthorisationDestinations.includes(d));
  if (!outsideEu001.length && !annexIV.length) return { authorisation: 'export', basis };
  const why = outsideEu001.length
    ? `${outsideEu001.join(', ')} ${outsideEu001.length > 1 ? 'are' : 'is'} outside EU001 (Annex II, Section A, Part 2)`
    : `${annexIV.join(', ')} ${annexIV.length > 1 ? 'are' : 'is'} in Annex IV`;
  return {
    authorisation: 'export',
    basis,
    consult: { country: c.heldIn, basis: `Regulation (EU) 2021/821 Art. 14(1): the items are held in ${c.heldIn}, and ${why}` },
  };
}
