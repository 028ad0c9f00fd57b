/**
 * Working-day windows (activities/working-days.ts) on the deciding country's
 * public holidays and clock. A period starts the day after the act that opens
 * it (Reg. 1182/71 Art. 3(1)) and ends with the expiry of the last hour of its
 * last day (Art. 3(2)(b)): 23:59:59.999 on the deciding agency's clock.
 * Every expectation is counted by hand on the calendar.
 */
import { timeZoneOf, workingDaysAfter } from '../../activities/working-days';

// Paris is UTC+1 in winter (end of day 22:59:59.999Z) and UTC+2 in summer (21:59:59.999Z).
describe('ten French working days, ending at the end of the last day in Paris', () => {
  test('skip weekends and Christmas: opened Friday 18 December 2026, they end on Tuesday 5 January 2027', () => {
    // Mon 21 … Thu 24 (4), Fri 25 is Noël, Mon 28 … Thu 31 (8), Fri 1 January is a holiday, Mon 4, Tue 5 (10).
    expect(workingDaysAfter('2026-12-18T09:30:00.000Z', 10, 'FR')).toBe('2027-01-05T22:59:59.999Z');
  });
  test('opened on a Friday (5 February 2027, no holiday that month): they end on Friday 19 February', () => {
    // Mon 8 … Fri 12 (5), Mon 15 … Fri 19 (10).
    expect(workingDaysAfter('2027-02-05T15:00:00.000Z', 10, 'FR')).toBe('2027-02-19T22:59:59.999Z');
  });
  test('opened on a Saturday or a Sunday: the weekend does not count, the same Friday 19 February', () => {
    expect(workingDaysAfter('2027-02-06T15:00:00.000Z', 10, 'FR')).toBe('2027-02-19T22:59:59.999Z');
    expect(workingDaysAfter('2027-02-07T15:00:00.000Z', 10, 'FR')).toBe('2027-02-19T22:59:59.999Z');
  });
  test('opened late on Friday in UTC, which is already Saturday in Paris: the Paris date counts', () => {
    // 23:30Z on Fri 5 February is 00:30 on Sat 6 February in Paris: counted from Saturday, still Fri 19.
    expect(workingDaysAfter('2027-02-05T23:30:00.000Z', 10, 'FR')).toBe('2027-02-19T22:59:59.999Z');
    // Opened on Sunday 7 February at 23:30 Paris time (22:30Z): Monday 8 is the first day, so still Fri 19.
    expect(workingDaysAfter('2027-02-07T22:30:00.000Z', 10, 'FR')).toBe('2027-02-19T22:59:59.999Z');
  });
  test('opened on the eve of a public holiday: the holiday does not count', () => {
    // Tue 13 July 2027; Wed 14 July is the Fête nationale: Thu 15, Fri 16 (2), Mon 19 … Fri 23 (7), Mon 26, Tue 27, Wed 28 (10).
    expect(workingDaysAfter('2027-07-13T15:00:00.000Z', 10, 'FR')).toBe('2027-07-28T21:59:59.999Z');
    // In Germany 14 July is a working day: the same window ends a day earlier, at the end of the day in Berlin.
    expect(workingDaysAfter('2027-07-13T15:00:00.000Z', 10, 'DE')).toBe('2027-07-27T21:59:59.999Z');
  });
  test('whatever the hour it opened, the window ends at the same moment', () => {
    expect(workingDaysAfter('2027-02-05T00:00:00.000Z', 10, 'FR')).toBe(workingDaysAfter('2027-02-05T22:59:00.000Z', 10, 'FR'));
  });
});

describe('each country on its own calendar and clock', () => {
  test('Easter 2027: Good Friday (26 March) and Easter Monday (29 March) are German holidays, not US ones', () => {
    expect(workingDaysAfter('2027-03-25T12:00:00.000Z', 1, 'DE')).toBe('2027-03-30T21:59:59.999Z'); // Berlin: summer time from 28 March
    expect(workingDaysAfter('2027-03-25T12:00:00.000Z', 1, 'US')).toBe('2027-03-27T03:59:59.999Z'); // Fri 26, end of day in Washington (EDT)
  });
  test('across a change of clocks: opened Friday 5 March 2027 in the US, ten days end Friday 19 March at 23:59:59.999 EDT', () => {
    // Mon 8 … Fri 12 (5), Mon 15 … Fri 19 (10); daylight saving time began on 14 March.
    expect(workingDaysAfter('2027-03-05T12:00:00.000Z', 10, 'US')).toBe('2027-03-20T03:59:59.999Z');
  });
  test('the zone is the country’s capital’s', () => {
    expect([timeZoneOf('FR'), timeZoneOf('DE'), timeZoneOf('US'), timeZoneOf('JP'), timeZoneOf(undefined)]).toEqual([
      'Europe/Paris',
      'Europe/Berlin',
      'America/New_York',
      'Asia/Tokyo',
      'UTC',
    ]);
  });
  test('without a country (a funder), only weekends are skipped, on UTC; a bad count or date is refused', () => {
    expect(workingDaysAfter('2026-12-24T00:00:00.000Z', 1, undefined)).toBe('2026-12-25T23:59:59.999Z');
    expect(() => workingDaysAfter('2026-12-24T00:00:00.000Z', 0, 'FR')).toThrow(/positive whole number/);
    expect(() => workingDaysAfter('tomorrow', 1, 'FR')).toThrow(/"tomorrow" is not a date/);
  });
});
