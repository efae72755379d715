import { matchesSubject, type SilenceSubject } from './matchers';
import { occurrenceEnd, scheduleActiveAt } from './schedule';
import { inPeriodAt, type Silence } from './silence';

/** A silence holding for a subject, and until when it holds (its end, or its schedule's window end if sooner). */
export interface SilenceHit {
  id: string;
  until: Date;
}

/** In force at `t`: in its period as known at t (created, started, not ended or expired) and, if scheduled, inside a window. */
export function inForceAt(s: Silence, t: number): boolean {
  return inPeriodAt(s, t) && (s.schedule === null || scheduleActiveAt(s.schedule, t));
}

function holdsUntil(s: Silence, t: number): number {
  const end = s.schedule === null ? null : occurrenceEnd(s.schedule, t);
  return end === null ? s.endsAt.getTime() : Math.min(end, s.endsAt.getTime());
}

/**
 * The silence in force at `t` for this subject, or null. When several hold, the one holding longest
 * is named (its `until` is when the subject is next free to act); on a tie, the one created first.
 */
export function silenceFor(silences: readonly Silence[], subject: SilenceSubject, t: number): SilenceHit | null {
  return matchingSilence(silences.filter((s) => inForceAt(s, t)), subject, t);
}

/**
 * silenceFor over silences already known to be in force at `t`: decide checks which are (a
 * schedule reads the zone's clock) once per snapshot, then matches each rule that could act.
 */
export function matchingSilence(inForce: readonly Silence[], subject: SilenceSubject, t: number): SilenceHit | null {
  let best: { s: Silence; until: number } | null = null;
  for (const s of inForce) {
    if (!matchesSubject(s.matchers, subject)) continue;
    const until = holdsUntil(s, t);
    if (best === null || until > best.until || (until === best.until && s.createdAt.getTime() < best.s.createdAt.getTime())) best = { s, until };
  }
  return best === null ? null : { id: best.s.id, until: new Date(best.until) };
}
