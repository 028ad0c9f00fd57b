/** The policy's optional `compliance` section (domain/policy.ts): shipped values, defaults when absent, each bad value named. */
import { COMPLIANCE_DEFAULTS } from '../../domain/compliance-calendar';
import { policySchema } from '../../domain/policy';
import { defaultPolicyFile } from '../helpers/policy';

const DAY = 86_400_000;

test(
  'the shipped policy asks for reports 30 days after each period, 30 days per corrective action ' +
    'and of suspension, hears the holder 14 days and gives the issuer 30, renewal 90 days ahead',
  () => {
    expect(policySchema.parse(defaultPolicyFile()).compliance).toEqual({
      reportDueWithin: 30 * DAY,
      correctiveActionWithin: 30 * DAY,
      suspensionBeforeRevocation: 30 * DAY,
      holderAnswerWithin: 14 * DAY,
      issuerDecisionWithin: 30 * DAY,
      renewalReminderBefore: 90 * DAY,
      missedReport: 'corrective-action',
    });
  },
);

test('a policy without the section, or with part of it, gets the defaults for what is missing', () => {
  const without = defaultPolicyFile();
  delete without.compliance;
  expect(policySchema.parse(without).compliance).toEqual(COMPLIANCE_DEFAULTS);
  const partial = defaultPolicyFile();
  partial.compliance = { reportDueWithin: '10s', missedReport: 'record-only' };
  expect(policySchema.parse(partial).compliance).toEqual({ ...COMPLIANCE_DEFAULTS, reportDueWithin: 10_000, missedReport: 'record-only' });
});

test('a bad compliance value is named by its path', () => {
  const file = defaultPolicyFile();
  file.compliance = { correctiveActionWithin: 'soon', missedReport: 'ignore' as never };
  const issues = policySchema.safeParse(file).error!.issues.map((i) => i.path.join('.'));
  expect(issues).toEqual(['compliance.correctiveActionWithin', 'compliance.missedReport']);
});
