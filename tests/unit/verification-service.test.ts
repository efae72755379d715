import winston from 'winston';
import { ManualClock } from '../../src/clock';
import { loadConfig } from '../../src/config/load-config';
import type { ActionRecord } from '../../src/domain/action';
import type { StoredSnapshot } from '../../src/domain/snapshot';
import { Evaluator } from '../../src/engine/evaluate';
import { newAction } from '../../src/pipeline/new-action';
import { VerificationService } from '../../src/closed-loop-service/verification';
import { candidateRuleset } from '../../src/rules/candidate-ruleset';
import { createSchemaRegistry } from '../../src/schemas/registry';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store';
import { RecordingNotifier } from '../helpers/recording-notifier';
import { rule, rulesDoc } from '../helpers/rules';

const start = Date.parse('2026-03-01T10:00:00Z');
const at = (s: number) => new Date(start + s * 1000);

/** What the sweep asked the revert service to do, in order. */
type FollowUpCall = { kind: 'revert'; actionId: string } | { kind: 'escalate'; actionId: string; why: string };

async function setup(onIneffective: 'revert' | 'escalate' | 'none', type: 'throttle' | 'alert_only' = 'throttle') {
  const store = new SqliteStore({ path: ':memory:' });
  await store.init();
  const clock = new ManualClock(at(0));
  const action = type === 'throttle' ? { type, params: { factor: 0.5 } } : { type, params: { message: 'm' } };
  const doc = rulesDoc(rule('fix', { cooldownMinutes: 0, action, verify: { windowMinutes: 1, onIneffective } }));
  const set = candidateRuleset(createSchemaRegistry(), doc, at(0));
  if (!set.ok) throw new Error(JSON.stringify(set.problems));
  const ruleset = set.ruleset;
  const calls: FollowUpCall[] = [];
  const verification = new VerificationService({
    store,
    clock,
    config: loadConfig({ env: {} }),
    logger: winston.createLogger({ silent: true }),
    notifier: new RecordingNotifier(),
    rules: { isLoaded: () => true, current: () => ruleset },
    evaluator: new Evaluator(),
    // The revert service acts through strategies; here it records what the sweep asked of it.
    reverts: {
      revert: async (a: ActionRecord) => {
        calls.push({ kind: 'revert', actionId: a.id });
        return { ok: true as const, revert: { ...a, status: 'succeeded' as const } };
      },
      escalate: async (a: ActionRecord, why: string) => {
        calls.push({ kind: 'escalate', actionId: a.id, why });
      },
      refusal: (a: ActionRecord) => (a.type === 'throttle' ? null : { code: 'no_inverse', message: `${a.type} has no inverse; it cannot be reverted (escalate instead)` }),
    },
    revertible: (t) => t === 'throttle',
  });

  const snapshotAt = async (s: number, errorRate: number): Promise<StoredSnapshot> => {
    const stored: StoredSnapshot = { id: `snap-${s}`, source: 'app', timestamp: at(s).toISOString(), metrics: { errorRate }, receivedAt: at(s) };
    await store.insertSnapshot(stored);
    return stored;
  };
  /** An action of `fix` that ran on `snapshot` and succeeded at once: its window runs to 60 s after. */
  const ranAt = async (s: number, snapshot: StoredSnapshot): Promise<string> => {
    const r = ruleset.byName.get('fix')!;
    const a = newAction({ rule: r, status: 'running', now: at(s), requestedBy: 'test', snapshot, matchedFacts: {}, expiresAt: null, verify: r.verify || null });
    await store.dispatchAction(a, at(s), at(s));
    await store.transitionAction(a.id, ['running'], { status: 'succeeded', finishedAt: at(s), updatedAt: at(s), outcome: 'pending', verifyUntil: at(s + 60) });
    return a.id;
  };
  return { store, clock, verification, calls, snapshotAt, ranAt };
}

describe('VerificationService (the sweep that decides windows)', () => {
  it('counts the snapshots after the run up to the end inclusive, and decides only once the end is past', async () => {
    const { store, clock, verification, snapshotAt, ranAt } = await setup('none');
    const id = await ranAt(0, await snapshotAt(0, 0.5));
    await snapshotAt(30, 0.5); // still bad
    await snapshotAt(60, 0.01); // at the very end: counts, and decides
    clock.set(at(60));
    expect(await verification.decideDue()).toBe(0);
    expect((await store.getAction(id))?.outcome).toBe('pending');
    clock.set(at(60.001));
    expect(await verification.decideDue()).toBe(1);
    expect(await store.getAction(id)).toMatchObject({ outcome: 'effective', recoveredAt: at(60), outcomeAt: at(60.001) });
  });

  it('a snapshot at the instant the action finished is not in its window: none came, unknown', async () => {
    const { store, clock, verification, snapshotAt, ranAt } = await setup('escalate');
    const snapshot = await snapshotAt(0, 0.5);
    const id = await ranAt(0, snapshot);
    clock.set(at(61));
    await verification.decideDue();
    expect(await store.getAction(id)).toMatchObject({ outcome: 'unknown', recoveredAt: null });
  });

  it('ineffective: reverts what has an inverse when the rule asks for it', async () => {
    const { clock, verification, calls, snapshotAt, ranAt } = await setup('revert');
    const id = await ranAt(0, await snapshotAt(0, 0.5));
    await snapshotAt(10, 0.01); // recovered, then relapsed
    await snapshotAt(20, 0.5);
    clock.set(at(61));
    await verification.decideDue();
    expect(calls).toEqual([{ kind: 'revert', actionId: id }]);
  });

  it('ineffective: escalates a revert its type cannot make, saying why', async () => {
    const { clock, verification, calls, snapshotAt, ranAt } = await setup('revert', 'alert_only');
    const id = await ranAt(0, await snapshotAt(0, 0.5));
    await snapshotAt(20, 0.5);
    clock.set(at(61));
    await verification.decideDue();
    expect(calls).toEqual([{ kind: 'escalate', actionId: id, why: `rule fix still matched snapshot snap-20 from app; alert_only has no inverse; it cannot be reverted (escalate instead)` }]);
  });

  it('ineffective with onIneffective none: nothing follows; an escalating rule escalates', async () => {
    const quiet = await setup('none');
    await quiet.ranAt(0, await quiet.snapshotAt(0, 0.5));
    await quiet.snapshotAt(20, 0.5);
    quiet.clock.set(at(61));
    expect(await quiet.verification.decideDue()).toBe(1);
    expect(quiet.calls).toEqual([]);

    const loud = await setup('escalate');
    const id = await loud.ranAt(0, await loud.snapshotAt(0, 0.5));
    await loud.snapshotAt(20, 0.5);
    loud.clock.set(at(61));
    await loud.verification.decideDue();
    expect(loud.calls).toEqual([{ kind: 'escalate', actionId: id, why: 'rule fix still matched snapshot snap-20 from app' }]);
  });
});
