import { type Clock, systemClock } from '../clock';
import { InstanceLiveness } from '../cluster/instance-liveness';
import { resolveInstanceId } from '../cluster/instance-id';
import type { AppConfig } from '../config/schema';
import { Evaluator } from '../engine/evaluate';
import { FanoutNotifier } from '../integrations/fanout-notifier';
import { LogNotifier, type Notifier } from '../integrations/notifier';
import type { Logging } from '../logging/logger';
import { ApprovalService } from '../remediation/approvals';
import { EvaluationErrors } from '../remediation/evaluation-errors';
import { ActionExecutor } from '../remediation/executor';
import { recoverInterruptedActions } from '../remediation/recovery';
import { RemediationService } from '../remediation/remediation-service';
import { Sweeps } from '../remediation/sweeps';
import { RulesService } from '../rules/rules-service';
import { createSchemaRegistry, type SchemaRegistry } from '../schemas/registry';
import type { Store } from '../store/store';
import { createAlertOnlyStrategy } from '../strategies/alert-only';
import { createModelFailoverStrategy } from '../strategies/model-failover';
import { createPromptRollbackStrategy } from '../strategies/prompt-rollback';
import { createStrategyRegistry } from '../strategies/registry';
import { createServiceRestartStrategy } from '../strategies/service-restart';
import type { StrategyRegistry } from '../strategies/strategy';
import { createThrottleStrategy } from '../strategies/throttle';
import { AlertService } from './alert-service';
import type { ServiceDeps } from './deps';
import { FailoverService } from './failover-service';
import { NotificationService } from './notification-service';
import { PromptRegistry } from './prompt-registry';
import { ThrottleService } from './throttle-service';

export interface Services extends ServiceDeps {
  logging: Logging;
  schemas: SchemaRegistry;
  strategies: StrategyRegistry;
  rules: RulesService;
  evaluator: Evaluator;
  /** Rules that threw while being evaluated: counts, last error, alerts. */
  evaluationErrors: EvaluationErrors;
  executor: ActionExecutor;
  remediation: RemediationService;
  approvals: ApprovalService;
  sweeps: Sweeps;
  /** This instance's id in leases and action `runner`s (cluster.instanceId, or `<hostname>:<pid>`). */
  instanceId: string;
  liveness: InstanceLiveness;
  failover: FailoverService;
  prompts: PromptRegistry;
  throttle: ThrottleService;
  alerts: AlertService;
  /** Outbound webhook outbox and dispatcher, inbound webhook guard (the n8n integration). */
  notifications: NotificationService;
  /** Opens the store, loads the rules, recovers interrupted work and starts the sweeps. */
  start(): Promise<void>;
  /** Stops sweeps and watchers, waits for running actions, closes the store. */
  stop(): Promise<void>;
}

export interface ServiceOverrides {
  clock?: Clock;
  notifier?: Notifier;
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
  const notifications = new NotificationService({ store, config, clock, logger, instanceId });
  // The log channel (or a test's recorder) and the webhook outbox both get every event.
  const notifier = new FanoutNotifier([overrides.notifier ?? new LogNotifier(logger), notifications.notifier]);
  const deps: ServiceDeps = { store, config, clock, logger, notifier };

  const schemas = createSchemaRegistry();
  const failover = new FailoverService(deps);
  const prompts = new PromptRegistry(deps);
  const throttle = new ThrottleService(deps);
  const alerts = new AlertService(deps);
  const strategies = createStrategyRegistry([
    createModelFailoverStrategy({ ...deps, failover }),
    createPromptRollbackStrategy({ ...deps, prompts }),
    createServiceRestartStrategy(deps),
    createThrottleStrategy({ ...deps, throttle }),
    createAlertOnlyStrategy({ ...deps, alerts }),
  ]);
  const evaluator = new Evaluator();
  const rules = new RulesService({
    file: config.rules.file,
    watch: config.rules.watch,
    debounceMs: config.rules.watchDebounceMs,
    schemas,
    clock,
    logger,
    prepare: (ruleset) => evaluator.prepare(ruleset),
  });
  const executor = new ActionExecutor({ ...deps, strategies, rules });
  const liveness = new InstanceLiveness(deps, instanceId);
  const evaluationErrors = new EvaluationErrors({ clock, logger, createAlert: (alert) => alerts.create(alert) });
  const remediation = new RemediationService({ ...deps, rules, evaluator, evaluationErrors, strategies, executor, instanceId });
  const approvals = new ApprovalService({ ...deps, executor, rules, instanceId });
  const sweeps = new Sweeps({ ...deps, rules, approvals, throttle, executor, instanceId });

  return {
    ...deps,
    logging,
    schemas,
    strategies,
    rules,
    evaluator,
    evaluationErrors,
    executor,
    remediation,
    approvals,
    sweeps,
    instanceId,
    liveness,
    failover,
    prompts,
    throttle,
    alerts,
    notifications,
    async start() {
      await store.init();
      await rules.load();
      // Liveness first: from here on other instances see this one as alive and leave its actions be.
      await liveness.start();
      await recoverInterruptedActions({ ...deps, rules }, { instanceId, scope: 'start' });
      await sweeps.runOnce();
      rules.startWatching();
      sweeps.start();
      await notifications.start();
    },
    async stop() {
      await sweeps.stop();
      rules.stopWatching();
      await executor.drain(config.server.shutdownTimeoutMs);
      await notifications.stop();
      await liveness.stop();
      await store.close();
    },
  };
}
