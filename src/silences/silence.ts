/**
 * A silence: a maintenance window during which matched rules that would act are decided `silenced`
 * instead (docs/incidents.md). Never deleted: expiring one records who and when, so the silences in
 * force at any past instant can be read back (replay).
 */

/** An exact value, or an anchored regular expression (checked for safety when created). */
export type Matcher = string | { regex: string };

export const MATCHER_FIELDS = ['rule', 'type', 'target', 'source', 'severity'] as const;
export type MatcherField = (typeof MATCHER_FIELDS)[number];

/** At least one field; every field given must match. */
export type SilenceMatchers = Partial<Record<MatcherField, Matcher>>;

export const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/**
 * A recurring window, like Alertmanager's time intervals: the silence holds only on these weekdays
 * and within this daily range, read on the wall clock of `timeZone` (an IANA name).
 */
export interface SilenceSchedule {
  timeZone: string;
  /** The days a range starts on (a range past midnight runs into the next day); null: every day. */
  weekdays: Weekday[] | null;
  /** "HH:MM" local times; end "24:00" is the end of the day. null: the whole day. */
  times: { start: string; end: string } | null;
}

export interface Silence {
  id: string;
  matchers: SilenceMatchers;
  startsAt: Date;
  endsAt: Date;
  comment: string;
  schedule: SilenceSchedule | null;
  createdAt: Date;
  createdBy: string;
  expiredAt: Date | null;
  expiredBy: string | null;
}

export const SILENCE_STATES = ['pending', 'active', 'expired'] as const;
/** pending: not started yet; active: between start and end; expired: ended, or expired by hand. */
export type SilenceState = (typeof SILENCE_STATES)[number];

export function silenceState(s: Silence, now: Date): SilenceState {
  const t = now.getTime();
  if ((s.expiredAt !== null && s.expiredAt.getTime() <= t) || s.endsAt.getTime() <= t) return 'expired';
  return s.startsAt.getTime() > t ? 'pending' : 'active';
}

/**
 * In its period at `t` as it was known then: created at or before t, startsAt <= t < endsAt, not
 * expired at t. (Its schedule, if any, is checked apart: schedule.ts.)
 */
export function inPeriodAt(s: Silence, t: number): boolean {
  return (
    s.createdAt.getTime() <= t &&
    s.startsAt.getTime() <= t &&
    t < s.endsAt.getTime() &&
    (s.expiredAt === null || s.expiredAt.getTime() > t)
  );
}
