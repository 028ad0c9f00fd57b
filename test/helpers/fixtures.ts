/** Project submissions for tests. */
import { randomUUID } from 'node:crypto';
import { isMilitaryCode } from '../../domain/control-codes';
import type { ProjectSubmission } from '../../domain/project';
import { projectExample } from '../../api/openapi';

export const uniqueId = (prefix = 'p') => `${prefix}-${randomUUID().slice(0, 8)}`;

/** A small real PDF (one page): a signed acknowledgement, as a recipient returns it. */
export const SIGNED_PDF = Buffer.from(
  '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n' +
    '3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n% signed acknowledgement\n',
);

/** Horizon Europe (the example's funder) funds civil work only: a project with a military-list item is funded by UKRI here. */
export const MILITARY_FUNDER = 'ukri';

/**
 * A German-led project with one component in each tier under the default policy, funded by UKRI (c3 is military):
 * c0 T0 (unlisted, fundamental research), c1 T1 (3A001, pre-approved destination and end use),
 * c2 T2 (6A003 for plasma diagnostics: NS, RS, AT), c3 T3 (ML22 military technology).
 */
export function allTiersProject(projectId = uniqueId()): ProjectSubmission & { projectId: string } {
  return {
    projectId,
    // DESIGN §5's project (the API documentation's example), with a component per tier.
    title: projectExample.title,
    funderId: MILITARY_FUNDER,
    coordinator: { ...projectExample.coordinator },
    partners: projectExample.partners.map((p) => ({ ...p })),
    components: [
      {
        id: 'c0',
        name: 'Open analysis software',
        description: 'Python analysis code, published',
        controlCodes: [],
        endUse: 'fundamental-research',
        destinations: ['US'],
        recipients: ['ornl'],
      },
      {
        id: 'c1',
        name: 'Radiation-hardened FPGA board',
        description: 'Readout board',
        controlCodes: ['3A001'],
        endUse: 'civilian-research',
        destinations: ['US'],
        recipients: ['ornl'],
      },
      {
        id: 'c2',
        name: 'High-speed camera',
        description: 'Framing camera for plasma imaging',
        controlCodes: ['6A003'],
        endUse: 'plasma-diagnostics',
        destinations: ['US'],
        recipients: ['ornl'],
      },
      {
        id: 'c3',
        name: 'Fire-control interface study',
        description: 'Technology data for a defence partner',
        controlCodes: ['ML22'],
        endUse: 'defence-research',
        destinations: ['US'],
        recipients: ['ornl'],
      },
    ],
    milestones: [{ id: 'm1', title: 'Prototype', dueAt: '2027-06-30T00:00:00Z', componentIds: ['c1', 'c2'] }],
  };
}

/** A one-component T1 project: the shortest full path. */
export function smallProject(projectId = uniqueId()): ProjectSubmission & { projectId: string } {
  const p = allTiersProject(projectId);
  return { ...p, funderId: projectExample.funderId, components: [p.components[1]], milestones: [] };
}

/** The all-tiers project with only the named components (and no milestones). */
export function projectWith(...componentIds: string[]): ProjectSubmission & { projectId: string } {
  const p = allTiersProject();
  const components = p.components.filter((c) => componentIds.includes(c.id));
  const military = components.some((c) => c.controlCodes.some(isMilitaryCode));
  return { ...p, funderId: military ? MILITARY_FUNDER : projectExample.funderId, components, milestones: [] };
}

/** The component exported from the US partner (ORNL) to the German one: the US regime issues its licence. */
export function exportedFromUs<C extends ProjectSubmission['components'][number]>(component: C): C {
  return { ...component, exporter: 'ornl', recipients: ['kit'], destinations: ['DE'] };
}

/** The project with the named components (default: every one) exported from the US. */
export function exportingFromUs<P extends ProjectSubmission>(p: P, ...componentIds: string[]): P {
  const fromUs = (id: string) => !componentIds.length || componentIds.includes(id);
  return { ...p, components: p.components.map((c) => (fromUs(c.id) ? exportedFromUs(c) : c)) };
}

/** The project with one more partner, in another country (an EU partner where the items will be located, say). */
export function withPartner<P extends ProjectSubmission>(p: P, partner: { id: string; name: string; country: string }): P {
  return { ...p, partners: [...p.partners, partner] };
}

/** The T2 camera (c2) exported from the US: Commerce issues; DoD (NS, RS) and State (AT) are consulted; BAFA advises. */
export const usCamera = () => exportingFromUs(projectWith('c2'));

/** ORNL (US) hosts Li Wei (Chinese citizen and resident) and Jo Smith (US); both will read c9's 3E001 design data. */
export function projectWithPeople(projectId = uniqueId('cp'), title = `Control plan ${projectId}`): ProjectSubmission & { projectId: string } {
  const p = smallProject(projectId);
  return {
    ...p,
    title,
    people: [
      { id: 'li-wei', name: 'Li Wei', email: 'li.wei@ornl.example', partnerId: 'ornl', citizenship: ['CN'], residence: 'CN' },
      { id: 'jo-smith', name: 'Jo Smith', email: 'jo.smith@ornl.example', partnerId: 'ornl', citizenship: ['US'], residence: 'US' },
    ],
    components: [
      ...p.components,
      {
        id: 'c9',
        name: 'Readout design data',
        description: 'Development technology for the readout board',
        controlCodes: ['3E001'],
        endUse: 'civilian-research',
        destinations: ['US'],
        recipients: ['ornl'],
        access: ['li-wei', 'jo-smith'],
      },
    ],
  };
}
