/**
 * Text the record store can keep. PostgreSQL refuses a NUL character and a lone UTF-16 surrogate (half of a pair,
 * which JSON can spell as "\udfff") in text and in jsonb: a submission carrying one would be started, then never
 * recorded (its every write refused, retried without end). So every string a request brings, in its body or its
 * query, names or values, is checked before any route sees it: one that cannot be kept is a 400 naming where it is.
 */
import type { RequestHandler } from 'express';
import { ApiError, type ErrorDetail } from './errors';

const NUL = '\u0000';
/** A high surrogate not followed by a low one, or a low one not preceded by a high one. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function problem(text: string): string | undefined {
  if (text.includes(NUL)) return 'contains a NUL character, which cannot be stored';
  if (LONE_SURROGATE.test(text)) return 'contains half of a UTF-16 surrogate pair (not a character), which cannot be stored';
  return undefined;
}

/** Where in `value` a string (a name or a value) cannot be stored, and why. */
export function unstorableText(value: unknown, path: string): ErrorDetail[] {
  if (typeof value === 'string') {
    const why = problem(value);
    return why ? [{ path, message: why }] : [];
  }
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, v]) => {
    const why = problem(key);
    return why ? [{ path: `${path}.${key.replace(/[\u0000\ud800-\udfff]/g, '?')}`, message: `this field's name ${why}` }] : unstorableText(v, `${path}.${key}`);
  });
}

/** Refuses a request whose body or query holds text the record store cannot keep. */
export const storableText: RequestHandler = (req, _res, next) => {
  const details = [...unstorableText(req.body, 'body'), ...unstorableText(req.query, 'query')];
  if (!details.length) return next();
  next(new ApiError('VALIDATION_FAILED', `invalid request: ${details.map((d) => `${d.path} ${d.message}`).join('; ')}`, details));
};
