/** A one-component (T1) project driven through the API to its grant review, with the two e-mails as they arrived. */
import request from 'supertest';
import { bearer, KEYS, linkTokens, type ApiStack, type Mail } from './api-stack';
import { smallProject, uniqueId } from './fixtures';

export const FUNDER_REVIEWER = 'programme-officer@horizon-eu.example';
export const AGENCY_REVIEWER = 'ausfuhr@bafa.example'; // BAFA: the lead agency of a German-coordinated project

export interface GrantReview {
  projectId: string;
  title: string;
  funderMail: Mail;
  agencyMail: Mail;
  /** The token in each grant e-mail. */
  funderToken: string;
  agencyToken: string;
}

/** The one decision link in a review-request e-mail. */
export function tokenOf(mail: Mail): string {
  const tokens = linkTokens(mail.text);
  expect(tokens).toHaveLength(1);
  return tokens[0];
}

/**
 * Submit a smallProject (its title unique, so its e-mails can be told apart),
 * confirm scoping, and read the two grant review e-mails from MailDev.
 * Returns once the workflow has also recorded both sends, so nothing moves until someone decides.
 */
export async function toGrantReview(stack: ApiStack, titlePrefix = 'Review links'): Promise<GrantReview> {
  const projectId = uniqueId('rl');
  const title = `${titlePrefix} ${projectId}`;
  await submitAndScope(stack, projectId, title);

  const requestTo = (reviewer: string) => (m: Mail) => m.to[0]?.address === reviewer && m.subject.startsWith(`Review requested: ${title} — grant`);
  const funderMail = await stack.waitForMail(requestTo(FUNDER_REVIEWER));
  const agencyMail = await stack.waitForMail(requestTo(AGENCY_REVIEWER));
  await stack.waitForAudit(
    projectId,
    (e) => e.filter((x) => x.action === 'email-sent' && x.stepId?.startsWith('grant-')).length === 2,
    'both grant e-mails recorded',
  );
  return { projectId, title, funderMail, agencyMail, funderToken: tokenOf(funderMail), agencyToken: tokenOf(agencyMail) };
}

/** Decides a step from the link in its e-mail, as its reviewer would (the mail found by the project's title and the step's question). */
export async function decideByLink(stack: ApiStack, projectId: string, title: string, stepId: string, body: Record<string, unknown>): Promise<void> {
  const view = await stack.waitForView(projectId, (v) => v.openSteps.some((s) => s.stepId === stepId), `step ${stepId}`);
  const step = view.openSteps.find((s) => s.stepId === stepId)!;
  const mail = await stack.waitForMail((m) => m.to[0]?.address === step.reviewer && m.subject.includes(title) && m.text.includes(step.question.slice(0, 40)));
  const res = await request(stack.app)
    .post(`/r/${linkTokens(mail.text)[0]}`)
    .set('Accept', 'application/json')
    .send(body);
  expect(res.status).toBe(200);
}

/** A T1 project (c1, exported by KIT to ORNL) through scoping and grant; returns once BAFA's licence step is open. */
export async function toLicenceReview(stack: ApiStack, label: string, titlePrefix: string): Promise<{ projectId: string; title: string }> {
  const projectId = uniqueId(label);
  const title = `${titlePrefix} ${projectId}`;
  await submitAndScope(stack, projectId, title);
  for (const step of ['grant-funder', 'grant-agency']) await decideByLink(stack, projectId, title, step, { decision: 'approve' });
  await stack.waitForView(projectId, (v) => v.openSteps.some((s) => s.stepId === 'c1-de-bafa'), 'licence step');
  return { projectId, title };
}

/** Submits a smallProject under `title` as the coordinator, waits for its classification, and confirms scoping. */
async function submitAndScope(stack: ApiStack, projectId: string, title: string): Promise<void> {
  const asCoordinator = bearer(KEYS.coordinator);
  const submitted = await request(stack.app)
    .post('/v1/projects')
    .set(asCoordinator)
    .send({ ...smallProject(projectId), title });
  expect(submitted.status).toBe(201);
  await stack.waitForView(projectId, (v) => v.components.every((c) => c.tier !== null), 'classification');
  expect((await request(stack.app).post(`/v1/projects/${projectId}/scoping`).set(asCoordinator).send({})).status).toBe(200);
}
