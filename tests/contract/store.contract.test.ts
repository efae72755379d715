import type { ActionRecord } from '../../src/domain/action';
import type { Store } from '../../src/store/store';
import {
  AWKWARD_METRICS,
  T0,
  at,
  makeAction,
  makeAlert,
  makeFailover,
  makePending,
  makePrompt,
  makeSnapshot,
  makeThrottle,
  minutes,
  newId,
} from './fixtures';
import { openStorePerTest, type StoreLocation, storeTargets } from './store-targets';

/**
 * The behaviour every Store adapter must have, run unchanged against each: SQLite always, MongoDB
 * when MONGODB_URI is set. Each test gets an empty location; "two connections" tests open a second
 * store on the same file or database, as a second instance of the service would.
 */
jest.setTimeout(60_000);

const PARALLEL = 20;

describe.each(storeTargets())('Store contract: $name', (target) => {
  let location: StoreLocation;
  let store: Store;
  openStorePerTest(target, (opened, first) => {
    location = opened;
    store = first;
  });

  /** `PARALLEL` calls, alternating between this store and a second connection when asked. */
  async function inParallel<T>(twoConnections: boolean, call: (s: Store, i: number) => Promise<T>): Promise<T[]> {
    const other = twoConnections ? await location.open() : store;
    return Promise.all(Array.from({ length: PARALLEL }, (_, i) => call(i % 2 === 0 ? store : other, i)));
  }

  describe('lifecycle', () => {
    it('answers ping when open and reports its kind', async () => {
      expect(store.kind).toBe(target.name);
      await expect(store.ping()).resolves.toBe(true);
    });

    it('says false from ping once closed', async () => {
      const second = await location.open();
      await second.close();
      await expect(second.ping()).resolves.toBe(false);
    });
  });

  describe('snapshots', () => {
    it('stores and returns a snapshot exactly, awkward metric keys included', async () => {
      const snapshot = makeSnapshot({ metrics: AWKWARD_METRICS });
      await store.insertSnapshot(snapshot);
      await expect(store.getSnapshot(snapshot.id)).resolves.toEqual(snapshot);
      await expect(store.getSnapshot('missing')).resolves.toBeNull();
      await expect(store.countSnapshots()).resolves.toBe(1);
    });

    it('stores a batch of snapshots together', async () => {
      const batch = [makeSnapshot({ metrics: { n: 1 } }), makeSnapshot({ metrics: AWKWARD_METRICS }), makeSnapshot({ metrics: { n: 3 } })];
      await store.insertSnapshots(batch);
      for (const s of batch) await expect(store.getSnapshot(s.id)).resolves.toEqual(s);
      await expect(store.countSnapshots()).resolves.toBe(3);
      // Matched by message: better-sqlite3's error class comes from the first test file that loaded
      // the addon, so in later files it is not an \`Error\` of this realm and toThrow cannot see it.
      await expect(store.insertSnapshots([batch[0]!])).rejects.toMatchObject({ message: expect.stringMatching(/UNIQUE|duplicate/i) });
      await expect(store.insertSnapshots([])).resolves.toBeUndefined();
    });

    it('prunes by age', async () => {
      for (let i = 0; i < 5; i += 1) await store.insertSnapshot(makeSnapshot({ receivedAt: at(minutes(i)) }));
      await expect(store.pruneSnapshots({ olderThan: at(minutes(2)) })).resolves.toBe(2);
      await expect(store.countSnapshots()).resolves.toBe(3);
    });

    it('prunes by count, keeping the newest (ties broken by id)', async () => {
      const same = at(minutes(1));
      const snaps = ['a', 'b', 'c', 'd'].map((id) => makeSnapshot({ id: `snap-${id}`, receivedAt: same }));
      snaps.push(makeSnapshot({ id: 'snap-z-old', receivedAt: at(0) }));
      for (const s of snaps) await store.insertSnapshot(s);
      await expect(store.pruneSnapshots({ keepNewest: 2 })).resolves.toBe(3);
      await expect(store.getSnapshot('snap-d')).resolves.not.toBeNull();
      await expect(store.getSnapshot('snap-c')).resolves.not.toBeNull();
      await expect(store.getSnapshot('snap-b')).resolves.toBeNull();
      await expect(store.getSnapshot('snap-z-old')).resolves.toBeNull();
      await expect(store.pruneSnapshots({ keepNewest: 5 })).resolves.toBe(0);
    });

    it('prunes by age and count together and returns the total', async () => {
      for (let i = 0; i < 6; i += 1) await store.insertSnapshot(makeSnapshot({ receivedAt: at(minutes(i)) }));
      await expect(store.pruneSnapshots({ olderThan: at(minutes(2)), keepNewest: 3 })).resolves.toBe(3);
      await expect(store.countSnapshots()).resolves.toBe(3);
    });
  });

  describe('dispatchAction and rule state', () => {
    it('reports no state for rules never dispatched', async () => {
      await expect(store.getRuleStates([])).resolves.toEqual(new Map());
      const states = await store.getRuleStates(['r1']);
      expect(states.get('r1')).toEqual({ cooldownUntil: null, openApprovalId: null });
    });

    it('dispatches, then refuses within the cooldown, then dispatches again after it', async () => {
      const first = makeAction({ rule: 'r1' });
      await expect(store.dispatchAction(first, at(minutes(5)), T0)).resolves.toEqual({ ok: true, action: first });
      const refused = await store.dispatchAction(makeAction({ rule: 'r1' }), at(minutes(10)), at(minutes(1)));
      expect(refused).toEqual({ ok: false, reason: 'cooldown', until: at(minutes(5)) });
      expect((await store.getRuleStates(['r1'])).get('r1')).toEqual({ cooldownUntil: at(minutes(5)), openApprovalId: null });
      const again = await store.dispatchAction(makeAction({ rule: 'r1' }), at(minutes(10)), at(minutes(5)));
      expect(again.ok).toBe(true);
      // Another rule has its own cooldown.
      expect((await store.dispatchAction(makeAction({ rule: 'r2' }), at(minutes(10)), at(minutes(1)))).ok).toBe(true);
    });

    it('reads many rules at once exactly as one by one, names with quotes and all', async () => {
      await store.dispatchAction(makeAction({ rule: 'cool' }), at(minutes(5)), T0);
      const open = makePending({ rule: 'open' });
      await store.dispatchAction(open, T0, T0);
      const both = makePending({ rule: `it's "both"` });
      await store.dispatchAction(both, at(minutes(7)), T0);
      const names = ['cool', 'open', `it's "both"`, 'never'];
      const together = await store.getRuleStates(names);
      expect([...together.keys()].sort()).toEqual([...names].sort());
      for (const name of names) expect(together.get(name)).toEqual((await store.getRuleStates([name])).get(name));
      expect(together.get('cool')).toEqual({ cooldownUntil: at(minutes(5)), openApprovalId: null });
      expect(together.get('open')?.openApprovalId).toBe(open.id);
      expect(together.get(`it's "both"`)).toEqual({ cooldownUntil: at(minutes(7)), openApprovalId: both.id });
      expect(together.get('never')).toEqual({ cooldownUntil: null, openApprovalId: null });
    });

    it('keeps one open approval per rule, whatever the cooldown says', async () => {
      const pending = makePending({ rule: 'r1' });
      expect((await store.dispatchAction(pending, T0, T0)).ok).toBe(true);
      const states = await store.getRuleStates(['r1']);
      expect(states.get('r1')?.openApprovalId).toBe(pending.id);
      const second = await store.dispatchAction(makePending({ rule: 'r1' }), at(1), at(1));
      expect(second).toEqual({ ok: false, reason: 'duplicate_pending', actionId: pending.id });
      // A refused pending dispatch leaves no cooldown claim behind: a non-pending action still goes.
      expect((await store.dispatchAction(makeAction({ rule: 'r1' }), at(2), at(2))).ok).toBe(true);
      // Once decided, the rule can have a new pending approval.
      await store.transitionAction(pending.id, ['pending_approval'], { status: 'rejected' });
      expect((await store.dispatchAction(makePending({ rule: 'r1' }), at(3), at(3))).ok).toBe(true);
    });

    it('dispatches an action of the service itself (no cooldown) inside a cooldown, and moves nothing', async () => {
      await store.dispatchAction(makeAction({ rule: 'r1' }), at(minutes(5)), T0);
      const own = { ...makeAction({ rule: 'r1' }), failbackOf: 'f-1' };
      await expect(store.dispatchAction(own, null, at(1))).resolves.toEqual({ ok: true, action: own });
      expect((await store.getRuleStates(['r1'])).get('r1')?.cooldownUntil).toEqual(at(minutes(5)));
      // A rule never dispatched gets no cooldown from it either.
      await store.dispatchAction(makeAction({ rule: 'r2' }), null, at(1));
      expect((await store.getRuleStates(['r2'])).get('r2')?.cooldownUntil).toBeNull();
      // It is found by the failover it follows.
      const page = await store.listActions({ limit: 10, failbackOf: 'f-1' });
      expect(page.items.map((a) => a.id)).toEqual([own.id]);
      expect(page.items[0]!.failbackOf).toBe('f-1');
    });

    it('leaves nothing behind for a refused dispatch', async () => {
      await store.dispatchAction(makeAction({ rule: 'r1' }), at(minutes(5)), T0);
      const refused = makeAction({ rule: 'r1' });
      await store.dispatchAction(refused, at(minutes(10)), at(1));
      await expect(store.getAction(refused.id)).resolves.toBeNull();
      expect((await store.listActions({ limit: 10 })).items).toHaveLength(1);
    });

    for (const twoConnections of [false, true]) {
      const how = twoConnections ? 'over two connections' : 'on one connection';
      it(`lets exactly one of ${PARALLEL} parallel dispatches for a rule through (${how})`, async () => {
        const outcomes = await inParallel(twoConnections, (s) =>
          s.dispatchAction(makeAction({ rule: 'hot' }), at(minutes(5)), T0),
        );
        expect(outcomes.filter((o) => o.ok)).toHaveLength(1);
        expect(outcomes.filter((o) => !o.ok && o.reason === 'cooldown')).toHaveLength(PARALLEL - 1);
        expect((await store.listActions({ limit: 50, rule: 'hot' })).items).toHaveLength(1);
      });

      it(`opens exactly one approval for ${PARALLEL} parallel pending dispatches (${how})`, async () => {
        const outcomes = await inParallel(twoConnections, (s) =>
          s.dispatchAction(makePending({ rule: 'hot' }), T0, T0),
        );
        const winners = outcomes.filter((o) => o.ok);
        expect(winners).toHaveLength(1);
        const winnerId = winners[0]!.ok ? winners[0]!.action.id : '';
        for (const o of outcomes.filter((x) => !x.ok)) {
          expect(['duplicate_pending', 'cooldown']).toContain(!o.ok && o.reason);
          if (!o.ok && o.reason === 'duplicate_pending') expect(o.actionId).toBe(winnerId);
        }
        const pending = await store.listActions({ limit: 50, status: ['pending_approval'] });
        expect(pending.items.map((a) => a.id)).toEqual([winnerId]);
      });
    }
  });

  describe('actions', () => {
    it('returns the whole record as stored, fields unknown to the adapter included', async () => {
      const action = {
        ...makeAction({
          params: { 'weird.key': { $x: 1 }, empty: {} },
          snapshotId: 'snap-1',
          snapshot: { source: 'p', timestamp: T0.toISOString(), metrics: AWKWARD_METRICS },
          matchedFacts: { 'gpu.util': 0.97 },
          result: { summary: 'done', changed: true, details: { 'a.b': [1, 2] }, checks: [{ name: 'c', ok: true }] },
        }),
        runner: 'instance-a',
        futureField: { nested: ['kept'] },
      } as ActionRecord;
      expect((await store.dispatchAction(action, T0, T0)).ok).toBe(true);
      await expect(store.getAction(action.id)).resolves.toEqual(action);
      await expect(store.getAction('missing')).resolves.toBeNull();
    });

    it('applies a transition only from the allowed statuses and keeps it', async () => {
      const action = makePending({ rule: 'r1' });
      await store.dispatchAction(action, T0, T0);
      await expect(store.transitionAction(action.id, ['running'], { status: 'failed' })).resolves.toBeNull();
      await expect(store.transitionAction('missing', ['pending_approval'], { status: 'approved' })).resolves.toBeNull();
      const patch = {
        status: 'approved' as const,
        decidedBy: 'alice',
        decidedAt: at(1000),
        decisionComment: 'ok',
        updatedAt: at(1000),
        runner: 'instance-a',
      };
      const approved = await store.transitionAction(action.id, ['pending_approval'], patch);
      expect(approved).toEqual({ ...action, ...patch });
      await expect(store.getAction(action.id)).resolves.toEqual({ ...action, ...patch });
      const finished = await store.transitionAction(action.id, ['approved', 'running'], {
        status: 'succeeded',
        result: { summary: 'ok', changed: true, details: { 'x.y': 1 } },
        finishedAt: at(2000),
      });
      expect(finished?.status).toBe('succeeded');
      await expect(store.getAction(action.id)).resolves.toEqual(finished);
      expect((await store.getRuleStates(['r1'])).get('r1')?.openApprovalId).toBeNull();
    });

    for (const twoConnections of [false, true]) {
      const how = twoConnections ? 'over two connections' : 'on one connection';
      it(`decides a pending approval exactly once under ${PARALLEL} parallel approve/reject (${how})`, async () => {
        const action = makePending({ rule: 'r1' });
        await store.dispatchAction(action, T0, T0);
        const results = await inParallel(twoConnections, (s, i) =>
          s.transitionAction(action.id, ['pending_approval'], {
            status: i % 3 === 0 ? 'rejected' : 'approved',
            decidedBy: `user-${i}`,
          }),
        );
        const decided = results.filter((r) => r !== null);
        expect(decided).toHaveLength(1);
        const stored = await store.getAction(action.id);
        expect(stored?.status).toBe(decided[0]!.status);
        expect(stored?.decidedBy).toBe(decided[0]!.decidedBy);
      });
    }

    it('lists newest first with filters and cursors that walk every item once', async () => {
      const same = at(minutes(1));
      const actions = [
        makeAction({ id: 'a-1', rule: 'r1', createdAt: at(0) }),
        makeAction({ id: 'a-2', rule: 'r2', type: 'throttle', createdAt: same }),
        makeAction({ id: 'a-3', rule: 'r3', createdAt: same }),
        makeAction({ id: 'a-4', rule: 'r4', createdAt: same, status: 'failed' }),
        makePending({ id: 'a-5', rule: 'r5', createdAt: at(minutes(2)) }),
      ];
      for (const a of actions) expect((await store.dispatchAction(a, T0, a.createdAt)).ok).toBe(true);
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await store.listActions({ limit: 2, cursor });
        seen.push(...page.items.map((a) => a.id));
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      expect(seen).toEqual(['a-5', 'a-4', 'a-3', 'a-2', 'a-1']);
      const ids = async (q: Parameters<Store['listActions']>[0]) => (await store.listActions(q)).items.map((a) => a.id);
      await expect(ids({ limit: 10, status: ['failed', 'pending_approval'] })).resolves.toEqual(['a-5', 'a-4']);
      await expect(ids({ limit: 10, rule: 'r3' })).resolves.toEqual(['a-3']);
      await expect(ids({ limit: 10, type: 'throttle' })).resolves.toEqual(['a-2']);
      await expect(ids({ limit: 10, since: same, until: same })).resolves.toEqual(['a-4', 'a-3', 'a-2']);
      const last = await store.listActions({ limit: 5 });
      expect(last.nextCursor).toBeNull();
    });

    it('finds overdue approvals and actions by status', async () => {
      const overdue = makePending({ rule: 'r1', expiresAt: at(minutes(1)) });
      const fresh = makePending({ rule: 'r2', expiresAt: at(minutes(60)) });
      const running = makeAction({ rule: 'r3', status: 'running' });
      const approved = makeAction({ rule: 'r4', status: 'approved' });
      for (const a of [overdue, fresh, running, approved]) await store.dispatchAction(a, T0, T0);
      expect((await store.listOverdueApprovals(at(minutes(1)))).map((a) => a.id)).toEqual([overdue.id]);
      expect((await store.listOverdueApprovals(T0)).map((a) => a.id)).toEqual([]);
      const byStatus = await store.listActionsByStatus(['running', 'approved']);
      expect(byStatus.map((a) => a.id).sort()).toEqual([running.id, approved.id].sort());
      await expect(store.listActionsByStatus([])).resolves.toEqual([]);
    });
  });

  describe('versioned state (failover, throttle, prompts)', () => {
    const kinds = [
      {
        name: 'failover',
        get: (s: Store) => s.getFailoverState(),
        save: (s: Store, v: number, rev: number) => s.saveFailoverState(makeFailover({ failoverCount: v }), rev),
        read: (v: unknown) => (v as { failoverCount: number }).failoverCount,
      },
      {
        name: 'throttle',
        get: (s: Store) => s.getThrottleState(),
        save: (s: Store, v: number, rev: number) => s.saveThrottleState(makeThrottle({ limit: v }), rev),
        read: (v: unknown) => (v as { limit: number }).limit,
      },
      {
        name: 'prompt',
        get: (s: Store) => s.getPrompt('p'),
        save: (s: Store, v: number, rev: number) => s.savePrompt(makePrompt('p', v), rev),
        read: (v: unknown) => (v as { versions: unknown[] }).versions.length,
      },
    ];

    for (const kind of kinds) {
      it(`${kind.name}: creates once, then compare-and-sets on the revision`, async () => {
        await expect(kind.get(store)).resolves.toBeNull();
        await expect(kind.save(store, 1, 0)).resolves.toBe(true);
        await expect(kind.save(store, 9, 0)).resolves.toBe(false);
        await expect(kind.save(store, 2, 1)).resolves.toBe(true);
        await expect(kind.save(store, 9, 1)).resolves.toBe(false);
        await expect(kind.save(store, 9, 7)).resolves.toBe(false);
        const current = await kind.get(store);
        expect(current?.revision).toBe(2);
        expect(kind.read(current?.value)).toBe(2);
      });

      it(`${kind.name}: lets exactly one of ${PARALLEL} parallel writers of a revision win (two connections)`, async () => {
        await kind.save(store, 1, 0);
        const results = await inParallel(true, (s, i) => kind.save(s, 100 + i, 1));
        expect(results.filter(Boolean)).toHaveLength(1);
        const current = await kind.get(store);
        expect(current?.revision).toBe(2);
        expect(kind.read(current?.value)).toBe(100 + results.indexOf(true));
      });
    }

    it('failback probes: none at first, then the last one written, replaced in place', async () => {
      await expect(store.getFailbackProbes()).resolves.toBeNull();
      const probe = { at: '2026-03-01T10:00:00.000Z', ok: true, latencyMs: 12.5, reason: 'HTTP 200' };
      const first = { since: '2026-03-01T09:00:00.000Z', primary: [probe], secondary: null, healthyStreak: 1, nowhereToGoSince: null };
      await store.saveFailbackProbes(first);
      await expect(store.getFailbackProbes()).resolves.toEqual(first);
      const second = { ...first, primary: [probe, { ...probe, ok: false, reason: 'connection refused' }], secondary: probe, healthyStreak: 0 };
      await store.saveFailbackProbes(second);
      await expect(store.getFailbackProbes()).resolves.toEqual(second);
      // The failover state beside it is untouched.
      await expect(store.getFailoverState()).resolves.toBeNull();
    });

    it('keeps working over many revisions', async () => {
      for (let rev = 0; rev < 30; rev += 1) await expect(store.saveThrottleState(makeThrottle({ limit: rev }), rev)).resolves.toBe(true);
      await expect(store.saveThrottleState(makeThrottle(), 3)).resolves.toBe(false);
      expect(await store.getThrottleState()).toEqual({ value: makeThrottle({ limit: 29 }), revision: 30 });
    });

    it('lists prompts by name, each at its newest revision', async () => {
      await store.savePrompt(makePrompt('zeta', 1), 0);
      await store.savePrompt(makePrompt('alpha', 1), 0);
      await store.savePrompt(makePrompt('alpha', 2), 1);
      await expect(store.listPrompts()).resolves.toEqual([makePrompt('alpha', 2), makePrompt('zeta', 1)]);
      await expect(store.getPrompt('missing')).resolves.toBeNull();
    });
  });

  describe('leases', () => {
    it('is held by one holder until it expires, renewable by its holder, and free once released', async () => {
      await expect(store.acquireLease('sweep', 'a', 1000, T0)).resolves.toBe(true);
      await expect(store.acquireLease('sweep', 'b', 1000, at(500))).resolves.toBe(false);
      await expect(store.acquireLease('sweep', 'a', 1000, at(900))).resolves.toBe(true); // renewed to 1900
      await expect(store.acquireLease('sweep', 'b', 1000, at(1500))).resolves.toBe(false);
      await expect(store.acquireLease('sweep', 'b', 1000, at(1900))).resolves.toBe(true); // expired: taken over
      await expect(store.acquireLease('sweep', 'a', 1000, at(2000))).resolves.toBe(false);
      await store.releaseLease('sweep', 'a'); // not a's to give up
      await expect(store.acquireLease('sweep', 'a', 1000, at(2100))).resolves.toBe(false);
      await store.releaseLease('sweep', 'b');
      await expect(store.acquireLease('sweep', 'a', 1000, at(2100))).resolves.toBe(true);
      // Leases are independent by name.
      await expect(store.acquireLease('other', 'b', 1000, at(2100))).resolves.toBe(true);
    });

    it('keeps renewing over many terms', async () => {
      for (let i = 0; i < 20; i += 1) await expect(store.acquireLease('l', 'a', 1000, at(i * 100))).resolves.toBe(true);
      await expect(store.acquireLease('l', 'b', 1000, at(2000))).resolves.toBe(false);
      await expect(store.acquireLease('l', 'b', 1000, at(2900))).resolves.toBe(true);
    });

    for (const twoConnections of [false, true]) {
      const how = twoConnections ? 'over two connections' : 'on one connection';
      it(`goes to exactly one of ${PARALLEL} parallel contenders, also when it has expired (${how})`, async () => {
        const free = await inParallel(twoConnections, (s, i) => s.acquireLease('l', `h${i}`, 1000, T0));
        expect(free.filter(Boolean)).toHaveLength(1);
        const expired = await inParallel(twoConnections, (s, i) => s.acquireLease('l', `x${i}`, 1000, at(1000)));
        expect(expired.filter(Boolean)).toHaveLength(1);
      });
    }
  });

  describe('alerts', () => {
    it('stores, lists with filters and pages, and acknowledges once', async () => {
      const alerts = [
        makeAlert({ id: 'al-1', createdAt: at(0), metrics: AWKWARD_METRICS }),
        makeAlert({ id: 'al-2', rule: 'r2', severity: 'critical', createdAt: at(1000) }),
        makeAlert({ id: 'al-3', createdAt: at(1000), actionId: 'act-1' }),
      ];
      for (const a of alerts) await store.insertAlert(a);
      await expect(store.getAlert('al-1')).resolves.toEqual(alerts[0]);
      await expect(store.getAlert('missing')).resolves.toBeNull();
      const ids = async (q: Parameters<Store['listAlerts']>[0]) => (await store.listAlerts(q)).items.map((a) => a.id);
      await expect(ids({ limit: 10 })).resolves.toEqual(['al-3', 'al-2', 'al-1']);
      await expect(ids({ limit: 10, rule: 'r2' })).resolves.toEqual(['al-2']);
      await expect(ids({ limit: 10, severity: 'warning' })).resolves.toEqual(['al-3', 'al-1']);
      await expect(ids({ limit: 10, since: at(500) })).resolves.toEqual(['al-3', 'al-2']);
      await expect(ids({ limit: 10, until: at(500) })).resolves.toEqual(['al-1']);
      const first = await store.listAlerts({ limit: 2 });
      expect(first.items.map((a) => a.id)).toEqual(['al-3', 'al-2']);
      const second = await store.listAlerts({ limit: 2, cursor: first.nextCursor! });
      expect(second).toEqual({ items: [alerts[0]], nextCursor: null });

      const acked = await store.acknowledgeAlert('al-2', 'bob', at(5000));
      expect(acked).toEqual({ ...alerts[1], acknowledgedAt: at(5000), acknowledgedBy: 'bob' });
      await expect(store.getAlert('al-2')).resolves.toEqual(acked);
      await expect(store.acknowledgeAlert('al-2', 'eve', at(6000))).resolves.toBeNull();
      await expect(store.acknowledgeAlert('missing', 'eve', at(6000))).resolves.toBeNull();
      await expect(ids({ limit: 10, acknowledged: true })).resolves.toEqual(['al-2']);
      await expect(ids({ limit: 10, acknowledged: false })).resolves.toEqual(['al-3', 'al-1']);
    });

    it(`acknowledges exactly once under ${PARALLEL} parallel calls (two connections)`, async () => {
      const alert = makeAlert();
      await store.insertAlert(alert);
      const results = await inParallel(true, (s, i) => s.acknowledgeAlert(alert.id, `user-${i}`, at(i)));
      const winners = results.filter((r) => r !== null);
      expect(winners).toHaveLength(1);
      expect((await store.getAlert(alert.id))?.acknowledgedBy).toBe(winners[0]!.acknowledgedBy);
    });
  });

  it('keeps ids apart across kinds of records', async () => {
    const id = newId('shared');
    await store.insertAlert(makeAlert({ id }));
    await store.insertSnapshot(makeSnapshot({ id }));
    expect((await store.dispatchAction(makeAction({ id }), T0, T0)).ok).toBe(true);
    await expect(store.getAction(id)).resolves.not.toBeNull();
  });
});
