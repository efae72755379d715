import { ManualClock } from '../../src/clock';
import { buildEvent, type EventType } from '../../src/domain/events';
import { createLogging } from '../../src/logging/logger';
import { EngineMetrics } from '../../src/metrics/engine-metrics';
import { BoundedLabel } from '../../src/metrics/bounded-label';
import { sample } from '../helpers/exposition';

const clock = new ManualClock('2026-03-01T10:00:00Z');

function metrics(): EngineMetrics {
  const logging = createLogging({ log: { level: 'error', format: 'json' } }, {}, []);
  const store = {
    listActionsByStatus: async () => [],
    getFailoverState: async () => null,
    getThrottleState: async () => null,
    notifications: { countOutbox: async () => 0 },
  } as unknown as ConstructorParameters<typeof EngineMetrics>[0]['store'];
  const rules = { isLoaded: () => false } as unknown as ConstructorParameters<typeof EngineMetrics>[0]['rules'];
  return new EngineMetrics({ store, rules, clock, logger: logging.logger, maxSourceLabels: 3 });
}

describe('EngineMetrics', () => {
  it('counts verified outcomes per rule, and only the known outcomes', async () => {
    const m = metrics();
    const verified = (outcome: unknown) =>
      m.notify(buildEvent('action.verified' as EventType, clock.now(), { rule: 'high-errors', data: { outcome } }));
    verified('effective');
    verified('effective');
    verified('ineffective');
    verified('made-up');
    const text = await m.render();
    expect(sample(text, 'self_healing_action_outcomes_total', { rule: 'high-errors', outcome: 'effective' })).toBe(2);
    expect(sample(text, 'self_healing_action_outcomes_total', { rule: 'high-errors', outcome: 'ineffective' })).toBe(1);
    expect(text).not.toMatch(/made-up/);
  });

  it('keeps two apps apart: each has its own registry', async () => {
    const a = metrics();
    const b = metrics();
    a.snapshotIngested('agentx');
    expect(sample(await a.render(), 'self_healing_snapshots_ingested_total', { source: 'agentx' })).toBe(1);
    expect(sample(await b.render(), 'self_healing_snapshots_ingested_total', { source: 'agentx' })).toBeUndefined();
  });
});

describe('BoundedLabel', () => {
  it('keeps the first values it sees and folds every later one into "other"', () => {
    const label = new BoundedLabel(2);
    expect(['a', 'b', 'c', 'a', 'd', 'b'].map((v) => label.valueOf(v))).toEqual(['a', 'b', 'other', 'a', 'other', 'b']);
  });
});
