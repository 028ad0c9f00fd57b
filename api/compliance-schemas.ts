/** Request schemas of the compliance routes (api/routes/reports.ts): the period's report and a corrective action's resolution. */
import { z } from 'zod';
import { countryCode, slug, text } from '../domain/primitives';

export const MAX_SHIPMENTS = 1000;

const shipment = z.strictObject({
  destination: countryCode,
  endUser: text(300),
  quantity: z.number().positive('must be more than 0').optional(),
  date: z.iso.date({ message: 'must be an ISO 8601 date such as 2027-03-01' }),
});

export const reportBody = z.strictObject({
  componentId: slug,
  period: z.number({ message: 'must be a whole number, 1 or more' }).int('must be a whole number, 1 or more').min(1, 'must be a whole number, 1 or more'),
  endUseConfirmed: z.boolean({ message: 'must be true or false: does the coordinator confirm the licensed end use?' }),
  shipments: z
    .array(shipment, { message: 'must be a list of shipments (empty when nothing was shipped)' })
    .max(MAX_SHIPMENTS, `must hold at most ${MAX_SHIPMENTS} shipments`),
  notes: z.string().trim().max(4000, 'must be at most 4000 characters').optional(),
});
export type ReportBody = z.output<typeof reportBody>;

/** `:actionId` has the shape `<componentId>-ca-<period>`. */
export const correctiveActionParams = z.object({
  id: slug,
  actionId: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}-ca-[1-9][0-9]{0,5}$/, 'must be a corrective action id such as "c1-ca-2"'),
});

export const resolutionBody = z.strictObject({
  note: text(4000),
});
