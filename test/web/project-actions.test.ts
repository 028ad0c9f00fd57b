/**
 * The coordinator's action forms on a project, over HTTP on the real stack (dev server, worker, MailDev): answer a
 * request for information with a file, file a compliance report with shipments, resolve the corrective action it
 * opens, and appeal a denial. The other parties act through their e-mail links; the coordinator only through the pages.
 * Each refusal is the API's, shown beside its field with what was typed kept, and changes nothing.
 */
import request from 'supertest';
import type { MonitoredLicenceView } from '../../workflows/compliance-contract';
import { bearer, COORDINATOR_ID, KEYS, useApiStack } from '../helpers/api-stack';
import { decideByLink, toLicenceReview } from '../helpers/grant-review';
import { formTokens, signedInAgent } from '../helpers/web';

const stack = useApiStack();
const asCoordinator = bearer(KEYS.coordinator);
const errorBeside = (id: string, message: string) => `<span class="field-error" id="${id}-error"><span class="muted">Error:</span> ${message}</span>`;
/** Bytes of a Windows program: a type the policy does not take. */
const PROGRAM = Buffer.concat([Buffer.from('MZ'), Buffer.alloc(200, 0x90)]);

test('answer a request for information: an empty answer and a refused file shown beside their fields, then answered with a file', async () => {
  const { projectId, title } = await toLicenceReview(stack, 'wi', 'Info page');
  await decideByLink(stack, projectId, title, 'c1-de-bafa', { decision: 'request-info', comment: 'Which FPGA part number?' });
  await stack.waitForView(projectId, (v) => !!v.steps.find((s) => s.stepId === 'c1-de-bafa')?.infoRequest, 'information request');
  const agent = await signedInAgent(stack.app, KEYS.coordinator);
  const url = `/app/projects/${projectId}/info/c1-de-bafa`;

  const page = await agent.get(url);
  expect(page.status).toBe(200);
  expect(page.text).toContain('<p>Which FPGA part number?</p>');
  expect(page.text).toContain(`<a href="/app/projects/${projectId}">Back to the project</a>`);
  expect(page.text).toContain('<label for="answer">Your answer</label>');
  expect(page.text).toContain('<input type="file" id="file" name="file" multiple');

  const empty = await agent.post(url).field(formTokens(page.text)).field('answer', '  ');
  expect(empty.status).toBe(422);
  expect(empty.text).toContain('<a href="#answer">Your answer: must not be empty</a>');
  expect(empty.text).toContain(errorBeside('answer', 'Your answer: must not be empty'));

  const program = await agent
    .post(url)
    .field(formTokens(empty.text))
    .field('answer', 'XQRKU060, rad-hard')
    .attach('file', PROGRAM, { filename: 'tool.exe', contentType: 'application/octet-stream' });
  expect(program.status).toBe(422);
  expect(program.text).toMatch(/<span class="field-error" id="file-error"><span class="muted">Error:<\/span> Files: [^<]+<\/span>/);
  expect(program.text).toContain('>XQRKU060, rad-hard</textarea>');
  expect(program.text).toContain('Choose your files again');
  expect((await stack.view(projectId)).steps.find((s) => s.stepId === 'c1-de-bafa')?.infoRequest).toBeDefined();

  // A file over the policy's size is refused by the pages' own parser, before the API or the page hears of it.
  const { maxBytes } = stack.policy.documents;
  const large = await agent
    .post(url)
    .field(formTokens(program.text))
    .field('answer', 'XQRKU060, rad-hard')
    .attach('file', Buffer.alloc(maxBytes + 1, 0x41), { filename: 'scan.txt', contentType: 'text/plain' });
  expect(large.status).toBe(413);
  expect(large.text).toContain(`A file may be at most ${maxBytes} bytes. Nothing was changed.`);

  const answered = await agent
    .post(url)
    .field(formTokens(program.text))
    .field('answer', 'XQRKU060, rad-hard')
    .attach('file', Buffer.from('Part XQRKU060: 300 krad(Si) total dose.\n'), { filename: 'datasheet.txt', contentType: 'text/plain' });
  expect(answered.status).toBe(303);
  expect(answered.headers.location).toBe(`/app/projects/${projectId}?done=info-answered`);
  expect((await stack.view(projectId)).steps.find((s) => s.stepId === 'c1-de-bafa')?.infoRequest).toBeUndefined();
  const documents = (await request(stack.app).get(`/v1/projects/${projectId}/documents`).set(asCoordinator).expect(200)).body.items;
  expect(documents).toEqual([expect.objectContaining({ filename: 'datasheet.txt', kind: 'information-answer', contentType: 'text/plain' })]);
  const trail = await stack.audit(projectId);
  expect(trail.filter((e) => e.action === 'info-answered')).toEqual([expect.objectContaining({ actor: `coordinator:${COORDINATOR_ID}` })]);

  // Nothing waits any more: the page says so, with no form.
  const after = await agent.get(url);
  expect(after.text).toContain('is not waiting for information from you');
  expect(after.text).not.toContain('<form method="post" enctype');
});

test('file a compliance report: rows added without script, a refused row kept, two shipments filed; the corrective action it opens resolved', async () => {
  const { projectId, title } = await toLicenceReview(stack, 'wr', 'Report page');
  await decideByLink(stack, projectId, title, 'c1-de-bafa', { decision: 'approve' });
  await stack.waitForAudit(projectId, (e) => e.some((x) => x.action === 'report-requested'), 'report request');
  const agent = await signedInAgent(stack.app, KEYS.coordinator);
  const url = `/app/projects/${projectId}/reports/new`;
  const page = await agent.get(url);
  expect(page.status).toBe(200);
  expect(page.text).toContain('<option value="c1" selected>');
  expect(page.text).toContain('name="period" value="1"');
  expect(page.text).toContain('<span class="tag todo">awaited</span>');

  const us = { destination: 'US', endUser: 'Oak Ridge National Laboratory', quantity: '2', date: '2027-03-01' };
  const row = (i: number, r: Record<string, string>) => Object.fromEntries(Object.entries(r).map(([k, v]) => [`shipments[${i}][${k}]`, v]));
  const report = { componentId: 'c1', period: '1', endUseConfirmed: 'true', ...row(0, us) };

  const added = await agent
    .post(url)
    .field(formTokens(page.text))
    .field({ ...report, _add: '1' });
  expect(added.status).toBe(200);
  expect(added.text).toContain('<legend>Shipment 2</legend>');
  expect(added.text).toContain('name="shipments[1][destination]" value=""');
  expect(added.text).toContain('value="Oak Ridge National Laboratory"');

  const germany = { destination: 'Germany', endUser: 'KIT', quantity: '1', date: '2027-03-02' };
  const refused = await agent
    .post(url)
    .field(formTokens(added.text))
    .field({ ...report, ...row(1, germany) });
  expect(refused.status).toBe(422);
  expect(refused.text).toMatch(/<a href="#shipments-1-destination">Shipment 2 destination: [^<]+<\/a>/);
  expect(refused.text).toMatch(/<span class="field-error" id="shipments-1-destination-error">/);
  expect(refused.text).toContain('name="shipments[1][destination]" value="Germany"');
  expect(refused.text).toContain('name="shipments[0][endUser]" value="Oak Ridge National Laboratory"');
  expect(refused.text).toContain('value="true" checked');
  const licence = async () => (await stack.view(projectId)).components[0].licence as MonitoredLicenceView;
  expect((await licence()).compliance.reports[0].status).toBe('awaited');

  const cn = { destination: 'CN', endUser: 'Institute of High Energy Physics', quantity: '4', date: '2027-03-02' };
  const filed = await agent
    .post(url)
    .field(formTokens(refused.text))
    .field({ ...report, ...row(1, cn), notes: 'Two boards' });
  expect(filed.status).toBe(303);
  expect(filed.headers.location).toBe(`/app/projects/${projectId}?done=report-filed`);
  const received = await stack.waitForView(
    projectId,
    (v) => (v.components[0].licence as MonitoredLicenceView).compliance?.reports[0].status === 'received',
    'report received',
  );
  const compliance = (received.components[0].licence as MonitoredLicenceView).compliance;
  expect(compliance.reports[0]).toMatchObject({ submittedBy: `coordinator:${COORDINATOR_ID}` });
  expect(compliance.correctiveActions).toEqual([expect.objectContaining({ actionId: 'c1-ca-1', status: 'open' })]);

  const actionUrl = `/app/projects/${projectId}/corrective-actions/c1-ca-1`;
  // The report's page now shows the period received and leads to the action to resolve.
  const after = await agent.get(url);
  expect(after.text).toContain('<span class="tag done">received</span>');
  expect(after.text).toContain(`<a href="${actionUrl}">c1-ca-1</a>`);
  // And so does the project page, among what there is to do.
  expect((await agent.get(`/app/projects/${projectId}`)).text).toContain(`<a href="${actionUrl}">Resolve corrective action c1-ca-1</a>`);
  const action = await agent.get(actionUrl);
  expect(action.status).toBe(200);
  expect(action.text).toContain('<td>unlicensed-destination</td><td>CN</td>');
  const noNote = await agent
    .post(actionUrl)
    .type('form')
    .send({ ...formTokens(action.text), note: '' });
  expect(noNote.status).toBe(422);
  expect(noNote.text).toContain(errorBeside('note', 'What was done: must not be empty'));
  const resolved = await agent
    .post(actionUrl)
    .type('form')
    .send({ ...formTokens(noNote.text), note: 'The CN row was a mislabelled US delivery; corrected' });
  expect(resolved.status).toBe(303);
  expect(resolved.headers.location).toBe(`/app/projects/${projectId}?done=action-resolved`);
  expect((await licence()).compliance.correctiveActions[0]).toMatchObject({ status: 'resolved', resolvedBy: `coordinator:${COORDINATOR_ID}` });
  expect((await agent.get(`/app/projects/${projectId}`)).text).not.toContain(`<a href="${actionUrl}">`);
});

test('appeal a denial: without a legal basis refused beside the field with the comment kept, then recorded', async () => {
  const { projectId, title } = await toLicenceReview(stack, 'wa', 'Appeal page');
  await decideByLink(stack, projectId, title, 'c1-de-bafa', { decision: 'deny', legalBasis: 'AWV §8: end use not established' });
  await stack.waitForView(projectId, (v) => v.openSteps.some((s) => s.kind === 'appeal'), 'appeal window');
  const agent = await signedInAgent(stack.app, KEYS.coordinator);
  const url = `/app/projects/${projectId}/appeals/new`;
  const page = await agent.get(`${url}?componentId=c1`);
  expect(page.status).toBe(200);
  expect(page.text).toContain('AWV §8: end use not established');
  expect(page.text).toContain('<option value="c1" selected>');

  const noBasis = await agent.post(url).field(formTokens(page.text)).field({ componentId: 'c1', legalBasis: '', comment: 'See the annex' });
  expect(noBasis.status).toBe(422);
  const message = 'Legal basis: an appeal must state its legal basis, in writing';
  expect(noBasis.text).toContain(`<a href="#legalBasis">${message}</a>`);
  expect(noBasis.text).toContain(errorBeside('legalBasis', message));
  expect(noBasis.text).toContain('>See the annex</textarea>');

  const appealed = await agent
    .post(url)
    .field(formTokens(noBasis.text))
    .field({ componentId: 'c1', legalBasis: 'The end-use statement was filed on 2027-01-10', comment: 'See the annex' })
    .attach('file', Buffer.from('End-use statement, ORNL, 2027-01-10\n'), { filename: 'end-use.txt', contentType: 'text/plain' });
  expect(appealed.status).toBe(303);
  expect(appealed.headers.location).toBe(`/app/projects/${projectId}?done=appealed`);
  const trail = await stack.audit(projectId);
  expect(trail.find((e) => e.stepId === 'c1-appeal-1' && e.action === 'decision-recorded')).toMatchObject({ actor: `coordinator:${COORDINATOR_ID}` });
  const documents = (await request(stack.app).get(`/v1/projects/${projectId}/documents`).set(asCoordinator).expect(200)).body.items;
  expect(documents).toEqual([expect.objectContaining({ filename: 'end-use.txt', kind: 'appeal' })]);
});
