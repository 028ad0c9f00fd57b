/**
 * Which requests may write with the sign-in cookie. A cookie alone is never enough (DESIGN §5): another site can make a
 * signed-in browser send one. A page's form may, once its CSRF token has been checked (./csrf.ts); so may the request
 * that page sends on to the JSON API (./page-api.ts), which carries this process's page secret, a random value that
 * never leaves the process (nothing logs headers). The secret also names the browser's address, so the API's rate
 * limits count the person, not the server.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { RequestHandler } from 'express';

export const PAGE_SECRET_HEADER = 'x-lr-page-secret';
export const PAGE_CLIENT_HEADER = 'x-lr-page-client';
const SECRET = randomBytes(32).toString('base64url');

const allowed = new WeakSet<IncomingMessage>();

/** Marks a page's request whose CSRF token checked. */
export function allowCookieWrites(req: IncomingMessage): void {
  allowed.add(req);
}

/** The headers that say a request comes from this process's pages: to be sent over loopback only. */
export const pageHeaders = (clientAddress: string | undefined) => ({ [PAGE_SECRET_HEADER]: SECRET, [PAGE_CLIENT_HEADER]: clientAddress ?? '' });

function fromPages(req: IncomingMessage): boolean {
  const given = req.headers[PAGE_SECRET_HEADER];
  return typeof given === 'string' && given.length === SECRET.length && timingSafeEqual(Buffer.from(given), Buffer.from(SECRET));
}

export function cookieWritesAllowed(req: IncomingMessage): boolean {
  return allowed.has(req) || fromPages(req);
}

/** First of all the app's middleware: a request from the pages is the browser's, at the browser's address. */
export const pageClientAddress: RequestHandler = (req, _res, next) => {
  const client = req.headers[PAGE_CLIENT_HEADER];
  if (fromPages(req) && typeof client === 'string' && client) Object.defineProperty(req, 'ip', { value: client, configurable: true });
  next();
};
