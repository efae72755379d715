import crypto from 'node:crypto';
import type { OutboxEntry } from '../../src/domain/notification';
import type { Store } from '../../src/store/store';
import { T0, at } from './fixtures';
import { openStorePerTest, type StoreLocation, storeTargets } from './store-targets';

/**
 * The notification store (n8n outbox and inbound replay keys), run unchanged against every adapter:
 * SQLite always, MongoDB when MONGODB_URI is set. "Two connections" stands for two instances.
 */
jest.setTimeout(60_000);

function entry(overrides: Partial<OutboxEntry> = {}): OutboxEntry {
  const eventId = crypto.randomUUID();
  const createdAt = overrides.createdAt ?? T0;
  return {
    id: `${eventId}:n8n`,
    eventId,
    eventType: 'alert.created',
    destination: 'n8n',
    url: 'http://127.0.0.1:9/webhook',
    payload: JSON.stringify({ id: eventId, type: 'alert.created', data: { text: 'ünïcode & "quotes"' } }),
    status: 'pending',
    attempts: 0,
    createdAt,
    updatedAt: createdAt,
    nextAttemptAt: createdAt,
    lockedBy: null,
    lockedUntil: null,
    lastError: null,
    lastStatusCode: null,
    deliveredAt: null,
    orderKey: null,
    ...overrides,
  };
}

const LOCK = at(60_000);

describe.each(storeTargets())('NotificationStore contract: $name', (target) => {
  let location: StoreLocation;
  let store: Store;
  openStorePerTest(target, (opened, first) => {
    location = opened;
    store = first;
  });

  describe('outbox', () => {
    it('stores an entry as given and ignores a second enqueue of the same id', async () => {
      const e = entry();
      await store.notifications.enqueueOutbox([e]);
      await store.notifications.enqueueOutbox([{ ...e, payload: '{"changed":true}', attempts: 5 }]);
      expect(await store.notifications.getOutboxEntry(e.id)).toEqual(e);
      expect(await store.notifications.getOutboxEntry('nope')).toBeNull();
    });

    it('names the first-queued pending entry of an order key and destination', async () => {
      const first = entry({ orderKey: 'act-1', createdAt: at(0) });
      const second = entry({ orderKey: 'act-1', createdAt: at(10) });
      const elsewhere = entry({ orderKey: 'act-1', createdAt: at(-10), destination: 'chat' });
      const other = entry({ orderKey: 'act-2', createdAt: at(-20) });
      await store.notifications.enqueueOutbox([second, first, elsewhere, other]);
      expect((await store.notifications.firstPendingInOrder('n8n', 'act-1'))?.id).toBe(first.id);
      const claimed = await store.notifications.claimDueOutbox(at(60_000), 'me', at(120_000), 10);
      expect(claimed.map((e) => e.id)).toContain(first.id);
      await store.notifications.recordOutboxAttempt(first.id, 'me', {
        status: 'delivered', attempts: 1, nextAttemptAt: at(0), lastError: null, lastStatusCode: 200, deliveredAt: at(1), at: at(1),
      });
      expect((await store.notifications.firstPendingInOrder('n8n', 'act-1'))?.id).toBe(second.id);
      await expect(store.notifications.firstPendingInOrder('n8n', 'act-3')).resolves.toBeNull();
    });

    it('claims only pending entries that are due and unclaimed, oldest due first, up to the limit', async () => {
      const late = entry({ nextAttemptAt: at(5_000) });
      const first = entry({ nextAttemptAt: at(-2_000) });
      const second = entry({ nextAttemptAt: at(-1_000) });
      const done = entry({ status: 'delivered', deliveredAt: T0 });
      const failed = entry({ status: 'failed' });
      await store.notifications.enqueueOutbox([late, second, first, done, failed]);

      const claimed = await store.notifications.claimDueOutbox(T0, 'a', LOCK, 1);
      expect(claimed.map((c) => c.id)).toEqual([first.id]);
      expect(claimed[0]).toMatchObject({ lockedBy: 'a', lockedUntil: LOCK });
      const rest = await store.notifications.claimDueOutbox(T0, 'b', LOCK, 10);
      expect(rest.map((c) => c.id)).toEqual([second.id]);
      expect(await store.notifications.claimDueOutbox(T0, 'c', LOCK, 10)).toEqual([]);
      // Once a claim's lock runs out (its holder died), another instance takes the entry over.
      const after = await store.notifications.claimDueOutbox(at(61_000), 'c', at(120_000), 10);
      expect(after.map((c) => c.id).sort()).toEqual([first.id, second.id, late.id].sort());
    });

    it('records an attempt only for the claim holder, and frees the entry', async () => {
      const e = entry();
      await store.notifications.enqueueOutbox([e]);
      await store.notifications.claimDueOutbox(T0, 'a', LOCK, 10);
      const retry = {
        status: 'pending' as const,
        attempts: 1,
        nextAttemptAt: at(1_000),
        lastError: 'HTTP 500',
        lastStatusCode: 500,
        deliveredAt: null,
        at: at(10),
      };
      expect(await store.notifications.recordOutboxAttempt(e.id, 'b', retry)).toBe(false);
      expect(await store.notifications.recordOutboxAttempt(e.id, 'a', retry)).toBe(true);
      expect(await store.notifications.getOutboxEntry(e.id)).toMatchObject({
        status: 'pending',
        attempts: 1,
        nextAttemptAt: at(1_000),
        lastError: 'HTTP 500',
        lastStatusCode: 500,
        lockedBy: null,
        lockedUntil: null,
        updatedAt: at(10),
      });
      expect(await store.notifications.claimDueOutbox(T0, 'b', LOCK, 10)).toEqual([]); // not due yet
      const [again] = await store.notifications.claimDueOutbox(at(1_000), 'b', LOCK, 10);
      expect(again?.id).toBe(e.id);
      expect(
        await store.notifications.recordOutboxAttempt(e.id, 'b', {
          status: 'delivered',
          attempts: 2,
          nextAttemptAt: at(1_000),
          lastError: null,
          lastStatusCode: 200,
          deliveredAt: at(1_500),
          at: at(1_500),
        }),
      ).toBe(true);
      expect(await store.notifications.getOutboxEntry(e.id)).toMatchObject({ status: 'delivered', attempts: 2, deliveredAt: at(1_500) });
      expect(await store.notifications.claimDueOutbox(at(10_000_000), 'c', at(10_060_000), 10)).toEqual([]);
      // A holder whose claim is gone (delivered meanwhile) cannot write over it.
      expect(await store.notifications.recordOutboxAttempt(e.id, 'b', retry)).toBe(false);
    });

    it('releases a claim without counting an attempt', async () => {
      const e = entry({ attempts: 2, lastError: 'HTTP 502' });
      await store.notifications.enqueueOutbox([e]);
      await store.notifications.claimDueOutbox(T0, 'a', LOCK, 10);
      expect(await store.notifications.releaseOutboxClaim(e.id, 'x', at(30_000), 'circuit open', at(5))).toBe(false);
      expect(await store.notifications.releaseOutboxClaim(e.id, 'a', at(30_000), null, at(5))).toBe(true);
      expect(await store.notifications.getOutboxEntry(e.id)).toMatchObject({
        attempts: 2,
        lastError: 'HTTP 502',
        nextAttemptAt: at(30_000),
        lockedBy: null,
      });
      await store.notifications.claimDueOutbox(at(30_000), 'a', at(90_000), 10);
      await store.notifications.releaseOutboxClaim(e.id, 'a', at(60_000), 'circuit open', at(31_000));
      expect(await store.notifications.getOutboxEntry(e.id)).toMatchObject({ attempts: 2, lastError: 'circuit open' });
    });

    it('never hands one entry to two concurrent claimers (two connections)', async () => {
      const entries = Array.from({ length: 8 }, () => entry());
      await store.notifications.enqueueOutbox(entries);
      const other = await location.open();
      const results = await Promise.all(
        Array.from({ length: 16 }, (_, i) => (i % 2 === 0 ? store : other).notifications.claimDueOutbox(T0, `owner-${i}`, LOCK, 2)),
      );
      const ids = results.flat().map((e) => e.id);
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids.length).toBe(8);
      for (const [i, claimed] of results.entries()) {
        for (const c of claimed) expect((await store.notifications.getOutboxEntry(c.id))?.lockedBy).toBe(`owner-${i}`);
      }
    });

    it('lists newest first, filtered by status and type, in pages', async () => {
      const items = Array.from({ length: 5 }, (_, i) =>
        entry({ createdAt: at(i * 1000), eventType: i % 2 === 0 ? 'alert.created' : 'action.failed', status: i === 4 ? 'failed' : 'pending' }),
      );
      await store.notifications.enqueueOutbox(items);
      const page1 = await store.notifications.listOutbox({ limit: 2 });
      expect(page1.items.map((e) => e.id)).toEqual([items[4]!.id, items[3]!.id]);
      const page2 = await store.notifications.listOutbox({ limit: 2, cursor: page1.nextCursor! });
      const page3 = await store.notifications.listOutbox({ limit: 2, cursor: page2.nextCursor! });
      expect(page2.items.map((e) => e.id)).toEqual([items[2]!.id, items[1]!.id]);
      expect(page3.items.map((e) => e.id)).toEqual([items[0]!.id]);
      expect(page3.nextCursor).toBeNull();
      const alerts = await store.notifications.listOutbox({ limit: 10, eventType: 'alert.created', status: ['pending'] });
      expect(alerts.items.map((e) => e.id)).toEqual([items[2]!.id, items[0]!.id]);
      const failed = await store.notifications.listOutbox({ limit: 10, status: ['failed', 'delivered'] });
      expect(failed.items.map((e) => e.id)).toEqual([items[4]!.id]);
    });

    it('counts entries by status', async () => {
      expect(await store.notifications.countOutbox('pending')).toBe(0);
      await store.notifications.enqueueOutbox([entry(), entry(), entry({ status: 'failed' }), entry({ status: 'delivered' })]);
      expect(await store.notifications.countOutbox('pending')).toBe(2);
      expect(await store.notifications.countOutbox('failed')).toBe(1);
      expect(await store.notifications.countOutbox('delivered')).toBe(1);
    });

    it('prunes finished entries older than the cutoff and keeps pending ones', async () => {
      const oldDone = entry({ status: 'delivered', updatedAt: at(-10_000) });
      const oldFailed = entry({ status: 'failed', updatedAt: at(-10_000) });
      const oldPending = entry({ updatedAt: at(-10_000) });
      const newDone = entry({ status: 'delivered', updatedAt: at(10_000) });
      await store.notifications.enqueueOutbox([oldDone, oldFailed, oldPending, newDone]);
      expect(await store.notifications.pruneOutbox(T0)).toBe(2);
      const left = (await store.notifications.listOutbox({ limit: 10 })).items.map((e) => e.id).sort();
      expect(left).toEqual([oldPending.id, newDone.id].sort());
    });
  });

  describe('inbound request keys', () => {
    it('accepts a key once until it expires, then again', async () => {
      expect(await store.notifications.rememberInboundRequest('sig:abc', at(300_000), T0)).toBe(true);
      expect(await store.notifications.rememberInboundRequest('sig:abc', at(300_000), at(1_000))).toBe(false);
      expect(await store.notifications.rememberInboundRequest('sig:other', at(300_000), at(1_000))).toBe(true);
      expect(await store.notifications.rememberInboundRequest('sig:abc', at(900_000), at(300_000))).toBe(true);
      expect(await store.notifications.rememberInboundRequest('sig:abc', at(900_000), at(400_000))).toBe(false);
    });

    it('lets exactly one of many concurrent identical requests through (two connections)', async () => {
      const other = await location.open();
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? store : other).notifications.rememberInboundRequest('sig:race', at(300_000), T0)),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
    });

    it('forgets expired keys in the sweep', async () => {
      await store.notifications.rememberInboundRequest('a', at(1_000), T0);
      await store.notifications.rememberInboundRequest('b', at(5_000), T0);
      expect(await store.notifications.pruneInboundRequests(at(1_000))).toBe(1);
      expect(await store.notifications.rememberInboundRequest('b', at(9_000), at(2_000))).toBe(false);
      expect(await store.notifications.rememberInboundRequest('a', at(9_000), at(2_000))).toBe(true);
    });
  });
});
