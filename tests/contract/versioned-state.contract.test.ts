import { buildEvent } from '../../src/domain/events';
import { CAS_ATTEMPTS, keepStored, updateVersioned, writeNext } from '../../src/store/compare-and-set';
import type { Store } from '../../src/store/store';
import { FAILOVER_STATE, promptKey, type StateKey } from '../../src/store/versioned-state-store';
import { T0, makeFailover, makePrompt } from './fixtures';
import { openStorePerTest, type StoreLocation, storeTargets } from './store-targets';

/**
 * The generic compare-and-set document store, on every adapter: a revision is written once, by one
 * of any number of concurrent writers; the one retry loop (updateVersioned) converges under
 * contention without losing an update; the typed shorthands read and write the same documents.
 */
jest.setTimeout(60_000);

interface Counter {
  n: number;
  writers: number[];
}

const counterKey = (name: string): StateKey<Counter> => ({ space: 'state', key: `test-counter-${name}` });
const PARALLEL = 20;

describe.each(storeTargets())('versioned state store: $name', (target) => {
  let location: StoreLocation;
  let store: Store;
  openStorePerTest(target, (opened, first) => {
    location = opened;
    store = first;
  });

  it('creates a document once, then writes each next revision only over the one read', async () => {
    const key = counterKey('cas');
    await expect(store.getVersioned(key)).resolves.toBeNull();
    await expect(store.setIfRevision(key, { n: 1, writers: [] }, 1)).resolves.toBe(false);
    await expect(store.setIfRevision(key, { n: 1, writers: [] }, 0)).resolves.toBe(true);
    await expect(store.setIfRevision(key, { n: 9, writers: [] }, 0)).resolves.toBe(false);
    await expect(store.setIfRevision(key, { n: 2, writers: [] }, 1)).resolves.toBe(true);
    await expect(store.getVersioned(key)).resolves.toEqual({ value: { n: 2, writers: [] }, revision: 2 });
    // Another key is another document.
    await expect(store.getVersioned(counterKey('other'))).resolves.toBeNull();
  });

  it(`lets exactly one of ${PARALLEL} concurrent writers of a revision win (two connections)`, async () => {
    const key = counterKey('race');
    await store.setIfRevision(key, { n: 0, writers: [] }, 0);
    const other = await location.open();
    const results = await Promise.all(
      Array.from({ length: PARALLEL }, (_, i) => (i % 2 === 0 ? store : other).setIfRevision(key, { n: 1, writers: [i] }, 1)),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
    await expect(store.getVersioned(key)).resolves.toEqual({ value: { n: 1, writers: [results.indexOf(true)] }, revision: 2 });
  });

  it(`converges under contention: ${CAS_ATTEMPTS} concurrent read-modify-writes all land, none lost (two connections)`, async () => {
    const key = counterKey('converge');
    const other = await location.open();
    // A writer loses only to another writer's landed update, and each lands once: with no more
    // writers than attempts, every one of them must land.
    const outcomes = await Promise.all(
      Array.from({ length: CAS_ATTEMPTS }, (_, i) =>
        updateVersioned(i % 2 === 0 ? store : other, key, (current) => {
          const value = current?.value ?? { n: 0, writers: [] };
          return writeNext({ n: value.n + 1, writers: [...value.writers, i] }, i);
        }),
      ),
    );
    expect(outcomes.map((o) => o.status)).toEqual(Array(CAS_ATTEMPTS).fill('written'));
    const stored = await store.getVersioned(key);
    expect(stored?.revision).toBe(CAS_ATTEMPTS);
    expect(stored?.value.n).toBe(CAS_ATTEMPTS);
    expect([...stored!.value.writers].sort((a, b) => a - b)).toEqual(Array.from({ length: CAS_ATTEMPTS }, (_, i) => i));
  });

  it('writes nothing when the step keeps what is stored, and stops when the step throws', async () => {
    const key = counterKey('keep');
    await store.setIfRevision(key, { n: 5, writers: [] }, 0);
    await expect(updateVersioned(store, key, (current) => keepStored(current?.value.n))).resolves.toEqual({ status: 'kept', result: 5 });
    await expect(
      updateVersioned(store, key, () => {
        throw new Error('no');
      }),
    ).rejects.toThrow('no');
    await expect(store.getVersioned(key)).resolves.toEqual({ value: { n: 5, writers: [] }, revision: 1 });
  });

  it('commits events with a state revision, none with a lost one, and refuses them with a prompt', async () => {
    const event = buildEvent('failover.changed', T0, { data: { to: 'secondary' } });
    const lost = buildEvent('failover.changed', T0, { data: { to: 'primary' } });
    await expect(store.setIfRevision(FAILOVER_STATE, makeFailover({ current: 'secondary' }), 0, [event])).resolves.toBe(true);
    await expect(store.setIfRevision(FAILOVER_STATE, makeFailover(), 0, [lost])).resolves.toBe(false);
    expect((await store.committedEvents.pending(10)).map((p) => p.event)).toEqual([event]);
    await expect(store.setIfRevision(promptKey('p'), makePrompt('p', 1), 0, [event])).rejects.toThrow(/prompts/);
    await expect(store.getPrompt('p')).resolves.toBeNull();
  });

  it('keeps the typed shorthands and the generic store on the same documents', async () => {
    await store.saveFailoverState(makeFailover({ failoverCount: 3 }), 0);
    await expect(store.getVersioned(FAILOVER_STATE)).resolves.toEqual({ value: makeFailover({ failoverCount: 3 }), revision: 1 });
    await store.setIfRevision(promptKey('p'), makePrompt('p', 2), 0);
    await expect(store.getPrompt('p')).resolves.toEqual({ value: makePrompt('p', 2), revision: 1 });
    await expect(store.listPrompts()).resolves.toEqual([makePrompt('p', 2)]);
  });
});
