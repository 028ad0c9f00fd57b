/**
 * Every e-mail the system sends is rendered here, from the intent a workflow sent
 * (workflows/mail-intents.ts). One renderer per kind; the map's type makes a new kind
 * without a renderer a compile error.
 */
import type { NoticeIntent, NoticeKind } from '../../workflows/mail-intents';
import * as cases from './case-mails';
import * as compliance from './compliance-mails';
import type { RenderedMail } from './rendered';
import * as reviews from './review-mails';

export { reviewRequestMail, stepClosedMail } from './review-mails';
export type { RenderedMail } from './rendered';

/** `link`: the signed decision link of an intent that asks for one (`linkUntil`). */
const RENDERERS: { [K in NoticeKind]: (intent: Extract<NoticeIntent, { kind: K }>, link?: string) => RenderedMail } = {
  'step-reminder': reviews.stepReminderMail,
  'step-escalated': reviews.stepEscalatedMail,
  'info-requested': reviews.infoRequestedMail,
  'info-reminder': reviews.infoReminderMail,
  'info-answered': reviews.infoAnsweredMail,
  'step-reassigned': reviews.stepReassignedMail,
  'licence-returned': cases.licenceReturnedMail,
  'out-of-time': cases.outOfTimeMail,
  'scoping-ready': cases.scopingReadyMail,
  'grant-rejected': cases.grantRejectedMail,
  'licensing-complete': cases.licensingCompleteMail,
  'project-closed': cases.projectClosedMail,
  'project-withdrawn': cases.projectWithdrawnMail,
  'amendment-applied': cases.amendmentAppliedMail,
  'tranche-releasable': cases.trancheReleasableMail,
  'cycle-incomplete': cases.cycleIncompleteMail,
  'report-request': compliance.reportRequestMail,
  'corrective-action': compliance.correctiveActionMail,
  'licence-suspended': compliance.suspensionMail,
  'licence-reinstated': compliance.reinstatementMail,
  'licence-revoked': compliance.revocationMail,
  'renewal-reminder': compliance.renewalReminderMail,
  'licence-expired': compliance.expiryMail,
};

export const NOTICE_KINDS = Object.keys(RENDERERS) as NoticeKind[];

export function renderNotice(intent: NoticeIntent, link?: string): RenderedMail {
  const render = RENDERERS[intent.kind] as (i: NoticeIntent, link?: string) => RenderedMail;
  if (!render) throw new Error(`no e-mail renderer for notice kind "${String((intent as { kind?: unknown }).kind)}"`);
  return render(intent, link);
}
