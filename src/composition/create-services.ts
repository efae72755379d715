import { type Clock, systemClock } from '../clock';
import { InstanceLiveness } from '../cluster/instance-liveness';
import { resolveInstanceId } from '../cluster/instance-id';
import type { AppConfig } from '../config/schema';
import { Evaluator } from '../engine/evaluate';
import { FanoutNotifier } from '../notifications/fanout-notifier';
import type { Notifier } from '../domain/events';
import { LogNotifier } from '../notifications/log-notifier';
import type { Logging } from '../logging/logger';
import { EngineMetrics } from '../metrics/engine-metrics';
import { ApprovalService } from '../approvals/approvals';
import { EvaluationErrors } from '../pipeline/evaluation-errors';
import { BudgetPolicy } from '../closed-loop-service/budgets';
import { PauseService } from '../execution/pause';
import { SilenceService } from '../pipeline/silence-service';
import { RevertService } from '../closed-loop-service/reverts';
import { StatsService } from '../history/stats';
import { VerificationService } from '../closed-loop-service/verification';
import { ActionExecutor } from '../execution/executor';
import { recoverInterruptedActions } from '../lifecycle/recovery';
import { RemediationService } from '../pipeline/remediation-service';
import { IdempotentReplies } from '../pipeline/idempotent-replies';
import { Sweeps } from '../lifecycle/sweeps';
import { IncidentService } from '../incidents/incident-service';
import { IncidentNotifier } from '../incidents/incident-notifier';
import { FailbackService } from '../lifecycle/failback';
import { throttleRestoreJudge } from '../closed-loop-service/throttle-restore-judge';
import { FailbackProber } from '../targets/failback-probes';
import { RulesService } from '../rules/rules-service';
import { ReplayService } from '../replay/replay-service';
import { closedLoopFacts } from '../strategies/closed-loop-facts';
import { RulesHistoryService } from '../rules-history/rules-history-service';
import { createSchemaRegistry, type SchemaRegistry } from '../schemas/registry';
import { HealthChecks } from '../health/health-checks';
import { type ApiKeyring, loadApiKeys } from '../http/api-keys';
import { ActionHistory } from '../history/action-history';
import { SnapshotHistory } from '../history/snapshot-history';
import type { PipelineDeps } from '../execution/pipeline-deps';
import type { Store } from '../store/store';
import { createAlertOnlyStrategy } from '../strategies/alert-only';
import { createModelFailoverStrategy } from '../strategies/model-failover';
import { createPromptRollbackStrategy } from '../strategies/prompt-rollback';
import { createStrategyMap } from '../strategies/strategy-map';
import { createServiceRestartStrategy } from '../strategies/service-restart';
import type { StrategyMap } from '../strategies/strategy';
import { createThrottleStrategy } from '../strategies/throttle';
import { AlertService } from '../targets/alert-service';
import { FailoverService } from '../targets/failover-service';
import { EventJournal } from '../notifications/event-journal';
import { NotificationService } from '../notifications/notification-service';
import { SessionService } from '../sessions/session-service';
import { PromptVersions } from '../targets/prompt-versions';
import { type FaultPoints, noFaults } from '../domain/fault-points';
import { ThrottleService } from '../targets/throttle-service';
import { SourcePuller } from '../sources/source-puller';
import { askPrometheus } from '../sources/prometheus-check';

export interface Services extends PipelineDeps {
  logging: Logging;
  /** The API keys, loaded once from config.auth. */
  keyring: ApiKeyring;
  health: HealthChecks;
  actions: ActionHistory;
  /** Stored snapshots: pages, sources, one fact's series (GET /api/self-healing/snapshots, /series). */
  snapshots: SnapshotHistory;
  schemas: SchemaRegistry;
  strategies: StrategyMap;
  rules: RulesService;
  /** Every accepted version of the rules file, with who and what changed; rollback reads it. */
  rulesHistory: RulesHistoryService;
  evaluator: Evaluator;
  /** Rules that threw while being evaluated: counts, last error, alerts. */
  evaluationErrors: EvaluationErrors;
  executor: ActionExecutor;
  remediation: RemediationService;
  /** Idempotency-Keys of ingest: a retry gets the first reply again (kept in the store). */
  idempotentReplies: IdempotentReplies;
  /** Replays snapshots through evaluate and decide on a virtual clock; changes nothing. */
  replay: ReplayService;
  approvals: ApprovalService;
  sweeps: Sweeps;
  pause: PauseService;
  /** Silences (maintenance windows): matched rules that would act are decided `silenced`. */
  silences: SilenceService;
  reverts: RevertService;
  verification: VerificationService;
  stats: StatsService;
  /** This instance's id in leases and action `runner`s (cluster.instanceId, or `<hostname>:<pid>`). */
  instanceId: string;
  liveness: InstanceLiveness;
  failover: FailoverService;
  /** Probes of the primary while failed over, as GET /api/health/router shows them. */
  failbackProbes: FailbackProber;
  /** The periodic failback round (probe, then fail back when due); the sweeps run it on the lease holder. */
  failback: FailbackService;
  prompts: PromptVersions;
  throttle: ThrottleService;
  alerts: AlertService;
  /** Outbound webhook outbox and dispatcher, inbound webhook guard (the n8n integration). */
  notifications: NotificationService;
  /** Browser-console sign-in sessions, kept in the store. */
  sessions: SessionService;
  /** The numbered journal of events behind GET /api/events. */
  events: EventJournal;
  /** What GET /metrics shows (its own prom-client registry). */
  metrics: EngineMetrics;
  /** Pulls the configured Prometheus sources into ingest, on the periodic-work lease holder. */
  sources: SourcePuller;
  /** Incidents: grouping, notices, resolution (docs/incidents.md). */
  incidents: IncidentService;
  /** Follows events of incidents' actions (tests wait for it with idle()). */
  incidentEvents: IncidentNotifier;
  /** Opens the store, loads the rules, recovers interrupted work and starts the sweeps. */
  start(): Promise<void>;
  /** Stops sweeps and watchers, waits for running actions, closes the store. */
  stop(): Promise<void>;
}

export interface ServiceOverrides {
  clock?: Clock;
  notifier?: Notifier;
  /** Keys the caller already loaded (the server checks them before anything is opened). */
  keyring?: ApiKeyring;
  /** Kill points for the fault-injection suite (server.ts reads them from the environment). */
  faults?: FaultPoints;
}

/** The composition root of everything below the routes: each service gets what it needs here, once. */
export function createServices(
  store: Store,
  config: AppConfig,
  logging: Logging,
  overrides: ServiceOverrides = {},
): Services {
  const logger = logging.logger;
  const clock = overrides.clock ?? systemClock;
  const instanceId = resolveInstanceId(config.cluster.instanceId);
  const faults = overrides.faults ?? noFaults;
  const keyring = overrides.keyring ?? loadApiKeys(config.auth);
  const schemas = createSchemaRegistry();
  const evaluator = new Evaluator();
  const rulesHistory = new RulesHistoryService({ store: store.rulesHistory, clock, logger });
  const rules = new RulesService({
    history: rulesHistory,
    file: config.rules.file,
    watch: config.rules.watch,
    debounceMs: config.rules.watchDebounceMs,
    schemas,
    clock,
    logger,
    prepare: (ruleset) => evaluator.prepare(ruleset),
  });
  // Built before the notifier it listens to; its gauges read the store and the rules, not services.
  const metrics = new EngineMetrics({ store, rules, clock, logger, maxSourceLabels: config.prometheus.maxSourceLabels });
  const events = new EventJournal({ store, clock, logger, retentionHours: config.console.events.retentionHours });
  const notifications = new NotificationService({ store, config, clock, logger, instanceId, deliveryObserver: metrics, faults, journal: events });
  const sessions = new SessionService({ store, keyring, clock, logger, ttlMinutes: config.console.sessionTtlMinutes });
  // The log channel (or a test's recorder), the webhook outbox, the metrics and the console's journal all get every event.
  const incidents: IncidentService = new IncidentService({
    store,
    config: config.incidents,
    clock,
    logger,
    channelsFor: (rule) => rules.channelsFor(rule),
    targetOf: (rule) => budgets.targetOf(rule),
    stillMatching: async (names, facts) => {
      const ruleset = rules.current();
      const known = names.map((n) => ruleset.byName.get(n)).filter((r): r is NonNullable<typeof r> => r !== undefined && r.enabled);
      return (await evaluator.evaluateRules(known, ruleset, facts)).filter((e) => e.matched).map((e) => e.rule.name);
    },
    notify: (event) => notifier.notify(event),
  });
  const incidentEvents = new IncidentNotifier(incidents);
  const notifier = new FanoutNotifier([overrides.notifier ?? new LogNotifier(logger), notifications.notifier, metrics, events, incidentEvents]);
  const deps: PipelineDeps = { store, config, clock, logger, notifier };

  const failover = new FailoverService(deps);
  const prompts = new PromptVersions(deps);
  const throttle = new ThrottleService(deps);
  const alerts = new AlertService(deps);
  const strategies = createStrategyMap([
    createModelFailoverStrategy({ failover, config }),
    createPromptRollbackStrategy({ prompts, clock }),
    createServiceRestartStrategy({ config }),
    createThrottleStrategy({ throttle, clock, config }),
    createAlertOnlyStrategy({ alerts, clock }),
  ]);
  const executor = new ActionExecutor({ ...deps, strategies, faults });
  const liveness = new InstanceLiveness(deps, instanceId);
  const pause = new PauseService(deps);
  const silences = new SilenceService(deps);
  const budgets = new BudgetPolicy({ ...deps, strategies, alerts });
  const reverts = new RevertService({ ...deps, strategies, executor, alerts, rules, instanceId });
  const verification = new VerificationService({
    ...deps,
    rules,
    evaluator,
    reverts,
    revertible: (type) => strategies.get(type)?.revert !== undefined,
    askPrometheus: (check) => askPrometheus(config.sources.prometheus, check),
  });
  const stats = new StatsService(deps);
  const evaluationErrors = new EvaluationErrors({ clock, logger, createAlert: (alert) => alerts.create(alert) });
  const approvals = new ApprovalService({ ...deps, executor, rules, instanceId, evaluator, pause });
  const remediation = new RemediationService({ ...deps, rules, evaluator, evaluationErrors, strategies, executor, instanceId, pause, budgets, approvals, observer: metrics, faults, incidents });
  const idempotentReplies = new IdempotentReplies({ store, clock, config });
  const replay = new ReplayService({
    store,
    currentRules: () => rules.current(),
    evaluator,
    schemas,
    clock,
    requiresApproval: (rule) => remediation.requiresApproval(rule),
    approvalTimeoutMinutes: config.approvals.timeoutMinutes,
    closedLoop: closedLoopFacts(config),
  });
  const failbackProbes = new FailbackProber({ store, config, clock, logger, failover });
  const failback = new FailbackService({
    ...deps,
    router: {
      probe: () => failbackProbes.probe(),
      getState: () => failover.getState(),
      holdOf: (state) => failover.holdOf(state),
      updateHold: (change) => failover.updateHold(change),
    },
    remediation,
    rules,
    alerts,
  });
  const throttleJudge = throttleRestoreJudge({ store, rules, evaluator, clock });
  const sweeps = new Sweeps({ ...deps, rules, approvals, throttle, throttleJudge, executor, instanceId, verification, pause, failback, incidents });
  const sources = new SourcePuller({
    config,
    clock,
    logger,
    schemas,
    sink: remediation,
    alerts,
    isPuller: () => sweeps.holdsLease,
    observer: metrics,
  });
  const health = new HealthChecks({ store, rules, periodicWork: sweeps, instanceId });
  const actions = new ActionHistory(store);
  const snapshots = new SnapshotHistory(store, clock);

  return {
    ...deps,
    logging,
    keyring,
    health,
    actions,
    snapshots,
    schemas,
    strategies,
    rules,
    rulesHistory,
    evaluator,
    evaluationErrors,
    executor,
    remediation,
    idempotentReplies,
    replay,
    approvals,
    sweeps,
    pause,
    silences,
    reverts,
    verification,
    stats,
    instanceId,
    liveness,
    failover,
    failbackProbes,
    failback,
    prompts,
    throttle,
    alerts,
    notifications,
    sessions,
    events,
    metrics,
    sources,
    incidents,
    incidentEvents,
    async start() {
      await store.init();
      await rules.load();
      // Liveness first: from here on other instances see this one as alive and leave its actions be.
      await liveness.start();
      await recoverInterruptedActions({ ...deps, rules }, { instanceId, scope: 'start' });
      await sweeps.runOnce();
      rules.startWatching();
      sweeps.start();
      sources.start();
      await notifications.start();
      sessions.start();
      events.start();
    },
    async stop() {
      await sources.stop();
      await sweeps.stop();
      rules.stopWatching();
      await executor.drain(config.server.shutdownTimeoutMs);
      await notifications.stop();
      sessions.stop();
      await events.stop();
      await liveness.stop();
      await store.close();
    },
  };
}
