import { ManualClock } from '../../src/clock';
import { newAction } from '../../src/pipeline/new-action';
import type { RuleState } from '../../src/domain/rule-state';
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

  it('does not remember a tentative cooldown end, read or refused, until the store reports it settled', async () => {
    const clock = new ManualClock();
    const until = new Date(clock.now().getTime() + 10 * 60_000);
    // A store (as MongoDB's is) in the middle of another instance's dispatch: its window is claimed, not settled.
    let state: RuleState = { cooldownUntil: until, openApprovalId: null, cooldownTentative: true };
    let version = 'v1';
    const calls = { versions: 0, states: 0 };
    const store = {
      ruleStatesVersion: async () => {
        calls.versions += 1;
        return version;
      },
      getRuleStates: async (rules: string[]) => {
        calls.states += 1;
        return new Map(rules.map((rule) => [rule, state]));
      },
      getBudgetUsage: async () => new Map<string, Date[]>(),
    };
    const reader = new RuleStateReader(store, clock);
    expect((await reader.read(['r'])).get('r')!.cooldownUntil).toEqual(until); // decided `cooldown`, as the store would refuse
    reader.learn('r', until, { ok: false, reason: 'cooldown', until, tentative: true }, clock.now());
    await reader.read(['r']);
    expect(calls).toEqual({ versions: 2, states: 1 }); // not known: the version is read each time

    // The dispatch went ahead: the window settled and the version moved. Now the end is known.
    state = { cooldownUntil: until, openApprovalId: null };
    version = 'v2';
    await reader.read(['r']);
    await reader.read(['r']);
    expect(calls).toEqual({ versions: 3, states: 2 });

    // A settled refusal is known at once; a tentative one is not.
    reader.learn('s', until, { ok: false, reason: 'cooldown', until }, clock.now());
    reader.learn('t', until, { ok: false, reason: 'cooldown', until, tentative: true }, clock.now());
    expect(reader.cooldowns.at('s', clock.now().getTime())?.end).toBe(until.getTime());
    expect(reader.cooldowns.at('t', clock.now().getTime())).toBeUndefined();
  });

  it('answers the budget claims it kept even when a read for a newer version drops them meanwhile', async () => {
    const clock = new ManualClock();
    const since = new Date(clock.now().getTime() - 60 * 60_000);
    const claimed = new Date(clock.now().getTime() - 60_000);
    let version = 'v1';
    let release: () => void = () => undefined;
    let hold = false;
    const store = {
      ruleStatesVersion: async () => version,
      getRuleStates: async (rules: string[]) => new Map(rules.map((rule): [string, RuleState] => [rule, { cooldownUntil: null, openApprovalId: null }])),
      getBudgetUsage: async (targets: string[]) => {
        if (hold) await new Promise<void>((resolve) => (release = resolve));
        return new Map(targets.map((t): [string, Date[]] => [t, t === 'kept' ? [claimed] : []]));
      },
    };
    const reader = new RuleStateReader(store, clock);
    await reader.read(['r']);
    expect((await reader.budgetUsage(['kept'], since)).get('kept')).toEqual([claimed]);

    // A decide asks for the kept target and a new one; while the new one is read, another decide finds a new version.
    hold = true;
    const asked = reader.budgetUsage(['kept', 'other'], since);
    await new Promise((resolve) => setImmediate(resolve));
    version = 'v2';
    await reader.read(['s']);
    release();
    const usage = await asked;
    expect(usage.get('kept')).toEqual([claimed]);
    expect(usage.get('other')).toEqual([]);
  });
});
