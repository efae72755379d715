import CircuitBreaker from 'opossum';
import type { Clock } from '../clock';
import type { NotificationsConfig } from '../config/sections/notifications';
import type { BreakerState, OutboxEntry } from '../domain/notification';
import type { DeliveryObserver } from '../domain/observers';
import type { Logger } from '../logging/logger';
import type { NotificationStore } from '../store/notification-store';
import { retryDelayMs } from './retry-delay';
import { type FaultPoints, noFaults } from '../domain/fault-points';
import { SIGNATURE_HEADER, signBody } from './webhook-signature';

export interface WebhookDispatcherDeps {
  store: { notifications: NotificationStore };
  config: NotificationsConfig;
  clock: Clock;
  logger: Logger;
  /** Names this instance in claims, so concurrent instances never send one entry at the same time. */
  instanceId: string;
  random?: () => number;
  /** Kill points for the fault-injection suite; none by default. */
  faults?: FaultPoints;
  /** Told of each failed delivery attempt (the metrics module). */
  observer?: DeliveryObserver;
}

/** A delivery the receiver refused or that never got an answer; counts against the breaker. */
class DeliveryFailure extends Error {
  constructor(
    message: string,
    readonly statusCode: number | null,
  ) {
    super(message);
  }
}

/** A counted attempt that did not deliver. */
interface FailedAttempt {
  attempts: number;
  message: string;
  statusCode: number | null;
  at: Date;
}

const BATCH = 20;
const ERROR_SNIPPET = 300;

function errorCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null ? (err as { code?: string }).code : undefined;
}

/**
 * Sends the outbox: claims due entries (a claim with a lock-until, so two instances never send the
 * same entry at the same moment), POSTs each signed body, and records the outcome. Failures are
 * retried with exponential backoff and jitter up to `maxAttempts`, then the entry is marked failed.
 * One opossum circuit breaker per destination stops hammering a receiver that is down: while it is
 * open, due entries are put back untouched (no attempt is counted) until the breaker probes again.
 */
export class WebhookDispatcher {
  private readonly breakers = new Map<string, CircuitBreaker<[OutboxEntry, AbortSignal], number>>();
  private readonly inFlight = new Set<AbortController>();
  private timer: NodeJS.Timeout | null = null;
  private loop: Promise<void> | null = null;
  private again = false;
  private stopped = true;

  constructor(private readonly deps: WebhookDispatcherDeps) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule(0);
  }

  /** Looks for due entries now (after an enqueue) instead of at the next poll. */
  kick(): void {
    if (this.stopped) return;
    if (this.loop) {
      this.again = true;
      return;
    }
    this.schedule(0);
  }

  /** Stops polling, aborts sends under way (their entries stay pending, due at once) and waits. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    for (const c of this.inFlight) c.abort(new Error('the service is shutting down'));
    await this.loop;
    for (const b of this.breakers.values()) b.shutdown();
    this.breakers.clear();
  }

  /** The breaker state of each destination that has been sent to, for the notifications API. */
  breakerStates(): Record<string, BreakerState> {
    const out: Record<string, BreakerState> = {};
    for (const [name, b] of this.breakers) out[name] = b.halfOpen ? 'half_open' : b.opened ? 'open' : 'closed';
    return out;
  }

  /** Delivers everything due now; returns how many entries were handled. */
  async runOnce(): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await this.runBatch();
      total += n;
      if (n < BATCH || this.stopped) return total;
    }
  }

  private schedule(delayMs: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.loop = this.tick().finally(() => {
        this.loop = null;
        if (!this.stopped) this.schedule(this.again ? 0 : this.deps.config.delivery.pollIntervalMs);
        this.again = false;
      });
    }, delayMs);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    try {
      this.again = false;
      await this.runOnce();
    } catch (err) {
      this.deps.logger.error('notification dispatcher could not read the outbox', {
        error: err instanceof Error ? err.message : String(err),
      });
    }
  }

  private async runBatch(): Promise<number> {
    const { clock, config, store, instanceId } = this.deps;
    const now = clock.now();
    // The claim outlives the longest send by a wide margin; if this instance dies, another takes over after it.
    const lockUntil = new Date(now.getTime() + config.delivery.timeoutMs * 2 + 10_000);
    const entries = await store.notifications.claimDueOutbox(now, instanceId, lockUntil, BATCH);
    // In order, one at a time per destination (so its breaker can open before the rest are sent);
    // destinations in parallel (so one slow receiver does not hold up another).
    const byDestination = new Map<string, OutboxEntry[]>();
    for (const e of entries) byDestination.set(e.destination, [...(byDestination.get(e.destination) ?? []), e]);
    await Promise.all(
      [...byDestination.values()].map(async (group) => {
        for (const e of group) await this.deliver(e);
      }),
    );
    return entries.length;
  }

  /** Sends one claimed entry through its destination's breaker and records what came of it. */
  private async deliver(entry: OutboxEntry): Promise<void> {
    if (await this.waitsForAnEarlierOne(entry)) return;
    const probing = this.breakerFor(entry.destination).halfOpen;
    const controller = new AbortController();
    this.inFlight.add(controller);
    try {
      const statusCode = await this.breakerFor(entry.destination).fire(entry, controller.signal);
      // Sent but not yet recorded: a crash here sends it again (same event id), never loses it.
      (this.deps.faults ?? noFaults).reach('delivery.after-send');
      await this.recordDelivered(entry, statusCode);
    } catch (err) {
      await this.recordNotDelivered(entry, err, controller.signal.aborted && this.stopped, probing);
    } finally {
      this.inFlight.delete(controller);
    }
  }

  /**
   * In order per action: while an entry queued earlier for the same action and destination is
   * still pending (waiting for a retry, say), this one is put back to go after it.
   */
  private async waitsForAnEarlierOne(entry: OutboxEntry): Promise<boolean> {
    if (!entry.orderKey) return false;
    const { clock, store, instanceId } = this.deps;
    const first = await store.notifications.firstPendingInOrder(entry.destination, entry.orderKey);
    if (!first || first.id === entry.id) return false;
    const at = clock.now();
    const after = new Date(Math.max(first.nextAttemptAt.getTime(), at.getTime()) + 1);
    await store.notifications.releaseOutboxClaim(entry.id, instanceId, after, null, at);
    return true;
  }

  private async recordDelivered(entry: OutboxEntry, statusCode: number): Promise<void> {
    const { clock, store, instanceId, logger } = this.deps;
    const at = clock.now();
    await store.notifications.recordOutboxAttempt(entry.id, instanceId, {
      status: 'delivered',
      attempts: entry.attempts + 1,
      nextAttemptAt: entry.nextAttemptAt,
      lastError: null,
      lastStatusCode: statusCode,
      deliveredAt: at,
      at,
    });
    logger.debug('event delivered', { eventId: entry.eventId, type: entry.eventType, destination: entry.destination, attempt: entry.attempts + 1 });
  }

  /**
   * A send that did not deliver: put back untouched when our own shutdown cut it off or the breaker
   * kept it from being sent (neither is an attempt), else counted, and retried or given up on.
   */
  private async recordNotDelivered(entry: OutboxEntry, err: unknown, cutByShutdown: boolean, probing = false): Promise<void> {
    const { clock, config, store, instanceId } = this.deps;
    const at = clock.now();
    if (cutByShutdown) {
      await store.notifications.releaseOutboxClaim(entry.id, instanceId, at, null, at);
      return;
    }
    if (errorCode(err) === 'EOPENBREAKER') {
      // Not an attempt: the receiver was not contacted. Due again when the breaker will probe.
      const next = new Date(at.getTime() + config.breaker.resetTimeoutMs);
      await store.notifications.releaseOutboxClaim(entry.id, instanceId, next, `circuit open for destination "${entry.destination}"`, at);
      return;
    }
    if (probing) {
      // The breaker's probe of a receiver that has been failing: it says the receiver is still
      // down, not that this entry is undeliverable. Not counted, or during a long outage the oldest
      // entries — always the ones picked to probe — would use up their attempts and be given up.
      const next = new Date(at.getTime() + config.breaker.resetTimeoutMs);
      const message = err instanceof Error ? err.message : String(err);
      await store.notifications.releaseOutboxClaim(entry.id, instanceId, next, `probe failed, destination "${entry.destination}" still down: ${message}`, at);
      this.deps.observer?.deliveryFailed(entry.destination);
      return;
    }
    this.deps.observer?.deliveryFailed(entry.destination);
    const failed: FailedAttempt = {
      attempts: entry.attempts + 1,
      message: err instanceof Error ? err.message : String(err),
      statusCode: err instanceof DeliveryFailure ? err.statusCode : null,
      at,
    };
    if (failed.attempts >= config.delivery.maxAttempts) await this.giveUp(entry, failed);
    else await this.scheduleRetry(entry, failed);
  }

  private async giveUp(entry: OutboxEntry, failed: FailedAttempt): Promise<void> {
    const { store, instanceId, logger } = this.deps;
    await store.notifications.recordOutboxAttempt(entry.id, instanceId, {
      status: 'failed',
      attempts: failed.attempts,
      nextAttemptAt: entry.nextAttemptAt,
      lastError: failed.message,
      lastStatusCode: failed.statusCode,
      deliveredAt: null,
      at: failed.at,
    });
    logger.warn('event could not be delivered; giving up', {
      eventId: entry.eventId,
      type: entry.eventType,
      destination: entry.destination,
      attempts: failed.attempts,
      error: failed.message,
    });
  }

  private async scheduleRetry(entry: OutboxEntry, failed: FailedAttempt): Promise<void> {
    const { config, store, instanceId, logger } = this.deps;
    const next = new Date(failed.at.getTime() + retryDelayMs(failed.attempts, config.delivery, this.deps.random));
    await store.notifications.recordOutboxAttempt(entry.id, instanceId, {
      status: 'pending',
      attempts: failed.attempts,
      nextAttemptAt: next,
      lastError: failed.message,
      lastStatusCode: failed.statusCode,
      deliveredAt: null,
      at: failed.at,
    });
    logger.debug('event delivery failed; will retry', {
      eventId: entry.eventId,
      destination: entry.destination,
      attempts: failed.attempts,
      nextAttemptAt: next.toISOString(),
      error: failed.message,
    });
  }

  private breakerFor(destination: string): CircuitBreaker<[OutboxEntry, AbortSignal], number> {
    let breaker = this.breakers.get(destination);
    if (breaker) return breaker;
    const { breaker: cfg } = this.deps.config;
    breaker = new CircuitBreaker((entry: OutboxEntry, signal: AbortSignal) => this.send(entry, signal), {
      name: destination,
      timeout: false, // each request has its own deadline (delivery.timeoutMs)
      errorThresholdPercentage: cfg.errorThresholdPercentage,
      volumeThreshold: cfg.volumeThreshold,
      resetTimeout: cfg.resetTimeoutMs,
      rollingCountTimeout: cfg.rollingWindowMs,
      rollingCountBuckets: 10,
      // A send aborted by our own shutdown says nothing about the receiver.
      errorFilter: () => this.stopped,
    });
    breaker.on('open', () =>
      this.deps.logger.warn(`webhook destination "${destination}" keeps failing: circuit opened, probing again in ${cfg.resetTimeoutMs} ms`),
    );
    breaker.on('halfOpen', () => this.deps.logger.info(`webhook destination "${destination}": circuit half-open, probing`));
    breaker.on('close', () => this.deps.logger.info(`webhook destination "${destination}" answers again: circuit closed`));
    this.breakers.set(destination, breaker);
    return breaker;
  }

  /** The destination's URL as configured now (an operator may have corrected it since), else the one stored. */
  private urlOf(entry: OutboxEntry): string {
    const { config } = this.deps;
    const current = entry.destination === 'n8n' ? config.n8n.url : config.channels[entry.destination];
    return current || entry.url;
  }

  /** One signed POST; resolves with the 2xx status, throws DeliveryFailure otherwise. */
  private async send(entry: OutboxEntry, signal: AbortSignal): Promise<number> {
    const { config, clock } = this.deps;
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'user-agent': 'self-healing-rule-engine',
      'x-event-id': entry.eventId,
      'x-event-type': entry.eventType,
      'x-delivery-attempt': String(entry.attempts + 1),
    };
    if (config.n8n.secret) headers[SIGNATURE_HEADER.toLowerCase()] = signBody(config.n8n.secret, entry.payload, clock.now());
    let res: Response;
    try {
      res = await fetch(this.urlOf(entry), {
        method: 'POST',
        headers,
        body: entry.payload,
        signal: AbortSignal.any([signal, AbortSignal.timeout(config.delivery.timeoutMs)]),
        redirect: 'manual',
      });
    } catch (err) {
      const e = err as Error & { cause?: { code?: string; message?: string } };
      const reason =
        e.name === 'TimeoutError'
          ? `no answer within ${config.delivery.timeoutMs} ms`
          : (e.cause?.code ?? e.cause?.message ?? e.message);
      throw new DeliveryFailure(`request failed: ${reason}`, null);
    }
    let text = '';
    try {
      text = (await res.text()).slice(0, ERROR_SNIPPET);
    } catch {
      // The status is what matters; an unreadable body does not change it.
    }
    if (res.status < 200 || res.status >= 300) {
      throw new DeliveryFailure(`HTTP ${res.status}${text ? `: ${text.replace(/\s+/g, ' ').trim()}` : ''}`, res.status);
    }
    return res.status;
  }
}
