/**
 * Working-day deadlines ("10wd" in the policy): counted on the public
 * holidays of the deciding agency's country, from the maintained
 * `date-holidays` data, in that country's time zone. A local activity, so the
 * holiday tables stay out of the workflow bundle and a replay reads the
 * recorded answer.
 *
 * A period in days ends with the expiry of the last hour of its last day
 * (Regulation (EEC, Euratom) No 1182/71 Art. 3(2)(b)), and starts the day
 * after the act that opens it (Art. 3(1)): so a window ends at 23:59:59.999 on
 * its last working day, on the deciding agency's clock, whatever the time of
 * day it opened.
 */
import Holidays from 'date-holidays';

const publicHolidays = new Map<string, Set<string>>();

/** The country's public holidays in a year, as `YYYY-MM-DD` dates. */
function holidaysOf(country: string, year: number): Set<string> {
  const key = `${country}-${year}`;
  let dates = publicHolidays.get(key);
  if (!dates) {
    const calendar = new Holidays(country);
    dates = new Set((calendar.getHolidays(year) || []).filter((h) => h.type === 'public').map((h) => h.date.slice(0, 10)));
    publicHolidays.set(key, dates);
  }
  return dates;
}

/**
 * The country's time zone: the first of `date-holidays`' zones for it, which is its capital's (US: America/New_York,
 * where the federal agencies sit); UTC without a country (a funder).
 */
export function timeZoneOf(country: string | undefined): string {
  return (country && new Holidays(country).getTimezones()[0]) || 'UTC';
}

/** A calendar date, `YYYY-MM-DD`, one day after another in UTC arithmetic (no clock involved). */
const nextDate = (date: string) => new Date(Date.parse(`${date}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);

/** Monday to Friday, and not a public holiday of the country (without a country, weekends only). `date` is `YYYY-MM-DD`. */
export function isWorkingDay(country: string | undefined, date: string): boolean {
  const weekday = new Date(`${date}T00:00:00Z`).getUTCDay();
  if (weekday === 0 || weekday === 6) return false;
  return !country || !holidaysOf(country, Number(date.slice(0, 4))).has(date);
}

/** The local date and time of an instant in a zone, as if it were UTC (for offsets). */
function wallClock(at: number, timeZone: string): number {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    })
      .formatToParts(new Date(at))
      .map((p) => [p.type, p.value]),
  );
  return Date.UTC(+parts.year, +parts.month - 1, +parts.day, +parts.hour, +parts.minute, +parts.second) + (at % 1000);
}

/** The instant a local date-time names in a zone (the later one across a DST change, which never falls at day's end in Europe or the US). */
function instantOf(localAsUtc: number, timeZone: string): number {
  let at = localAsUtc - (wallClock(localAsUtc, timeZone) - localAsUtc);
  at -= wallClock(at, timeZone) - localAsUtc;
  return at;
}

/**
 * The end of the `days`-th working day after `from`'s date, in the deciding country's time zone. `from`'s own
 * day never counts, as a period starts the day after the act that opens it.
 */
export function workingDaysAfter(from: string, days: number, country: string | undefined): string {
  if (!Number.isInteger(days) || days < 1) throw new RangeError(`working days must be a positive whole number, not ${days}`);
  const at = Date.parse(from);
  if (Number.isNaN(at)) throw new RangeError(`"${from}" is not a date`);
  const timeZone = timeZoneOf(country);
  let date = new Date(wallClock(at, timeZone)).toISOString().slice(0, 10);
  for (let counted = 0; counted < days;) {
    date = nextDate(date);
    if (isWorkingDay(country, date)) counted += 1;
  }
  return new Date(instantOf(Date.parse(`${date}T23:59:59.999Z`), timeZone)).toISOString();
}

export const workingDayActivities = {
  async dueAfterWorkingDays(input: { from: string; days: number; country?: string }): Promise<string> {
    return workingDaysAfter(input.from, input.days, input.country);
  },
};
