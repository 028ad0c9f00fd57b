/** Request schemas of the routes other than project submission (which lives in domain/project.ts). */
import { z } from 'zod';
import { tierSchema } from '../domain/policy';
import { BASIS_DECISIONS, basisRequiredMessage, CONDITION_LIMITS, DECISIONS } from '../domain/step-kinds';
import { slug, text } from '../domain/primitives';

export const projectIdParam = z.object({ id: slug });
export const componentParam = z.object({ componentId: slug });

export const scopingBody = z.strictObject({
  overrides: z
    .array(z.strictObject({ componentId: slug, tier: tierSchema, justification: text(2000).optional() }))
    .max(100)
    .default([]),
});

export const withdrawBody = z.strictObject({
  reason: text(1000).default('withdrawn by the coordinator'),
});

/** A coordinator's user id, as API_KEYS scopes it (`coordinator:<userId>`). */
const userId = z.string({ message: "the delegate coordinator's user id" }).regex(/^[A-Za-z0-9._@-]{1,100}$/, 'a user id: letters, digits, and . _ @ -');
export const delegateBody = z.strictObject({ userId });
export const delegateParam = z.object({ userId });

const STAGES = ['scoping', 'grant-review', 'active', 'rejected', 'withdrawn', 'closed'] as const;

/** `GET /v1/projects`: filters, and a page of `limit` after `cursor` (a previous page's nextCursor). */
export const projectListQuery = z.strictObject({
  stage: z.enum(STAGES).optional(),
  funderId: slug.optional(),
  agency: slug.optional(),
  q: text(200).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z
    .string()
    .max(200)
    .regex(/^[A-Za-z0-9_-]+$/, "a previous page's nextCursor")
    .optional(),
});

export const auditQueryParams = z.strictObject({ format: z.enum(['json', 'csv']).default('json') });

/** Conditions as JSON (an array of strings) or from the page's textarea (one per line); blank lines dropped. */
const conditionList = z.preprocess(
  (v) => (typeof v === 'string' ? v.split(/\r?\n/) : v),
  z
    .array(z.string().trim().max(CONDITION_LIMITS.length, `each condition must be at most ${CONDITION_LIMITS.length} characters`))
    .transform((lines) => lines.filter(Boolean))
    .pipe(z.array(z.string()).max(CONDITION_LIMITS.count, `at most ${CONDITION_LIMITS.count} conditions`)),
);

export const decisionBody = z
  .strictObject({
    decision: z.enum(DECISIONS, { message: 'choose one of the decisions on the page' }),
    comment: z.string().trim().max(4000, 'must be at most 4000 characters').optional(),
    legalBasis: z.string().trim().max(2000, 'must be at most 2000 characters').optional(),
    conditions: conditionList.optional(),
  })
  .transform((b) => ({
    ...b,
    comment: b.comment || undefined,
    legalBasis: b.legalBasis || undefined,
    conditions: b.conditions?.length ? b.conditions : undefined,
  }))
  .superRefine((b, ctx) => {
    // Which step kinds need a legal basis is in domain/step-kinds.ts; the workflow checks it again for the step's own kind.
    if (BASIS_DECISIONS.includes(b.decision) && !b.legalBasis)
      ctx.addIssue({ code: 'custom', path: ['legalBasis'], message: basisRequiredMessage(b.decision) });
    if (b.decision === 'request-info' && !b.comment) ctx.addIssue({ code: 'custom', path: ['comment'], message: 'say what information you need' });
    if (b.conditions && b.decision !== 'approve') ctx.addIssue({ code: 'custom', path: ['conditions'], message: 'conditions go with an approval' });
  });
export type DecisionBody = z.output<typeof decisionBody>;

export const infoBody = z.strictObject({
  stepId: slug,
  answer: text(8000),
});

const writtenBasis = basisRequiredMessage('appeal');
export const appealBody = z.strictObject({
  componentId: slug,
  legalBasis: z.string({ message: writtenBasis }).trim().min(1, writtenBasis).max(2000, 'must be at most 2000 characters'),
  comment: text(4000).optional(),
});
