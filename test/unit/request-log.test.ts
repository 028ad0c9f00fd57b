/** Request logs keep credentials out (api/request-log.ts): a reviewer link's token, a calendar feed URL's `?token=`. */
import { withoutToken } from '../../api/request-log';

test("a reviewer link's token and a feed URL's token are logged as [token]; the rest of the URL stays", () => {
  expect(withoutToken('/r/eyJ3Ijoi.abc?x=1')).toBe('/r/[token]?x=1');
  expect(withoutToken('/v1/projects/p1/calendar.ics?token=eyJmIjoi.mac')).toBe('/v1/projects/p1/calendar.ics?token=[token]');
  expect(withoutToken('/v1/funders/nsf/calendar.ics?a=1&token=t.m&b=2')).toBe('/v1/funders/nsf/calendar.ics?a=1&token=[token]&b=2');
  expect(withoutToken('/v1/projects?q=token=x')).toBe('/v1/projects?q=token=x');
});
