/**
 * Calendar feeds (DESIGN §8): a project's dates, an agency's and a funder's, as iCalendar files read from the records
 * (api/calendar-events.ts says what each holds and why), and the signed feed URLs that calendar apps subscribe to.
 * Mounted before app.ts's `authenticate`: a feed takes the caller's API key (or sign-in) as usual, or `?token=` from
 * `POST /v1/calendar-links` (api/feed-links.ts), because a calendar app cannot send a header. Either way the same
 * access rules then apply, on every read.
 */
import { Router, type Request, type RequestHandler } from 'express';
import { z } from 'zod';
import type { KeyRing } from '../../config/principals';
import type { Policy } from '../../domain/policy';
import { slug } from '../../domain/primitives';
import { readCalendar, readCalendarProject, type CalendarRecords, type CalendarScope } from '../../records/calendar';
import type { Records } from '../../records/database';
import { assertMayAccess, identifier, type Caller } from '../auth';
import { calendarEvents } from '../calendar-events';
import { writeCalendar } from '../calendar-ics';
import { ApiError, parse } from '../errors';
import type { FeedLinks } from '../feed-links';
import { read, type Operation } from '../operation';
import type { Sessions } from '../session';

export interface CalendarRoutesDeps {
  records: Records;
  keys: KeyRing;
  sessions: Sessions;
  feedLinks: FeedLinks;
  policy: Policy;
  /** Where the feed URLs point, and the host every event's UID names. */
  publicUrl: string;
  /** The write limit, once the caller is known. */
  writes: RequestHandler;
}

const FEED = /^\/v1\/(projects|agencies|funders)\/([A-Za-z0-9][A-Za-z0-9._-]{0,63})\/calendar\.ics$/;
const feedQuery = z.strictObject({
  token: z.string().max(2000).optional().describe('a signed feed URL’s token (POST /v1/calendar-links): stands for the key'),
});
export const calendarLinkBody = z.strictObject({
  feed: z
    .string()
    .regex(FEED, 'the path of a feed: /v1/projects/<id>/calendar.ics, /v1/agencies/<agencyId>/calendar.ics or /v1/funders/<funderId>/calendar.ics')
    .describe('the feed to subscribe to, by its path'),
});

/** The operations of the routes below, as the OpenAPI document (api/openapi.ts) describes them. */
export const calendarOperations: Operation[] = [
  {
    operationId: 'getProjectCalendar',
    method: 'get',
    path: '/v1/projects/{id}/calendar.ics',
    summary: "The project's dates as iCalendar: open steps (who is awaited), report due dates, cycle closes, licence expiries and renewals",
    roles: { admin: 'every project', coordinator: 'a project they own or are a delegate of', funder: 'its own projects' },
    feedToken: true,
    query: feedQuery,
    success: {
      status: 200,
      description: 'an iCalendar file (RFC 5545); every event keeps its UID, and its SEQUENCE grows when it moves',
      type: 'text/calendar',
    },
    errors: read,
  },
  {
    operationId: 'getAgencyCalendar',
    method: 'get',
    path: '/v1/agencies/{agencyId}/calendar.ics',
    summary: "An agency's dates as iCalendar: the open steps it owes across projects, and the expiries of the licences it issued",
    roles: { admin: 'every agency', agency: 'its own agency; another is 403' },
    feedToken: true,
    query: feedQuery,
    success: { status: 200, description: 'an iCalendar file (RFC 5545)', type: 'text/calendar' },
    errors: read,
  },
  {
    operationId: 'getFunderCalendar',
    method: 'get',
    path: '/v1/funders/{funderId}/calendar.ics',
    summary: "A funder's dates as iCalendar: its open review cycles' closes and the open steps it owes (grant and milestone reviews)",
    roles: { admin: 'every funder', funder: 'its own; another is 403' },
    feedToken: true,
    query: feedQuery,
    success: { status: 200, description: 'an iCalendar file (RFC 5545)', type: 'text/calendar' },
    errors: read,
  },
  {
    operationId: 'createCalendarLink',
    method: 'post',
    path: '/v1/calendar-links',
    summary: 'A signed URL of a feed the caller may read, for a calendar app (no header needed); sign-out everywhere ends it',
    roles: {
      admin: 'every feed',
      coordinator: 'their projects’ feeds',
      funder: 'its own feed and its projects’',
      agency: 'its own agency’s feed',
    },
    body: calendarLinkBody,
    example: { feed: '/v1/projects/fusion-diag-2027/calendar.ics' },
    success: { status: 201, description: '{ feed, url, webcal, expiresAt }' },
    errors: read,
  },
];

export function calendarRoutes({ records, keys, sessions, feedLinks, policy, publicUrl, writes }: CalendarRoutesDeps): Router {
  const router = Router();
  const identify = identifier(keys, sessions, records);
  const domain = new URL(publicUrl).hostname;
  const funderName = (id: string) => policy.funders.find((f) => f.id === id)?.name ?? id;

  /** Who calls: the feed token when the URL carries one (for this feed only), else the key or sign-in as on every route. */
  async function callerOf(req: Request, feed?: string): Promise<Caller> {
    const token = req.query.token;
    if (feed && token !== undefined) {
      if (typeof token !== 'string') throw new ApiError('UNAUTHORIZED', 'the feed token is not valid for this feed');
      return feedLinks.caller(token, feed);
    }
    const who = await identify(req);
    if ('error' in who) throw who.error;
    if ('none' in who)
      throw new ApiError('UNAUTHORIZED', `send Authorization: Bearer <api key>${feed ? ', or use a signed feed URL (POST /v1/calendar-links)' : ''}`);
    return who.caller;
  }

  /** What the feed at `kind`/`id` shows, once the caller may read it: 403 for a role or scope it does not take, 404 for what is not there. */
  async function scopeFor(caller: Caller, kind: string, id: string): Promise<{ scope: CalendarScope; name: string }> {
    if (kind === 'projects') {
      if (caller.role === 'agency')
        throw new ApiError('FORBIDDEN', "a project's calendar is for its coordinators, its funder and admins; an agency has its own");
      const project = await readCalendarProject(records, id);
      if (!project) throw new ApiError('NOT_FOUND', `no project ${id}`);
      assertMayAccess(caller, { funderId: project.funderId, owner: project.owner, delegates: project.owners });
      return { scope: { projectId: id }, name: `${project.title} — licence reviews` };
    }
    const [role, own, known] =
      kind === 'agencies'
        ? (['agency', caller.agencyId, policy.agencies.find((a) => a.id === id)?.name] as const)
        : (['funder', caller.funderId, policy.funders.find((f) => f.id === id)?.name] as const);
    if (caller.role !== 'admin' && (caller.role !== role || own !== id))
      throw new ApiError('FORBIDDEN', `only ${id}'s own ${role} key, or an admin, reads this feed`);
    if (!known) throw new ApiError('NOT_FOUND', `no ${role} ${id} in policy ${policy.version}`);
    return { scope: kind === 'agencies' ? { agencyId: id } : { funderId: id }, name: `${known} — licence reviews` };
  }

  function ics(found: CalendarRecords, name: string, agencyFeed: boolean): string {
    const input = {
      steps: found.steps,
      licences: found.licences,
      cycles: found.cycles.map((c) => ({ ...c, funderName: funderName(c.funderId) })),
    };
    const licenceDates = agencyFeed ? { renewals: false, reports: false } : undefined;
    const events = calendarEvents(input, { domain, compliance: policy.compliance, ...(licenceDates && { licenceDates }) });
    return writeCalendar(events, { name, generatedAt: Date.now() });
  }

  const feedRoute =
    (kind: 'projects' | 'agencies' | 'funders', param: 'id' | 'agencyId' | 'funderId'): RequestHandler =>
    async (req, res) => {
      // Who calls, first: nothing about the request is read for a caller who may not send it.
      const caller = await callerOf(req, `/v1/${kind}/${String(req.params[param])}/calendar.ics`);
      req.caller = caller;
      const id = parse(slug, req.params[param], `path.${param}`);
      parse(feedQuery, req.query, 'query');
      const { scope, name } = await scopeFor(caller, kind, id);
      const found = await readCalendar(records, scope);
      res
        .status(200)
        .type('text/calendar; charset=utf-8')
        .set('Cache-Control', 'private, no-store') // a feed URL is a credential: no shared cache keeps its answer
        .set('Content-Disposition', `inline; filename="${kind.slice(0, -1)}-${id}.ics"`)
        .set('X-Calendar-Truncated', String(found.truncated))
        .send(ics(found, name, kind === 'agencies'));
    };

  router.get('/projects/:id/calendar.ics', feedRoute('projects', 'id'));
  router.get('/agencies/:agencyId/calendar.ics', feedRoute('agencies', 'agencyId'));
  router.get('/funders/:funderId/calendar.ics', feedRoute('funders', 'funderId'));

  router.post(
    '/calendar-links',
    async (req, _res, next) => {
      req.caller = await callerOf(req);
      next();
    },
    writes,
    async (req, res) => {
      const caller = req.caller!;
      const { feed } = parse(calendarLinkBody, req.body, 'body');
      const [, kind, id] = FEED.exec(feed)!;
      await scopeFor(caller, kind, id);
      const { token, expiresAt } = feedLinks.issue(feed, caller);
      const url = new URL(`${feed}?token=${token}`, publicUrl).toString();
      req.log?.info({ actor: caller.actor, feed }, 'calendar feed URL issued');
      res.status(201).json({ feed, url, webcal: url.replace(/^https?:/, 'webcal:'), expiresAt });
    },
  );
  return router;
}
