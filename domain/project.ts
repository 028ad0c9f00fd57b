/** The project submission (`POST /v1/projects`): its shape and cross-field rules. */
import { z } from 'zod';
import { controlCodeSchema, isMilitaryCode } from './control-codes';
import type { Policy } from './policy';
import { accessSchema, personSchema } from './people';
import { countryCode, email, isoDateTime, slug, text } from './primitives';

export const partnerSchema = z.strictObject({
  id: slug,
  name: text(200),
  country: countryCode,
  /** Who acknowledges a licence's conditions for this partner where they require each recipient's acknowledgement; else the coordinator, on its behalf. */
  contact: z.strictObject({ name: text(200), email }).optional(),
});

export const componentSchema = z.strictObject({
  id: slug,
  name: text(200),
  description: z.string().max(4000).default(''),
  controlCodes: z.array(controlCodeSchema).max(20),
  endUse: text(100),
  destinations: z.array(countryCode).min(1).max(50),
  recipients: z.array(slug).min(1).max(50),
  /** The partner that exports it (default: the coordinator's partner); the licensing agency of its country issues the licence. */
  exporter: slug.optional(),
  /** Where the items are held when exported (default: the exporter's country); an EU issuer consults that state under 2021/821 Art. 14(1). */
  heldIn: countryCode
    .optional()
    .describe(
      "Country where the component's items are (or will be) located when exported; default: the exporter partner's country. " +
        'When it is another EU Member State than the issuer, that state is consulted under Regulation (EU) 2021/821 Art. 14(1) ' +
        'for destinations outside EU001 or Annex IV items.',
    ),
  access: accessSchema,
});

const milestoneSchema = z.strictObject({
  id: slug,
  title: text(200),
  dueAt: isoDateTime,
  componentIds: z.array(slug).max(100).default([]),
});

const baseSubmission = z.strictObject({
  projectId: slug.optional(),
  title: text(300),
  funderId: slug,
  coordinator: z.strictObject({ name: text(200), email, partnerId: slug }),
  partners: z.array(partnerSchema).min(1).max(50),
  components: z.array(componentSchema).min(1).max(100),
  milestones: z.array(milestoneSchema).max(100).default([]),
  /** The people who work on the project; components name who has access to them. */
  people: z.array(personSchema).max(200).optional(),
});

function duplicates(ids: string[]): Set<string> {
  const seen = new Set<string>();
  const dup = new Set<string>();
  for (const id of ids) (seen.has(id) ? dup : seen).add(id);
  return dup;
}

/**
 * The submission schema, checked against the policy in force: a known funder, and an agency wherever a country acts —
 * the lead agency of the coordinator's country, each component's issuer (its military authority for a military-list
 * item), and the state where its items are held when that state is consulted. A partner that only receives needs none.
 */
export function projectSubmissionSchema(policy: Policy) {
  const funders = new Set(policy.funders.map((f) => f.id));
  const countriesWithAgency = new Set(policy.agencies.filter((a) => a.role === 'licensing').map((a) => a.country));
  const union = Object.values(policy.regimes).find((r) => r.union)?.union;
  return baseSubmission.superRefine((p, ctx) => {
    const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message });
    if (!funders.has(p.funderId)) issue(['funderId'], `unknown funder "${p.funderId}"; the policy knows ${[...funders].join(', ')}`);

    const partnerIds = new Set(p.partners.map((x) => x.id));
    const componentIds = new Set(p.components.map((x) => x.id));
    for (const dup of duplicates(p.partners.map((x) => x.id))) issue(['partners'], `partner id "${dup}" is used twice`);
    for (const dup of duplicates(p.components.map((x) => x.id))) issue(['components'], `component id "${dup}" is used twice`);
    for (const dup of duplicates(p.milestones.map((x) => x.id))) issue(['milestones'], `milestone id "${dup}" is used twice`);

    if (!partnerIds.has(p.coordinator.partnerId)) {
      issue(['coordinator', 'partnerId'], `"${p.coordinator.partnerId}" is not one of the partners`);
    }
    // A malformed country is named once, by its own field: no agency is looked for under it.
    const countryOf = (partnerId: string) => {
      const country = p.partners.find((x) => x.id === partnerId)?.country;
      return country && countryCode.safeParse(country).success ? country : undefined;
    };
    const lead = countryOf(p.coordinator.partnerId);
    if (lead && !countriesWithAgency.has(lead)) {
      issue(
        ['coordinator', 'partnerId'],
        `the coordinator's country ${lead} has no licensing agency in policy ${policy.version}: its lead agency reviews the grant`,
      );
    }
    const funder = policy.funders.find((f) => f.id === p.funderId);
    p.components.forEach((c, i) => {
      if (c.exporter !== undefined && !partnerIds.has(c.exporter)) issue(['components', i, 'exporter'], `"${c.exporter}" is not one of the partners`);
      const exporter = countryOf(c.exporter ?? p.coordinator.partnerId);
      const military = c.controlCodes.some(isMilitaryCode) && policy.militaryRegimes;
      if (exporter && military && !policy.militaryRegimes![exporter]) {
        issue(
          ['components', i, 'controlCodes'],
          `component "${c.id}" is on the military list and exported from ${exporter}, which has no military licensing authority in policy ${policy.version}`,
        );
      } else if (exporter && !military && !countriesWithAgency.has(exporter)) {
        issue(
          ['components', i, 'exporter'],
          `component "${c.id}" is exported from ${exporter}, which has no licensing agency in policy ${policy.version} to issue it`,
        );
      }
      // The state where the items are held is consulted (Art. 14(1)) when it is another Member State: it needs its agency.
      if (c.heldIn && c.heldIn !== exporter && union?.members.includes(c.heldIn) && !countriesWithAgency.has(c.heldIn)) {
        issue(
          ['components', i, 'heldIn'],
          `component "${c.id}" is held in ${c.heldIn}, which may be consulted (Art. 14(1)) but has no licensing agency in policy ${policy.version}`,
        );
      }
      c.recipients.forEach((r, j) => {
        if (!partnerIds.has(r)) issue(['components', i, 'recipients', j], `"${r}" is not one of the partners`);
      });
      if (funder?.civilOnly) {
        c.controlCodes.forEach((code, j) => {
          if (isMilitaryCode(code))
            issue(['components', i, 'controlCodes', j], `${funder.name} funds civil activities only: component "${c.id}" is on the military list (${code})`);
        });
      }
    });
    const people = p.people ?? [];
    for (const dup of duplicates(people.map((x) => x.id))) issue(['people'], `person id "${dup}" is used twice`);
    const personIds = new Set(people.map((x) => x.id));
    people.forEach((person, i) => {
      if (!partnerIds.has(person.partnerId)) issue(['people', i, 'partnerId'], `"${person.partnerId}" is not one of the partners`);
    });
    p.components.forEach((c, i) => {
      (c.access ?? []).forEach((id, j) => {
        if (!personIds.has(id)) issue(['components', i, 'access', j], `"${id}" is not one of the people`);
      });
    });
    p.milestones.forEach((m, i) => {
      m.componentIds.forEach((cid, j) => {
        if (!componentIds.has(cid)) issue(['milestones', i, 'componentIds', j], `"${cid}" is not one of the components`);
      });
    });
  });
}

export type ProjectSubmission = z.output<typeof baseSubmission>;
export type Project = Omit<ProjectSubmission, 'projectId'> & { projectId: string };
export type Partner = Project['partners'][number];
export type Component = Project['components'][number];
export type Milestone = Project['milestones'][number];
export type { Person } from './people';
