/**
 * CSRF protection of the pages' forms: csrf-csrf's signed double-submit. Each form carries a token (`_csrf`) that is an
 * HMAC, under a key derived from LINK_SECRET, of a random value kept in an HttpOnly cookie and of the sign-in cookie
 * itself, so a token is good only in the browser and the session it was given to. SameSite=Strict cookies and
 * Sec-Fetch-Site are kept too, but do not stand alone. A form that passes is marked (./cookie-writes.ts): only then may
 * the sign-in cookie write.
 */
import { createHmac } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import { doubleCsrf } from 'csrf-csrf';
import { SESSION_COOKIE } from '../session';
import { allowCookieWrites } from './cookie-writes';

export const CSRF_FIELD = '_csrf';

export interface Csrf {
  /** The token for the forms of the page being answered (sets its cookie when the browser has none yet). */
  token(req: Request, res: Response): string;
  /** Refuses a write without a good token (403, the error's code EBADCSRFTOKEN); marks the request when it passes. */
  protect: RequestHandler;
}

export function pageCsrf(linkSecret: string, publicUrl: string): Csrf {
  const secure = new URL(publicUrl).protocol === 'https:';
  const secret = createHmac('sha256', linkSecret).update('lr_csrf/v1').digest('base64url');
  const { generateCsrfToken, doubleCsrfProtection } = doubleCsrf({
    getSecret: () => secret,
    getSessionIdentifier: (req) => String(req.cookies?.[SESSION_COOKIE] ?? ''),
    // __Host- binds the cookie to this origin, and needs Secure: over plain http (development) it is named plainly.
    cookieName: secure ? '__Host-lr_csrf' : 'lr_csrf',
    cookieOptions: { sameSite: 'strict', secure, path: '/', httpOnly: true },
    getCsrfTokenFromRequest: (req) => (req.body as Record<string, unknown> | undefined)?.[CSRF_FIELD] as string | undefined,
  });
  return {
    token: (req, res) => generateCsrfToken(req, res),
    protect: (req, res, next) =>
      doubleCsrfProtection(req, res, (err?: unknown) => {
        if (err) return next(err);
        allowCookieWrites(req);
        next();
      }),
  };
}
