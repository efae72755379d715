import type { Clock } from '../clock';
import type { AppConfig } from '../config/schema';
import type { Page } from '../domain/action';
import type { DeliveryObserver } from '../domain/observers';
import type { OutboxEntry, OutboxQuery } from '../domain/notification';
import { ConfigError } from '../errors';
import { InboundWebhookGuard } from './inbound-webhook-guard';
import { OutboxNotifier } from './outbox-notifier';
import { EventRelay } from './event-relay';
import type { NotificationEvent } from '../domain/events';
import { type FaultPoints, noFaults } from '../domain/fault-points';
import type { CommittedEventStore } from '../store/committed-events';
import { WebhookDispatcher } from './webhook-dispatcher';
import type { Logger } from '../logging/logger';
import type { NotificationStore } from '../store/notification-store';

export interface NotificationServiceDeps {
  store: { notifications: NotificationStore; committedEvents: CommittedEventStore };
  config: AppConfig;
  clock: Clock;
  logger: Logger;
  instanceId: string;
  random?: () => number;
  /** Kill points for the fault-injection suite; none by default. */
  faults?: FaultPoints;
  /** The console's event journal: committed events are relayed to it as well as to the outbox. */
  journal?: { write(event: NotificationEvent): Promise<void> };
  deliveryObserver?: DeliveryObserver;
}

const SWEEP_INTERVAL_MS = 60_000;

/**
 * The n8n integration in one place: the outbox channel (`notifier`), the dispatcher that delivers it,
 * the inbound webhook's guard, and a sweep that forgets old deliveries and expired inbound keys.
 */
export class NotificationService {
  readonly notifier: OutboxNotifier;
  readonly dispatcher: WebhookDispatcher;
  readonly inbound: InboundWebhookGuard;
  /** Moves events committed with their cause into the outbox. */
  readonly relay: EventRelay;
  private sweepTimer: NodeJS.Timeout | null = null;

  constructor(private readonly deps: NotificationServiceDeps) {
    const cfg = deps.config.notifications;
    if ((cfg.n8n.url !== '' || Object.keys(cfg.channels).length > 0) && cfg.n8n.secret === '') {
      // An unsigned event could be forged by anyone who can reach the receiver: refuse to start.
      throw new ConfigError('notifications.n8n.secret', 'required when notifications.n8n.url or notifications.channels is set (set N8N_WEBHOOK_SECRET)');
    }
    const base = { store: deps.store, config: cfg, clock: deps.clock, logger: deps.logger };
    const faults = deps.faults ?? noFaults;
    this.dispatcher = new WebhookDispatcher({
      ...base,
      instanceId: deps.instanceId,
      faults,
      ...(deps.random ? { random: deps.random } : {}),
      ...(deps.deliveryObserver ? { observer: deps.deliveryObserver } : {}),
    });
    this.notifier = new OutboxNotifier({
      ...base,
      incidentNotify: deps.config.incidents.notify,
      onEnqueued: () => this.dispatcher.kick(),
      ...(deps.deliveryObserver?.outboxOverflowed ? { onOverflow: (n: number) => deps.deliveryObserver!.outboxOverflowed!(n) } : {}),
    });
    this.relay = new EventRelay({
      store: deps.store,
      targets: [this.notifier, ...(deps.journal ? [deps.journal] : [])],
      logger: deps.logger,
      pollIntervalMs: cfg.delivery.pollIntervalMs,
      faults,
    });
    this.inbound = new InboundWebhookGuard(base);
  }

  async start(): Promise<void> {
    const cfg = this.deps.config.notifications;
    if (!this.inbound.enabled()) {
      this.deps.logger.info(
        `inbound n8n webhook is closed: no ${cfg.inbound.auth === 'hmac' ? 'notifications.n8n.secret' : 'notifications.inbound.token'} configured`,
      );
    }
    await this.sweep();
    // Events committed before a crash (or by an instance that died) go to the outbox first.
    await this.relay.runOnce().catch((err: unknown) =>
      this.deps.logger.warn('event relay could not catch up at start; it keeps trying', { error: err instanceof Error ? err.message : String(err) }),
    );
    this.relay.start();
    // With no webhook configured nothing is ever enqueued; entries left from an earlier configuration wait.
    if (cfg.n8n.url !== '' || Object.keys(cfg.channels).length > 0) this.dispatcher.start();
    this.sweepTimer = setInterval(() => void this.sweep(), SWEEP_INTERVAL_MS);
    this.sweepTimer.unref();
  }

  /** Lets pending outbox writes finish and stops sending; what is undelivered stays for the next start. */
  async stop(): Promise<void> {
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    this.sweepTimer = null;
    await this.relay.stop();
    await this.notifier.flush();
    await this.dispatcher.stop();
  }

  list(query: OutboxQuery): Promise<Page<OutboxEntry>> {
    return this.deps.store.notifications.listOutbox(query);
  }

  async sweep(): Promise<void> {
    const now = this.deps.clock.now();
    try {
      const retentionMs = this.deps.config.notifications.delivery.retentionHours * 3_600_000;
      await this.deps.store.notifications.pruneOutbox(new Date(now.getTime() - retentionMs));
      await this.deps.store.notifications.pruneInboundRequests(now);
    } catch (err) {
      this.deps.logger.warn('notification sweep failed', { error: err instanceof Error ? err.message : String(err) });
    }
  }
}
