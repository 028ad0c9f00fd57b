/**
 * The step-kind table (domain/step-kinds.ts) and what reads it without a
 * server: the decision request schema and the decision page.
 */
import { decisionPage } from '../../api/pages';
import { decisionBody } from '../../api/schemas';
import { attributedCondition, BASIS_DECISIONS, CONDITION_LIMITS, DECISIONS, STEP_KINDS, type StepKind } from '../../domain/step-kinds';
import type { StepContext } from '../../records/steps';

const kinds = Object.keys(STEP_KINDS) as StepKind[];

describe('the table', () => {
  test.each(kinds)('%s offers decisions, and requires a legal basis only for decisions it offers', (kind) => {
    const rule = STEP_KINDS[kind];
    expect(rule.decisions.length).toBeGreaterThan(0);
    expect(rule.label).not.toBe('');
    expect(rule.mailSubject).not.toBe('');
    for (const d of rule.basisRequired) expect(rule.decisions).toContain(d);
  });

  test('a denial always cites its legal basis, and so does an appeal', () => {
    for (const kind of kinds) {
      const rule = STEP_KINDS[kind];
      if (rule.decisions.includes('deny')) expect(rule.basisRequired).toContain('deny');
      if (rule.decisions.includes('appeal')) expect(rule.basisRequired).toContain('appeal');
    }
    expect([...BASIS_DECISIONS].sort()).toEqual(['appeal', 'deny', 'respond']);
  });

  test('conditions come from the issuer and the agencies it consults (or a senior in their place); never from advice, a grant, a ruling or an appeal', () => {
    const withConditions = kinds.filter((k) => STEP_KINDS[k].conditions).sort();
    expect(withConditions).toEqual(['consultation', 'deemed-export', 'defence-review', 'escalation', 'issuer-review', 'reconsideration', 'senior-sign-off']);
    for (const kind of withConditions) expect(STEP_KINDS[kind].decisions).toContain('approve');
  });

  test('silence decides nothing the issuer owns: its steps escalate or stay open; only consulted parties’ silence is no objection', () => {
    const bySilence = (rule: string) => kinds.filter((k) => STEP_KINDS[k].silence === rule).sort();
    expect(bySilence('no-objection')).toEqual(['advisory-review', 'consultation', 'defence-review', 'essential-security']);
    expect(bySilence('lapses')).toEqual(['appeal', 'holder-hearing', 'intent-to-deny', 'post-project-review']);
    expect(bySilence('stays-open')).toEqual(['acknowledgement', 'escalation', 'milestone-review', 'reconsideration']);
    expect(bySilence('escalate')).toEqual([
      'deemed-export',
      'grant-agency',
      'grant-funder',
      'issuer-review',
      'no-licence-finding',
      'ruling',
      'sanction-decision',
      'senior-sign-off',
      'tier-lowering',
    ]);
    for (const kind of kinds) expect(STEP_KINDS[kind].decidedBy).not.toBe('');
  });

  test('the licensee acknowledges conditions, and does nothing else on that step; the request schema takes every decision the table offers', () => {
    expect(STEP_KINDS.acknowledgement).toMatchObject({ decisions: ['acknowledge'], basisRequired: [], conditions: false, silence: 'stays-open' });
    expect([...DECISIONS].sort()).toEqual(['accept', 'acknowledge', 'appeal', 'approve', 'deny', 'request-info', 'respond', 'review']);
    expect(decisionBody.safeParse({ decision: 'acknowledge' }).success).toBe(true);
    expect(decisionBody.safeParse({ decision: 'waive' }).success).toBe(false);
  });

  test('a condition on the licence names who set it', () => {
    expect(attributedCondition('No re-export', { partyName: 'BAFA', reviewer: 'ausfuhr@bafa.example' })).toBe(
      'No re-export (set by BAFA, ausfuhr@bafa.example)',
    );
  });
});

describe('the decision request', () => {
  const parse = (body: unknown) => decisionBody.safeParse(body);
  const issues = (body: unknown) => {
    const r = parse(body);
    return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  };

  test('conditions come as a JSON array, or one per line from the form; blank lines and spaces are dropped', () => {
    expect(parse({ decision: 'approve', conditions: [' No re-export ', 'Annual report'] })).toMatchObject({
      success: true,
      data: { conditions: ['No re-export', 'Annual report'] },
    });
    expect(parse({ decision: 'approve', conditions: 'No re-export\r\n\n  Annual report  \n' })).toMatchObject({
      success: true,
      data: { conditions: ['No re-export', 'Annual report'] },
    });
    // An empty box is no conditions at all.
    expect(parse({ decision: 'approve', conditions: '\n  \n' })).toMatchObject({ success: true, data: { conditions: undefined } });
  });

  test('conditions go with an approval only, within the limits; each problem is named', () => {
    expect(issues({ decision: 'deny', legalBasis: 'EAR §742.4', conditions: ['x'] })).toEqual(['conditions: conditions go with an approval']);
    expect(issues({ decision: 'approve', conditions: Array.from({ length: CONDITION_LIMITS.count + 1 }, (_, i) => `c${i}`) })).toEqual([
      `conditions: at most ${CONDITION_LIMITS.count} conditions`,
    ]);
    expect(issues({ decision: 'approve', conditions: ['x'.repeat(CONDITION_LIMITS.length + 1)] })).toEqual([
      `conditions.0: each condition must be at most ${CONDITION_LIMITS.length} characters`,
    ]);
    expect(issues({ decision: 'approve', conditions: [42] })).toEqual([expect.stringMatching(/^conditions\.0: /)]);
  });

  test('a denial or an appeal without a legal basis is named; other decisions need none', () => {
    expect(issues({ decision: 'deny' })).toEqual(['legalBasis: a denial must cite its legal basis, in writing']);
    expect(issues({ decision: 'appeal' })).toEqual(['legalBasis: an appeal must state its legal basis, in writing']);
    expect(issues({ decision: 'approve' })).toEqual([]);
    expect(issues({ decision: 'accept' })).toEqual([]);
  });
});

describe('the decision page', () => {
  const context = (kind: StepKind, componentId?: string): StepContext =>
    ({
      step: {
        stepId: 's',
        workflowId: 'w',
        kind,
        party: 'de-bafa',
        partyName: 'BAFA',
        reviewer: 'ausfuhr@bafa.example',
        componentId,
        question: 'Approve?',
        slaMs: 1,
        openedAt: '2027-01-01T00:00:00Z',
        dueAt: '2027-01-31T00:00:00Z',
        status: 'open',
        remindersSent: 0,
        stoppedMs: 0,
      },
      projectId: 'p',
      projectTitle: 'T',
      funderId: 'horizon-eu',
      coordinator: 'C <c@example>',
    }) as StepContext;

  test('asks for a legal basis only where some decision needs one (not on an acknowledgement)', () => {
    expect(decisionPage(context('acknowledgement', 'c1'), '/r/x')).not.toContain('name="legalBasis"');
    expect(decisionPage(context('issuer-review', 'c1'), '/r/x')).toContain('name="legalBasis"');
  });

  test('offers exactly the decisions of its kind', () => {
    for (const kind of kinds) {
      const offered = [...decisionPage(context(kind, 'c1'), '/r/x').matchAll(/name="decision" value="([a-z-]+)"/g)].map((m) => m[1]);
      expect(offered).toEqual(STEP_KINDS[kind].decisions);
    }
  });

  test('offers a request for information only while none is open and its window lasts, and says why not', () => {
    const radios = (html: string) => [...html.matchAll(/name="decision" value="([a-z-]+)"/g)].map((m) => m[1]);
    const ctx = context('issuer-review', 'c1');
    ctx.step.infoRequestUntil = '2027-01-11T00:00:00Z';
    expect(radios(decisionPage(ctx, '/r/x', [], Date.parse('2027-01-10T23:59:00Z')))).toEqual(['approve', 'deny', 'request-info']);
    const late = decisionPage(ctx, '/r/x', [], Date.parse('2027-01-11T00:01:00Z'));
    expect(radios(late)).toEqual(['approve', 'deny']);
    expect(late).toContain('Information could be requested until 2027-01-11 00:00 UTC');
    ctx.step.infoRequest = { question: 'End-user statement?', askedAt: '2027-01-05T09:30:00Z', remainingMs: 1 };
    const waiting = decisionPage(ctx, '/r/x', [], Date.parse('2027-01-06T00:00:00Z'));
    expect(radios(waiting)).toEqual(['approve', 'deny']);
    expect(waiting).toContain('You asked the coordinator on 2027-01-05 09:30 UTC: &quot;End-user statement?&quot;');
  });

  test('has a conditions box on a licence review, and none on a grant or a ruling', () => {
    expect(decisionPage(context('issuer-review', 'c1'), '/r/x')).toContain('name="conditions"');
    expect(decisionPage(context('grant-agency'), '/r/x')).not.toContain('name="conditions"');
    expect(decisionPage(context('ruling', 'c1'), '/r/x')).not.toContain('name="conditions"');
    // An escalated grant step has no licence to put conditions on.
    expect(decisionPage(context('escalation'), '/r/x')).not.toContain('name="conditions"');
  });
});
