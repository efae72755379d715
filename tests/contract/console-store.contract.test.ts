import crypto from 'node:crypto';
import type { NewJournalEvent, SessionRecord } from '../../src/domain/console';
import type { Store } from '../../src/store/store';
import { T0, at } from './fixtures';
import { openStorePerTest, type StoreLocation, storeTargets } from './store-targets';

/**
 * The console store (event journal behind GET /api/events, sign-in sessions), run unchanged against
 * every adapter. Two stores opened on one location stand for two instances of the service.
 */
jest.setTimeout(60_000);


function event(offsetMs = 0): NewJournalEvent {
  const id = crypto.randomUUID();
  return { id, type: 'action.succeeded', occurredAt: at(offsetMs), payload: JSON.stringify({ id, text: 'ünïcode & "quotes"' }) };
}

function session(overrides: Partial<SessionRecord> = {}): SessionRecord {
  return { id: crypto.randomBytes(32).toString('hex'), keyName: 'ap', role: 'approver', createdAt: T0, expiresAt: at(60_000), ...overrides };
}

describe.each(storeTargets())('ConsoleStore contract: $name', (target) => {
  let location: StoreLocation;
  let store: Store;
  openStorePerTest(target, (opened, first) => {
    location = opened;
    store = first;
  });

  describe('event journal', () => {
    it('numbers events 1, 2, 3 and returns those after a number, oldest first, as written', async () => {
      expect(await store.console.lastEventSeq()).toBe(0);
      const written = [event(0), event(1), event(2)];
      const seqs = [];
      for (const e of written) seqs.push(await store.console.appendEvent(e));
      expect(seqs).toEqual([1, 2, 3]);
      expect(await store.console.lastEventSeq()).toBe(3);
      expect(await store.console.eventsAfter(1, 10)).toEqual([
        { seq: 2, ...written[1] },
        { seq: 3, ...written[2] },
      ]);
      expect((await store.console.eventsAfter(0, 2)).map((e) => e.seq)).toEqual([1, 2]);
      expect(await store.console.eventsAfter(3, 10)).toEqual([]);
    });

    it('gives concurrent appends from two instances distinct numbers without gaps', async () => {
      const other = await location.open();
      const results = await Promise.all(
        Array.from({ length: 16 }, (_, i) => (i % 2 === 0 ? store : other).console.appendEvent(event(i))),
      );
      expect([...results].sort((a, b) => a - b)).toEqual(Array.from({ length: 16 }, (_, i) => i + 1));
      expect((await other.console.eventsAfter(0, 100)).map((e) => e.seq)).toEqual(Array.from({ length: 16 }, (_, i) => i + 1));
    });

    it('prunes old events but keeps the newest, so numbering goes on after it', async () => {
      await store.console.appendEvent(event(-10_000));
      await store.console.appendEvent(event(-9_000));
      await store.console.appendEvent(event(-8_000));
      expect(await store.console.pruneEvents(at(0))).toBe(2);
      expect((await store.console.eventsAfter(0, 10)).map((e) => e.seq)).toEqual([3]);
      expect(await store.console.appendEvent(event(0))).toBe(4);
    });
  });

  describe('sessions', () => {
    it('stores a session, finds it from another instance, and ends it everywhere', async () => {
      const other = await location.open();
      const s = session();
      await store.console.insertSession(s);
      expect(await other.console.getSession(s.id)).toEqual(s);
      expect(await other.console.deleteSession(s.id)).toBe(true);
      expect(await store.console.getSession(s.id)).toBeNull();
      expect(await store.console.deleteSession(s.id)).toBe(false);
    });

    it('refuses a second session with the same id', async () => {
      const s = session();
      await store.console.insertSession(s);
      const refused = await store.console.insertSession({ ...s, keyName: 'other' }).then(() => null, (err: unknown) => err);
      expect(refused).not.toBeNull();
      expect((await store.console.getSession(s.id))?.keyName).toBe('ap');
    });

    it('prunes sessions that expired at or before now, and only those', async () => {
      const expired = session({ expiresAt: at(0) });
      const live = session({ expiresAt: at(1) });
      await store.console.insertSession(expired);
      await store.console.insertSession(live);
      expect(await store.console.pruneSessions(at(0))).toBe(1);
      expect(await store.console.getSession(expired.id)).toBeNull();
      expect(await store.console.getSession(live.id)).toEqual(live);
    });
  });
});
