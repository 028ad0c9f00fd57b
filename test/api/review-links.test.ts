/**
 * The reviewer's decision links (`/r/:token`) the way a reviewer meets them:
 * the e-mail as it arrived in MailDev, the link in it, the page it opens, the
 * form it posts. Real dev server, real worker and activities, real SMTP.
 * Each test drives its own one-component (T1) project to the grant review.
 */
import request from 'supertest';
import { projectWorkflowId, type AuditEntry, type ProjectView } from '../../workflows/definitions';
import { expectStatus, readAnswered } from '../helpers/api-read';
import { bearer, KEYS, linkTokens, useApiStack, type Mail } from '../helpers/api-stack';
import { uniqueId } from '../helpers/fixtures';
import { AGENCY_REVIEWER, FUNDER_REVIEWER, toGrantReview as grantReview, tokenOf } from '../helpers/grant-review';

const stack = useApiStack();

const api = () => request(stack.app);
const asCoordinator = bearer(KEYS.coordinator);
const JSON_ACCEPT = { Accept: 'application/json' };
/**
 * Opens a link (GET, or HEAD) as a reviewer's browser would. The page reads the step from its workflow (a query),
 * so it is opened again while it answers 503 (not answered in time, as under load); a GET changes nothing.
 */
const openLink = (token: string, headers: Record<string, string> = {}, method: 'get' | 'head' = 'get') =>
  readAnswered(() => api()[method](`/r/${token}`).set(headers));

const COORDINATOR = 'a.weber@kit.example';
const toGrantReview = (titlePrefix?: string) => grantReview(stack, titlePrefix);

/** Everything a decision could change, as the API shows it. */
async function snapshot(projectId: string): Promise<{ view: ProjectView; audit: AuditEntry[] }> {
  return { view: await stack.view(projectId), audit: await stack.audit(projectId) };
}

const stepOf = (view: ProjectView, stepId: string) => view.steps.find((s) => s.stepId === stepId)!;
const decisionsOf = (audit: AuditEntry[], stepId: string) =>
  audit.filter((e) => e.stepId === stepId && (e.action === 'decision-recorded' || e.action === 'info-requested'));

/** A changed character in the middle of one of the token's two parts. */
function flipChar(token: string, part: 0 | 1): string {
  const parts = token.split('.');
  const s = parts[part];
  const i = Math.floor(s.length / 2);
  parts[part] = s.slice(0, i) + (s[i] === 'A' ? 'B' : 'A') + s.slice(i + 1);
  return parts.join('.');
}

describe('the review-request e-mail', () => {
  test('each grant reviewer gets one e-mail naming the project, with one personal link', async () => {
    const g = await toGrantReview();
    for (const mail of [g.funderMail, g.agencyMail]) {
      expect(mail.text).toContain(`(${g.projectId})`);
      expect(mail.subject).toMatch(/ — due \d{4}-\d{2}-\d{2}$/);
    }
    expect(g.funderToken).not.toBe(g.agencyToken);
    const grantMails = (await stack.mails()).filter((m) => m.subject.startsWith(`Review requested: ${g.title}`));
    expect(grantMails.map((m) => m.to[0].address).sort()).toEqual([AGENCY_REVIEWER, FUNDER_REVIEWER].sort());
  });
});

describe('GET /r/:token', () => {
  test('shows the decision page with a form and nothing pre-chosen, and changes nothing (HEAD neither)', async () => {
    const g = await toGrantReview();
    const before = await snapshot(g.projectId);

    const page = expectStatus(await openLink(g.funderToken), 200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.headers['cache-control']).toBe('no-store');
    expect(page.text).toContain(`<form method="post" action="/r/${g.funderToken}">`);
    expect(page.text).toContain(g.title);
    const radios = page.text.match(/<input[^>]*type="radio"[^>]*>/g) ?? [];
    expect(radios.map((r) => /value="([^"]+)"/.exec(r)![1])).toEqual(['approve', 'deny', 'request-info']);
    // A mail scanner or a careless click must not find a decision already chosen.
    expect(radios.filter((r) => /\bchecked\b/.test(r))).toEqual([]);

    expectStatus(await openLink(g.funderToken, {}, 'head'), 200);
    // Opened again, as scanners do.
    expectStatus(await openLink(g.funderToken), 200);

    const after = await snapshot(g.projectId);
    expect(after.audit).toHaveLength(before.audit.length);
    expect(after).toEqual(before);
    expect(stepOf(after.view, 'grant-funder').status).toBe('open');
  });

  test('escapes what the project submitted (no markup from a title reaches the page)', async () => {
    const g = await toGrantReview('<script>alert("x")</script> & <b>bold</b>');
    const page = expectStatus(await openLink(g.funderToken), 200);
    expect(page.text).not.toContain('<script>');
    expect(page.text).not.toContain('<b>bold</b>');
    expect(page.text).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;');
  });

  test('answers JSON with the step context when asked', async () => {
    const g = await toGrantReview();
    const res = expectStatus(await openLink(g.agencyToken, JSON_ACCEPT), 200);
    expect(res.body).toMatchObject({ projectId: g.projectId, step: { stepId: 'grant-agency', reviewer: AGENCY_REVIEWER, status: 'open' } });
  });
});

describe('POST /r/:token', () => {
  test('an approval from the HTML form is recorded once; the same form sent again is 409', async () => {
    const g = await toGrantReview();
    const res = await api().post(`/r/${g.funderToken}`).type('form').send({ decision: 'approve', comment: 'Within the call scope.', legalBasis: '' });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.text).toContain('Your decision was recorded: <strong>approved</strong>');

    const view = await stack.view(g.projectId);
    expect(stepOf(view, 'grant-funder')).toMatchObject({ status: 'decided', outcome: 'approved', comment: 'Within the call scope.' });

    const replay = await api().post(`/r/${g.funderToken}`).type('form').send({ decision: 'approve', comment: 'Within the call scope.' });
    expect(replay.status).toBe(409);
    expect(replay.text).toContain('Already decided');
    // A different answer on the same link is refused just the same.
    expect((await api().post(`/r/${g.funderToken}`).type('form').send({ decision: 'deny', legalBasis: 'changed my mind' })).status).toBe(409);

    const audit = await stack.audit(g.projectId);
    expect(decisionsOf(audit, 'grant-funder')).toEqual([
      expect.objectContaining({ actor: FUNDER_REVIEWER, channel: 'email-link', detail: expect.stringContaining('approved') }),
    ]);
    // Once decided, the link shows what was decided instead of a form.
    const page = expectStatus(await openLink(g.funderToken), 200);
    expect(page.text).toContain('already decided');
    expect(page.text).not.toContain('<form');
  });

  test('the same form sent several times at once is recorded exactly once', async () => {
    const g = await toGrantReview();
    const sends = await Promise.all(Array.from({ length: 5 }, () => api().post(`/r/${g.funderToken}`).set(JSON_ACCEPT).send({ decision: 'approve' })));
    expect(sends.map((r) => r.status).sort()).toEqual([200, 409, 409, 409, 409]);
    expect(decisionsOf(await stack.audit(g.projectId), 'grant-funder')).toHaveLength(1);
  });

  test('with Accept: application/json the answer is {recorded, stepId, decision}; a replay is 409 CONFLICT', async () => {
    const g = await toGrantReview();
    const res = await api().post(`/r/${g.agencyToken}`).set(JSON_ACCEPT).send({ decision: 'approve' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ recorded: true, stepId: 'grant-agency', decision: 'approve' });

    const replay = await api().post(`/r/${g.agencyToken}`).set(JSON_ACCEPT).send({ decision: 'approve' });
    expect(replay.status).toBe(409);
    expect(replay.body.error.code).toBe('CONFLICT');
    expect(decisionsOf(await stack.audit(g.projectId), 'grant-agency')).toHaveLength(1);
  });

  test('a denial without a legal basis is 400 naming legalBasis and records nothing; with one it is recorded', async () => {
    const g = await toGrantReview();
    const before = await snapshot(g.projectId);

    const json = await api().post(`/r/${g.agencyToken}`).set(JSON_ACCEPT).send({ decision: 'deny', legalBasis: '   ' });
    expect(json.status).toBe(400);
    expect(json.body.error).toMatchObject({ code: 'VALIDATION_FAILED', details: [expect.objectContaining({ path: 'body.legalBasis' })] });
    const form = await api().post(`/r/${g.agencyToken}`).type('form').send({ decision: 'deny', comment: 'no' });
    expect(form.status).toBe(400);
    expect(form.text).toContain('legalBasis');
    expect(form.text).toContain('<form'); // the reviewer can correct and resend on the same page
    expect(await snapshot(g.projectId)).toEqual(before);

    const denied = await api()
      .post(`/r/${g.agencyToken}`)
      .type('form')
      .send({ decision: 'deny', legalBasis: 'AWV §8: military end use suspected', comment: '' });
    expect(denied.status).toBe(200);
    expect(denied.text).toContain('<strong>denied</strong>');
    const audit = await stack.audit(g.projectId);
    expect(decisionsOf(audit, 'grant-agency')).toEqual([
      expect.objectContaining({ detail: expect.stringContaining('legal basis: AWV §8: military end use suspected') }),
    ]);
    expect(stepOf(await stack.view(g.projectId), 'grant-agency')).toMatchObject({
      status: 'decided',
      outcome: 'denied',
      legalBasis: 'AWV §8: military end use suspected',
    });
  });

  test('a body that is not a decision is 400 and records nothing', async () => {
    const g = await toGrantReview();
    const before = await snapshot(g.projectId);
    for (const body of [{}, { decision: 'maybe' }, { decision: 'approve', extra: 'x' }]) {
      const res = await api().post(`/r/${g.funderToken}`).set(JSON_ACCEPT).send(body);
      expect({ body, status: res.status, code: res.body.error?.code }).toEqual({ body, status: 400, code: 'VALIDATION_FAILED' });
    }
    expect(await snapshot(g.projectId)).toEqual(before);
  });
});

describe('tokens that do not fit', () => {
  test('a tampered token (signature or payload) gets a 400 page and changes nothing', async () => {
    const g = await toGrantReview();
    const before = await snapshot(g.projectId);
    for (const bad of [flipChar(g.funderToken, 1), flipChar(g.funderToken, 0), g.funderToken.split('.')[0], 'not-a-token']) {
      const get = await api().get(`/r/${bad}`);
      expect({ bad, status: get.status }).toEqual({ bad, status: 400 });
      expect(get.text).toContain('This link is not valid');
      const post = await api().post(`/r/${bad}`).type('form').send({ decision: 'approve' });
      expect({ bad, status: post.status }).toEqual({ bad, status: 400 });
      expect(post.text).toContain('Nothing was changed');
    }
    expect(await snapshot(g.projectId)).toEqual(before);
  });

  test('an expired token (right secret, expiry in the past) is 410 and changes nothing', async () => {
    const g = await toGrantReview();
    const before = await snapshot(g.projectId);
    const expired = stack.signer.sign({
      workflowId: projectWorkflowId(g.projectId),
      stepId: 'grant-funder',
      reviewer: FUNDER_REVIEWER,
      expiresAt: Date.now() - 60_000,
    });
    const get = await api().get(`/r/${expired}`);
    expect(get.status).toBe(410);
    expect(get.text).toContain('expired');
    expect((await api().post(`/r/${expired}`).type('form').send({ decision: 'approve' })).status).toBe(410);
    expect(await snapshot(g.projectId)).toEqual(before);
  });

  test('a token for a step that does not exist in its workflow is 404, for GET and POST alike', async () => {
    const g = await toGrantReview();
    const before = await snapshot(g.projectId);
    // Signed with the real secret: a genuine-looking link to a step this workflow never had.
    const noSuchStep = stack.signer.sign({
      workflowId: projectWorkflowId(g.projectId),
      stepId: 'grant-nobody',
      reviewer: FUNDER_REVIEWER,
      expiresAt: Date.now() + 3_600_000,
    });
    const get = await openLink(noSuchStep);
    expect(get.status).toBe(404);
    expect(get.text).toContain('Unknown review step');
    const post = await api().post(`/r/${noSuchStep}`).set(JSON_ACCEPT).send({ decision: 'approve' });
    expect({ status: post.status, code: post.body.error?.code }).toEqual({ status: 404, code: 'NOT_FOUND' });
    expect(await snapshot(g.projectId)).toEqual(before);
  });

  test('a token for a workflow that was never started is 404, for GET and POST alike', async () => {
    const noSuchWorkflow = stack.signer.sign({
      workflowId: projectWorkflowId(uniqueId('nobody')),
      stepId: 'grant-funder',
      reviewer: FUNDER_REVIEWER,
      expiresAt: Date.now() + 3_600_000,
    });
    expect((await openLink(noSuchWorkflow)).status).toBe(404);
    const post = await api().post(`/r/${noSuchWorkflow}`).set(JSON_ACCEPT).send({ decision: 'approve' });
    expect({ status: post.status, code: post.body.error?.code }).toEqual({ status: 404, code: 'NOT_FOUND' });
  });

  test('a token for the right step but another reviewer is 409 (the step is held by another) and changes nothing', async () => {
    const g = await toGrantReview();
    const before = await snapshot(g.projectId);
    // Signed with the real secret: only the reviewer differs from the genuine link.
    const foreign = stack.signer.sign({
      workflowId: projectWorkflowId(g.projectId),
      stepId: 'grant-funder',
      reviewer: AGENCY_REVIEWER,
      expiresAt: Date.now() + 3_600_000,
    });
    const get = await openLink(foreign);
    expect(get.status).toBe(409);
    expect(get.text).toContain('held by another reviewer');
    expect((await api().post(`/r/${foreign}`).type('form').send({ decision: 'approve' })).status).toBe(409);
    expect(await snapshot(g.projectId)).toEqual(before);
  });

  test('the link of a step closed by a withdrawal: the page says closed, a decision is 409', async () => {
    const g = await toGrantReview();
    const withdrawn = await api().post(`/v1/projects/${g.projectId}/withdraw`).set(asCoordinator).send({ reason: 'funding ended' });
    expect(withdrawn.status).toBe(200);
    await stack.waitForMail((m) => m.to[0]?.address === FUNDER_REVIEWER && m.subject === `No longer needed: ${g.title} — grant`);
    const before = await snapshot(g.projectId);
    expect(stepOf(before.view, 'grant-funder').status).toBe('closed');

    const page = expectStatus(await openLink(g.funderToken), 200);
    expect(page.text).toContain('This step is closed');
    expect(page.text).not.toContain('<form');

    const post = await api().post(`/r/${g.funderToken}`).type('form').send({ decision: 'approve' });
    expect(post.status).toBe(409);
    expect(post.text).toMatch(/closed/i);
    const json = await api().post(`/r/${g.funderToken}`).set(JSON_ACCEPT).send({ decision: 'approve' });
    expect({ status: json.status, code: json.body.error?.code }).toEqual({ status: 409, code: 'CONFLICT' });

    const after = await snapshot(g.projectId);
    expect(after).toEqual(before);
    expect(decisionsOf(after.audit, 'grant-funder')).toEqual([]);
  });
});

describe('a licence step closed by a withdrawal in the active stage', () => {
  test('its reviewer is told, its page says closed, and a decision on it is 409', async () => {
    const g = await toGrantReview('Withdrawn while licensing');
    expect((await api().post(`/r/${g.funderToken}`).type('form').send({ decision: 'approve' })).status).toBe(200);
    expect((await api().post(`/r/${g.agencyToken}`).type('form').send({ decision: 'approve' })).status).toBe(200);
    const licenceMail = await stack.waitForMail(
      (m) => m.to[0]?.address === AGENCY_REVIEWER && m.subject.startsWith(`Review requested: ${g.title} — Radiation-hardened FPGA board`),
    );
    const token = tokenOf(licenceMail);
    await stack.waitForView(g.projectId, (v) => v.openSteps.some((s) => s.stepId === 'c1-de-bafa'), 'the licence step');

    const res = await api().post(`/v1/projects/${g.projectId}/withdraw`).set(asCoordinator).send({ reason: 'partner left' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ stage: 'withdrawn', closedSteps: 1 });
    const closure = await stack.waitForMail(
      (m) => m.to[0]?.address === AGENCY_REVIEWER && m.subject === `No longer needed: ${g.title} — Radiation-hardened FPGA board`,
    );
    expect(closure.text).toContain('withdrawn');

    const view = await stack.view(g.projectId);
    expect(view.openSteps).toEqual([]);
    expect(stepOf(view, 'c1-de-bafa').status).toBe('closed');
    expect(expectStatus(await openLink(token), 200).text).toContain('This step is closed');
    const post = await api().post(`/r/${token}`).set(JSON_ACCEPT).send({ decision: 'approve' });
    expect({ status: post.status, code: post.body.error?.code }).toEqual({ status: 409, code: 'CONFLICT' });
    expect(decisionsOf(await stack.audit(g.projectId), 'c1-de-bafa')).toEqual([]);
  });
});

describe('request-info', () => {
  test('mails the coordinator, keeps the step open, and the reviewer approves later from the same link', async () => {
    const g = await toGrantReview();
    const question = `Please send the end-user statement for ${g.projectId}.`;

    const noQuestion = await api().post(`/r/${g.agencyToken}`).set(JSON_ACCEPT).send({ decision: 'request-info' });
    expect(noQuestion.status).toBe(400);
    expect(noQuestion.body.error.details).toEqual([expect.objectContaining({ path: 'body.comment' })]);

    const asked = await api().post(`/r/${g.agencyToken}`).type('form').send({ decision: 'request-info', comment: question });
    expect(asked.status).toBe(200);
    expect(asked.text).toContain('request for information was sent');

    const mail = await stack.waitForMail((m) => m.to[0]?.address === COORDINATOR && m.subject === `Information requested: ${g.title} — grant`);
    expect(mail.text).toContain(question);
    expect(mail.text).toContain(AGENCY_REVIEWER);

    const view = await stack.view(g.projectId);
    expect(stepOf(view, 'grant-agency').status).toBe('open');
    expect(view.openSteps.map((s) => s.stepId)).toContain('grant-agency');
    // The page still offers the form, without a second request: one at a time, and a second is 409.
    const page = expectStatus(await openLink(g.agencyToken), 200).text;
    expect(page).toContain('<form');
    expect(page).not.toContain('value="request-info"');
    const again = await api()
      .post(`/r/${g.agencyToken}`)
      .set(JSON_ACCEPT)
      .send({ decision: 'request-info', comment: 'And the export licence of the US partner?' });
    expect({ status: again.status, code: again.body.error?.code, message: again.body.error?.message }).toEqual({
      status: 409,
      code: 'CONFLICT',
      message: expect.stringContaining('one request at a time'),
    });

    const approved = await api().post(`/r/${g.agencyToken}`).set(JSON_ACCEPT).send({ decision: 'approve', comment: 'Statement received.' });
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({ recorded: true, stepId: 'grant-agency', decision: 'approve' });
    expect(stepOf(await stack.view(g.projectId), 'grant-agency')).toMatchObject({ status: 'decided', outcome: 'approved' });
    expect(decisionsOf(await stack.audit(g.projectId), 'grant-agency').map((e) => e.action)).toEqual(['info-requested', 'decision-recorded']);
  });
});

describe('the whole T1 path through links', () => {
  test('both grant approvals open the licence review; its e-mailed link grants the licence', async () => {
    const g = await toGrantReview();
    expect((await api().post(`/r/${g.funderToken}`).type('form').send({ decision: 'approve' })).status).toBe(200);
    expect((await api().post(`/r/${g.agencyToken}`).type('form').send({ decision: 'approve' })).status).toBe(200);
    await stack.waitForView(g.projectId, (v) => v.stage === 'active', 'the grant approved');

    // T1: one review by the lead agency, in the licence child workflow.
    const licenceMail = await stack.waitForMail(
      (m) => m.to[0]?.address === AGENCY_REVIEWER && m.subject.startsWith(`Review requested: ${g.title} — Radiation-hardened FPGA board (T1)`),
    );
    const token = tokenOf(licenceMail);
    const page = expectStatus(await openLink(token), 200);
    expect(page.text).toContain('Radiation-hardened FPGA board');
    expect(page.text).toContain('3A001');

    const res = await api().post(`/r/${token}`).set(JSON_ACCEPT).send({ decision: 'approve', comment: 'Standard conditions.' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ recorded: true, stepId: 'c1-de-bafa', decision: 'approve' });

    const view = await stack.waitForView(g.projectId, (v) => v.components[0].licence.status === 'approved', 'the licence');
    expect(view.components[0].licence.validUntil).toEqual(expect.any(String));
    expect(view.openSteps).toEqual([]);
    await stack.waitForMail((m) => m.to[0]?.address === COORDINATOR && m.subject === `Licence decisions complete: ${g.title}`);
  });
});

describe('approve with conditions', () => {
  test('the licence page takes conditions one per line and they join the licence; a grant step refuses them with 400, changing nothing', async () => {
    const g = await toGrantReview('Conditions');
    expect(expectStatus(await openLink(g.agencyToken), 200).text).not.toContain('name="conditions"');
    const before = await snapshot(g.projectId);
    const onGrant = await api()
      .post(`/r/${g.agencyToken}`)
      .set(JSON_ACCEPT)
      .send({ decision: 'approve', conditions: ['No re-export'] });
    expect({ status: onGrant.status, body: onGrant.body }).toEqual({
      status: 400,
      body: {
        error: {
          code: 'VALIDATION_FAILED',
          message: expect.stringContaining('sets no licence conditions'),
          details: [{ path: 'body.conditions', message: expect.stringContaining('sets no licence conditions') }],
        },
      },
    });
    const withDenial = await api()
      .post(`/r/${g.agencyToken}`)
      .set(JSON_ACCEPT)
      .send({ decision: 'deny', legalBasis: 'AWV §8', conditions: ['x'] });
    expect({ status: withDenial.status, details: withDenial.body.error?.details }).toEqual({
      status: 400,
      details: [{ path: 'body.conditions', message: 'conditions go with an approval' }],
    });
    expect(await snapshot(g.projectId)).toEqual(before);

    expect((await api().post(`/r/${g.funderToken}`).type('form').send({ decision: 'approve' })).status).toBe(200);
    expect((await api().post(`/r/${g.agencyToken}`).type('form').send({ decision: 'approve' })).status).toBe(200);
    const licenceMail = await stack.waitForMail(
      (m) => m.to[0]?.address === AGENCY_REVIEWER && m.subject.startsWith(`Review requested: ${g.title} — Radiation-hardened FPGA board`),
    );
    const token = tokenOf(licenceMail);
    expect(expectStatus(await openLink(token), 200).text).toContain('<textarea id="conditions" name="conditions"');

    const form = { decision: 'approve', conditions: 'No re-export without BAFA consent\r\n\r\n  Yearly end-use statement  \r\n' };
    const res = await api().post(`/r/${token}`).type('form').send(form);
    expect({ status: res.status, recorded: res.text.includes('Your decision was recorded') }).toEqual({ status: 200, recorded: true });

    const view = await stack.waitForView(g.projectId, (v) => v.components[0].licence.status === 'approved', 'the licence');
    const step = stepOf(view, 'c1-de-bafa');
    expect(step.conditions).toEqual(['No re-export without BAFA consent', 'Yearly end-use statement']);
    expect(view.components[0].licence.conditions.slice(-2)).toEqual([
      `No re-export without BAFA consent (set by ${step.partyName}, ${AGENCY_REVIEWER})`,
      `Yearly end-use statement (set by ${step.partyName}, ${AGENCY_REVIEWER})`,
    ]);
    expect(decisionsOf(await stack.audit(g.projectId), 'c1-de-bafa')).toEqual([
      expect.objectContaining({
        actor: AGENCY_REVIEWER,
        detail: expect.stringContaining('conditions: No re-export without BAFA consent; Yearly end-use statement'),
      }),
    ]);

    // The coordinator acknowledges the two provisos in writing from the e-mailed link; only then is the licence in use.
    expect(view.components[0].licence.acknowledgement).toEqual({ stepId: 'c1-acknowledgement' });
    const coordinator = view.coordinator.email;
    const ackMail = await stack.waitForMail((m) => m.to[0]?.address === coordinator && m.subject.startsWith(`Acknowledge the licence conditions: ${g.title}`));
    expect(ackMail.text).toContain('(1) No re-export without BAFA consent');
    const ackToken = tokenOf(ackMail);
    const page = expectStatus(await openLink(ackToken), 200).text;
    expect(page).toContain('value="acknowledge"');
    expect(page).not.toContain('value="approve"');
    const refused = await api().post(`/r/${ackToken}`).set(JSON_ACCEPT).send({ decision: 'approve' });
    expect({ status: refused.status, path: refused.body.error?.details?.[0]?.path }).toEqual({ status: 400, path: 'body.decision' });
    const acknowledged = await api().post(`/r/${ackToken}`).set(JSON_ACCEPT).send({ decision: 'acknowledge', comment: 'Signed for KIT' });
    expect({ status: acknowledged.status, outcome: acknowledged.body.outcome }).toEqual({ status: 200, outcome: 'acknowledged' });
    const inUse = await stack.waitForView(g.projectId, (v) => !!v.components[0].licence.acknowledgement?.acknowledgedAt, 'the acknowledgement');
    expect(inUse.components[0].licence.acknowledgement?.acknowledgedBy).toBe(coordinator);
  });
});
