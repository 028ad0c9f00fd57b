/** The project submission (`POST /v1/projects`): its shape and cross-field rules. */
import { z } from 'zod';
import { controlCodeSchema, isMilitaryCode } from './control-codes';
import type { Policy } from './policy';
import { countryCode, email, isoDateTime, slug, text } from './primitives';

const partnerSchema = z.strictObject({
  id: slug,
  name: text(200),
  country: countryCode,
});

const componentSchema = z.strictObject({
  id: slug,
  name: text(200),
  description: z.string().max(4000).default(''),
  controlCodes: z.array(controlCodeSchema).max(20),
  endUse: text(100),
  destinations: z.array(countryCode).min(1).max(50),
  recipients: z.array(slug).min(1).max(50),
  /** The partner that exports it (default: the coordinator's partner); the licensing agency of its country issues the licence. */
  exporter: slug.optional(),
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
});

function duplicates(ids: string[]): Set<string> {
  const seen = new Set<string>();
  const dup = new Set<string>();
  for (const id of ids) (seen.has(id) ? dup : seen).add(id);
  return dup;
}

/** The submission schema, checked against the policy in force (known funder, agencies for every partner country). */
export function projectSubmissionSchema(policy: Policy) {
  const funders = new Set(policy.funders.map((f) => f.id));
  const countriesWithAgency = new Set(policy.agencies.filter((a) => a.role === 'licensing').map((a) => a.country));
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
    p.partners.forEach((partner, i) => {
      if (!countriesWithAgency.has(partner.country)) {
        issue(['partners', i, 'country'], `no licensing agency for ${partner.country} in policy ${policy.version}`);
      }
    });
    const funder = policy.funders.find((f) => f.id === p.funderId);
    p.components.forEach((c, i) => {
      if (c.exporter !== undefined && !partnerIds.has(c.exporter)) issue(['components', i, 'exporter'], `"${c.exporter}" is not one of the partners`);
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
