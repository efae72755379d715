import type { ProblemDetail } from '../errors';
import { type SilenceSchedule, type Weekday, WEEKDAYS } from './silence';

const DAY_MS = 86_400_000;
const START_PATTERN = /^([01]\d|2[0-3]):([0-5]\d)$/;
const END_PATTERN = /^(?:([01]\d|2[0-3]):([0-5]\d)|24:00)$/;
/** Shown and stored Monday first. */
const WEEK_ORDER: readonly Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const SCHEDULE_FIELDS = ['timeZone', 'weekdays', 'times'];

/** One formatter per zone: building one is far dearer than formatting with it. */
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      weekday: 'short',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** The IANA zone as Intl names it (case corrected), or null when it is not a known zone name. */
export function canonicalTimeZone(name: string): string | null {
  // A name, not an offset such as "+01:00" (which has no DST rules to follow).
  if (name.length > 64 || !/^[A-Za-z][A-Za-z0-9_+\-/]*$/.test(name)) return null;
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone;
  } catch {
    return null;
  }
}

interface LocalTime {
  /** The local calendar day as a UTC midnight (ms), for day arithmetic. */
  day: number;
  weekday: number;
  minute: number;
  /** The local wall clock read as if it were UTC (ms). */
  wall: number;
}

/** The last wall-clock reading per zone: deciding one snapshot reads the same instant for every silence of a zone. */
const lastReading = new Map<string, { t: number; local: LocalTime }>();

function localTime(t: number, timeZone: string): LocalTime {
  const last = lastReading.get(timeZone);
  if (last !== undefined && last.t === t) return last.local;
  const local = readLocalTime(t, timeZone);
  lastReading.set(timeZone, { t, local });
  return local;
}

function readLocalTime(t: number, timeZone: string): LocalTime {
  const parts: Record<string, string> = {};
  for (const p of formatterFor(timeZone).formatToParts(t)) parts[p.type] = p.value;
  const day = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day));
  const minute = Number(parts.hour) * 60 + Number(parts.minute);
  return {
    day,
    weekday: WEEKDAYS.indexOf(parts.weekday!.toLowerCase().slice(0, 3) as Weekday),
    minute,
    wall: day + minute * 60_000 + Number(parts.second) * 1000 + (t % 1000 + 1000) % 1000,
  };
}

/** The instant the zone's wall clock reads `wall` (ms as if UTC); in a DST gap, an instant near it. */
function instantOfWall(wall: number, timeZone: string): number {
  const guess = wall - (localTime(wall, timeZone).wall - wall);
  return wall - (localTime(guess, timeZone).wall - guess);
}

function minutesOf(hhmm: string): number {
  return hhmm === '24:00' ? 1440 : Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
}

/** The schedule holds at `t`: a day it lists and, with times, inside the range (a range past midnight belongs to the day it starts). */
export function scheduleActiveAt(schedule: SilenceSchedule, t: number): boolean {
  const local = localTime(t, schedule.timeZone);
  const onDay = (weekday: number) => schedule.weekdays === null || schedule.weekdays.includes(WEEKDAYS[weekday]!);
  if (schedule.times === null) return onDay(local.weekday);
  const start = minutesOf(schedule.times.start);
  const end = minutesOf(schedule.times.end);
  if (start < end) return onDay(local.weekday) && local.minute >= start && local.minute < end;
  return (local.minute >= start && onDay(local.weekday)) || (local.minute < end && onDay((local.weekday + 6) % 7));
}

/**
 * When the occurrence holding at `t` ends (the first instant it no longer holds), or null when it
 * never does (every day, all day). Read on the wall clock, so across a DST change a 22:00-06:00
 * night lasts 7 or 9 hours.
 */
export function occurrenceEnd(schedule: SilenceSchedule, t: number): number | null {
  const local = localTime(t, schedule.timeZone);
  let endWall: number;
  if (schedule.times === null) {
    const days = schedule.weekdays ?? WEEKDAYS;
    let k = 1;
    while (k <= 7 && days.includes(WEEKDAYS[(local.weekday + k) % 7]!)) k += 1;
    if (k > 7) return null;
    endWall = local.day + k * DAY_MS;
  } else {
    const start = minutesOf(schedule.times.start);
    const end = minutesOf(schedule.times.end);
    const nextDay = start > end && local.minute >= start ? 1 : 0;
    endWall = local.day + nextDay * DAY_MS + end * 60_000;
  }
  const end = instantOfWall(endWall, schedule.timeZone);
  return end > t ? end : null;
}

/** A request's schedule checked and normalised (zone name as Intl spells it, weekdays expanded). */
export function parseSchedule(input: unknown, pointer: string): { schedule: SilenceSchedule | null; problems: ProblemDetail[] } {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return { schedule: null, problems: [{ pointer, message: 'must be an object { timeZone, weekdays?, times? }' }] };
  }
  const problems: ProblemDetail[] = [];
  const raw = input as Record<string, unknown>;
  for (const key of Object.keys(raw)) {
    if (!SCHEDULE_FIELDS.includes(key)) problems.push({ pointer: `${pointer}/${key}`, message: `unknown field; expected ${SCHEDULE_FIELDS.join(', ')}` });
  }
  let timeZone: string | null = null;
  if (typeof raw.timeZone !== 'string') problems.push({ pointer: `${pointer}/timeZone`, message: 'is required: an IANA time zone name such as "Europe/Berlin"' });
  else {
    timeZone = canonicalTimeZone(raw.timeZone);
    if (timeZone === null) problems.push({ pointer: `${pointer}/timeZone`, message: `"${raw.timeZone.slice(0, 64)}" is not a known IANA time zone name` });
  }
  const weekdays = raw.weekdays === undefined ? null : parseWeekdays(raw.weekdays, `${pointer}/weekdays`, problems);
  const times = raw.times === undefined ? null : parseTimes(raw.times, `${pointer}/times`, problems);
  if (raw.weekdays === undefined && raw.times === undefined) problems.push({ pointer, message: 'must give weekdays, times or both' });
  if (problems.length > 0 || timeZone === null) return { schedule: null, problems };
  return { schedule: { timeZone, weekdays, times }, problems };
}

/** Weekday names and ranges ("mon", "mon-fri", "fri-mon" wrapping the weekend), expanded Monday first. */
export function parseWeekdays(input: unknown, pointer: string, problems: ProblemDetail[]): Weekday[] | null {
  if (!Array.isArray(input) || input.length === 0 || input.length > 7) {
    problems.push({ pointer, message: 'must be a list of 1 to 7 weekdays or ranges, e.g. ["mon-fri"] or ["sat", "sun"]' });
    return null;
  }
  const days = new Set<Weekday>();
  input.forEach((item, i) => {
    const range = typeof item === 'string' ? weekdayRange(item) : null;
    if (range === null) problems.push({ pointer: `${pointer}/${i}`, message: `must be a weekday (${WEEK_ORDER.join(', ')}) or a range such as "mon-fri"` });
    else for (const d of range) days.add(d);
  });
  return WEEK_ORDER.filter((d) => days.has(d));
}

function weekdayRange(text: string): Weekday[] | null {
  const [from, to, ...rest] = text.toLowerCase().split('-');
  const a = WEEK_ORDER.indexOf(from as Weekday);
  const b = to === undefined ? a : WEEK_ORDER.indexOf(to as Weekday);
  if (rest.length > 0 || a < 0 || b < 0) return null;
  const out: Weekday[] = [];
  for (let i = a; ; i = (i + 1) % 7) {
    out.push(WEEK_ORDER[i]!);
    if (i === b) return out;
  }
}

function parseTimes(input: unknown, pointer: string, problems: ProblemDetail[]): { start: string; end: string } | null {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    problems.push({ pointer, message: 'must be { "start": "HH:MM", "end": "HH:MM" }' });
    return null;
  }
  const raw = input as Record<string, unknown>;
  const before = problems.length;
  for (const key of Object.keys(raw)) if (key !== 'start' && key !== 'end') problems.push({ pointer: `${pointer}/${key}`, message: 'unknown field; expected start, end' });
  if (typeof raw.start !== 'string' || !START_PATTERN.test(raw.start)) problems.push({ pointer: `${pointer}/start`, message: 'must be a local time "HH:MM" from 00:00 to 23:59' });
  if (typeof raw.end !== 'string' || !END_PATTERN.test(raw.end)) problems.push({ pointer: `${pointer}/end`, message: 'must be a local time "HH:MM" from 00:00 to 24:00' });
  if (problems.length > before) return null;
  const start = raw.start as string;
  const end = raw.end as string;
  if (minutesOf(start) === minutesOf(end) % 1440) {
    problems.push({ pointer, message: 'start and end are the same time: leave times out for whole days' });
    return null;
  }
  return { start, end };
}
