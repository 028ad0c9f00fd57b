/**
 * The calendar feeds (DESIGN §8) on the real stack: a project's, an agency's and a funder's `calendar.ics`, read from
 * the records as the workflows write them, each file parsed strictly (test/helpers/ical.ts); and the signed feed URLs
 * a calendar app subscribes to without a key.
 */
import request from 'supertest';
import { policySchema } from '../../domain/policy';
import { bearer, KEYS, useApiStack } from '../helpers/api-stack';
import { decideByLink, toGrantReview } from '../helpers/grant-review';
import { icalTime, parseICal, type ICalEvent } from '../helpers/ical';
import { setReviewDurations, testPolicyFile } from '../helpers/policy';
import { uniqueId } from '../helpers/fixtures';

/** Steps due in ten minutes: nothing escalates while a test looks at it. */
function policy() {
  const file = testPolicyFile();
  setReviewDurations(file, 600, 3000);
  file.reminders = { every: '600s' };
  return policySchema.parse(file);
}

// Its own record store: the agency's and the funder's feeds list every project of theirs, which here are this file's.
const stack = useApiStack({ policy: policy(), ownRecordStore: true });
const api = () => request(stack.app);
const asCoordinator = bearer(KEYS.coordinator);
const asFunder = bearer(KEYS.funder);
const asAgency = bearer(KEYS.agency);

const projectFeed = (id: string) => `/v1/projects/${id}/calendar.ics`;
const AGENCY_FEED = '/v1/agencies/de-bafa/calendar.ics';
const FUNDER_FEED = '/v1/funders/horizon-eu/calendar.ics';
const stepUid = (workflowId: string, stepId: string) => `step/${workflowId}/${stepId}@reviews.test`;
/** An iCalendar date-time holds whole seconds. */
const toSecond = (at: string | number) => Math.floor((typeof at === 'string' ? Date.parse(at) : at) / 1000) * 1000;

/** Reads a feed and parses it; fails unless 200 with an iCalendar file. */
async function feed(path: string, auth: Record<string, string> = {}): Promise<Map<string, ICalEvent['props']>> {
  const res = await api().get(path).set(auth);
  expect({ path, status: res.status, type: res.headers['content-type'] }).toEqual({ path, status: 200, type: 'text/calendar; charset=utf-8' });
  return new Map(parseICal(res.text).events.map((e) => [e.props.UID, e.props]));
}

/** Polls a feed until `ready` holds of it. */
async function feedUntil(path: string, auth: Record<string, string>, ready: (events: Map<string, ICalEvent['props']>) => boolean, what: string) {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const events = await feed(path, auth);
    if (ready(events)) return events;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; the feed holds ${[...events.keys()].join(', ')}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

test("a project's dates: open steps with who is awaited, gone once decided; a moved due time keeps its UID with a higher SEQUENCE", async () => {
  const { projectId, title } = await toGrantReview(stack, 'Calendar');
  const workflowId = `project-${projectId}`;
  const view = await stack.view(projectId);
  const events = await feed(projectFeed(projectId), asCoordinator);
  for (const stepId of ['grant-funder', 'grant-agency']) {
    const step = view.openSteps.find((s) => s.stepId === stepId)!;
    const event = events.get(stepUid(workflowId, stepId));
    expect({ stepId, start: event && icalTime(event.DTSTART) }).toEqual({ stepId, start: toSecond(step.dueAt) });
    expect(event!.SUMMARY).toContain(`awaiting ${step.partyName} (${step.reviewer})`);
    expect(Number(event!.SEQUENCE)).toBeGreaterThanOrEqual(1);
  }
  // Each party's feed holds its own step only; another funder's key does not see the project.
  expect([...(await feed(FUNDER_FEED, asFunder)).keys()]).toContain(stepUid(workflowId, 'grant-funder'));
  expect([...(await feed(FUNDER_FEED, asFunder)).keys()]).not.toContain(stepUid(workflowId, 'grant-agency'));
  expect([...(await feed(AGENCY_FEED, asAgency)).keys()]).toContain(stepUid(workflowId, 'grant-agency'));
  expect([...(await feed(AGENCY_FEED, asAgency)).keys()]).not.toContain(stepUid(workflowId, 'grant-funder'));
  expect((await api().get(projectFeed(projectId)).set(bearer(KEYS.otherFunder))).status).toBe(404);

  // Decided, a step leaves every feed.
  await decideByLink(stack, projectId, title, 'grant-funder', { decision: 'approve' });
  const afterGrant = await feedUntil(projectFeed(projectId), asCoordinator, (e) => !e.has(stepUid(workflowId, 'grant-funder')), 'grant-funder gone');
  expect(afterGrant.has(stepUid(workflowId, 'grant-agency'))).toBe(true);
  expect((await feed(FUNDER_FEED, asFunder)).has(stepUid(workflowId, 'grant-funder'))).toBe(false);
  await decideByLink(stack, projectId, title, 'grant-agency', { decision: 'approve' });

  // The licence step: its clock stops for information (dated by when the case is returned), then resumes, due later.
  const licenceWorkflow = `licence-${projectId}--c1`;
  const uid = stepUid(licenceWorkflow, 'c1-de-bafa');
  const opened = (await feedUntil(projectFeed(projectId), asCoordinator, (e) => e.has(uid), 'the licence step'))!.get(uid)!;
  expect((await feed(AGENCY_FEED, asAgency)).get(uid)?.SUMMARY).toContain('awaiting Bundesamt für Wirtschaft und Ausfuhrkontrolle (BAFA)');
  await decideByLink(stack, projectId, title, 'c1-de-bafa', { decision: 'request-info', comment: 'Which FPGA part number?' });
  const stopped = (await feedUntil(projectFeed(projectId), asCoordinator, (e) => !!e.get(uid)?.SUMMARY.startsWith('Information due'), 'stopped'))!.get(uid)!;
  const stoppedStep = (await stack.view(projectId)).steps.find((s) => s.stepId === 'c1-de-bafa')!;
  expect(icalTime(stopped.DTSTART)).toBe(toSecond(stoppedStep.infoRequest!.returnAt!));
  expect(stopped.SUMMARY).toContain("awaiting the coordinator's information");
  // Stopped for over a second, so the resumed due time is later at the feed's one-second precision too.
  await new Promise((r) => setTimeout(r, Math.max(0, Date.parse(stoppedStep.infoRequest!.askedAt) + 1100 - Date.now())));
  const answered = await api().post(`/v1/projects/${projectId}/info`).set(asCoordinator).send({ stepId: 'c1-de-bafa', answer: 'XQRKU060' });
  expect(answered.status).toBe(200);
  const resumed = (await feed(projectFeed(projectId), asCoordinator)).get(uid)!;
  expect(icalTime(resumed.DTSTART)).toBe(toSecond(answered.body.dueAt));
  expect(icalTime(resumed.DTSTART)).toBeGreaterThan(icalTime(opened.DTSTART));
  expect(Number(resumed.SEQUENCE)).toBeGreaterThan(Number(stopped.SEQUENCE));
  expect(Number(stopped.SEQUENCE)).toBeGreaterThan(Number(opened.SEQUENCE));
  expect(icalTime(resumed['LAST-MODIFIED'])).toBeGreaterThanOrEqual(icalTime(opened['LAST-MODIFIED']));

  // Granted: the step is gone; the licence's expiry, renewal reminder and report due dates are there.
  await decideByLink(stack, projectId, title, 'c1-de-bafa', { decision: 'approve' });
  const granted = await stack.waitForView(projectId, (v) => v.components[0].licence.status === 'approved', 'licence granted');
  const licence = granted.components[0].licence;
  const id = `${projectId}/c1/${licence.licenceId}`;
  const withLicence = await feedUntil(projectFeed(projectId), asCoordinator, (e) => e.has(`licence-expiry/${id}@reviews.test`), 'the licence');
  expect(withLicence.has(uid)).toBe(false);
  expect(icalTime(withLicence.get(`licence-expiry/${id}@reviews.test`)!.DTSTART)).toBe(toSecond(licence.validUntil!));
  const renewal = withLicence.get(`licence-renewal/${id}@reviews.test`)!;
  expect(icalTime(renewal.DTSTART)).toBe(toSecond(Date.parse(licence.validUntil!) - stack.policy.compliance.renewalReminderBefore));
  expect(withLicence.has(`report/${id}/1@reviews.test`)).toBe(true);
  // The issuer's feed has the expiry only: renewals and reports are the coordinator's.
  const agency = await feed(AGENCY_FEED, asAgency);
  expect(agency.has(`licence-expiry/${id}@reviews.test`)).toBe(true);
  expect(agency.has(`licence-renewal/${id}@reviews.test`)).toBe(false);

  // A funder cycle that reviews the project: its close is in the project's feed and the funder's, not the agency's.
  const cycleId = uniqueId('cal-cycle');
  const closesAt = new Date(Date.now() + 600_000).toISOString();
  expect(
    (
      await api()
        .post('/v1/cycles')
        .set(asFunder)
        .send({ cycleId, name: 'Calendar review', closesAt, projectIds: [projectId] })
    ).status,
  ).toBe(202);
  const cycleUid = `cycle-close/${cycleId}@reviews.test`;
  const withCycle = await feedUntil(projectFeed(projectId), asCoordinator, (e) => e.has(cycleUid), 'the cycle');
  expect(icalTime(withCycle.get(cycleUid)!.DTSTART)).toBe(toSecond(closesAt));
  expect((await feed(FUNDER_FEED, asFunder)).has(cycleUid)).toBe(true);
  expect((await feed(AGENCY_FEED, asAgency)).has(cycleUid)).toBe(false);
});

test('feeds are their own party’s only: another agency or funder is 403, a project is not an agency’s to read', async () => {
  expect((await api().get('/v1/agencies/us-bis/calendar.ics').set(asAgency)).status).toBe(403);
  expect((await api().get('/v1/funders/nsf/calendar.ics').set(asFunder)).status).toBe(403);
  expect((await api().get(FUNDER_FEED).set(asAgency)).status).toBe(403);
  expect((await api().get(AGENCY_FEED).set(asCoordinator)).status).toBe(403);
  expect((await api().get('/v1/agencies/no-such-agency/calendar.ics').set(bearer(KEYS.admin))).status).toBe(404);
  expect((await api().get(AGENCY_FEED).set(bearer(KEYS.admin))).status).toBe(200);
  expect((await api().get(AGENCY_FEED)).status).toBe(401);
  expect((await api().get(projectFeed('any-project')).set(asAgency)).status).toBe(403);
});

test('a signed feed URL reads the feed without a key, for that feed only; tampered, it is 401; sign-out everywhere ends it', async () => {
  const { projectId } = await toGrantReview(stack, 'Calendar link');
  const path = projectFeed(projectId);
  const bad = await api().post('/v1/calendar-links').set(asCoordinator).send({ feed: '/v1/projects/x/audit' });
  expect(bad.status).toBe(400);
  expect(bad.body.error.details[0].path).toBe('body.feed');
  expect((await api().post('/v1/calendar-links').set(bearer(KEYS.otherCoordinator)).send({ feed: path })).status).toBe(404);
  expect((await api().post('/v1/calendar-links').set(asAgency).send({ feed: '/v1/agencies/us-bis/calendar.ics' })).status).toBe(403);

  const issued = await api().post('/v1/calendar-links').set(asCoordinator).send({ feed: path });
  expect(issued.status).toBe(201);
  const url = new URL(issued.body.url);
  expect(`${url.origin}${url.pathname}`).toBe(`http://reviews.test${path}`);
  expect(issued.body.webcal).toBe(issued.body.url.replace(/^http:/, 'webcal:'));
  const token = url.searchParams.get('token')!;
  const withKey = await feed(path, asCoordinator);
  const withToken = await feed(`${path}?token=${token}`);
  expect([...withToken.keys()]).toEqual([...withKey.keys()]);
  expect(withToken.has(stepUid(`project-${projectId}`, 'grant-agency'))).toBe(true);

  // Tampered (one character of the signature, or of the claims), or used on another feed: 401, and nothing read.
  const flip = (s: string, at: number) => s.slice(0, at) + (s[at] === 'A' ? 'B' : 'A') + s.slice(at + 1);
  const tampered = [flip(token, token.length - 2), flip(token, 3), `${token}x`, 'not-a-token'];
  for (const t of tampered) {
    const res = await api().get(`${path}?token=${encodeURIComponent(t)}`);
    expect({ t, status: res.status, code: res.body?.error?.code }).toEqual({ t, status: 401, code: 'UNAUTHORIZED' });
  }
  expect((await api().get(`/v1/agencies/de-bafa/calendar.ics?token=${token}`)).status).toBe(401);
  expect((await api().get(`${FUNDER_FEED}?token=${token}`)).status).toBe(401);

  // An agency's own feed URL works for it.
  const agencyLink = await api().post('/v1/calendar-links').set(asAgency).send({ feed: AGENCY_FEED });
  expect(agencyLink.status).toBe(201);
  const agencyToken = new URL(agencyLink.body.url).searchParams.get('token')!;
  expect((await feed(`${AGENCY_FEED}?token=${agencyToken}`)).has(stepUid(`project-${projectId}`, 'grant-agency'))).toBe(true);

  // Sign out everywhere ends the coordinator's feed URLs issued until then; a new one works.
  await new Promise((r) => setTimeout(r, 5));
  expect((await api().post('/v1/sessions/revoke').set(asCoordinator).send({})).status).toBe(200);
  const revoked = await api().get(`${path}?token=${token}`);
  expect(revoked.status).toBe(401);
  expect(revoked.body.error.message).toContain('signed out everywhere');
  await new Promise((r) => setTimeout(r, 5));
  const again = await api().post('/v1/calendar-links').set(asCoordinator).send({ feed: path });
  expect((await api().get(`${path}?token=${new URL(again.body.url).searchParams.get('token')}`)).status).toBe(200);
  // The agency's URL is another principal's: it still works.
  expect((await api().get(`${AGENCY_FEED}?token=${agencyToken}`)).status).toBe(200);
});
