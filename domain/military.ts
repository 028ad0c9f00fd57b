/**
 * Military-list items are outside Regulation 2021/821: each state licenses
 * them under its own law, through the authority the policy names
 * (`militaryRegimes`), and other states' views are advisory (Common Position
 * 2008/944/CFSP). Inside the Union a military item moves on a transfer
 * licence (Directive 2009/43/EC). Pure and zod-free: it runs in workflows.
 */

/** A military list entry (`ML1`–`ML22`, national lists use the same numbering). */
export function isMilitaryCode(code: string): boolean {
  return code.startsWith('ML');
}

export interface MilitaryRegime {
  /** The agency (policy `agencies` id) that licenses military exports from this country. */
  authority: string;
  /** The regime (policy `regimes` key) whose terms apply: validity, reporting, and an advisory consultation. */
  terms: string;
  /** The national law under which it licenses exports. */
  law: string;
  /** The national law transposing Directive 2009/43/EC, for transfers to other Member States (EU states only). */
  transferLaw?: string;
  /** A second approval some items need (DE: the KWKG war-weapons approval), by another authority. */
  warWeapons?: { authority: string; law: string; codes: string[] };
}

export interface MilitaryLicence {
  regime: MilitaryRegime;
  /** What is issued, and under which law. */
  basis: string;
  /** The war-weapons approval, when one of the items needs it. */
  warWeapons?: { authority: string; law: string; codes: string[] };
}

const entryOf = (code: string) => /^ML\d+/.exec(code)?.[0] ?? code;

/**
 * The licence a military component needs from its exporter's country: an export licence under national law, or, when
 * every destination is another Member State, a transfer licence under Directive 2009/43/EC.
 */
export function militaryLicence(
  regimes: Record<string, MilitaryRegime>,
  unionMembers: readonly string[],
  exporter: string,
  destinations: string[],
  codes: string[],
): MilitaryLicence | undefined {
  const regime = regimes[exporter];
  if (!regime) return undefined;
  const intraUnion = unionMembers.includes(exporter) && destinations.every((d) => unionMembers.includes(d) && d !== exporter);
  const basis =
    intraUnion && regime.transferLaw
      ? `transfer licence under Directive 2009/43/EC (${regime.transferLaw}) for ${destinations.join(', ')}`
      : `export licence under ${regime.law} for ${destinations.join(', ')}`;
  const ml = codes.filter(isMilitaryCode).map(entryOf);
  const warWeapons = regime.warWeapons && ml.some((c) => regime.warWeapons!.codes.includes(c)) ? regime.warWeapons : undefined;
  return { regime, basis: warWeapons ? `${basis}; with the war-weapons approval under ${warWeapons.law}` : basis, ...(warWeapons && { warWeapons }) };
}
