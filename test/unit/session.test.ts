/** The dashboard's sign-in cookie: signed, expiring, Secure on https, and never confused with a reviewer link. */
import type { CookieOptions, Response } from 'express';
import { LinkSigner } from '../../activities/link-tokens';
import { SESSION_COOKIE, SESSION_TTL_MS, Sessions } from '../../api/session';

const SECRET = 'unit-test-link-secret-0123456789';
const who = { role: 'funder' as const, funderId: 'horizon-eu', actor: 'funder:horizon-eu' };

/** Records what the Sessions class asks Express to set. */
function fakeResponse() {
  const set: { name: string; value?: string; options: CookieOptions }[] = [];
  const res = {
    cookie: (name: string, value: string, options: CookieOptions) => set.push({ name, value, options }),
    clearCookie: (name: string, options: CookieOptions) => set.push({ name, options }),
  } as unknown as Response;
  return { res, set };
}

test('a started session verifies until it expires, 8 hours later', () => {
  const sessions = new Sessions(SECRET, 'http://localhost:3000');
  const { res, set } = fakeResponse();
  const now = Date.parse('2026-01-01T08:00:00Z');
  const session = sessions.start(res, who, now);
  expect(session).toEqual({ ...who, expiresAt: now + SESSION_TTL_MS, issuedAt: now }); // issuedAt: a sign-out everywhere after it ends it
  expect(set).toEqual([
    { name: SESSION_COOKIE, value: expect.any(String), options: { httpOnly: true, sameSite: 'strict', path: '/', secure: false, maxAge: SESSION_TTL_MS } },
  ]);
  const value = set[0].value!;
  expect(sessions.verify(value, now + SESSION_TTL_MS - 1)).toEqual({ ok: true, session });
  expect(sessions.verify(value, now + SESSION_TTL_MS)).toEqual({ ok: false, reason: 'expired' });
});

test('the cookie is Secure when PUBLIC_URL is https, and sign-out clears it with the same attributes', () => {
  const sessions = new Sessions(SECRET, 'https://reviews.example.org');
  const { res, set } = fakeResponse();
  sessions.start(res, who);
  sessions.end(res);
  expect(set.map((c) => c.options.secure)).toEqual([true, true]);
  expect(set[1]).toEqual({ name: SESSION_COOKIE, options: { httpOnly: true, sameSite: 'strict', path: '/', secure: true } });
});

test('a changed payload, another secret, a malformed value or a reviewer link token are refused', () => {
  const sessions = new Sessions(SECRET, 'http://localhost');
  const value = sessions.sign({ ...who, expiresAt: Date.now() + 60_000 });
  const [payload, mac] = value.split('.');
  const raised = Buffer.from(Buffer.from(payload, 'base64url').toString().replace('funder', 'admin')).toString('base64url');
  expect(sessions.verify(`${raised}.${mac}`)).toEqual({ ok: false, reason: 'bad-signature' });
  expect(new Sessions('another-secret-0123456789', 'http://localhost').verify(value)).toEqual({ ok: false, reason: 'bad-signature' });
  for (const bad of [undefined, '', 'abc', 'a.b.c', `${payload}.`]) expect(sessions.verify(bad)).toMatchObject({ ok: false });
  // Signed with LINK_SECRET itself: the session key is derived under its own label, so this never verifies.
  const link = new LinkSigner(SECRET).sign({ workflowId: 'project-x', stepId: 'grant-funder', reviewer: 'a@b.example', expiresAt: Date.now() + 60_000 });
  expect(sessions.verify(link)).toEqual({ ok: false, reason: 'bad-signature' });
  // A well-signed value that is not a session (no role) is refused too.
  const notSession = Buffer.from(JSON.stringify({ actor: 'x', expiresAt: Date.now() + 60_000 })).toString('base64url');
  const signedNotSession = sessions.sign({ ...who, expiresAt: 0 }).replace(/^[^.]+/, notSession);
  expect(sessions.verify(signedNotSession)).toMatchObject({ ok: false });
});
