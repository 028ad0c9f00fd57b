/** Small zod building blocks shared by the policy, the project submission and the API. */
import { z } from 'zod';

export const slug = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'must be 1–64 letters, digits, ".", "_" or "-", starting with a letter or digit');

export const countryCode = z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166 alpha-2 country code such as "DE"');

export const email = z.email('must be an e-mail address').max(254);

export const text = (max: number) => z.string().trim().min(1, 'must not be empty').max(max, `must be at most ${max} characters`);

export const isoDateTime = z.iso.datetime({ offset: true, message: 'must be an ISO 8601 date-time such as 2027-06-30T00:00:00Z' });
