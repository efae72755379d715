import type { Clock } from '../clock';
import type { IncidentNotifyMode } from '../config/sections/incidents';
import type { NotificationsConfig } from '../config/sections/notifications';
import type { OutboxEntry } from '../domain/notification';
import type { Logger } from '../logging/logger';
import type { NotificationStore } from '../store/notification-store';
import { destinationsFor, envelopeOf, unknownChannels } from './event-destinations';
import type { NotificationEvent, Notifier } from '../domain/events';

export interface OutboxNotifierDeps {
  store: { notifications: NotificationStore };
  config: NotificationsConfig;
  /** incidents.notify: which of an incident's events go to webhooks (event-destinations). */
  incidentNotify?: IncidentNotifyMode;
  clock: Clock;
  logger: Logger;
  /** Called once entries are persisted, so the dispatcher can send them at once. */
  onEnqueued: () => void;
  /** Told how many entries a full outbox dropped (the metrics module). */
  onOverflow?: (entries: number) => void;
}

/** How long a count of pending entries is trusted before the store is asked again. */
const PENDING_COUNT_TTL_MS = 1000;
/** Dropped event ids remembered so that the relay's second try of one event is not counted again. */
const REMEMBERED_DROPS = 10_000;

/**
 * The webhook channels: each event is written to the persisted outbox, one entry per destination,
 * and the dispatcher delivers it from there. `notify` returns at once; the write happens in the
 * background and a failing write is logged, never thrown to the remediation that raised the event.
 */
export class OutboxNotifier implements Notifier {
  private readonly writes = new Set<Promise<void>>();
  private readonly warnedChannels = new Set<string>();
  private pendingCount: { value: number; at: number } | null = null;
  private readonly dropped = new Set<string>();
  private droppedTotal = 0;
  private overflowing = false;
  private lastCreatedAt = 0;

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
    const destinations = destinationsFor(event, this.deps.config, this.deps.incidentNotify);
    if (destinations.length === 0) return;
    const payload = JSON.stringify(envelopeOf(event));
    const now = this.deps.clock.now();
    const queuedAt = this.queuedAt();
    const entries: OutboxEntry[] = destinations.map((d) => ({
      id: `${event.id}:${d.name}`,
      eventId: event.id,
      eventType: event.type,
      destination: d.name,
      url: d.url,
      payload,
      status: 'pending',
      attempts: 0,
      createdAt: queuedAt,
      updatedAt: now,
      nextAttemptAt: now,
      lockedBy: null,
      lockedUntil: null,
      lastError: null,
      lastStatusCode: null,
      deliveredAt: null,
      orderKey: event.action?.id ?? null,
    }));
    if (await this.full(entries.length)) {
      this.countDrop(event, entries.length);
      return;
    }
    const added = await this.deps.store.notifications.enqueueOutbox(entries);
    if (this.pendingCount) this.pendingCount.value += added;
    if (added > 0) this.deps.onEnqueued();
  }

  /**
   * Strictly increasing within this process, so that entries queued one after the other keep that
   * order (delivery in order per action sorts by it) even when the clock shows the same instant.
   */
  private queuedAt(): Date {
    const ms = Math.max(this.deps.clock.now().getTime(), this.lastCreatedAt + 1);
    this.lastCreatedAt = ms;
    return new Date(ms);
  }

  /** Entries dropped since start because the outbox was full, and the cap. */
  overflow(): { dropped: number; maxPending: number } {
    return { dropped: this.droppedTotal, maxPending: this.deps.config.delivery.maxPending };
  }

  /**
   * Whether `adding` more entries would pass the cap. The count is re-read at most once a second
   * (counting is a scan on FerretDB), so with several instances writing at once the outbox can pass
   * the cap by what they add within that second; it stays bounded all the same.
   */
  private async full(adding: number): Promise<boolean> {
    const now = Date.now();
    if (!this.pendingCount || now - this.pendingCount.at > PENDING_COUNT_TTL_MS) {
      this.pendingCount = { value: await this.deps.store.notifications.countOutbox('pending'), at: now };
    }
    const full = this.pendingCount.value + adding > this.deps.config.delivery.maxPending;
    if (!full && this.overflowing) {
      this.overflowing = false;
      this.deps.logger.warn('notification outbox has room again; new events are queued', { dropped: this.droppedTotal });
    }
    return full;
  }

  private countDrop(event: NotificationEvent, entries: number): void {
    if (this.dropped.has(event.id)) return;
    if (this.dropped.size >= REMEMBERED_DROPS) this.dropped.clear();
    this.dropped.add(event.id);
    this.droppedTotal += entries;
    this.deps.onOverflow?.(entries);
    // An error line once per overflow episode, then one per 100 drops: someone must act (n8n is down).
    if (!this.overflowing || this.droppedTotal % 100 === 0) {
      this.deps.logger.error('notification outbox is full: new events are dropped, the oldest are kept for delivery', {
        maxPending: this.deps.config.delivery.maxPending,
        dropped: this.droppedTotal,
        eventId: event.id,
        type: event.type,
      });
    }
    this.overflowing = true;
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
