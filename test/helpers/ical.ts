/**
 * Reads an iCalendar file (RFC 5545) strictly enough to catch what calendar apps refuse: every line ends in CRLF,
 * no physical line passes 75 octets, continuation lines start with one space or tab, BEGIN and END nest and
 * balance, every content line is `NAME[;params]:value`. Returns the VEVENTs, each property by name (values
 * unescaped for TEXT properties), so tests read DTSTART, UID, SEQUENCE as a client would.
 */
export interface ICalEvent {
  /** Property name → value, the first occurrence; parameters dropped. */
  props: Record<string, string>;
}

export interface ICalFile {
  calendar: Record<string, string>;
  events: ICalEvent[];
}

const TEXT = new Set(['SUMMARY', 'DESCRIPTION', 'LOCATION', 'CATEGORIES', 'X-WR-CALNAME']);
const unescape = (v: string) => v.replace(/\\([\\;,nN])/g, (_, c: string) => (c === 'n' || c === 'N' ? '\n' : c));

export function parseICal(text: string): ICalFile {
  if (!text.endsWith('\r\n')) throw new Error('the file does not end with CRLF');
  const physical = text.slice(0, -2).split('\r\n');
  physical.forEach((line, i) => {
    if (line.includes('\n') || line.includes('\r')) throw new Error(`line ${i + 1} holds a bare CR or LF`);
    const octets = Buffer.byteLength(line);
    if (octets > 75) throw new Error(`line ${i + 1} has ${octets} octets (at most 75): ${line}`);
  });
  // Unfold: a line starting with a space or a tab continues the one before.
  const logical: string[] = [];
  for (const line of physical) {
    if (/^[ \t]/.test(line)) {
      if (!logical.length) throw new Error('the file starts with a continuation line');
      logical[logical.length - 1] += line.slice(1);
    } else logical.push(line);
  }
  const stack: string[] = [];
  const calendar: Record<string, string> = {};
  const events: ICalEvent[] = [];
  let event: ICalEvent | undefined;
  for (const line of logical) {
    const m = /^([A-Za-z0-9-]+)((?:;[^:]*)?):(.*)$/.exec(line);
    if (!m) throw new Error(`not a content line: ${line}`);
    const [, rawName, , value] = m;
    const name = rawName.toUpperCase();
    if (name === 'BEGIN') {
      stack.push(value);
      if (value === 'VEVENT') event = { props: {} };
      continue;
    }
    if (name === 'END') {
      const open = stack.pop();
      if (open !== value) throw new Error(`END:${value} closes ${open ? `BEGIN:${open}` : 'nothing'}`);
      if (value === 'VEVENT') events.push(event!);
      continue;
    }
    const target = stack.at(-1) === 'VEVENT' ? event!.props : stack.at(-1) === 'VCALENDAR' ? calendar : undefined;
    if (!target) throw new Error(`${name} outside VCALENDAR`);
    if (!(name in target)) target[name] = TEXT.has(name) ? unescape(value) : value;
  }
  if (stack.length) throw new Error(`BEGIN:${stack.join(', BEGIN:')} never ended`);
  if (calendar.VERSION !== '2.0' || !calendar.PRODID) throw new Error('VCALENDAR lacks VERSION:2.0 or PRODID');
  for (const e of events) for (const p of ['UID', 'DTSTAMP', 'DTSTART']) if (!e.props[p]) throw new Error(`an event lacks ${p}: ${JSON.stringify(e.props)}`);
  return { calendar, events };
}

/** `20270102T030405Z` as epoch milliseconds. */
export function icalTime(value: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!m) throw new Error(`not a UTC date-time: ${value}`);
  const [, y, mo, d, h, mi, s] = m.map(Number);
  return Date.UTC(y, mo - 1, d, h, mi, s);
}
