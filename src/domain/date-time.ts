/**
 * RFC 3339 date-time (`2026-03-01T10:00:00Z`, `...T10:00:00.5+02:00`): the one definition the JSON
 * Schemas' `date-time` format and the query parser share. Every accepted text is one a JavaScript
 * Date can hold; so no leap second (`23:59:60`: Date cannot represent it, and the service would
 * throw "Invalid time value" on it later) and no impossible day (`02-30`, which Date would roll
 * over into March).
 */
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-](\d{2}):(\d{2}))$/;

const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysIn(year: number, month: number): number {
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return month === 2 && leap ? 29 : DAYS[month - 1]!;
}

/** The instant a date-time text names, or null when it is not one (by format or by calendar). */
export function parseDateTime(text: string): Date | null {
  const m = DATE_TIME.exec(text);
  if (!m) return null;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return null;
  if (hour > 23 || minute > 59 || second > 59) return null;
  if (m[9] !== undefined && (Number(m[9]) > 23 || Number(m[10]) > 59)) return null;
  const date = new Date(text.replace(' ', 'T').toUpperCase());
  return Number.isNaN(date.getTime()) ? null : date;
}

export function isDateTime(text: string): boolean {
  return parseDateTime(text) !== null;
}
