/**
 * Working-day deadlines ("10wd" in the policy): counted on the public
 * holidays of the deciding agency's country, from the maintained
 * `date-holidays` data. A local activity, so the holiday tables stay out of
 * the workflow bundle and a replay reads the recorded answer.
 */
import Holidays from 'date-holidays';

const DAY_MS = 86_400_000;
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

/** Monday to Friday, and not a public holiday of the country (without a country, weekends only). */
export function isWorkingDay(country: string | undefined, date: Date): boolean {
  const weekday = date.getUTCDay();
  if (weekday === 0 || weekday === 6) return false;
  return !country || !holidaysOf(country, date.getUTCFullYear()).has(date.toISOString().slice(0, 10));
}

/**
 * The moment `days` working days after `from`: the same time of day on the
 * `days`-th working day after `from`'s date (dates in UTC). `from`'s own day
 * never counts, as a period starts the day after the act that opens it.
 */
export function workingDaysAfter(from: string, days: number, country: string | undefined): string {
  if (!Number.isInteger(days) || days < 1) throw new RangeError(`working days must be a positive whole number, not ${days}`);
  let at = Date.parse(from);
  if (Number.isNaN(at)) throw new RangeError(`"${from}" is not a date`);
  let counted = 0;
  while (counted < days) {
    at += DAY_MS;
    if (isWorkingDay(country, new Date(at))) counted += 1;
  }
  return new Date(at).toISOString();
}

export const workingDayActivities = {
  async dueAfterWorkingDays(input: { from: string; days: number; country?: string }): Promise<string> {
    return workingDaysAfter(input.from, input.days, input.country);
  },
};
