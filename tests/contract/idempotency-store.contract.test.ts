import crypto from 'node:crypto';
import type { IdempotencyRecord } from '../../src/domain/idempotency';
import type { Store } from '../../src/store/store';
import { T0, at } from './fixtures';
import { openStorePerTest, type StoreLocation, storeTargets } from './store-targets';

/**
 * Idempotency keys of ingest, run unchanged against every adapter. Two stores opened on one
 * location stand for two instances of the service.
 */
jest.setTimeout(60_000);

const HOUR = 3_600_000;

function claim(key: string, overrides: Partial<Omit<IdempotencyRecord, 'reply'>> = {}): Omit<IdempotencyRecord, 'reply'> {
  return { key, fingerprint: 'fp-1', token: crypto.randomUUID(), claimedAt: T0, expiresAt: at(HOUR), ...overrides };
}

const reply = { status: 200, json: JSON.stringify({ snapshotId: 'snap-1', decisions: [{ rule: 'r', kind: 'dispatched', 'a.b$c': 'ünïcode "q"' }] }) };

describe.each(storeTargets())('IdempotencyStore contract: $name', (target) => {
  let location: StoreLocation;
  let store: Store;
  openStorePerTest(target, (opened, first) => {
    location = opened;
    store = first;
  });

  it('claims an unknown key, then returns the claim and, once completed, its reply', async () => {
    const first = claim('k1');
    expect(await store.idempotency.claimIdempotencyKey(first, T0, at(-30_000))).toEqual({ claimed: true });
    const again = await store.idempotency.claimIdempotencyKey(claim('k1', { fingerprint: 'fp-2' }), at(10), at(-29_990));
    expect(again).toEqual({ claimed: false, record: { ...first, reply: null } });
    expect(await store.idempotency.completeIdempotencyKey('k1', first.token, reply)).toBe(true);
    expect(await store.idempotency.claimIdempotencyKey(claim('k1'), at(20), at(-29_980))).toEqual({
      claimed: false,
      record: { ...first, reply },
    });
    expect(await store.idempotency.getIdempotencyKey('k1')).toEqual({ ...first, reply });
    expect(await store.idempotency.getIdempotencyKey('nope')).toBeNull();
  });

  it('lets exactly one of many concurrent claims on two instances win', async () => {
    const other = await location.open();
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) => (i % 2 === 0 ? store : other).idempotency.claimIdempotencyKey(claim('race'), T0, at(-30_000))),
    );
    expect(results.filter((r) => r.claimed)).toHaveLength(1);
  });

  it('hands an expired key, or a claim never answered before staleBefore, to a new claim; an answered one stays until it expires', async () => {
    const old = claim('expired', { expiresAt: at(1000) });
    await store.idempotency.claimIdempotencyKey(old, T0, at(-30_000));
    await store.idempotency.completeIdempotencyKey('expired', old.token, reply);
    expect((await store.idempotency.claimIdempotencyKey(claim('expired'), at(999), at(-30_000))).claimed).toBe(false);
    const fresh = claim('expired', { claimedAt: at(1000), expiresAt: at(HOUR) });
    expect(await store.idempotency.claimIdempotencyKey(fresh, at(1000), at(-29_000))).toEqual({ claimed: true });
    expect(await store.idempotency.getIdempotencyKey('expired')).toEqual({ ...fresh, reply: null });

    const dead = claim('stale');
    await store.idempotency.claimIdempotencyKey(dead, T0, at(-30_000));
    expect((await store.idempotency.claimIdempotencyKey(claim('stale'), at(30_000), T0)).claimed).toBe(false);
    const taker = claim('stale', { claimedAt: at(30_001) });
    expect(await store.idempotency.claimIdempotencyKey(taker, at(30_001), at(1))).toEqual({ claimed: true });
    // The dead claim can no longer complete or release what is now the taker's.
    expect(await store.idempotency.completeIdempotencyKey('stale', dead.token, reply)).toBe(false);
    await store.idempotency.releaseIdempotencyKey('stale', dead.token);
    expect(await store.idempotency.getIdempotencyKey('stale')).toEqual({ ...taker, reply: null });
  });

  it('releases an unanswered claim of its token only, and never an answered one', async () => {
    const c = claim('rel');
    await store.idempotency.claimIdempotencyKey(c, T0, at(-30_000));
    await store.idempotency.releaseIdempotencyKey('rel', 'another-token');
    expect(await store.idempotency.getIdempotencyKey('rel')).not.toBeNull();
    await store.idempotency.releaseIdempotencyKey('rel', c.token);
    expect(await store.idempotency.getIdempotencyKey('rel')).toBeNull();
    expect(await store.idempotency.claimIdempotencyKey(claim('rel'), T0, at(-30_000))).toEqual({ claimed: true });

    const done = claim('kept');
    await store.idempotency.claimIdempotencyKey(done, T0, at(-30_000));
    await store.idempotency.completeIdempotencyKey('kept', done.token, reply);
    await store.idempotency.releaseIdempotencyKey('kept', done.token);
    expect((await store.idempotency.getIdempotencyKey('kept'))?.reply).toEqual(reply);
    expect(await store.idempotency.completeIdempotencyKey('kept', done.token, { status: 200, json: '{}' })).toBe(false);
  });

  it('prunes the keys that expired, only those, and is seen by another instance', async () => {
    await store.idempotency.claimIdempotencyKey(claim('a', { expiresAt: at(1000) }), T0, at(-30_000));
    await store.idempotency.claimIdempotencyKey(claim('b', { expiresAt: at(2000) }), T0, at(-30_000));
    await store.idempotency.claimIdempotencyKey(claim('c', { expiresAt: at(3000) }), T0, at(-30_000));
    expect(await store.idempotency.pruneIdempotencyKeys(at(2000))).toBe(2);
    const other = await location.open();
    expect(await other.idempotency.getIdempotencyKey('a')).toBeNull();
    expect(await other.idempotency.getIdempotencyKey('b')).toBeNull();
    expect((await other.idempotency.getIdempotencyKey('c'))?.key).toBe('c');
  });
});
