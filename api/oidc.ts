/**
 * Dashboard sign-in by OpenID Connect (authorization code with PKCE, through `openid-client`), when OIDC_ISSUER is
 * set. The verified e-mail address in the ID token names the principal: the one of PRINCIPALS_FILE with that e-mail,
 * bound to the provider's account (`iss`, `sub`) at its first sign-in (api/oidc-identity.ts). The browser then
 * holds the same session cookie a key sign-in gives.
 *
 * The state, nonce and PKCE verifier ride in a short-lived cookie signed like the session, SameSite=Lax so the
 * provider's redirect back (a top-level navigation from another site) carries it. The callback answers with a page
 * that moves on to /dashboard itself: a SameSite=Strict session cookie set in a redirect chain that another site
 * started is not sent on the redirect's next request.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { Router, type Request, type Response } from 'express';
import type { KeyRing } from '../config/principals';
import type { Logger } from '../config/logger';
import type { Records } from '../records/database';
import { callerFor } from './auth';
import { bindAccount, identityFrom } from './oidc-identity';
import { html, type SafeHtml } from './html';
import type { Sessions } from './session';

export interface OidcSettings {
  issuer: string;
  clientId: string;
  clientSecret?: string;
  /** Where the API is reached: the callback is `<publicUrl>/dashboard/oidc/callback`. */
  publicUrl: string;
}

const FLOW_COOKIE = 'lr_oidc';
const FLOW_TTL_MS = 10 * 60_000;

type Flow = { verifier: string; state: string; nonce: string; expiresAt: number };
// openid-client is an ES module: loaded when OIDC is configured, so nothing else pays for it.
type OidcClient = typeof import('openid-client');

/** A bare page for the sign-in's own answers (they come before any dashboard page). */
const smallPage = (title: string, body: SafeHtml, head?: SafeHtml) =>
  String(html`<!doctype html><html lang="en"><head><meta charset="utf-8">${head}<title>${title}</title></head><body>${body}</body></html>`);

export function oidcRoutes(settings: OidcSettings, deps: { keys: KeyRing; sessions: Sessions; linkSecret: string; logger: Logger; records: Records }): Router {
  const router = Router();
  const redirectUri = new URL('/dashboard/oidc/callback', settings.publicUrl).toString();
  const key = createHmac('sha256', deps.linkSecret).update('lr_oidc/v1').digest();
  const mac = (payload: string) => createHmac('sha256', key).update(payload).digest('base64url');
  const cookieOptions = { httpOnly: true, sameSite: 'lax' as const, path: '/dashboard/oidc', secure: new URL(settings.publicUrl).protocol === 'https:' };

  // Discovery once, and again after a failure (the provider down at start-up).
  let discovered: Promise<{ oidc: OidcClient; config: import('openid-client').Configuration }> | undefined;
  const provider = () =>
    (discovered ??= (async () => {
      const oidc: OidcClient = await import('openid-client');
      const insecure = new URL(settings.issuer).protocol === 'http:' ? { execute: [oidc.allowInsecureRequests] } : undefined;
      const config = await oidc.discovery(new URL(settings.issuer), settings.clientId, settings.clientSecret, undefined, insecure);
      return { oidc, config };
    })().catch((err) => {
      discovered = undefined;
      throw err;
    }));

  function readFlow(req: Request): Flow | undefined {
    const [payload, given] = String(req.cookies?.[FLOW_COOKIE] ?? '').split('.');
    if (!payload || !given) return undefined;
    const want = Buffer.from(mac(payload));
    if (Buffer.from(given).length !== want.length || !timingSafeEqual(Buffer.from(given), want)) return undefined;
    const flow = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Flow;
    return flow.expiresAt > Date.now() ? flow : undefined;
  }

  const refused = (res: Response, status: number, message: string) =>
    res
      .status(status)
      .set('Cache-Control', 'no-store')
      .type('html')
      .send(smallPage('Sign-in refused', html`<h1>Sign-in refused</h1><p>${message}</p><p><a href="/dashboard">Back to the sign-in page</a></p>`));

  router.get('/start', async (_req, res) => {
    const { oidc, config } = await provider();
    const flow: Flow = { verifier: oidc.randomPKCECodeVerifier(), state: oidc.randomState(), nonce: oidc.randomNonce(), expiresAt: Date.now() + FLOW_TTL_MS };
    const payload = Buffer.from(JSON.stringify(flow)).toString('base64url');
    res.cookie(FLOW_COOKIE, `${payload}.${mac(payload)}`, { ...cookieOptions, maxAge: FLOW_TTL_MS });
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      scope: 'openid email profile',
      code_challenge: await oidc.calculatePKCECodeChallenge(flow.verifier),
      code_challenge_method: 'S256',
      state: flow.state,
      nonce: flow.nonce,
    });
    res.set('Cache-Control', 'no-store').redirect(303, url.toString());
  });

  router.get('/callback', async (req, res) => {
    const flow = readFlow(req);
    res.clearCookie(FLOW_COOKIE, cookieOptions);
    if (!flow) return refused(res, 400, 'This sign-in was not started here, or took longer than 10 minutes. Start again.');
    const { oidc, config } = await provider();
    let claims: Record<string, unknown> | undefined;
    try {
      const tokens = await oidc.authorizationCodeGrant(config, new URL(req.originalUrl, settings.publicUrl), {
        pkceCodeVerifier: flow.verifier,
        expectedState: flow.state,
        expectedNonce: flow.nonce,
        idTokenExpected: true,
      });
      claims = tokens.claims();
      // Many providers put only `sub` in the ID token and the e-mail in the UserInfo response (OIDC Core 5.4).
      if (claims && typeof claims.email !== 'string') claims = { ...claims, ...(await oidc.fetchUserInfo(config, tokens.access_token, String(claims.sub))) };
    } catch (err) {
      deps.logger.warn({ err }, 'OpenID Connect sign-in failed');
      return refused(res, 401, 'The identity provider did not confirm this sign-in. Start again.');
    }
    const who = identityFrom(claims);
    if ('refused' in who) return refused(res, 403, who.refused);
    const principal = deps.keys.principalByEmail(who.email);
    if (!principal) return refused(res, 403, `No one with the e-mail address ${who.email} may use this system. Ask an administrator to add you.`);
    const unbound = await bindAccount(deps.records, principal.id, who);
    if (unbound) {
      req.log?.warn({ actor: principal.id, issuer: who.issuer, subject: who.subject }, 'OpenID Connect sign-in refused: another account');
      return refused(res, 403, unbound);
    }
    const caller = callerFor(principal);
    deps.sessions.start(res, caller);
    req.log?.info({ actor: caller.actor }, 'dashboard sign-in (OpenID Connect)');
    res
      .set('Cache-Control', 'no-store')
      .type('html')
      .send(
        smallPage(
          'Signed in',
          html`<p>Signed in as ${caller.actor}. <a href="/dashboard">Continue to the dashboard</a>.</p>`,
          html`<meta http-equiv="refresh" content="0;url=/dashboard">`,
        ),
      );
  });

  return router;
}
