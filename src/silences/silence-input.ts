import { parseDateTime } from '../domain/date-time';
import type { ProblemDetail } from '../errors';
import { matcherProblems } from './matchers';
import { parseSchedule } from './schedule';
import type { Silence, SilenceMatchers, SilenceSchedule } from './silence';

/** A create request as it comes in (its shape checked by the request schema or not at all). */
export interface SilenceRequest {
  matchers: unknown;
  startsAt?: unknown;
  endsAt: unknown;
  comment: unknown;
  schedule?: unknown;
}

export const MAX_COMMENT_LENGTH = 1000;
/** The longest a silence may last: a year and a day (a recurring window is re-created yearly). */
export const MAX_SILENCE_MS = 366 * 86_400_000;
const FIELDS = ['matchers', 'startsAt', 'endsAt', 'comment', 'schedule'];

export type SilenceDraft = Pick<Silence, 'matchers' | 'startsAt' | 'endsAt' | 'comment' | 'schedule'>;

/**
 * Checks a create request at `now` and returns the silence it asks for, or every problem with it
 * (pointers into the body): matchers (at least one; regexes that compile and are safe), dates in
 * order with an end still ahead, a schedule with a real zone, weekdays and times.
 */
export function parseSilenceRequest(body: unknown, now: Date): { draft: SilenceDraft | null; problems: ProblemDetail[] } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return { draft: null, problems: [{ pointer: '', message: 'must be a JSON object' }] };
  const raw = body as Record<string, unknown>;
  const problems: ProblemDetail[] = [];
  for (const key of Object.keys(raw)) if (!FIELDS.includes(key)) problems.push({ pointer: `/${key}`, message: `unknown field; expected ${FIELDS.join(', ')}` });
  if (raw.matchers === undefined) problems.push({ pointer: '/matchers', message: 'is required' });
  else problems.push(...matcherProblems(raw.matchers, '/matchers'));
  const startsAt = raw.startsAt === undefined ? now : dateAt(raw.startsAt, '/startsAt', problems);
  const endsAt = raw.endsAt === undefined ? (problems.push({ pointer: '/endsAt', message: 'is required' }), null) : dateAt(raw.endsAt, '/endsAt', problems);
  if (startsAt && endsAt) {
    if (endsAt.getTime() <= startsAt.getTime()) problems.push({ pointer: '/endsAt', message: `must be later than startsAt (${startsAt.toISOString()})` });
    else if (endsAt.getTime() <= now.getTime()) problems.push({ pointer: '/endsAt', message: `must be later than now (${now.toISOString()})` });
    else if (endsAt.getTime() - startsAt.getTime() > MAX_SILENCE_MS) problems.push({ pointer: '/endsAt', message: 'a silence may last at most 366 days' });
  }
  if (typeof raw.comment !== 'string' || raw.comment.trim().length === 0 || raw.comment.length > MAX_COMMENT_LENGTH) {
    problems.push({ pointer: '/comment', message: `is required: 1 to ${MAX_COMMENT_LENGTH} characters saying why` });
  }
  let schedule: SilenceSchedule | null = null;
  if (raw.schedule !== undefined && raw.schedule !== null) {
    const parsed = parseSchedule(raw.schedule, '/schedule');
    problems.push(...parsed.problems);
    schedule = parsed.schedule;
  }
  if (problems.length > 0) return { draft: null, problems };
  return {
    draft: { matchers: raw.matchers as SilenceMatchers, startsAt: startsAt!, endsAt: endsAt!, comment: raw.comment as string, schedule },
    problems,
  };
}

function dateAt(value: unknown, pointer: string, problems: ProblemDetail[]): Date | null {
  const date = typeof value === 'string' ? parseDateTime(value) : null;
  if (date === null) problems.push({ pointer, message: 'must be an RFC 3339 date-time such as 2026-03-01T22:00:00Z' });
  return date;
}
