import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Clock } from '../clock';
import type { DeliveryObserver, IngestObserver, SourceFailureReason, SourceObserver } from '../domain/observers';
import type { EventType, NotificationEvent, Notifier } from '../domain/events';
import type { Logger } from '../logging/logger';
import type { RulesService } from '../rules/rules-service';
import type { Store } from '../store/store';
import { BoundedLabel } from './bounded-label';
import { sharedStateReader } from './shared-state';

export interface EngineMetricsDeps {
  store: Pick<Store, 'listActionsByStatus' | 'getFailoverState' | 'getThrottleState' | 'getFailbackProbes' | 'notifications'>;
  rules: Pick<RulesService, 'isLoaded' | 'current' | 'status'>;
  clock: Clock;
  logger: Logger;
  /** prometheus.maxSourceLabels */
  maxSourceLabels: number;
}

const MISNAMED_DEFAULT_GAUGES = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'];

/**
 * The verification sweep's event: its `data.outcome` feeds self_healing_action_outcomes_total. Each
 * window is decided once across instances, so every outcome is counted once, by the instance that
 * decided it.
 */
const OUTCOME_EVENT: EventType = 'action.verified';
const OUTCOMES: ReadonlySet<unknown> = new Set(['effective', 'ineffective', 'unknown']);

/** The action events and the status each one counts under in self_healing_actions_total. */
const ACTION_STATUS_OF: Partial<Record<EventType, string>> = {
  'action.pending_approval': 'pending_approval',
  'action.succeeded': 'succeeded',
  'action.failed': 'failed',
  'action.rejected': 'rejected',
  'action.expired': 'expired',
};

/**
 * Everything GET /metrics shows, in one per-app registry (tests build several apps in one process,
 * so nothing goes to prom-client's global registry). Counters are fed by the same events the
 * notifier channels get and by the ingest and delivery hooks; gauges of state that all instances
 * share read the store at scrape time, so every instance reports the same value.
 */
export class EngineMetrics implements Notifier, IngestObserver, DeliveryObserver, SourceObserver {
  readonly registry = new Registry();

  private readonly sources: BoundedLabel;
  private readonly snapshots: Counter<'source'>;
  private readonly decisions: Counter<'rule' | 'decision'>;
  /**
   * Decisions counted since the last read of the counter, by rule and decision. A snapshot matching
   * 50 rules counts 50 decisions, and resolving prom-client's labels each time (validation,
   * hashing) cost more than deciding; they are added to the counter when it is read (scrape, get).
   */
  private readonly pendingDecisions = new Map<string, Map<string, { rule: string; decision: string; count: number }>>();
  private readonly actions: Counter<'type' | 'status'>;
  private readonly actionDuration: Histogram<'type'>;
  private readonly evaluation: Histogram;
  private readonly notificationFailures: Counter;
  private readonly outboxOverflow: Counter;
  /** Fed by the closed-loop verification's outcome event (OUTCOME_EVENT). */
  private readonly actionOutcomes: Counter<'rule' | 'outcome'>;
  /** Pull sources (docs/sources.md): `source` and `fact` come from the configuration, `reason` from a fixed list. */
  private readonly sourceFailures: Counter<'source' | 'fact' | 'reason'>;
  private readonly sourceQueryDuration: Histogram<'source'>;

  constructor(deps: EngineMetricsDeps) {
    const registers = [this.registry];
    this.sources = new BoundedLabel(deps.maxSourceLabels);
    collectDefaultMetrics({ register: this.registry });
    // prom-client names these gauges `_total`, which promtool (and Prometheus naming) reserves for
    // counters; the per-type gauges beside them (nodejs_active_handles{type}, ...) sum to the same.
    for (const name of MISNAMED_DEFAULT_GAUGES) this.registry.removeSingleMetric(name);

    this.snapshots = new Counter({
      name: 'self_healing_snapshots_ingested_total',
      help: `Metric snapshots evaluated and stored, by source (beyond ${deps.maxSourceLabels} distinct sources: "other").`,
      labelNames: ['source'],
      registers,
    });
    const pending = this.pendingDecisions;
    this.decisions = new Counter({
      name: 'self_healing_decisions_total',
      help: 'Decisions about matched rules: execute, require_approval, cooldown, duplicate_pending, budget_exhausted, paused, silenced, inhibited, shadow.',
      labelNames: ['rule', 'decision'],
      registers,
      collect() {
        for (const byDecision of pending.values()) {
          for (const entry of byDecision.values()) {
            if (entry.count > 0) this.inc({ rule: entry.rule, decision: entry.decision }, entry.count);
            entry.count = 0;
          }
        }
      },
    });
    this.actions = new Counter({
      name: 'self_healing_actions_total',
      help: 'Action lifecycle steps reached: pending_approval, succeeded, failed, rejected, expired.',
      labelNames: ['type', 'status'],
      registers,
    });
    this.actionDuration = new Histogram({
      name: 'self_healing_action_duration_seconds',
      help: 'How long a strategy took to run an action, succeeded or failed.',
      labelNames: ['type'],
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
      registers,
    });
    this.evaluation = new Histogram({
      name: 'self_healing_evaluation_duration_seconds',
      help: 'How long evaluating one snapshot against the enabled rules took.',
      buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers,
    });
    this.notificationFailures = new Counter({
      name: 'self_healing_notification_failures_total',
      help: 'Failed delivery attempts of outbound events (webhooks); an entry may be retried and counted again.',
      registers,
    });
    this.outboxOverflow = new Counter({
      name: 'self_healing_outbox_overflow_total',
      help: 'Outbound event entries dropped because the outbox held notifications.delivery.maxPending undelivered ones.',
      registers,
    });
    this.actionOutcomes = new Counter({
      name: 'self_healing_action_outcomes_total',
      help: 'Verified outcomes of actions that ran: effective, ineffective, unknown.',
      labelNames: ['rule', 'outcome'],
      registers,
    });

    this.sourceFailures = new Counter({
      name: 'self_healing_source_query_failures_total',
      help: 'Pull-source queries that gave no usable answer: timeout, unreachable, http_status, query_error, bad_result.',
      labelNames: ['source', 'fact', 'reason'],
      registers,
    });
    this.sourceQueryDuration = new Histogram({
      name: 'self_healing_source_query_duration_seconds',
      help: 'How long one pull-source query took, answered or not.',
      labelNames: ['source'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });

    const { rules } = deps;
    new Gauge({
      name: 'self_healing_rules_loaded',
      help: 'Rules in force in this instance (enabled or not).',
      registers,
      collect() {
        this.set(rules.isLoaded() ? rules.current().rules.length : 0);
      },
    });
    new Gauge({
      name: 'self_healing_rules_last_reload_success',
      help: '1 when the last read of the rules file was accepted, 0 when it was refused (the last good rules stay in force).',
      registers,
      collect() {
        this.set(rules.isLoaded() && rules.status().lastError === null ? 1 : 0);
      },
    });

    const state = sharedStateReader(deps);
    const shared = (name: string, help: string, read: () => Promise<number>) =>
      new Gauge({
        name,
        help: `${help} Read from the store at scrape time (the same on every instance); NaN when the store cannot be read.`,
        registers,
        async collect() {
          this.set(await read());
        },
      });
    shared('self_healing_approvals_pending', 'Actions waiting for an approval.', state.pendingApprovals);
    shared('self_healing_outbox_pending', 'Outbound events not yet delivered (pending in the outbox).', state.pendingOutbox);
    shared('self_healing_failover_active', '1 while client apps are routed to the secondary model host.', state.failoverActive);
    shared('self_healing_throttle_factor', 'Share of the base request rate allowed now (1 = not throttled).', state.throttleFactor);
    shared('self_healing_failback_healthy_streak', 'Consecutive healthy probes of the primary model host while failed over (0 on the primary).', state.failbackHealthyStreak);
    shared('self_healing_failback_probe_up', '1 when the last probe of the primary model host (while failed over) was healthy, 0 when not; NaN on the primary.', state.failbackProbeUp);
    shared('self_healing_failback_probe_latency_seconds', 'Latency of the last probe of the primary model host while failed over; NaN on the primary.', state.failbackProbeLatencySeconds);
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** The exposition, in the Prometheus text format. */
  render(): Promise<string> {
    return this.registry.metrics();
  }

  notify(event: NotificationEvent): void {
    if (event.type === OUTCOME_EVENT) {
      const outcome = event.data.outcome;
      // Only the known outcomes: a label value from anywhere else could grow without bound.
      if (event.rule !== null && OUTCOMES.has(outcome)) this.actionOutcomes.inc({ rule: event.rule, outcome: outcome as string });
      return;
    }
    const status = ACTION_STATUS_OF[event.type];
    if (status === undefined || event.action === null) return;
    this.actions.inc({ type: event.action.type, status });
    const durationMs = event.data.durationMs;
    if ((status === 'succeeded' || status === 'failed') && typeof durationMs === 'number' && durationMs >= 0) {
      this.actionDuration.observe({ type: event.action.type }, durationMs / 1000);
    }
  }

  snapshotIngested(source: string): void {
    this.snapshots.inc({ source: this.sources.valueOf(source) });
  }

  evaluated(seconds: number): void {
    this.evaluation.observe(seconds);
  }

  decided(rule: string, decision: string): void {
    // By rule, then decision: both strings keep their hash, where a joined key would be hashed anew.
    let byDecision = this.pendingDecisions.get(rule);
    if (!byDecision) {
      byDecision = new Map();
      this.pendingDecisions.set(rule, byDecision);
    }
    const entry = byDecision.get(decision);
    if (entry) entry.count++;
    else byDecision.set(decision, { rule, decision, count: 1 });
  }

  queried(source: string, fact: string, seconds: number, failure: SourceFailureReason | null): void {
    this.sourceQueryDuration.observe({ source }, seconds);
    if (failure !== null) this.sourceFailures.inc({ source, fact, reason: failure });
  }

  deliveryFailed(): void {
    this.notificationFailures.inc();
  }

  outboxOverflowed(entries: number): void {
    this.outboxOverflow.inc(entries);
  }
}
