/**
 * People on a project (DESIGN §8 "People and technology control plans"): who works on it, for which partner, with
 * which citizenship(s) and country of permanent residence. A component names who will have access to it
 * (`access: [personId]`); a release of controlled software or technology to a person the regime treats as foreign
 * is a deemed export (domain/deemed-exports.ts).
 */
import { z } from 'zod';
import { countryCode, email, slug, text } from './primitives';

export const personSchema = z.strictObject({
  id: slug,
  name: text(200),
  email,
  /** The partner the person works for: the licensing agency of its country reviews a release to them. */
  partnerId: slug,
  /** Every citizenship the person holds, the most recent last. */
  citizenship: z.array(countryCode).min(1, 'must name at least one country of citizenship').max(5),
  /** The country of permanent residence. */
  residence: countryCode,
});

export type Person = z.output<typeof personSchema>;

/** The people a component is opened to: its `access` list (absent: nobody named). */
export const accessSchema = z
  .array(slug)
  .max(200)
  .optional()
  .describe('ids of the people (in `people`) who will have access to the component: a release of its software or technology to them');
