/**
 * The whole case on the decision page (`GET /r/:token`), on the real stack: the grant page shows the scope (partners,
 * components, tiers, reasons, routed agencies); a component's page shows the exporter, the recipients and their
 * screening, the other parties' positions as the issuer's regime shares them (US interagency review: among the
 * reviewing agencies; a party outside the regime sees none), the questions and answers, and the documents. By name.
 */
import request from 'supertest';
import { policySchema, type Policy } from '../../domain/policy';
import type { ProjectView } from '../../workflows/definitions';
import { expectStatus, readAnswered } from '../helpers/api-read';
import { bearer, KEYS, linkTokens, useApiStack } from '../helpers/api-stack';
import { exportedFromUs, projectWith, uniqueId, withPartner } from '../helpers/fixtures';
import { setReviewDurations, testPolicyFile } from '../helpers/policy';

// Reviews long enough that no consulted agency's silence decides for it while the test reads its pages.
const file = testPolicyFile();
setReviewDurations(file, 900, 3600);
const policy: Policy = policySchema.parse(file);
const stack = useApiStack({ policy });
const api = () => request(stack.app);
const asCoordinator = bearer(KEYS.coordinator);
const agency = (id: string) => policy.agencies.find((a) => a.id === id)!.name;

const LISTED = { id: 'npi', name: 'Northwind PI', country: 'AE' }; // an alias on the sample Entity List
const CONDITION = 'No re-export without the prior written consent of DTSA';
const QUESTION = 'Who operates the camera at the recipient?';
const ANSWER = 'KIT plasma group staff only, badge-controlled lab';

/**
 * A German-coordinated project: c1 (3A001, exported by KIT to the US: T1, BAFA issues) and c2 (6A003, exported by
 * ORNL to KIT and to Northwind PI, a listed party: T3, Commerce issues, DoD and State are consulted, BAFA advises).
 */
async function submitted() {
  const projectId = uniqueId('case');
  const title = `Whole case ${projectId}`;
  const base = withPartner(projectWith('c1', 'c2'), LISTED);
  const [c1, c2] = base.components;
  const components = [c1, { ...exportedFromUs(c2), recipients: ['kit', LISTED.id], destinations: ['DE', 'AE'] }];
  expect(
    (
      await api()
        .post('/v1/projects')
        .set(asCoordinator)
        .send({ ...base, projectId, title, components })
    ).status,
  ).toBe(201);
  await stack.waitForView(projectId, (v) => v.components.every((c) => c.tier !== null), 'classification');
  expect((await api().post(`/v1/projects/${projectId}/scoping`).set(asCoordinator).send({})).status).toBe(200);
  return { projectId, title };
}

/** The link in the e-mail that asked `stepId`'s reviewer. */
async function tokenFor(projectId: string, title: string, stepId: string): Promise<string> {
  const view = await stack.waitForView(projectId, (v) => v.openSteps.some((s) => s.stepId === stepId), `step ${stepId}`);
  const step = view.openSteps.find((s) => s.stepId === stepId)!;
  const mail = await stack.waitForMail((m) => m.to[0]?.address === step.reviewer && m.subject.includes(title) && m.text.includes(step.question.slice(0, 40)));
  return linkTokens(mail.text)[0];
}

const open = async (token: string) => expectStatus(await readAnswered(() => api().get(`/r/${token}`)), 200).text;
const decide = async (token: string, body: Record<string, string>) => expect((await api().post(`/r/${token}`).type('form').send(body)).status).toBe(200);

/** The case sections of a page: where names must stand, not ids (the summary above names reviewers by e-mail). */
const caseOf = (page: string) => (page.match(/<section class="case"[\s\S]*?<\/section>/g) ?? []).join('\n');
/** The row of a table in the case that starts with `name`. */
const rowOf = (page: string, name: string) => caseOf(page).match(new RegExp(`<tr><td>${name}[\\s\\S]*?</tr>`))?.[0] ?? '';
const IDS = ['horizon-eu', 'us-bis', 'us-dod', 'us-dos', 'de-bafa', '>kit<', '>ornl<', '>npi<', '"kit"', '"ornl"'];

test('the grant page shows the partners and the components with their tiers, reasons and routed agencies, by name', async () => {
  const { projectId, title } = await submitted();
  const page = await open(await tokenFor(projectId, title, 'grant-funder'));

  expect(page).toContain('<dt>Funder</dt><dd>European Commission, Horizon Europe</dd>');
  // Quotes in what the project submitted (the component names) are escaped.
  const [fpgaName, cameraName] = ['&quot;Radiation-hardened FPGA board&quot;', '&quot;High-speed camera&quot;'];
  expect(rowOf(page, 'Karlsruhe Institute of Technology')).toContain(`<td>DE</td><td>coordinator; exporter of ${fpgaName}; recipient of ${cameraName}</td>`);
  expect(rowOf(page, 'Oak Ridge National Laboratory')).toContain(`<td>US</td><td>exporter of ${cameraName}; recipient of ${fpgaName}</td>`);
  expect(rowOf(page, 'Northwind PI')).toContain(`<td>AE</td><td>recipient of ${cameraName}</td>`);

  const fpga = rowOf(page, 'Radiation-hardened FPGA board');
  expect(fpga).toContain('<span class="tier T1">T1</span>');
  expect(fpga).toContain('pre-approved');
  expect(fpga).toContain(`<li>${agency('de-bafa')}: Issuer review</li>`);
  const camera = rowOf(page, 'High-speed camera');
  expect(camera).toContain('<span class="tier T3">T3</span>');
  expect(camera).toContain('recipient Northwind PI matches');
  for (const [id, as] of [
    ['us-bis', 'Issuer review'],
    ['us-dod', 'Defence review'],
    ['us-dos', 'Consultation'],
    ['de-bafa', 'Advisory review'],
    ['us-bis', 'Senior sign-off'],
  ])
    expect(camera).toContain(`<li>${agency(id)}: ${as}</li>`);
  expect(caseOf(page)).toContain('No documents filed.');
  for (const id of IDS) expect(caseOf(page)).not.toContain(id);

  // The lead agency's grant page shows the same scope.
  const lead = await open(await tokenFor(projectId, title, 'grant-agency'));
  expect(rowOf(lead, 'High-speed camera')).toEqual(camera);
});

test("a component's page: exporter, recipients screened, positions as the US regime shares them, the questions and answers", async () => {
  const { projectId, title } = await submitted();
  for (const step of ['grant-funder', 'grant-agency']) await decide(await tokenFor(projectId, title, step), { decision: 'approve' });

  // DoD approves with a condition; State asks the coordinator, who answers.
  await decide(await tokenFor(projectId, title, 'c2-us-dod'), { decision: 'approve', conditions: CONDITION });
  const stateToken = await tokenFor(projectId, title, 'c2-us-dos');
  await decide(stateToken, { decision: 'request-info', comment: QUESTION });
  expect((await api().post(`/v1/projects/${projectId}/info`).set(asCoordinator).send({ stepId: 'c2-us-dos', answer: ANSWER })).status).toBe(200);
  await stack.waitForView(projectId, (v: ProjectView) => !v.steps.find((s) => s.stepId === 'c2-us-dos')?.infoRequest, 'the answer recorded');

  // The issuer sees it all.
  const issuer = await open(await tokenFor(projectId, title, 'c2-us-bis'));
  const sections = caseOf(issuer);
  expect(sections).toContain('<dt>Exporter</dt><dd>Oak Ridge National Laboratory (US)</dd>');
  expect(sections).toContain(`<dt>Issuing authority</dt><dd>${agency('us-bis')}</dd>`);
  expect(rowOf(issuer, 'Karlsruhe Institute of Technology')).toContain('no match on the restricted-party list');
  expect(rowOf(issuer, 'Northwind PI \\(AE\\)')).toContain(
    '<td class="listed">matches &quot;Northwind Precision Instruments&quot; on Entity List (sample)</td>',
  );
  const dod = rowOf(issuer, agency('us-dod'));
  expect(dod).toContain('<td>Defence review</td><td>approved</td>');
  expect(dod).toContain(`Condition: ${CONDITION}`);
  expect(rowOf(issuer, agency('us-dos'))).toContain('<td>Consultation</td><td>pending</td>');
  expect(rowOf(issuer, agency('de-bafa').replace(/[()]/g, '\\$&'))).toContain('<td>Advisory review</td><td>pending</td>');
  expect(sections).toContain(`<strong>${agency('us-dos')}</strong> asked on`);
  expect(sections).toContain(` UTC: "${QUESTION}"<br>Answer (`);
  expect(sections).toContain(` UTC): "${ANSWER}"</li>`);
  expect(sections).toContain('No documents filed.');
  for (const id of IDS) expect(sections).not.toContain(id);

  // State, a reviewing agency under EO 12981, sees DoD's recommendation and its condition.
  const state = await open(stateToken);
  expect(rowOf(state, agency('us-dod'))).toContain(`Condition: ${CONDITION}`);
  expect(rowOf(state, agency('us-dod'))).toContain('<td>approved</td>');

  // BAFA advises from outside the US regime: it sees the issuer's position, not DoD's.
  const bafa = await open(await tokenFor(projectId, title, 'c2-de-bafa'));
  expect(bafa).not.toContain(CONDITION);
  expect(rowOf(bafa, agency('us-dod'))).toContain('<td>answered</td><td class="withheld">Not shared: a party outside the issuing regime');
  expect(rowOf(bafa, agency('us-bis'))).toContain('<td>Issuer review</td><td>pending</td>');

  // The JSON answer holds no more than the page.
  const bafaToken = await tokenFor(projectId, title, 'c2-de-bafa');
  const json = expectStatus(await readAnswered(() => api().get(`/r/${bafaToken}`).set('Accept', 'application/json')), 200);
  expect(JSON.stringify(json.body)).not.toContain(CONDITION);
  expect(json.body.case.component.positions).toContainEqual(expect.objectContaining({ partyName: agency('us-dod'), shared: false, conditions: [] }));
});
