import type { Clock } from '../clock';
import type { NotificationsConfig } from '../config/sections/notifications';
import type { OutboxEntry } from '../domain/notification';
import type { Logger } from '../logging/logger';
import type { NotificationStore } from '../store/notification-store';
import { destinationsFor, envelopeOf, unknownChannels } from './event-destinations';
import type { NotificationEvent, Notifier } from '../domain/events';

export interface OutboxNotifierDeps {
  store: { notifications: NotificationStore };
  config: NotificationsConfig;
  clock: Clock;
  logger: Logger;
  /** Called once entries are persisted, so the dispatcher can send them at once. */
  onEnqueued: () => void;
}

/**
 * The webhook channels: each event is written to the persisted outbox, one entry per destination,
 * and the dispatcher delivers it from there. `notify` returns at once; the write happens in the
 * background and a failing write is logged, never thrown to the remediation that raised the event.
 */
export class OutboxNotifier implements Notifier {
  private readonly writes = new Set<Promise<void>>();
  private readonly warnedChannels = new Set<string>();

  constructor(private readonly deps: OutboxNotifierDeps) {}

  notify(event: NotificationEvent): void {
    try {
      this.warnUnknownChannels(event);
      const write: Promise<void> = this.write(event)
        .catch((err: unknown) => {
          this.deps.logger.error('could not write an event to the notification outbox; the relay retries events committed with their cause', {
            eventId: event.id,
            type: event.type,
            error: err instanceof Error ? err.message : String(err),
          });
        })
        .finally(() => this.writes.delete(write));
      this.writes.add(write);
    } catch (err) {
      this.deps.logger.error('could not queue an event for delivery', {
        eventId: event.id,
        type: event.type,
        error: err instanceof Error ? err.message : String(err),
      });
    }
  }

  /**
   * Writes the event's outbox entries and resolves once they are stored (rejects if they are not).
   * Idempotent: an entry whose id (`<eventId>:<destination>`) is stored already is left as it is.
   */
  async write(event: NotificationEvent): Promise<void> {
    const destinations = destinationsFor(event, this.deps.config);
    if (destinations.length === 0) return;
    const payload = JSON.stringify(envelopeOf(event));
    const now = this.deps.clock.now();
    const entries: OutboxEntry[] = destinations.map((d) => ({
      id: `${event.id}:${d.name}`,
      eventId: event.id,
      eventType: event.type,
      destination: d.name,
      url: d.url,
      payload,
      status: 'pending',
      attempts: 0,
      createdAt: now,
      updatedAt: now,
      nextAttemptAt: now,
      lockedBy: null,
      lockedUntil: null,
      lastError: null,
      lastStatusCode: null,
      deliveredAt: null,
    }));
    await this.deps.store.notifications.enqueueOutbox(entries);
    this.deps.onEnqueued();
  }

  /** Waits for outbox writes under way (before the store closes). */
  async flush(): Promise<void> {
    while (this.writes.size > 0) await Promise.allSettled([...this.writes]);
  }

  private warnUnknownChannels(event: NotificationEvent): void {
    for (const name of unknownChannels(event, this.deps.config)) {
      if (this.warnedChannels.has(name)) continue;
      this.warnedChannels.add(name);
      this.deps.logger.warn(`notification channel "${name}" is not configured (notifications.channels); events for it go to the log only`, {
        rule: event.rule,
      });
    }
  }
}
