/** The shipped default policy with every duration in seconds, so tests run day-long SLAs quickly. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { policySchema, type Policy, type PolicyFile } from '../../domain/policy';

export const DEFAULT_POLICY_FILE = path.resolve(__dirname, '../../policy/default.json');

export function defaultPolicyFile(): PolicyFile {
  return JSON.parse(readFileSync(DEFAULT_POLICY_FILE, 'utf8'));
}

/** Every review step due after `review` seconds and every case after `caseLimit`: the SLAs, the regimes' consultations and limits. */
export function setReviewDurations(file: PolicyFile, review: number, caseLimit: number): void {
  const [r, c] = [`${review}s`, `${caseLimit}s`];
  file.sla = {
    grantReview: r,
    tierLoweringReview: r,
    agencyReview: r,
    seniorSignOff: r,
    infoRequestWithin: `${review / 2}s`,
    returnUnansweredAfter: c,
    resubmitWithin: r,
    caseLimit: c,
    acknowledgeWithin: r,
    deemedExportReview: r,
    postProjectReview: r,
  };
  for (const regime of Object.values(file.regimes)) {
    regime.consultation.within = r;
    if (regime.caseLimit) regime.caseLimit = c;
  }
}

export function testPolicyFile(): PolicyFile {
  const file = defaultPolicyFile();
  file.version = 'test-seconds';
  setReviewDurations(file, 60, 300);
  for (const regime of Object.values(file.regimes)) {
    if (regime.intentToDeny) regime.intentToDeny = { respondWithin: '30s', finalAfter: '60s' };
  }
  for (const agency of file.agencies) {
    if (agency.appealBody) agency.appealBody = { ...agency.appealBody, appealWithin: '60s', decideWithin: '60s' };
  }
  // A closed project's review lapses soon: a test that waits for a closed project's workflow to end waits seconds.
  file.sla.postProjectReview = '3s';
  file.reminders = { every: '20s' };
  file.links = { validFor: '1h' };
  file.compliance = {
    reportDueWithin: '20s',
    correctiveActionWithin: '20s',
    suspensionBeforeRevocation: '20s',
    holderAnswerWithin: '20s',
    issuerDecisionWithin: '20s',
    renewalReminderBefore: '30s',
    missedReport: 'corrective-action',
  };
  // Small enough that a test sends a file over the limit cheaply; links short enough to run out.
  file.documents = { allowedTypes: ['application/pdf', 'image/png', 'text/plain', 'text/csv'], maxBytes: 256 * 1024, maxFiles: 3, linkValidFor: '10m' };
  return file;
}

export function testPolicy(): Policy {
  return policySchema.parse(testPolicyFile());
}
