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
  const asCoordinator = bearer(KEYS.coordinator);
  const projectId = uniqueId('rl');
  const title = `${titlePrefix} ${projectId}`;
  expect(
    (
      await request(stack.app)
        .post('/v1/projects')
        .set(asCoordinator)
        .send({ ...smallProject(projectId), title })
    ).status,
  ).toBe(201);
  await stack.waitForView(projectId, (v) => v.components.every((c) => c.tier !== null), 'classification');
  expect((await request(stack.app).post(`/v1/projects/${projectId}/scoping`).set(asCoordinator).send({})).status).toBe(200);

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
