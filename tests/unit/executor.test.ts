import winston from 'winston';
import { ManualClock } from '../../src/clock';
import { loadConfig } from '../../src/config/load-config';
import { ActionExecutor } from '../../src/execution/executor';
import { newAction } from '../../src/pipeline/new-action';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store';
import { type Strategy, StrategyFailure } from '../../src/strategies/strategy';
import { RecordingNotifier } from '../helpers/recording-notifier';
import { normalizedRule } from '../helpers/rules';

// The executor is what is under test here; the strategies below are test doubles of the
// interface it runs, standing for a host that hangs, a bug, and a clean failure.
function strategyThat(execute: Strategy['execute'], timeoutMs = 100): Strategy {
  return { type: 'alert_only', requiresApprovalByDefault: false, timeoutMs, execute, targetOf: () => null };
}

const rule = normalizedRule('r', { cooldownMinutes: 0 });

async function setup(strategy: Strategy) {
  const store = new SqliteStore({ path: ':memory:' });
  await store.init();
  const clock = new ManualClock();
  const notifier = new RecordingNotifier();
  const executor = new ActionExecutor({
    store,
    clock,
    notifier,
    config: loadConfig({ env: {} }),
    logger: winston.createLogger({ silent: true }),
    strategies: new Map([['alert_only', strategy]]),
  });
  const action = newAction({ rule, status: 'running', now: clock.now(), requestedBy: 't', snapshot: null, matchedFacts: {}, expiresAt: null });
  await store.dispatchAction(action, clock.now(), clock.now());
  return { store, executor, action, notifier };
}

describe('ActionExecutor', () => {
  it('fails an action whose strategy hangs past its time limit, and aborts the strategy', async () => {
    let aborted = false;
    const { store, executor, action, notifier } = await setup(
      strategyThat(({ signal }) => new Promise(() => signal.addEventListener('abort', () => (aborted = true))), 50),
    );
    const final = await executor.run(action, null);
    expect(final).toMatchObject({ status: 'failed', error: 'timed out after 50 ms' });
    expect((await store.getAction(action.id))?.status).toBe('failed');
    expect(aborted).toBe(true);
    expect(notifier.ofType('action.failed')).toHaveLength(1);
  });

  it('fails an action whose strategy throws, with the error', async () => {
    const { store, executor, action } = await setup(strategyThat(async () => { throw new TypeError('boom'); }));
    await executor.run(action, null);
    expect(await store.getAction(action.id)).toMatchObject({ status: 'failed', error: 'strategy error: boom' });
  });

  it('keeps what a failing strategy checked', async () => {
    const { store, executor, action } = await setup(
      strategyThat(async () => {
        throw new StrategyFailure('host down', { host: 'h' }, [{ name: 'health', ok: false, detail: 'refused' }]);
      }),
    );
    await executor.run(action, null);
    const stored = await store.getAction(action.id);
    expect(stored).toMatchObject({ status: 'failed', error: 'host down' });
    expect(stored?.result).toEqual({ summary: 'host down', changed: false, details: { host: 'h' }, checks: [{ name: 'health', ok: false, detail: 'refused' }] });
  });

  it('records success with the strategy result and tells people', async () => {
    const { store, executor, action, notifier } = await setup(strategyThat(async () => ({ summary: 'done', changed: true, details: { a: 1 } })));
    await executor.run(action, null);
    expect(await store.getAction(action.id)).toMatchObject({ status: 'succeeded', result: { summary: 'done', details: { a: 1 } }, error: null });
    expect(notifier.ofType('action.succeeded')[0]?.data).toMatchObject({ summary: 'done' });
  });

  it('on drain past its deadline aborts what is left and records it as interrupted', async () => {
    const { store, executor, action } = await setup(
      strategyThat(({ signal }) => new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason))), 60_000),
    );
    void executor.run(action, null);
    await executor.drain(30);
    expect(await store.getAction(action.id)).toMatchObject({ status: 'failed', error: 'interrupted: the service is shutting down' });
  });
});
