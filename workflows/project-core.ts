/**
 * A project's core view and parties as submitted, before classification: what the API records at the submission
 * (so the project is readable from its `201` on) and what the project workflow starts from. One function for both,
 * so the first record and the workflow's first state never differ. Workflow-safe: pure, types only.
 */
import type { Policy } from '../domain/policy';
import type { Project } from '../domain/project';
import { leadAgency } from '../domain/routing';
import type { PartyRecord, ProjectCore } from '../records/contract';
import type { AuditEntry } from './definitions';

export function submittedCore(project: Project, policy: Policy, submittedBy: string, submittedAt: string): ProjectCore {
  return {
    projectId: project.projectId,
    title: project.title,
    funderId: project.funderId,
    coordinator: project.coordinator,
    leadAgency: leadAgency(policy, project).id,
    policyVersion: policy.version,
    stage: 'scoping',
    submittedAt,
    components: project.components.map((c) => ({
      id: c.id,
      name: c.name,
      tier: null,
      classifiedTier: null,
      tierReason: null,
      classification: null,
      licence: { status: 'in-review', conditions: [] },
    })),
    milestones: project.milestones.map((m) => ({ ...m, status: 'pending' })),
    disputes: [],
    owner: submittedBy,
    delegates: [],
  };
}

/** The submission's entry in the audit trail: the first, whoever records it (the API that took it, else the workflow). */
export function submissionEntry(project: Project, policy: Policy, submittedBy: string, submittedAt: string): AuditEntry {
  const detail = `"${project.title}" with ${project.components.length} component(s), policy ${policy.version}`;
  return { at: submittedAt, actor: submittedBy, action: 'project-submitted', channel: 'api', detail };
}

/** The project's parties as the records keep them: its partners, its funder and its lead agency. */
export function projectParties(project: Project, policy: Policy): PartyRecord[] {
  const lead = leadAgency(policy, project);
  return [
    ...project.partners.map((p) => ({ partyId: p.id, role: 'partner' as const, name: p.name, country: p.country })),
    { partyId: project.funderId, role: 'funder' as const, name: policy.funders.find((f) => f.id === project.funderId)!.name },
    { partyId: lead.id, role: 'agency' as const, name: lead.name, country: lead.country },
  ];
}
