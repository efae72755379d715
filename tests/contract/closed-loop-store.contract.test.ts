import type { Store } from '../../src/store/store';
import { NOT_PAUSED } from '../../src/domain/pause';
import { emptyCounts } from '../../src/domain/stats';
import { T0, at, makeAction, makeSnapshot, minutes, newId } from './fixtures';
import { openStorePerTest, type StoreLocation, storeTargets } from './store-targets';

/**
 * What the closed loop needs of every Store adapter (SQLite always, MongoDB/FerretDB with
 * MONGODB_URI): pending verifications, one decision per window, one revert per action, per-target
 * budgets that hold under concurrent dispatches from two connections, the pause document, one-time
 * claims, snapshot windows and statistics.
 */
jest.setTimeout(60_000);

const PARALLEL = 20;
const HOUR = minutes(60);

describe.each(storeTargets())('Closed-loop store contract: $name', (target) => {
  let location: StoreLocation;
  let store: Store;
  openStorePerTest(target, (opened, first) => {
    location = opened;
    store = first;
  });

  async function inParallel<T>(call: (s: Store, i: number) => Promise<T>): Promise<T[]> {
    const other = await location.open();
    return Promise.all(Array.from({ length: PARALLEL }, (_, i) => call(i % 2 === 0 ? store : other, i)));
  }

  const budget = (maxActions: number) => ({ target: 'service:api', windowMs: HOUR, maxActions });
  const running = (createdAt = T0) => makeAction({ rule: newId('rule'), createdAt, status: 'running' });

  describe('per-target budgets', () => {
    it('lets exactly maxActions of many concurrent dispatches through, from two connections', async () => {
      const outcomes = await inParallel((s) => s.dispatchAction(running(), T0, T0, budget(3)));
      expect(outcomes.filter((o) => o.ok)).toHaveLength(3);
      const refused = outcomes.filter((o) => !o.ok);
      expect(refused).toHaveLength(PARALLEL - 3);
      for (const o of refused) expect(o).toMatchObject({ reason: 'budget_exhausted', target: 'service:api', until: at(HOUR) });
      const usage = await store.getBudgetUsage(['service:api', 'router'], at(-HOUR));
      expect(usage.get('service:api')).toHaveLength(3);
      expect(usage.get('router')).toEqual([]);
    });

    it('names one moment for every refusal when concurrent dispatches carry different times', async () => {
      // Racing instances take sequence numbers in any order relative to their clocks: the slots
      // won are the ones kept, and every refusal names when the older of them leaves the window.
      const outcomes = await inParallel((s, i) => s.dispatchAction(running(at(i)), at(i), at(i), budget(2)));
      const won = outcomes.filter((o): o is Extract<typeof o, { ok: true }> => o.ok);
      expect(won).toHaveLength(2);
      const oldest = Math.min(...won.map((o) => o.action.createdAt.getTime()));
      const untils = new Set(outcomes.filter((o) => !o.ok).map((o) => (o as { until: Date }).until.getTime()));
      expect([...untils]).toEqual([oldest + HOUR]);
      expect((await store.getBudgetUsage(['service:api'], at(-HOUR))).get('service:api')).toHaveLength(2);
    });

    it('frees a slot when the oldest claim leaves the window, and says when', async () => {
      await store.dispatchAction(running(at(0)), at(0), at(0), budget(2));
      await store.dispatchAction(running(at(minutes(10))), at(minutes(10)), at(minutes(10)), budget(2));
      const held = await store.dispatchAction(running(at(minutes(20))), at(minutes(20)), at(minutes(20)), budget(2));
      expect(held).toMatchObject({ ok: false, reason: 'budget_exhausted', until: at(HOUR) });
      const later = at(HOUR + 1);
      await expect(store.dispatchAction(running(later), later, later, budget(2))).resolves.toMatchObject({ ok: true });
      const usage = await store.getBudgetUsage(['service:api'], at(1));
      expect(usage.get('service:api')).toEqual([later, at(minutes(10))]);
    });

    it('reads the usage of several targets at once, each newest first', async () => {
      await store.dispatchAction(running(at(0)), at(0), at(0), budget(5));
      await store.dispatchAction(running(at(minutes(2))), at(minutes(2)), at(minutes(2)), budget(5));
      const other = { ...running(at(minutes(1))), rule: 'other-rule' };
      await store.dispatchAction(other, at(minutes(1)), at(minutes(1)), { target: 'router', windowMs: HOUR, maxActions: 5 });
      const usage = await store.getBudgetUsage(['router', 'service:api', 'router', 'nobody'], at(-HOUR));
      expect([...usage.keys()].sort()).toEqual(['nobody', 'router', 'service:api']);
      expect(usage.get('service:api')).toEqual([at(minutes(2)), at(0)]);
      expect(usage.get('router')).toEqual([at(minutes(1))]);
      expect(usage.get('nobody')).toEqual([]);
    });

    it('refuses without writing anything: no action, no cooldown, no open approval', async () => {
      await store.dispatchAction(running(), T0, T0, budget(1));
      const pending = makeAction({ rule: 'gated', status: 'pending_approval', expiresAt: at(HOUR) });
      await expect(store.dispatchAction(pending, at(minutes(5)), T0, budget(1))).resolves.toMatchObject({ ok: false, reason: 'budget_exhausted' });
      await expect(store.getAction(pending.id)).resolves.toBeNull();
      const states = await store.getRuleStates(['gated']);
      expect(states.get('gated')).toEqual({ cooldownUntil: null, openApprovalId: null });
    });
  });

  describe('verification', () => {
    it('lists succeeded actions whose window ended, and decides each window once among concurrent callers', async () => {
      const due = makeAction({ status: 'succeeded', outcome: 'pending', verifyUntil: at(minutes(1)), finishedAt: T0 });
      const later = makeAction({ status: 'succeeded', outcome: 'pending', verifyUntil: at(minutes(5)), finishedAt: T0 });
      const unverified = makeAction({ status: 'succeeded', finishedAt: T0 });
      for (const a of [due, later, unverified]) await store.dispatchAction(a, T0, T0);
      expect((await store.listDueVerifications(at(minutes(2)), 10)).map((a) => a.id)).toEqual([due.id]);

      const outcomes = await inParallel((s, i) =>
        s.transitionAction(due.id, ['succeeded'], { outcome: i % 2 === 0 ? 'effective' : 'ineffective', outcomeAt: at(minutes(2)) }, { outcome: 'pending' }),
      );
      const winners = outcomes.filter((o) => o !== null);
      expect(winners).toHaveLength(1);
      const stored = await store.getAction(due.id);
      expect(stored?.outcome).toBe(winners[0]!.outcome);
      expect(stored?.outcomeAt).toEqual(at(minutes(2)));
      await expect(store.listDueVerifications(at(minutes(10)), 10)).resolves.toEqual([expect.objectContaining({ id: later.id })]);
      const page = await store.listActions({ outcome: winners[0]!.outcome!, limit: 10 });
      expect(page.items.map((a) => a.id)).toEqual([due.id]);
    });

    it('reads the snapshots of one source in a window, oldest first, and the newest one after an instant', async () => {
      const mine = [1, 2, 3].map((i) => makeSnapshot({ id: `s${i}`, source: 'agentx', receivedAt: at(minutes(i)) }));
      for (const s of mine) await store.insertSnapshot(s);
      await store.insertSnapshot(makeSnapshot({ id: 'other', source: 'rag', receivedAt: at(minutes(2)) }));
      await store.insertSnapshot(makeSnapshot({ id: 'before', source: 'agentx', receivedAt: T0 }));
      const window = await store.listSnapshotsFrom('agentx', T0, at(minutes(2)), 100);
      expect(window.map((s) => s.id)).toEqual(['s1', 's2']);
      expect(window[0]).toEqual(mine[0]);
      await expect(store.latestSnapshotFrom('agentx', at(minutes(1)))).resolves.toEqual(mine[2]);
      await expect(store.latestSnapshotFrom('agentx', at(minutes(3)))).resolves.toBeNull();
    });
  });

  describe('reverts', () => {
    it('inserts one revert per action, however many try at once', async () => {
      const original = makeAction({ status: 'succeeded' });
      await store.dispatchAction(original, T0, T0);
      const outcomes = await inParallel((s) => s.insertRevert(makeAction({ revertOf: original.id, requestedBy: `verify:${original.id}` })));
      const won = outcomes.filter((o) => o.ok);
      expect(won).toHaveLength(1);
      const reverts = (await store.listActions({ limit: 50 })).items.filter((a) => a.revertOf === original.id);
      expect(reverts).toHaveLength(1);
      for (const o of outcomes) if (!o.ok) expect(o.existingId).toBe(reverts[0]!.id);
    });
  });

  describe('pause and one-time claims', () => {
    it('keeps the pause as a compare-and-set document', async () => {
      await expect(store.getPauseState()).resolves.toBeNull();
      const paused = { paused: true, reason: 'incident', by: 'ann', since: T0.toISOString(), until: null };
      await expect(store.savePauseState(paused, 0)).resolves.toBe(true);
      await expect(store.savePauseState(paused, 0)).resolves.toBe(false);
      const outcomes = await inParallel((s) => s.savePauseState(NOT_PAUSED, 1));
      expect(outcomes.filter(Boolean)).toHaveLength(1);
      await expect(store.getPauseState()).resolves.toEqual({ value: NOT_PAUSED, revision: 2 });
    });

    it('grants a one-time claim to exactly one caller', async () => {
      const outcomes = await inParallel((s) => s.claimOnce('budget-alert:router@x', T0));
      expect(outcomes.filter(Boolean)).toHaveLength(1);
      await expect(store.claimOnce('budget-alert:router@y', T0)).resolves.toBe(true);
    });
  });

  describe('statistics', () => {
    it('counts per rule and type in a window, reverts apart, with recovery and approval-wait durations', async () => {
      const mk = (o: Parameters<typeof makeAction>[0]) => store.dispatchAction(makeAction({ rule: 'r', type: 'throttle', ...o }), T0, T0);
      const ok = makeAction({ rule: 'r', type: 'throttle', status: 'succeeded', startedAt: T0, finishedAt: T0, outcome: 'effective', recoveredAt: at(20_000) });
      await store.dispatchAction(ok, T0, T0);
      await mk({ status: 'succeeded', startedAt: T0, finishedAt: T0, outcome: 'ineffective' });
      await mk({ status: 'failed', startedAt: T0, finishedAt: T0 });
      await mk({ status: 'rejected', decidedAt: at(30_000) });
      await mk({ status: 'expired' });
      await mk({ status: 'succeeded', startedAt: T0, decidedAt: at(90_000), outcome: 'unknown' });
      await store.insertRevert(makeAction({ rule: 'r', type: 'throttle', status: 'succeeded', revertOf: ok.id }));
      await store.dispatchAction(makeAction({ rule: 'other', type: 'alert_only', status: 'succeeded', startedAt: T0 }), T0, T0);
      await store.dispatchAction(makeAction({ rule: 'r', type: 'throttle', createdAt: at(-2 * HOUR) }), T0, T0);
      await store.dispatchAction(makeAction({ rule: 'r', type: 'throttle', status: 'shadowed' }), T0, T0);
      await store.dispatchAction(makeAction({ rule: 'trial', type: 'throttle', status: 'shadowed' }), T0, T0);
      await store.dispatchAction(makeAction({ rule: 'trial', type: 'throttle', status: 'shadowed' }), T0, T0);

      const rows = await store.actionStats(at(-HOUR), at(HOUR));
      const r = rows.find((row) => row.rule === 'r')!;
      expect(r.counts).toEqual({
        dispatched: 6,
        executed: 4,
        succeeded: 3,
        failed: 1,
        rejected: 1,
        expired: 1,
        effective: 1,
        ineffective: 1,
        unknown: 1,
        reverted: 1,
        shadowed: 1,
      });
      expect(r.recoverySeconds).toEqual([20]);
      expect(r.approvalWaitSeconds.sort()).toEqual([30, 90]);
      expect(rows.find((row) => row.rule === 'other')?.counts.dispatched).toBe(1);
      // A shadow rule that never acted has its row all the same: only its shadowed count.
      expect(rows.find((row) => row.rule === 'trial')).toEqual({
        rule: 'trial', type: 'throttle', counts: { ...emptyCounts(), shadowed: 2 }, recoverySeconds: [], approvalWaitSeconds: [],
      });
      expect(rows).toHaveLength(3);
    });
  });
});
