/**
 * `/dashboard`: the HTML view for coordinators, funders and admins (DESIGN §5),
 * and its sign-in with the same API keys as the JSON API. Signing in sets the
 * `lr_session` cookie; the page and the audit links it shows are reads, which
 * is all the cookie is good for.
 */
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { Role } from '../../config/env';
import type { KeyRing } from '../../config/principals';
import type { Policy } from '../../domain/policy';
import type { Records } from '../../records/database';
import { callerFor, identifier } from '../auth';
import { loadDashboard } from '../dashboard-data';
import { agencyQueuePage, dashboardPage, dashboardUnavailablePage, signInPage } from '../dashboard-page';
import { ApiError, toApiError } from '../errors';
import { unreadable, type Operation } from '../operation';
import type { Sessions } from '../session';
import { listAgencySteps } from '../../records/steps';
import { stepRef } from '../step-refs';
import { revokeSessions } from '../session-revocations';

export interface DashboardDeps {
  records: Records;
  keys: KeyRing;
  sessions: Sessions;
  policy: Policy;
  publicUrl?: string;
  temporalUiUrl: string;
  namespace: string;
  /** How people sign in: with an API key (development, or no OpenID Connect), and/or through OIDC_ISSUER. */
  signIn?: { keys: boolean; oidc: boolean };
  /** Seconds until the sign-in form may fail again for this client (the failed-authentication limit); undefined while it may. */
  failedAuthWait?: (req: Request) => number | undefined;
}

const ROLES: Role[] = ['coordinator', 'funder', 'admin', 'agency'];

export const signInBody = z.object({ key: z.string().trim().min(1).max(512) });

function html(res: Response, status: number, body: string) {
  // Per-user and changing by the second: never cached, by the browser or anything between.
  res.status(status).set('Cache-Control', 'no-store').type('html').send(body);
}

/** The operations of the routes below, as the OpenAPI document (api/openapi.ts) describes them. */
export const dashboardOperations: Operation[] = [
  {
    operationId: 'getDashboard',
    method: 'get',
    path: '/dashboard',
    summary: "Projects by stage, stalled work, who is awaited; for agency staff, their agency's queue (HTML; a sign-in page without a key)",
    roles: {
      admin: 'every project',
      coordinator: 'the projects they own or are a delegate of',
      funder: 'its own projects',
      agency: "its agency's open steps, oldest due first",
    },
    anonymous: 'the sign-in page; after signing in, the session cookie stands for the key',
    success: { status: 200, description: 'the dashboard', type: 'text/html' },
    errors: [...unreadable, 'UNAUTHORIZED', 'FORBIDDEN', 'RATE_LIMITED', 'UNAVAILABLE'],
  },
  {
    operationId: 'signInToDashboard',
    method: 'post',
    path: '/dashboard/sign-in',
    summary: 'Sign in with an API key: sets an HttpOnly, SameSite=Strict session cookie good for reads',
    roles: {},
    anonymous: 'anyone: the API key is sent in the form',
    body: signInBody,
    bodyType: 'application/x-www-form-urlencoded',
    example: { key: 'dev-coordinator-key' },
    success: { status: 303, description: 'to /dashboard' },
    errors: [...unreadable, 'UNAUTHORIZED', 'FORBIDDEN', 'RATE_LIMITED'],
  },
  {
    operationId: 'signOutOfDashboard',
    method: 'post',
    path: '/dashboard/sign-out',
    summary: 'End the dashboard session',
    roles: {},
    anonymous: 'anyone',
    success: { status: 303, description: 'to /dashboard' },
    errors: [...unreadable, 'FORBIDDEN', 'RATE_LIMITED'],
  },
  {
    operationId: 'signOutEverywhere',
    method: 'post',
    path: '/dashboard/sign-out-everywhere',
    summary: "End every dashboard session of the signed-in principal, in every browser, and this one's (as POST /v1/sessions/revoke)",
    roles: {},
    anonymous: 'a signed-in browser: its session cookie names the principal',
    success: { status: 303, description: 'to /dashboard' },
    errors: [...unreadable, 'UNAUTHORIZED', 'FORBIDDEN', 'RATE_LIMITED', 'UNAVAILABLE'],
  },
];

export function dashboardRoutes({
  records,
  keys,
  sessions,
  policy,
  publicUrl,
  temporalUiUrl,
  namespace,
  signIn = { keys: true, oidc: false },
  failedAuthWait,
}: DashboardDeps): Router {
  const router = Router();
  const signInWith = (error?: string) => signInPage({ error, ...signIn });
  const identify = identifier(keys, sessions, records);

  /**
   * SameSite keeps the cookie off other sites' requests, but not a form another site posts here: sign-in and
   * sign-out must show that they come from this site, so no page can sign a browser in as someone else.
   * Browsers say where a request comes from in Sec-Fetch-Site; without it, Origin must name this site. A request
   * that shows neither (or Origin "null", which a sandboxed page of any site sends) is refused.
   */
  function sameSite(req: Request): boolean {
    const site = req.get('sec-fetch-site');
    if (site) return site === 'same-origin';
    const origin = req.get('origin');
    return !!origin && [`${req.protocol}://${req.get('host')}`, publicUrl && new URL(publicUrl).origin].includes(origin);
  }

  router.get('/', async (req, res) => {
    const who = await identify(req);
    if ('none' in who) return html(res, 200, signInWith());
    if ('error' in who) {
      if (req.get('authorization')) throw who.error; // a script with a bad key gets the API's JSON error
      sessions.end(res); // an expired or revoked cookie: forget it and ask again
      const why = who.error.message.replace(/: sign in again at \/dashboard$/, '. Sign in again.');
      return html(res, 200, signInWith(why[0].toUpperCase() + why.slice(1)));
    }
    const caller = who.caller;
    if (!ROLES.includes(caller.role)) throw new ApiError('FORBIDDEN', `the dashboard needs the role ${ROLES.join(' or ')}`);
    const pageOptions = { caller, signedIn: !req.get('authorization'), temporalUiUrl, namespace };
    if (caller.role === 'agency') {
      const asOf = new Date();
      const agencyName = policy.agencies.find((a) => a.id === caller.agencyId)?.name ?? caller.agencyId!;
      const queue = await readOrExplain(req, res, () => listAgencySteps(records, caller.agencyId!, {}, stepRef, asOf));
      if (queue) html(res, 200, agencyQueuePage({ agencyName, asOf, ...queue }, pageOptions));
      return;
    }
    const funderId = caller.role === 'funder' ? caller.funderId : undefined;
    const owner = caller.role === 'coordinator' ? caller.actor : undefined;
    const data = await readOrExplain(req, res, () => loadDashboard(records, policy, { funderId, owner }));
    const funderName = funderId && (policy.funders.find((f) => f.id === funderId)?.name ?? funderId);
    if (data) html(res, 200, dashboardPage(data, { ...pageOptions, funderName }));
  });

  /** Reads what a page shows (from the records); when that fails, answers with a page that says so, and returns undefined. */
  async function readOrExplain<T>(req: Request, res: Response, read: () => Promise<T>): Promise<T | undefined> {
    try {
      return await read();
    } catch (err) {
      const apiError = toApiError(err);
      if (apiError.status >= 500) req.log?.error({ err }, 'dashboard failed');
      html(
        res,
        apiError.status,
        dashboardUnavailablePage(apiError.status === 503 ? apiError.message : 'The dashboard could not be built. The error was logged.'),
      );
      return undefined;
    }
  }

  router.post('/sign-in', async (req, res) => {
    if (!sameSite(req)) return html(res, 403, signInWith('Sign in from this dashboard page, not from another site.'));
    if (!signIn.keys) return html(res, 403, signInWith('Sign in with your organisation: API keys do not sign in here.'));
    const parsed = signInBody.safeParse(req.body ?? {});
    const key = parsed.success ? await keys.verify(parsed.data.key) : undefined;
    if (!parsed.success || !key) {
      // A right key always signs in; past the failed-authentication limit a wrong one waits.
      const wait = failedAuthWait?.(req);
      if (wait !== undefined) return html(res.set('Retry-After', String(wait)), 429, signInWith(`Too many failed sign-ins: try again in ${wait} s.`));
      return html(res, 401, signInWith('That API key is not valid. Check it and try again.'));
    }
    const caller = callerFor(key);
    sessions.start(res, caller);
    req.log?.info({ actor: caller.actor }, 'dashboard sign-in');
    res.set('Cache-Control', 'no-store').redirect(303, '/dashboard');
  });

  router.post('/sign-out', (req, res) => {
    if (!sameSite(req)) return html(res, 403, signInWith('Sign out from this dashboard page, not from another site.'));
    sessions.end(res);
    res.set('Cache-Control', 'no-store').redirect(303, '/dashboard');
  });

  router.post('/sign-out-everywhere', async (req, res) => {
    if (!sameSite(req)) return html(res, 403, signInWith('Sign out from this dashboard page, not from another site.'));
    const read = sessions.read(req);
    if (!read?.ok) return html(res, 401, signInWith('You are not signed in here.'));
    await revokeSessions(records, read.session.actor, read.session.actor);
    sessions.end(res);
    req.log?.info({ actor: read.session.actor }, 'dashboard sign-out everywhere');
    res.set('Cache-Control', 'no-store').redirect(303, '/dashboard');
  });

  return router;
}
