import winston from 'winston';
import { ManualClock } from '../../src/clock';
import { loadConfig } from '../../src/config/load-config';
import type { ActionRecord } from '../../src/domain/action';
import type { Rule } from '../../src/domain/rule';
import type { PipelineDeps } from '../../src/execution/pipeline-deps';
import { AlertService } from '../../src/targets/alert-service';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store';
import { createAlertOnlyStrategy } from '../../src/strategies/alert-only';
import { RecordingNotifier } from '../helpers/recording-notifier';

const logger = winston.createLogger({ silent: true });
const config = loadConfig({ env: {} });

describe('AlertService', () => {
  let store: SqliteStore;
  let clock: ManualClock;
  let notifier: RecordingNotifier;
  let deps: PipelineDeps;
  let alerts: AlertService;

  beforeEach(async () => {
    store = new SqliteStore({ path: ':memory:' });
    await store.init();
    clock = new ManualClock('2026-03-01T10:00:00Z');
    notifier = new RecordingNotifier();
    deps = { store, config, clock, logger, notifier };
    alerts = new AlertService(deps);
  });
  afterEach(() => store.close());

  function create(rule = 'disk-full', severity: 'critical' | 'warning' | 'info' = 'warning') {
    return alerts.create({
      rule,
      severity,
      message: `${rule} happened`,
      metrics: { diskPercent: 93 },
      actionId: 'act-1',
      channels: ['log', 'n8n'],
    });
  }

  it('stores the alert and notifies the rule channels', async () => {
    const alert = await create();
    expect(await store.getAlert(alert.id)).toEqual(alert);
    expect(alert).toMatchObject({
      rule: 'disk-full',
      severity: 'warning',
      message: 'disk-full happened',
      metrics: { diskPercent: 93 },
      actionId: 'act-1',
      createdAt: new Date('2026-03-01T10:00:00Z'),
      acknowledgedAt: null,
      acknowledgedBy: null,
    });
    const [event] = notifier.ofType('alert.created');
    expect(event).toMatchObject({
      rule: 'disk-full',
      severity: 'warning',
      channels: ['log', 'n8n'],
      data: { alertId: alert.id, actionId: 'act-1', message: 'disk-full happened' },
    });
  });

  it('keeps only the keys of oversized metrics', async () => {
    const alert = await alerts.create({
      rule: 'r',
      severity: 'info',
      message: 'm',
      metrics: { huge: 'x'.repeat(100_000), small: 1 },
      actionId: null,
    });
    expect(alert.metrics).toEqual({ truncated: true, keys: ['huge', 'small'] });
  });

  it('lists with filters and pages newest first', async () => {
    const a = await create('disk-full', 'warning');
    clock.advance(60_000);
    const b = await create('memory-high', 'critical');
    clock.advance(60_000);
    const c = await create('disk-full', 'info');

    const first = await alerts.list({ limit: 2 });
    expect(first.items.map((x) => x.id)).toEqual([c.id, b.id]);
    expect(first.nextCursor).not.toBeNull();
    const second = await alerts.list({ limit: 2, cursor: first.nextCursor ?? undefined });
    expect(second.items.map((x) => x.id)).toEqual([a.id]);
    expect(second.nextCursor).toBeNull();

    expect((await alerts.list({ limit: 10, rule: 'disk-full' })).items.map((x) => x.id)).toEqual([c.id, a.id]);
    expect((await alerts.list({ limit: 10, severity: 'critical' })).items.map((x) => x.id)).toEqual([b.id]);
    expect(
      (await alerts.list({ limit: 10, since: new Date('2026-03-01T10:01:00Z'), until: new Date('2026-03-01T10:01:30Z') })).items.map(
        (x) => x.id,
      ),
    ).toEqual([b.id]);
  });

  it('acknowledges once: the first wins, later ones conflict, unknown ids are not found', async () => {
    const alert = await create();
    clock.advance(5_000);
    const acked = await alerts.acknowledge(alert.id, 'alice');
    expect(acked).toMatchObject({ acknowledgedBy: 'alice', acknowledgedAt: new Date('2026-03-01T10:00:05Z') });
    await expect(alerts.acknowledge(alert.id, 'bob')).rejects.toMatchObject({
      status: 409,
      code: 'already_acknowledged',
      extra: { acknowledgedBy: 'alice' },
    });
    await expect(alerts.acknowledge('missing', 'bob')).rejects.toMatchObject({ status: 404 });
    expect((await alerts.list({ limit: 10, acknowledged: true })).items.map((x) => x.id)).toEqual([alert.id]);
    expect((await alerts.list({ limit: 10, acknowledged: false })).items).toEqual([]);
    expect((await store.getAlert(alert.id))?.acknowledgedBy).toBe('alice');
  });

  it('concurrent acknowledgements: exactly one wins', async () => {
    const alert = await create();
    const results = await Promise.allSettled([
      alerts.acknowledge(alert.id, 'alice'),
      alerts.acknowledge(alert.id, 'bob'),
      alerts.acknowledge(alert.id, 'carol'),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
  });

  describe('alert_only strategy', () => {
    const rule = {
      name: 'disk-full',
      description: 'Disk almost full',
      notifications: { channels: ['log', 'n8n'] },
    } as unknown as Rule;
    const action = {
      id: 'act-9',
      rule: 'disk-full',
      type: 'alert_only',
      severity: 'critical',
      status: 'running',
      params: {},
      matchedFacts: { diskPercent: 93, 'ollama.avgResponseTimeMs': 6200 },
    } as unknown as ActionRecord;

    function run(params: Record<string, unknown>, withRule: Rule | null = rule) {
      const strategy = createAlertOnlyStrategy({ ...deps, alerts });
      return strategy.execute({ action, params, rule: withRule, signal: new AbortController().signal, logger });
    }

    it('records an alert with the matched facts and a default message', async () => {
      const result = await run({});
      const alertId = result.details?.alertId as string;
      const stored = await store.getAlert(alertId);
      expect(stored).toMatchObject({
        rule: 'disk-full',
        severity: 'critical',
        actionId: 'act-9',
        metrics: { diskPercent: 93, 'ollama.avgResponseTimeMs': 6200 },
        message: 'disk-full: Disk almost full (matched diskPercent=93, ollama.avgResponseTimeMs=6200)',
      });
      expect(result).toMatchObject({ changed: true, details: { alertId, channels: ['log', 'n8n'] } });
      expect(notifier.ofType('alert.created')[0]).toMatchObject({ channels: ['log', 'n8n'], severity: 'critical' });
    });

    it('uses the message param, and the log channel when the rule is gone', async () => {
      const result = await run({ message: 'Look at the disk' }, null);
      const stored = await store.getAlert(result.details?.alertId as string);
      expect(stored?.message).toBe('Look at the disk');
      expect(notifier.ofType('alert.created')[0]?.channels).toEqual(['log']);
    });
  });
});
