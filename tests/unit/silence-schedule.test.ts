import { canonicalTimeZone, occurrenceEnd, parseSchedule, scheduleActiveAt } from '../../src/silences/schedule';
import { silenceFor } from '../../src/silences/in-force';
import type { Silence, SilenceSchedule } from '../../src/silences/silence';

const t = (iso: string) => Date.parse(iso);
const nights: SilenceSchedule = { timeZone: 'Europe/Berlin', weekdays: ['mon', 'tue', 'wed', 'thu', 'fri'], times: { start: '22:00', end: '06:00' } };

describe('silence schedules', () => {
  it('reads the wall clock of the named zone', () => {
    const office: SilenceSchedule = { timeZone: 'America/New_York', weekdays: null, times: { start: '09:00', end: '17:00' } };
    // 2026-01-14 14:00Z is 09:00 in New York (EST, UTC-5).
    expect(scheduleActiveAt(office, t('2026-01-14T13:59:00Z'))).toBe(false);
    expect(scheduleActiveAt(office, t('2026-01-14T14:00:00Z'))).toBe(true);
    expect(scheduleActiveAt(office, t('2026-01-14T21:59:59Z'))).toBe(true);
    expect(scheduleActiveAt(office, t('2026-01-14T22:00:00Z'))).toBe(false);
    expect(occurrenceEnd(office, t('2026-01-14T15:00:00Z'))).toBe(t('2026-01-14T22:00:00Z'));
  });

  it('gives a range past midnight to the day it starts on', () => {
    // Friday 2026-01-16 23:00 Berlin (22:00Z): on; Saturday 05:00 Berlin still Friday night's.
    expect(scheduleActiveAt(nights, t('2026-01-16T22:00:00Z'))).toBe(true);
    expect(scheduleActiveAt(nights, t('2026-01-17T04:59:00Z'))).toBe(true);
    expect(occurrenceEnd(nights, t('2026-01-16T22:00:00Z'))).toBe(t('2026-01-17T05:00:00Z'));
    // Saturday 23:00 Berlin: not a listed day; Monday 05:00 Berlin: Sunday night's, not listed.
    expect(scheduleActiveAt(nights, t('2026-01-17T22:00:00Z'))).toBe(false);
    expect(scheduleActiveAt(nights, t('2026-01-19T04:00:00Z'))).toBe(false);
    // Monday 21:59 Berlin off, 22:00 on, Tuesday 06:00 off.
    expect(scheduleActiveAt(nights, t('2026-01-19T20:59:00Z'))).toBe(false);
    expect(scheduleActiveAt(nights, t('2026-01-19T21:00:00Z'))).toBe(true);
    expect(scheduleActiveAt(nights, t('2026-01-20T05:00:00Z'))).toBe(false);
  });

  it('follows DST: the night of the spring change lasts 7 hours, the autumn one 9', () => {
    const everyNight: SilenceSchedule = { ...nights, weekdays: null };
    // Europe/Berlin goes from +01:00 to +02:00 on 2026-03-29 at 02:00 local.
    expect(scheduleActiveAt(everyNight, t('2026-03-28T21:00:00Z'))).toBe(true); // 22:00 CET
    expect(occurrenceEnd(everyNight, t('2026-03-28T21:00:00Z'))).toBe(t('2026-03-29T04:00:00Z')); // 06:00 CEST
    expect(scheduleActiveAt(everyNight, t('2026-03-29T03:59:00Z'))).toBe(true);
    expect(scheduleActiveAt(everyNight, t('2026-03-29T04:00:00Z'))).toBe(false);
    // Back to +01:00 on 2026-10-25 at 03:00 local: 22:00 CEST (20:00Z) until 06:00 CET (05:00Z).
    expect(occurrenceEnd(everyNight, t('2026-10-24T20:00:00Z'))).toBe(t('2026-10-25T05:00:00Z'));
    // A range inside the repeated hour holds during both passes of it.
    const repeated: SilenceSchedule = { timeZone: 'Europe/Berlin', weekdays: null, times: { start: '02:00', end: '03:00' } };
    expect(scheduleActiveAt(repeated, t('2026-10-25T00:30:00Z'))).toBe(true); // 02:30 CEST
    expect(scheduleActiveAt(repeated, t('2026-10-25T01:30:00Z'))).toBe(true); // 02:30 CET
    // And a range inside the skipped hour never holds that day.
    expect(scheduleActiveAt(repeated, t('2026-03-29T00:59:00Z'))).toBe(false); // 01:59 CET
    expect(scheduleActiveAt(repeated, t('2026-03-29T01:00:00Z'))).toBe(false); // 03:00 CEST
  });

  it('without times holds whole days, ending at local midnight after the last listed day', () => {
    const weekend: SilenceSchedule = { timeZone: 'Asia/Tokyo', weekdays: ['sat', 'sun'], times: null };
    // Saturday 2026-01-17 00:00 in Tokyo is 2026-01-16 15:00Z.
    expect(scheduleActiveAt(weekend, t('2026-01-16T14:59:00Z'))).toBe(false);
    expect(scheduleActiveAt(weekend, t('2026-01-16T15:00:00Z'))).toBe(true);
    expect(occurrenceEnd(weekend, t('2026-01-16T15:00:00Z'))).toBe(t('2026-01-18T15:00:00Z'));
    expect(occurrenceEnd({ ...weekend, weekdays: null }, t('2026-01-16T15:00:00Z'))).toBeNull();
  });

  it('checks the zone, weekdays and times, and expands ranges Monday first', () => {
    expect(canonicalTimeZone('europe/berlin')).toBe('Europe/Berlin');
    expect(canonicalTimeZone('Mars/Olympus')).toBeNull();
    expect(canonicalTimeZone('+01:00')).toBeNull();
    expect(parseSchedule({ timeZone: 'UTC', weekdays: ['fri-mon', 'wed'] }, '/schedule')).toEqual({
      schedule: { timeZone: 'UTC', weekdays: ['mon', 'wed', 'fri', 'sat', 'sun'], times: null },
      problems: [],
    });
    expect(parseSchedule({ timeZone: 'UTC', times: { start: '22:00', end: '24:00' } }, '/s').problems).toEqual([]);
    const bad = parseSchedule({ timeZone: 'Nowhere/City', weekdays: ['funday', 'mon-xyz'], times: { start: '25:00', end: '6:00' }, every: 1 }, '/schedule');
    expect(bad.problems.map((p) => p.pointer)).toEqual(['/schedule/every', '/schedule/timeZone', '/schedule/weekdays/0', '/schedule/weekdays/1', '/schedule/times/start', '/schedule/times/end']);
    expect(parseSchedule({ timeZone: 'UTC' }, '/s').problems[0]!.message).toMatch(/weekdays, times or both/);
    expect(parseSchedule({ timeZone: 'UTC', times: { start: '06:00', end: '06:00' } }, '/s').problems[0]!.message).toMatch(/same time/);
    expect(parseSchedule({ timeZone: 'UTC', weekdays: [] }, '/s').problems[0]!.pointer).toBe('/s/weekdays');
  });
});

describe('the silence in force', () => {
  const base = (over: Partial<Silence>): Silence => ({
    id: 'x', matchers: { target: 'router' }, startsAt: new Date('2026-01-01T00:00:00Z'), endsAt: new Date('2026-02-01T00:00:00Z'),
    comment: 'c', schedule: null, createdAt: new Date('2026-01-01T00:00:00Z'), createdBy: 'k', expiredAt: null, expiredBy: null, ...over,
  });
  const subject = { rule: 'r', type: 'model_failover', target: 'router', source: 'agentx', severity: 'critical' };

  it('names the one that holds longest, with its until; a schedule cuts until to its window', () => {
    const long = base({ id: 'long' });
    const short = base({ id: 'short', endsAt: new Date('2026-01-10T00:00:00Z') });
    const scheduled = base({ id: 'nightly', endsAt: new Date('2026-03-01T00:00:00Z'), schedule: { ...nights, weekdays: null } });
    const at = t('2026-01-05T23:00:00Z'); // midnight in Berlin
    expect(silenceFor([short, long], subject, at)).toEqual({ id: 'long', until: long.endsAt });
    expect(silenceFor([short, scheduled], subject, at)).toEqual({ id: 'short', until: short.endsAt });
    expect(silenceFor([scheduled], subject, at)).toEqual({ id: 'nightly', until: new Date('2026-01-06T05:00:00Z') });
    expect(silenceFor([scheduled], subject, t('2026-01-06T12:00:00Z'))).toBeNull();
  });

  it('holds only inside its period as known at the instant: not before creation, not after expiry or end', () => {
    const s = base({ createdAt: new Date('2026-01-03T00:00:00Z'), expiredAt: new Date('2026-01-04T00:00:00Z'), expiredBy: 'k' });
    expect(silenceFor([s], subject, t('2026-01-02T00:00:00Z'))).toBeNull();
    expect(silenceFor([s], subject, t('2026-01-03T12:00:00Z'))).toEqual({ id: 'x', until: s.endsAt });
    expect(silenceFor([s], subject, t('2026-01-04T00:00:00Z'))).toBeNull();
    expect(silenceFor([base({})], subject, t('2026-02-01T00:00:00Z'))).toBeNull();
    expect(silenceFor([base({})], { ...subject, target: 'throttle' }, t('2026-01-05T00:00:00Z'))).toBeNull();
  });
});
