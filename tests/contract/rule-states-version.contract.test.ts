import { ManualClock } from '../../src/clock';
import { RuleStateReader } from '../../src/pipeline/rule-state-reader';
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

  /** A reader on `store` that counts the rule-state reads it makes. */
  function readerOn(store: Store, clock: ManualClock) {
    const reads = { states: 0 };
    const counted: Pick<Store, 'getRuleStates' | 'ruleStatesVersion'> = {
      getRuleStates: (rules) => {
        reads.states += 1;
        return store.getRuleStates(rules);
      },
      ruleStatesVersion: () => store.ruleStatesVersion(),
    };
    return { reader: new RuleStateReader(counted, clock), reads };
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
});
