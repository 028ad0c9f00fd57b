/**
 * Classification of a component against the control list and the
 * restricted-party list, and the risk tier with the rule that decided it.
 * Pure: the activity that calls it loads the data files.
 */
import type { Catalogue, CatalogueEntry, RestrictedParties } from './control-codes';
import { isMilitaryCode, partyNameKey } from './control-codes';
import type { Policy, Tier } from './policy';
import type { Component, Project } from './project';

export interface PartyHit {
  partnerId: string;
  partnerName: string;
  listedName: string;
  list: string;
}

export interface PersonHit {
  personId: string;
  personName: string;
  listedName: string;
  list: string;
}

export interface Classification {
  componentId: string;
  matchedEntries: Pick<CatalogueEntry, 'code' | 'description' | 'reasons' | 'list'>[];
  unmatchedCodes: string[];
  reasons: string[];
  restrictedPartyHits: PartyHit[];
  /** People with access to the component (its `access`) who match the restricted-party list; absent when none do. */
  restrictedPersonHits?: PersonHit[];
  tier: Tier;
  /** Which rule decided the tier, as an id and a sentence a reviewer can read. */
  rule: { id: string; text: string };
}

type PartyIndex = Map<string, RestrictedParties['parties'][number]>;

export function indexRestrictedParties(list: RestrictedParties): PartyIndex {
  const index: PartyIndex = new Map();
  for (const party of list.parties) {
    for (const name of [party.name, ...party.aliases]) index.set(partyNameKey(name), party);
  }
  return index;
}

export function classifyComponent(
  project: Project,
  component: Component,
  catalogue: Catalogue,
  parties: PartyIndex,
  rules: Policy['classification'],
): Classification {
  const byCode = new Map(catalogue.entries.map((e) => [e.code, e]));
  const declared = component.controlCodes.filter((c) => c !== 'EAR99');
  const matchedEntries = declared.flatMap((code) => {
    const entry = byCode.get(code);
    return entry ? [{ code: entry.code, description: entry.description, reasons: entry.reasons, list: entry.list }] : [];
  });
  const unmatchedCodes = declared.filter((code) => !byCode.has(code));
  const reasons = [...new Set(matchedEntries.flatMap((e) => e.reasons))].sort();

  const recipients = project.partners.filter((p) => component.recipients.includes(p.id));
  const restrictedPartyHits: PartyHit[] = recipients.flatMap((p) => {
    const listed = parties.get(partyNameKey(p.name));
    return listed ? [{ partnerId: p.id, partnerName: p.name, listedName: listed.name, list: listed.list }] : [];
  });
  const people = (project.people ?? []).filter((p) => component.access?.includes(p.id));
  const restrictedPersonHits: PersonHit[] = people.flatMap((p) => {
    const listed = parties.get(partyNameKey(p.name));
    return listed ? [{ personId: p.id, personName: p.name, listedName: listed.name, list: listed.list }] : [];
  });
  const countries = [...new Set([...component.destinations, ...recipients.map((p) => p.country)])];
  const embargoed = countries.filter((c) => rules.embargoedDestinations.includes(c));

  const result = (tier: Tier, id: string, text: string): Classification => ({
    componentId: component.id,
    matchedEntries,
    unmatchedCodes,
    reasons,
    restrictedPartyHits,
    ...(restrictedPersonHits.length && { restrictedPersonHits }),
    tier,
    rule: { id, text },
  });

  const military = declared.filter(isMilitaryCode);
  if (military.length) return result('T3', 'military-list', `military list entry ${military.join(', ')}`);
  if (restrictedPartyHits.length) {
    const hit = restrictedPartyHits[0];
    return result('T3', 'restricted-party', `recipient ${hit.partnerName} matches "${hit.listedName}" on ${hit.list}`);
  }
  if (restrictedPersonHits.length) {
    const hit = restrictedPersonHits[0];
    return result('T3', 'restricted-person', `${hit.personName}, who has access to it, matches "${hit.listedName}" on ${hit.list}`);
  }
  if (embargoed.length) return result('T3', 'embargoed-destination', `embargoed destination ${embargoed.join(', ')}`);
  if (unmatchedCodes.length) {
    return result('T2', 'unknown-code', `declared code ${unmatchedCodes.join(', ')} is not in catalogue ${catalogue.version}: needs review`);
  }
  if (matchedEntries.length) {
    const preApproved = component.destinations.every((d) => rules.preApprovedDestinations.includes(d)) && rules.preApprovedEndUses.includes(component.endUse);
    if (preApproved) return result('T1', 'pre-approved', `listed (${declared.join(', ')}) but every destination and the end use are pre-approved`);
    const sensitive = reasons.filter((r) => rules.sensitiveReasons.includes(r));
    if (sensitive.length) return result('T2', 'sensitive-reason', `listed (${declared.join(', ')}) with sensitive reasons for control ${sensitive.join(', ')}`);
    return result('T2', 'destination-not-pre-approved', `listed (${declared.join(', ')}) for destinations or an end use not pre-approved`);
  }
  if (rules.civilianEndUses.includes(component.endUse)) {
    return result('T0', 'civilian-unlisted', `no listed code, civilian end use "${component.endUse}", no restricted-party hit`);
  }
  return result('T1', 'catch-all', `no listed code but end use "${component.endUse}" is not civilian (catch-all review)`);
}
