/**
 * `/v1/sessions`: sign-out everywhere through the API (DESIGN §9). Any principal may end every dashboard session of
 * its own; an admin may end anyone's (a lost laptop, a person who left). The dashboard's own button is
 * `POST /dashboard/sign-out-everywhere` (api/routes/dashboard.ts). Keys are untouched: revoke a key with
 * `npm run principal-key -- --revoke`.
 */
import { Router } from 'express';
import { z } from 'zod';
import type { KeyRing } from '../../config/principals';
import type { Records } from '../../records/database';
import { ApiError, parse } from '../errors';
import { write, type Operation } from '../operation';
import { revokeSessions } from '../session-revocations';

export const revokeSessionsBody = z.strictObject({
  principalId: z.string().min(1).max(200).optional().describe('whose sessions end: default the caller; only an admin names another principal'),
});

/** The operations of the routes below, as the OpenAPI document (api/openapi.ts) describes them. */
export const sessionOperations: Operation[] = [
  {
    operationId: 'revokeSessions',
    method: 'post',
    path: '/v1/sessions/revoke',
    summary: 'Sign out everywhere: every dashboard session of the principal issued until now is refused from now on, on every replica (its keys stay valid)',
    roles: {
      admin: 'its own sessions, or any principal’s (`principalId`)',
      coordinator: 'its own sessions',
      funder: 'its own sessions',
      agency: 'its own sessions',
    },
    body: revokeSessionsBody,
    example: {},
    success: { status: 200, description: '{ principalId, revokedAt }' },
    errors: write,
  },
];

export function sessionRoutes({ records, keys }: { records: Records; keys: KeyRing }): Router {
  const router = Router();
  router.post('/revoke', async (req, res) => {
    const caller = req.caller!;
    const { principalId = caller.actor } = parse(revokeSessionsBody, req.body ?? {}, 'body');
    if (principalId !== caller.actor && caller.role !== 'admin') throw new ApiError('FORBIDDEN', "only an admin ends another principal's sessions");
    if (!keys.principal(principalId))
      throw new ApiError('NOT_FOUND', `no principal ${principalId} is configured (API_KEYS or PRINCIPALS_FILE)`, [
        { path: 'body.principalId', message: 'not a configured principal' },
      ]);
    const revokedAt = await revokeSessions(records, principalId, caller.actor);
    req.log?.info({ actor: caller.actor, principalId }, 'sessions revoked');
    res.json({ principalId, revokedAt: revokedAt.toISOString() });
  });
  return router;
}
