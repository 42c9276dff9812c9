// The helpdesk team's office hours, in the Trust's time zone: whether they are open now and when they open
// next. Local time comes from Intl.DateTimeFormat, so clock changes (BST/GMT) are the platform's tz data,
// not arithmetic of our own.

export interface OfficeHours {
  /** Days of the week (0 = Sunday) on which the team works. */
  days: number[];
  /** Minutes after midnight, local time. */
  opensAt: number;
  closesAt: number;
}

/** A moment as a wall clock in some time zone reads it. */
export interface LocalTime {
  year: number;
  /** 1 to 12 */
  month: number;
  day: number;
  /** 0 = Sunday */
  weekday: number;
  hour: number;
  minute: number;
  second: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-GB', {
      timeZone,
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      hourCycle: 'h23',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** The local date and time of `at` in `timeZone` (an IANA name such as Europe/London). */
export function localTime(at: Date, timeZone: string): LocalTime {
  const parts: Record<string, number> = {};
  for (const p of formatterFor(timeZone).formatToParts(at)) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  const year = parts.year ?? NaN;
  const month = parts.month ?? NaN;
  const day = parts.day ?? NaN;
  return {
    year,
    month,
    day,
    weekday: new Date(Date.UTC(year, month - 1, day)).getUTCDay(),
    hour: (parts.hour ?? NaN) % 24,
    minute: parts.minute ?? NaN,
    second: parts.second ?? NaN,
  };
}

// How far the zone's wall clock is ahead of UTC at `utcMs` (whole seconds).
function offsetAt(utcMs: number, timeZone: string): number {
  const wholeSeconds = Math.floor(utcMs / 1000) * 1000;
  const t = localTime(new Date(wholeSeconds), timeZone);
  return Date.UTC(t.year, t.month - 1, t.day, t.hour, t.minute, t.second) - wholeSeconds;
}

/**
 * The moment a wall clock in `timeZone` reads `minutes` after midnight on the given local date. A time the
 * clocks skip (spring forward) comes out as the same distance after the change; a time that happens twice
 * (fall back) as the later one.
 */
export function wallClockToUtc(year: number, month: number, day: number, minutes: number, timeZone: string): Date {
  const wall = Date.UTC(year, month - 1, day, 0, minutes);
  let utc = wall - offsetAt(wall, timeZone);
  const offset = offsetAt(utc, timeZone);
  if (wall - offset !== utc) utc = wall - offset;
  return new Date(utc);
}

/** Whether the team is at work at `at`: a working day, from opening time up to (not including) closing time. */
export function isOpen(at: Date, hours: OfficeHours, timeZone: string): boolean {
  const t = localTime(at, timeZone);
  const minutes = t.hour * 60 + t.minute;
  return hours.days.includes(t.weekday) && minutes >= hours.opensAt && minutes < hours.closesAt;
}

/** When the team is next at work: `at` itself while they are open, else the next opening time. */
export function nextOpening(at: Date, hours: OfficeHours, timeZone: string): Date {
  if (isOpen(at, hours, timeZone)) return new Date(at.getTime());
  const today = localTime(at, timeZone);
  // Eight days: with a single working day, the next opening can be a week away, the same weekday.
  for (let ahead = 0; ahead <= 7; ahead++) {
    const date = new Date(Date.UTC(today.year, today.month - 1, today.day + ahead));
    if (!hours.days.includes(date.getUTCDay())) continue;
    const opening = wallClockToUtc(date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate(), hours.opensAt, timeZone);
    if (opening.getTime() > at.getTime()) return opening;
  }
  throw new RangeError('Office hours have no working days, so the team never opens');
}

export interface OpeningSummary {
  /** The team is open at the moment asked about. */
  now: boolean;
  at: Date;
  /** Local calendar days from the moment asked about: 0 today, 1 tomorrow, up to 7. */
  daysAhead: number;
  /** 0 = Sunday */
  weekday: number;
  /** Local minutes after midnight. */
  minutes: number;
}

/** The next opening as facts, for wording it in any language. */
export function summariseNextOpening(at: Date, hours: OfficeHours, timeZone: string): OpeningSummary {
  const next = nextOpening(at, hours, timeZone);
  const from = localTime(at, timeZone);
  const to = localTime(next, timeZone);
  const daysAhead = Math.round((Date.UTC(to.year, to.month - 1, to.day) - Date.UTC(from.year, from.month - 1, from.day)) / 86_400_000);
  return { now: next.getTime() === at.getTime(), at: next, daysAhead, weekday: to.weekday, minutes: to.hour * 60 + to.minute };
}

const DAY_NAMES = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

/** "9am", "9:30am", "12pm", "5:15pm". */
export function formatClockTime(minutes: number): string {
  const h = Math.floor(minutes / 60) % 24;
  const m = minutes % 60;
  const suffix = h >= 12 ? 'pm' : 'am';
  const h12 = h % 12 === 0 ? 12 : h % 12;
  return m === 0 ? `${h12}${suffix}` : `${h12}:${String(m).padStart(2, '0')}${suffix}`;
}

/**
 * The next opening in English: "today at 9am", "tomorrow at 9am", "Monday at 9am", or "now" while open.
 * For other languages, word `summariseNextOpening` through the content layer instead.
 */
export function describeNextOpening(at: Date, hours: OfficeHours, timeZone: string): string {
  const s = summariseNextOpening(at, hours, timeZone);
  if (s.now) return 'now';
  const day = s.daysAhead === 0 ? 'today' : s.daysAhead === 1 ? 'tomorrow' : DAY_NAMES[s.weekday]!;
  return `${day} at ${formatClockTime(s.minutes)}`;
}

/** Midnight at the start of the local week (Monday, unless `firstDay` says otherwise) that holds `at`. */
export function startOfLocalWeek(at: Date, timeZone: string, firstDay = 1): Date {
  const t = localTime(at, timeZone);
  const back = (t.weekday - firstDay + 7) % 7;
  const date = new Date(Date.UTC(t.year, t.month - 1, t.day - back));
  return wallClockToUtc(date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate(), 0, timeZone);
}
