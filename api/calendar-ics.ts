/**
 * Writes a feed's events as an iCalendar file (RFC 5545) with the `ics` library. One correction: `ics` folds lines
 * at 75 characters, while the RFC counts octets, so a line of names such as "Bundesamt für Wirtschaft" would run past
 * 75 octets in UTF-8; the output is folded again by octets, never inside a character.
 */
import { createEvents, type EventAttributes } from 'ics';
import type { CalendarEvent } from './calendar-events';

/** How long each event lasts: a deadline is a moment, shown as a short slot. */
const EVENT_MINUTES = 30;
const MAX_OCTETS = 75;

/** Unfolds the lines `ics` folded and folds them again at 75 octets (continuation lines start with one space). */
export function foldByOctets(ics: string): string {
  const unfolded = ics.replace(/\r\n[ \t]/g, '');
  return unfolded
    .split('\r\n')
    .map((line) => {
      const parts: string[] = [];
      let part = '';
      let octets = 0;
      for (const char of line) {
        const size = Buffer.byteLength(char);
        // The first line holds 75 octets; each continuation 74 after its leading space.
        if (octets + size > (parts.length ? MAX_OCTETS - 1 : MAX_OCTETS)) {
          parts.push(part);
          part = '';
          octets = 0;
        }
        part += char;
        octets += size;
      }
      parts.push(part);
      return parts.join('\r\n ');
    })
    .join('\r\n');
}

export interface FeedHeader {
  /** X-WR-CALNAME: what the calendar app names the subscription. */
  name: string;
  /** DTSTAMP of every event: when this copy of the feed was made (METHOD:PUBLISH). */
  generatedAt: number;
}

export function writeCalendar(events: CalendarEvent[], header: FeedHeader): string {
  const attributes = events.map((e): EventAttributes => ({
    uid: e.uid,
    sequence: e.sequence,
    start: e.start,
    startInputType: 'utc',
    startOutputType: 'utc',
    duration: { minutes: EVENT_MINUTES },
    title: e.title,
    description: e.description,
    categories: e.categories,
    ...(e.lastModified !== undefined && { lastModified: e.lastModified }),
    // `ics` stamps events with the time it was loaded unless told; its types do not name the attribute.
    ...({ timestamp: header.generatedAt } as object),
  }));
  const { error, value } = createEvents(attributes, { productId: '-//Export-licence reviews//Calendar//EN', method: 'PUBLISH', calName: header.name });
  if (error || value === null) throw error ?? new Error('the calendar could not be written');
  return foldByOctets(value);
}
