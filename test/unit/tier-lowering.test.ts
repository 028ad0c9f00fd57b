/**
 * Who approves a tier lowering (domain/tier-lowering.ts): the component's issuer, since a lower tier drops
 * reviewers from the licence it issues (DOMAIN.md "Who holds authority": the issuing authority is the licensing
 * agency of the exporter's country), and a listed item goes to T0 only on the issuer's finding that no licence is
 * required, with its basis.
 */
import type { Classification } from '../../domain/classification';
import type { Project } from '../../domain/project';
import { STEP_KINDS } from '../../domain/step-kinds';
import { leadTierLoweringPlan, needsNoLicenceFinding, tierLoweringPlan } from '../../domain/tier-lowering';
import { allTiersProject, exportingFromUs } from '../helpers/fixtures';
import { testPolicy } from '../helpers/policy';

const policy = testPolicy();
const project: Project = allTiersProject('p-lowering'); // DE lead (KIT); ORNL (US) is a partner
const listed: Pick<Classification, 'matchedEntries'> = { matchedEntries: [{ code: '6A003', description: 'cameras', reasons: ['NS', 'RS'], list: 'dual-use' }] };
const unlisted: Pick<Classification, 'matchedEntries'> = { matchedEntries: [] };
const lowering = (to: 'T0' | 'T1' | 'T2') => ({ componentId: 'c2', from: 'T2' as const, to, justification: 'only published data' });

it('a US-exported component is lowered by Commerce, its issuer, not by BAFA, the coordinator’s lead agency', () => {
  const step = tierLoweringPlan(policy, exportingFromUs(project, 'c2'), lowering('T1'), listed);
  expect(step).toMatchObject({ stepId: 'tier-c2', kind: 'tier-lowering', party: 'us-bis', componentId: 'c2', slaMs: policy.sla.tierLoweringReview });
  expect(step.question).toMatch(/from T2 to T1.*only published data/);
  // Before 0.4.0 (kept for workflows on that branch): the lead agency.
  expect(leadTierLoweringPlan(policy, exportingFromUs(project, 'c2'), lowering('T1')).party).toBe('de-bafa');
});

it('a component exported from Germany is lowered by BAFA, its issuer', () => {
  expect(tierLoweringPlan(policy, project, lowering('T1'), listed).party).toBe('de-bafa');
});

it('a listed item taken to T0 needs the issuer’s finding that no licence is required, which must cite its basis', () => {
  const step = tierLoweringPlan(policy, exportingFromUs(project, 'c2'), lowering('T0'), listed);
  expect(step).toMatchObject({ kind: 'no-licence-finding', party: 'us-bis' });
  expect(step.question).toContain('6A003');
  expect(STEP_KINDS['no-licence-finding'].basisRequired).toEqual(['approve', 'deny']);
  expect(needsNoLicenceFinding(listed, 'T1')).toBe(false);
  // An unlisted item to T0 is an ordinary lowering.
  expect(tierLoweringPlan(policy, project, lowering('T0'), unlisted).kind).toBe('tier-lowering');
});

it('names a component the project does not have', () => {
  expect(() => tierLoweringPlan(policy, project, { ...lowering('T1'), componentId: 'c9' }, listed)).toThrow(/component c9 is not in project p-lowering/);
});
