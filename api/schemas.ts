/** Request schemas of the routes other than project submission (which lives in domain/project.ts). */
import { z } from 'zod';
import { tierSchema } from '../domain/policy';
import { slug, text } from '../domain/primitives';

export const projectIdParam = z.object({ id: slug });

export const scopingBody = z.strictObject({
  overrides: z
    .array(z.strictObject({ componentId: slug, tier: tierSchema, justification: text(2000).optional() }))
    .max(100)
    .default([]),
});

export const withdrawBody = z.strictObject({
  reason: text(1000).default('withdrawn by the coordinator'),
});

export const auditQueryParams = z.strictObject({ format: z.enum(['json', 'csv']).default('json') });

export const decisionBody = z
  .strictObject({
    decision: z.enum(['approve', 'deny', 'request-info'], { message: 'choose approve, deny or request-info' }),
    comment: z.string().trim().max(4000, 'must be at most 4000 characters').optional(),
    legalBasis: z.string().trim().max(2000, 'must be at most 2000 characters').optional(),
  })
  .transform((b) => ({ ...b, comment: b.comment || undefined, legalBasis: b.legalBasis || undefined }))
  .superRefine((b, ctx) => {
    if (b.decision === 'deny' && !b.legalBasis) ctx.addIssue({ code: 'custom', path: ['legalBasis'], message: 'a denial must cite its legal basis' });
    if (b.decision === 'request-info' && !b.comment) ctx.addIssue({ code: 'custom', path: ['comment'], message: 'say what information you need' });
  });
export type DecisionBody = z.output<typeof decisionBody>;
