import { ManualClock } from '../../src/clock';
import { newAction } from '../../src/pipeline/new-action';
import { RuleStateReader } from '../../src/pipeline/rule-state-reader';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store';
import { normalizedRule } from '../helpers/rules';

describe('RuleStateReader', () => {
  it('always agrees with the store on cooldown ends, across two instances dispatching in turn', async () => {
    const store = new SqliteStore({ path: ':memory:' });
    await store.init();
    const clock = new ManualClock();
    const a = new RuleStateReader(store, clock);
    const b = new RuleStateReader(store, clock);
    const rule = normalizedRule('r', { cooldownMinutes: 10 });
    const dispatch = async (reader: RuleStateReader) => {
      const until = new Date(clock.now().getTime() + 10 * 60_000);
      const outcome = await store.dispatchAction(
        newAction({ rule, status: 'running', now: clock.now(), requestedBy: 't', snapshot: null, matchedFacts: {}, expiresAt: null }),
        until,
        clock.now(),
      );
      if (outcome.ok) reader.remember('r', until);
      return outcome.ok;
    };
    const agree = async () => {
      const truth = (await store.getRuleStates(['r'])).get('r')!.cooldownUntil?.getTime() ?? null;
      for (const reader of [a, b]) {
        expect((await reader.read(['r'])).get('r')!.cooldownUntil?.getTime() ?? null).toBe(truth);
      }
    };
    await agree();
    expect(await dispatch(a)).toBe(true);
    await agree();
    clock.advance(5 * 60_000);
    expect(await dispatch(b)).toBe(false);
    await agree();
    clock.advance(5 * 60_000);
    expect(await dispatch(b)).toBe(true); // a's remembered end has passed: it must read the new one
    await agree();
    clock.advance(11 * 60_000);
    await agree();
    await store.close();
  });
});
