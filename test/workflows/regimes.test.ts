/**
 * Which regime governs, on a real dev server with the policy's windows in seconds (DOMAIN.md "Who holds authority"):
 * a German military export is licensed by Germany's military authority with France's view advisory (Common Position
 * 2008/944/CFSP; Directive 2009/43/EC for the transfer); a dual-use delivery inside the Union needs no authorisation
 * (Regulation (EU) 2021/821 Art. 2(2), 3); the same item leaving the Union from France consults France, whose
 * objection binds (Art. 14(1)); and a partner that only receives needs no agency.
 */
import { policySchema } from '../../domain/policy';
import { projectSubmissionSchema } from '../../domain/project';
import type { ProjectView } from '../../workflows/definitions';
import { projectWith, withPartner } from '../helpers/fixtures';
import { testPolicyFile } from '../helpers/policy';
import { mockActivities, recordedAudit, useWorkflowEnv } from '../helpers/workflow-harness';

const file = testPolicyFile();
file.regimes.EU.consultation.within = '3s';
const policy = policySchema.parse(file);
const { withWorker, start, waitForView, openStep, decide, confirm } = useWorkflowEnv(policy);
const licence = (v: ProjectView) => v.components[0].licence;

/** The 3A001 board (c1) exported by TU Delft (NL) to the named partner. */
function dutchBoardTo(partner: { id: string; name: string; country: string }, heldIn?: string) {
  const p = withPartner(withPartner(projectWith('c1'), { id: 'tudelft', name: 'TU Delft', country: 'NL' }), partner);
  return {
    ...p,
    components: p.components.map((c) => ({ ...c, exporter: 'tudelft', recipients: [partner.id], destinations: [partner.country], ...(heldIn && { heldIn }) })),
  };
}

test('a German ML22 export to France is issued by BAFA under Germany’s military regime, as a transfer licence; France’s objection is advice', async () => {
  const acts = mockActivities();
  await withWorker(acts, async (tq) => {
    const p = withPartner(projectWith('c3'), { id: 'onera', name: 'ONERA', country: 'FR' });
    const handle = await start(tq, { ...p, components: p.components.map((c) => ({ ...c, recipients: ['onera'], destinations: ['FR'] })) });
    await confirm(handle);
    await decide(handle, ['grant-funder', 'grant-agency']);
    const france = await openStep(handle, 'c3-fr-pm-cieemg');
    expect(france).toMatchObject({ kind: 'advisory-review' });
    // France's dual-use service has no say over a military item: it is never asked.
    await decide(handle, ['c3-fr-pm-cieemg'], () => ({
      decision: 'deny',
      legalBasis: 'CIEEMG: risk of diversion (Common Position 2008/944/CFSP, criterion 7)',
    }));
    await decide(handle, ['c3-de-bafa', 'c3-de-bmvg']);
    await decide(handle, ['c3-senior']);
    const view = await waitForView(handle, (v) => licence(v).status === 'approved', 'licence issued over France’s advice');
    expect(licence(view)).toMatchObject({
      issuer: { agencyId: 'de-bafa', regime: 'DE-military' },
      basis: 'transfer licence under Directive 2009/43/EC (AWV § 11, issued by BAFA) for FR',
    });
    expect(view.steps.map((s) => s.party)).not.toContain('fr-sbdu');
    const audit = await recordedAudit(handle);
    expect(audit.find((e) => e.action === 'advice-noted')?.detail).toContain('(FR) advises against');
    expect(audit.map((e) => e.action)).not.toContain('objection-binds');
  });
}, 60_000);

test('an NL exporter sending a 3A001 item to a partner in France: not required, with the basis, and nobody consulted', async () => {
  const acts = mockActivities();
  await withWorker(acts, async (tq) => {
    const handle = await start(tq, dutchBoardTo({ id: 'cnrs', name: 'CNRS', country: 'FR' }));
    await confirm(handle);
    await decide(handle, ['grant-funder', 'grant-agency']);
    const view = await waitForView(handle, (v) => licence(v).status !== 'in-review', 'the licence settled');
    expect(licence(view)).toEqual({ status: 'not-required', conditions: [], basis: expect.stringContaining('Regulation (EU) 2021/821 Art. 2(2), Art. 3(1)') });
    expect(view.steps.filter((s) => s.componentId === 'c1')).toEqual([]);
    expect(acts.sendReviewRequest.mock.calls.filter(([{ step }]) => step.componentId === 'c1')).toEqual([]);
    expect((await recordedAudit(handle)).find((e) => e.action === 'not-required')?.detail).toContain('nobody consulted');
    expect(view.stage).toBe('active');
  });
}, 60_000);

test('the same item to Korea (outside EU001), held in France: France is consulted under Art. 14(1), and its objection binds the Netherlands', async () => {
  await withWorker(mockActivities(), async (tq) => {
    const handle = await start(tq, dutchBoardTo({ id: 'kaist', name: 'KAIST', country: 'KR' }, 'FR'));
    await confirm(handle);
    await decide(handle, ['grant-funder', 'grant-agency']);
    const france = await openStep(handle, 'c1-fr-sbdu');
    expect(france).toMatchObject({ kind: 'consultation' });
    expect(france.question).toContain('Art. 14(1)');
    await decide(handle, ['c1-nl-cdiu']);
    await decide(handle, ['c1-fr-sbdu'], () => ({ decision: 'deny', legalBasis: 'Art. 14(1) Regulation 2021/821: end user of concern' }));
    const view = await waitForView(handle, (v) => licence(v).status === 'denied', 'binding objection');
    expect(licence(view)).toMatchObject({
      issuer: { agencyId: 'nl-cdiu', regime: 'EU' },
      basis: expect.stringMatching(/^objection by .* \(FR\): Art\. 14\(1\)/),
    });
    expect((await recordedAudit(handle)).map((e) => e.action)).toContain('objection-binds');
  });
}, 60_000);

test('an Italian partner that only receives no longer blocks submission, even under a policy with no Italian agency', async () => {
  const noItaly = testPolicyFile();
  noItaly.agencies = noItaly.agencies.filter((a) => a.country !== 'IT');
  delete noItaly.militaryRegimes!.IT;
  const withoutItaly = policySchema.parse(noItaly);
  const p = projectWith('c1');
  const submission = withPartner(
    { ...p, components: p.components.map((c) => ({ ...c, recipients: ['infn'], destinations: ['IT'] })) },
    {
      id: 'infn',
      name: 'INFN',
      country: 'IT',
    },
  );
  const parsed = projectSubmissionSchema(withoutItaly).safeParse(submission);
  expect(parsed.error?.issues).toBeUndefined();
  await withWorker(mockActivities(), async (tq) => {
    const handle = await start(tq, submission, withoutItaly);
    await confirm(handle);
    await decide(handle, ['grant-funder', 'grant-agency']);
    // Germany → Italy is a delivery inside the Union: nothing to issue, and Italy is asked nothing.
    const view = await waitForView(handle, (v) => licence(v).status !== 'in-review', 'the licence settled');
    expect(licence(view).status).toBe('not-required');
  });
}, 60_000);
