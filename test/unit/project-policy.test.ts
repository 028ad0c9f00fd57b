/**
 * The policy a project's workflows carry (domain/project-policy.ts): a slice of the shipped policy, over which every
 * routing decision is the one the whole policy gives, and which is a fraction of its size.
 */
import { loadPolicy } from '../../config/env';
import { DEFAULT_POLICY_FILE } from '../helpers/policy';
import { policyForProject } from '../../domain/project-policy';
import type { Classification } from '../../domain/classification';
import type { Tier } from '../../domain/policy';
import type { Project } from '../../domain/project';
import { componentReviewPlan, grantReviewPlan, issuerOf } from '../../domain/routing';
import { tierLoweringPlan } from '../../domain/tier-lowering';
import { allTiersProject, exportingFromUs, withPartner } from '../helpers/fixtures';

const policy = loadPolicy(DEFAULT_POLICY_FILE);
const classified = (componentId: string, reasons: string[], tier: Tier, codes: string[]): Classification => ({
  componentId,
  matchedEntries: codes.map((code) => ({ code, description: code, reasons, list: code.startsWith('ML') ? 'military' : 'dual-use' })),
  unmatchedCodes: [],
  reasons,
  restrictedPartyHits: [],
  tier,
  rule: { id: 'test', text: 'test' },
});

/** The DESIGN example (DE lead, US partner), the same exported from the US, and one with Dutch and French partners held in France. */
const projects: [string, Project][] = [
  ['DE lead, US partner', allTiersProject('p-slice-1')],
  ['exported from the US', exportingFromUs(allTiersProject('p-slice-2'))],
  [
    'NL exporter, held in FR, to JP and KR',
    (() => {
      const p = withPartner(withPartner(allTiersProject('p-slice-3'), { id: 'tudelft', name: 'TU Delft', country: 'NL' }), {
        id: 'cnrs',
        name: 'CNRS',
        country: 'FR',
      });
      return { ...p, components: p.components.map((c) => ({ ...c, exporter: 'tudelft', heldIn: 'FR', recipients: ['cnrs'], destinations: ['JP', 'KR'] })) };
    })(),
  ],
];

describe.each(projects)('%s', (_name, project) => {
  const slice = policyForProject(policy, project);

  it('routes every component at every tier as the whole policy does, and asks the same grant and tier-lowering reviewers', () => {
    expect(grantReviewPlan(slice, project)).toEqual(grantReviewPlan(policy, project));
    for (const c of project.components) {
      const codes = c.controlCodes;
      for (const tier of ['T1', 'T2', 'T3'] as Tier[]) {
        const cls = classified(c.id, ['NS', 'RS', 'AT', 'NP', 'MT'], tier, codes);
        expect(componentReviewPlan(slice, project, c, cls, tier)).toEqual(componentReviewPlan(policy, project, c, cls, tier));
      }
      expect(issuerOf(slice, project, c)).toEqual(issuerOf(policy, project, c));
      const lowering = { componentId: c.id, from: 'T2' as const, to: 'T0' as const, justification: 'test' };
      expect(tierLoweringPlan(slice, project, lowering, classified(c.id, [], 'T2', codes))).toEqual(
        tierLoweringPlan(policy, project, lowering, classified(c.id, [], 'T2', codes)),
      );
    }
  });

  it('carries only the agencies of the countries the project touches, and its own funder', () => {
    const countries = new Set([
      ...project.partners.map((p) => p.country),
      ...project.components.flatMap((c) => [...c.destinations, ...(c.heldIn ? [c.heldIn] : [])]),
    ]);
    expect(slice.agencies.every((a) => countries.has(a.country))).toBe(true);
    expect(slice.funders.map((f) => f.id)).toEqual([project.funderId]);
    expect(JSON.stringify(slice).length).toBeLessThan(JSON.stringify(policy).length / 2);
  });
});
