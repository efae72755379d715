import { ManualClock } from '../../src/clock';
import { RuleStateReader } from '../../src/pipeline/rule-state-reader';
import type { MongoContext } from '../../src/store/mongo/mongo-context';
import type { Store } from '../../src/store/store';
import { T0, at, makeAction, makePending, makeSnapshot, minutes } from './fixtures';
import { openStorePerTest, type StoreLocation, storeTargets } from './store-targets';

/**
 * Two instances on one store (two connections), each with its own RuleStateReader: what one reader
 * keeps between reads is never stale after the other instance dispatched or closed an approval,
 * and while nothing moved the rules' states it reads the version alone.
 */
jest.setTimeout(60_000);

describe.each(storeTargets())('Rule states version: $name', (target) => {
  let location: StoreLocation;
  let one: Store;
  let two: Store;
  openStorePerTest(target, (opened, first) => {
    location = opened;
    one = first;
  });
  beforeEach(async () => {
    two = await location.open();
  });

  /** A reader on `store` that counts the reads it makes. */
  function readerOn(store: Store, clock: ManualClock) {
    const reads = { states: 0, versions: 0, budgets: 0 };
    const counted: Pick<Store, 'getRuleStates' | 'ruleStatesVersion' | 'getBudgetUsage'> = {
      getRuleStates: (rules) => {
        reads.states += 1;
        return store.getRuleStates(rules);
      },
      ruleStatesVersion: () => {
        reads.versions += 1;
        return store.ruleStatesVersion();
      },
      getBudgetUsage: (targets, since) => {
        reads.budgets += 1;
        return store.getBudgetUsage(targets, since);
      },
    };
    return { reader: new RuleStateReader(counted, clock), reads };
  }

  /**
   * Holds `store`'s next dispatches just after they tried to claim their rule's open approval: the
   * cooldown window is claimed, and the action not yet inserted nor any claim given back. On SQLite a
   * dispatch is one transaction, with no such moment to hold: there the hold is never reached.
   */
  function holdAfterApprovalClaim(store: Store) {
    return holdAfterClaim(store, 'approvalClaims');
  }

  /** The same after the dispatch claimed `model` (its approval, or its budget slot). */
  function holdAfterClaim(store: Store, claimed: 'approvalClaims' | 'budgetClaims') {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let reach!: () => void;
    const reached = new Promise<void>((resolve) => (reach = resolve));
    if (store.kind === 'mongo') {
      const ctx = (store as unknown as { ctx: MongoContext }).ctx;
      const claim = ctx.claim.bind(ctx);
      jest.spyOn(ctx, 'claim').mockImplementation(async (model, doc) => {
        const won = await claim(model, doc);
        if (model === claimed) {
          reach();
          await released;
        }
        return won;
      });
    }
    return { holds: store.kind === 'mongo', reached, release };
  }

  it('moves on a dispatch and on an approval leaving pending, not on a refused dispatch or a snapshot', async () => {
    const v0 = await one.ruleStatesVersion();
    await one.insertSnapshot(makeSnapshot());
    expect(await two.ruleStatesVersion()).toBe(v0);
    expect((await one.dispatchAction(makeAction({ rule: 'r' }), at(minutes(10)), T0)).ok).toBe(true);
    const v1 = await two.ruleStatesVersion();
    expect(v1).not.toBe(v0);
    expect((await two.dispatchAction(makeAction({ rule: 'r' }), at(minutes(10)), T0)).ok).toBe(false);
    const pending = makePending({ rule: 'gated' });
    expect((await two.dispatchAction(pending, at(minutes(10)), T0)).ok).toBe(true);
    const v2 = await one.ruleStatesVersion();
    expect(v2).not.toBe(v1);
    await one.transitionAction(pending.id, ['pending_approval'], { status: 'rejected' });
    expect(await two.ruleStatesVersion()).not.toBe(v2);
  });

  it('never answers from a stale state after the other instance dispatched or rejected', async () => {
    const clock = new ManualClock(T0);
    const a = readerOn(one, clock);
    // Instance A reads the rules as free (no cooldown, no approval) and keeps that.
    const free = await a.reader.read(['r', 'gated']);
    expect(free.get('r')).toEqual({ cooldownUntil: null, openApprovalId: null });
    await a.reader.read(['r', 'gated']);
    expect(a.reads.states).toBe(1); // nothing moved: the version alone was read

    // Instance B dispatches r (and asks approval for gated): A sees both at once.
    expect((await two.dispatchAction(makeAction({ rule: 'r' }), at(minutes(10)), T0)).ok).toBe(true);
    const pending = makePending({ rule: 'gated' });
    expect((await two.dispatchAction(pending, T0, T0)).ok).toBe(true); // cooldown 0: only the approval holds it
    const after = await a.reader.read(['r', 'gated']);
    expect(after.get('r')!.cooldownUntil).toEqual(at(minutes(10)));
    expect(after.get('gated')!.openApprovalId).toBe(pending.id);

    // B's people reject the approval: A no longer holds the rule as pending.
    expect(await two.transitionAction(pending.id, ['pending_approval'], { status: 'rejected' })).not.toBeNull();
    expect((await a.reader.read(['gated'])).get('gated')!.openApprovalId).toBeNull();

    // r's cooldown end is remembered (no read); when it has passed, and B dispatched again, A reads the new end.
    const reads = a.reads.states;
    clock.set(at(minutes(5)));
    expect((await a.reader.read(['r'])).get('r')!.cooldownUntil).toEqual(at(minutes(10)));
    expect(a.reads.states).toBe(reads);
    clock.set(at(minutes(11)));
    expect((await two.dispatchAction(makeAction({ rule: 'r' }), at(minutes(21)), at(minutes(11)))).ok).toBe(true);
    expect((await a.reader.read(['r'])).get('r')!.cooldownUntil).toEqual(at(minutes(21)));
  });

  it('never keeps a cooldown end that a dispatch claimed and then gave back', async () => {
    const clock = new ManualClock(T0);
    const a = readerOn(one, clock);
    // gated has an open approval, asked with no cooldown: only the approval holds the rule.
    expect((await two.dispatchAction(makePending({ rule: 'gated' }), T0, T0)).ok).toBe(true);

    // B asks approval again with a 10-minute cooldown: it claims the window, finds the approval open,
    // and gives the window back. A reads the rule and loses a dispatch to the window meanwhile.
    const hold = holdAfterApprovalClaim(two);
    const refused = two.dispatchAction(makePending({ rule: 'gated' }), at(minutes(10)), T0);
    if (hold.holds) {
      await hold.reached;
      await a.reader.read(['gated']);
      const lost = await one.dispatchAction(makeAction({ rule: 'gated' }), at(minutes(10)), T0);
      expect(lost).toMatchObject({ ok: false, reason: 'cooldown', until: at(minutes(10)) });
      a.reader.learn('gated', at(minutes(10)), lost, T0);
    }
    hold.release();
    expect(await refused).toMatchObject({ ok: false, reason: 'duplicate_pending' });

    // No action went out, so no cooldown holds: A says so, and its next match dispatches.
    clock.set(at(minutes(1)));
    const until = (await a.reader.read(['gated'])).get('gated')!.cooldownUntil;
    expect(until?.getTime() ?? 0).toBeLessThanOrEqual(at(minutes(1)).getTime()); // SQLite keeps the zero window's end
    const next = await one.dispatchAction(makeAction({ rule: 'gated' }), at(minutes(11)), at(minutes(1)));
    expect(next.ok).toBe(true);
  });

  it('keeps a cooldown end read while its dispatch was under way once that dispatch went ahead', async () => {
    const clock = new ManualClock(T0);
    const a = readerOn(one, clock);
    const hold = holdAfterApprovalClaim(two);
    const pending = makePending({ rule: 'gated' });
    const asked = two.dispatchAction(pending, at(minutes(10)), T0);
    if (hold.holds) {
      await hold.reached;
      // The window is claimed and the approval too: either may still be given back.
      expect((await a.reader.read(['gated'])).get('gated')!.openApprovalId).toBeNull();
    }
    hold.release();
    expect((await asked).ok).toBe(true);

    const after = await a.reader.read(['gated']);
    expect(after.get('gated')!.cooldownUntil).toEqual(at(minutes(10)));
    // From then on the end is known: a match in it costs no read at all, not even the version.
    const reads = { ...a.reads };
    clock.set(at(minutes(5)));
    expect((await a.reader.read(['gated'])).get('gated')!.cooldownUntil).toEqual(at(minutes(10)));
    expect(a.reads).toEqual(reads);
  });

  it('never keeps an open approval or a cooldown that a dispatch claimed and gave back for want of budget', async () => {
    const clock = new ManualClock(T0);
    const a = readerOn(one, clock);
    const budget = { target: 'service:api', windowMs: minutes(60), maxActions: 1 };
    expect((await one.dispatchAction(makeAction({ rule: 'other' }), T0, T0, budget)).ok).toBe(true);

    const hold = holdAfterApprovalClaim(two);
    const refused = two.dispatchAction(makePending({ rule: 'gated' }), at(minutes(10)), T0, budget);
    if (hold.holds) {
      await hold.reached;
      await a.reader.read(['gated']);
    }
    hold.release();
    expect(await refused).toMatchObject({ ok: false, reason: 'budget_exhausted' });

    clock.set(at(minutes(1)));
    expect((await a.reader.read(['gated'])).get('gated')).toEqual({ cooldownUntil: null, openApprovalId: null });
  });

  it('never keeps a cooldown that a dispatch claimed and gave back when its action could not be written', async () => {
    const clock = new ManualClock(T0);
    const a = readerOn(one, clock);
    const first = makePending({ rule: 'other' });
    expect((await one.dispatchAction(first, at(minutes(10)), T0)).ok).toBe(true);

    // An action whose id is taken cannot be inserted: the dispatch gives its claims back and fails.
    const hold = holdAfterApprovalClaim(two);
    const failed = two.dispatchAction(makePending({ id: first.id, rule: 'gated' }), at(minutes(10)), T0);
    if (hold.holds) {
      await hold.reached;
      await a.reader.read(['gated']);
    }
    hold.release();
    // It must not go ahead: thrown (the insert failed) or refused (a busy store under load) alike.
    expect(await failed.then((r) => r.ok, () => false)).toBe(false);

    clock.set(at(minutes(1)));
    expect((await a.reader.read(['gated'])).get('gated')).toEqual({ cooldownUntil: null, openApprovalId: null });
  });

  it('keeps budget claims with the version, and reads them again once the other instance claimed a slot', async () => {
    const clock = new ManualClock(T0);
    const a = readerOn(one, clock);
    const budget = { target: 'service:api', windowMs: minutes(60), maxActions: 2 };
    const since = new Date(T0.getTime() - minutes(60));
    await a.reader.read(['r']);
    expect((await a.reader.budgetUsage(['service:api'], since)).get('service:api')).toEqual([]);
    expect((await a.reader.budgetUsage(['service:api', 'service:api'], since)).get('service:api')).toEqual([]);
    expect(a.reads.budgets).toBe(1); // kept with the version

    // B claims a slot: the next decide's read finds the version moved, and the claim with it.
    expect((await two.dispatchAction(makeAction({ rule: 'r' }), at(minutes(10)), T0, budget)).ok).toBe(true);
    await a.reader.read(['other']);
    expect((await a.reader.budgetUsage(['service:api'], since)).get('service:api')).toEqual([T0]);
    expect(a.reads.budgets).toBe(2);

    // The window moves on with the instant decided: the claim leaves it without another read.
    clock.set(at(minutes(61)));
    await a.reader.read(['other']);
    expect((await a.reader.budgetUsage(['service:api'], new Date(at(minutes(61)).getTime() - minutes(60)))).get('service:api')).toEqual([]);
    expect(a.reads.budgets).toBe(2);
    // An earlier window than the one kept is read from the store.
    expect((await a.reader.budgetUsage(['service:api'], new Date(T0.getTime() - minutes(120)))).get('service:api')).toEqual([T0]);
    expect(a.reads.budgets).toBe(3);
  });

  it('never keeps a budget claim that a dispatch gave back when its action could not be written', async () => {
    const clock = new ManualClock(T0);
    const a = readerOn(one, clock);
    const budget = { target: 'service:api', windowMs: minutes(60), maxActions: 1 };
    const since = new Date(T0.getTime() - minutes(60));
    const first = makeAction({ rule: 'other' });
    expect((await one.dispatchAction(first, null, T0)).ok).toBe(true);

    // No cooldown: the budget slot is the only claim, and the taken id makes the insert fail.
    const hold = holdAfterClaim(two, 'budgetClaims');
    const failed = two.dispatchAction(makeAction({ id: first.id, rule: 'r' }), null, T0, budget);
    if (hold.holds) {
      await hold.reached;
      await a.reader.read(['r']);
      // The slot is visible while the dispatch is under way.
      expect((await a.reader.budgetUsage(['service:api'], since)).get('service:api')).toEqual([T0]);
    }
    hold.release();
    expect(await failed.then((r) => r.ok, () => false)).toBe(false);

    await a.reader.read(['r']);
    expect((await a.reader.budgetUsage(['service:api'], since)).get('service:api')).toEqual([]);
    // And the slot is free for the next dispatch.
    expect((await one.dispatchAction(makeAction({ rule: 'r' }), null, T0, budget)).ok).toBe(true);
  });
});
