/**
 * The policy a project's workflows carry in their inputs: the shipped policy names the agencies of some thirty
 * countries, and every workflow input (the project's, each licence review's, each monitor's and dispute's) and so
 * every history would carry all of them. A project needs only the agencies of the countries it touches — its
 * partners' (lead, exporters, recipients), where its items are held, and its destinations — its own funder, and the
 * military regimes of those countries. Routing over the slice is routing over the whole (test/unit/project-policy.test.ts).
 */
import type { Policy } from './policy';
import type { Project } from './project';

export function policyForProject(policy: Policy, project: Pick<Project, 'partners' | 'components' | 'funderId'>): Policy {
  const countries = new Set([
    ...project.partners.map((p) => p.country),
    ...project.components.flatMap((c) => [...c.destinations, ...(c.heldIn ? [c.heldIn] : [])]),
  ]);
  const militaryRegimes = policy.militaryRegimes && Object.fromEntries(Object.entries(policy.militaryRegimes).filter(([country]) => countries.has(country)));
  const agencies = policy.agencies.filter((a) => countries.has(a.country));
  // The regimes those agencies and military authorities act under.
  const used = new Set([...agencies.map((a) => a.regime), ...Object.values(militaryRegimes ?? {}).map((m) => m.terms)]);
  return {
    ...policy,
    agencies,
    funders: policy.funders.filter((f) => f.id === project.funderId),
    regimes: Object.fromEntries(Object.entries(policy.regimes).filter(([id]) => used.has(id))),
    ...(militaryRegimes && { militaryRegimes }),
  };
}
