/**
 * Control-list catalogue and restricted-party list: the reference data that
 * classification runs against. Both ship as replaceable JSON files.
 */
import { z } from 'zod';
import { countryCode } from './primitives';

/** EU Annex I / Wassenaar / US ECCN shape (`3A001`), military list (`ML22`), or `EAR99`. */
export const controlCodeSchema = z
  .string()
  .regex(/^([0-9][A-E][0-9]{3}[a-z0-9.]*|ML([1-9]|1[0-9]|2[0-2])[a-z]?|EAR99)$/, 'must look like "3A001", "ML22" or "EAR99"');

export const catalogueSchema = z.object({
  version: z.string(),
  entries: z
    .array(
      z.object({
        code: controlCodeSchema,
        description: z.string(),
        reasons: z.array(z.string()).min(1),
        list: z.enum(['dual-use', 'military']),
      }),
    )
    .min(1),
});
export type Catalogue = z.infer<typeof catalogueSchema>;
export type CatalogueEntry = Catalogue['entries'][number];

export const restrictedPartiesSchema = z.object({
  version: z.string(),
  parties: z.array(
    z.object({
      name: z.string().min(1),
      aliases: z.array(z.string()).default([]),
      country: countryCode,
      list: z.string().min(1),
    }),
  ),
});
export type RestrictedParties = z.output<typeof restrictedPartiesSchema>;

/** Kept in a zod-free module so workflows can use it. */
export { isMilitaryCode } from './military';

/** Case, punctuation and legal-form insensitive name key for screening (kept in a zod-free module so workflows can use it). */
export { partyNameKey } from './party-names';
