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
    decision: z.enum(['approve', 'deny', 'request-info', 'appeal', 'accept'], { message: 'choose one of the decisions on the page' }),
    comment: z.string().trim().max(4000, 'must be at most 4000 characters').optional(),
    legalBasis: z.string().trim().max(2000, 'must be at most 2000 characters').optional(),
  })
  .transform((b) => ({ ...b, comment: b.comment || undefined, legalBasis: b.legalBasis || undefined }))
  .superRefine((b, ctx) => {
    if (b.decision === 'deny' && !b.legalBasis) ctx.addIssue({ code: 'custom', path: ['legalBasis'], message: 'a denial must cite its legal basis' });
    if (b.decision === 'appeal' && !b.legalBasis) ctx.addIssue({ code: 'custom', path: ['legalBasis'], message: 'an appeal must state its legal basis, in writing' });
    if (b.decision === 'request-info' && !b.comment) ctx.addIssue({ code: 'custom', path: ['comment'], message: 'say what information you need' });
  });
export type DecisionBody = z.output<typeof decisionBody>;

export const infoBody = z.strictObject({
  stepId: slug,
  answer: text(8000),
});

const writtenBasis = 'an appeal must state its legal basis, in writing';
export const appealBody = z.strictObject({
  componentId: slug,
  legalBasis: z.string({ message: writtenBasis }).trim().min(1, writtenBasis).max(2000, 'must be at most 2000 characters'),
  comment: text(4000).optional(),
});
