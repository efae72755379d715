import type { Clock } from '../clock';
import type { JournalEvent } from '../domain/console';
import type { NotificationEvent, Notifier } from '../domain/events';
import { envelopeOf } from './event-destinations';
import type { Logger } from '../logging/logger';
import type { EventJournalStore } from '../store/event-journal-store';

export interface EventJournalDeps {
  store: { console: EventJournalStore };
  clock: Clock;
  logger: Logger;
  retentionHours: number;
}

const SWEEP_INTERVAL_MS = 60_000;

/**
 * Every event the notifier sees (the same envelope the n8n webhook receives), written to the store's
 * journal with a number, for GET /api/events. Streams on this instance are woken as soon as a write
 * lands; streams elsewhere find it by polling the store. Like the outbox, writing never blocks or
 * breaks the remediation that raised the event.
 */
export class EventJournal implements Notifier {
  private readonly writes = new Set<Promise<void>>();
  private readonly listeners = new Set<() => void>();
  private sweepTimer: NodeJS.Timeout | null = null;
  private streamsClosed = false;

  constructor(private readonly deps: EventJournalDeps) {}

  notify(event: NotificationEvent): void {
    const write: Promise<void> = this.write(event)
      .then(
        () => undefined,
        (err: unknown) => {
          this.deps.logger.warn('could not write an event to the console journal; live views miss it', {
            eventId: event.id,
            error: err instanceof Error ? err.message : String(err),
          });
        },
      )
      .finally(() => this.writes.delete(write));
    this.writes.add(write);
  }

  /**
   * Journals the event (once per event id) and resolves when it is stored; the relay of committed
   * events calls this too, so an event whose notifier call a crash prevented still reaches the journal.
   */
  async write(event: NotificationEvent): Promise<void> {
    await this.deps.store.console.appendEvent({
      id: event.id,
      type: event.type,
      occurredAt: new Date(event.occurredAt),
      payload: JSON.stringify(envelopeOf(event)),
    });
    for (const listener of this.listeners) listener();
  }

  /** Called after each event this instance journals; returns the unsubscribe. */
  onWritten(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** True once the service is shutting down: streams end and clients reconnect elsewhere. */
  get closing(): boolean {
    return this.streamsClosed;
  }

  /** Ends every open stream (their loops see `closing` when woken). */
  closeStreams(): void {
    this.streamsClosed = true;
    for (const listener of this.listeners) listener();
  }

  after(seq: number, limit: number): Promise<JournalEvent[]> {
    return this.deps.store.console.eventsAfter(seq, limit);
  }

  last(): Promise<number> {
    return this.deps.store.console.lastEventSeq();
  }

  start(): void {
    this.sweepTimer = setInterval(() => void this.sweep(), SWEEP_INTERVAL_MS);
    this.sweepTimer.unref();
  }

  async stop(): Promise<void> {
    this.closeStreams();
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    this.sweepTimer = null;
    await this.flush();
  }

  /** Waits for journal writes under way. */
  async flush(): Promise<void> {
    while (this.writes.size > 0) await Promise.allSettled([...this.writes]);
  }

  async sweep(): Promise<void> {
    try {
      const before = new Date(this.deps.clock.now().getTime() - this.deps.retentionHours * 3_600_000);
      await this.deps.store.console.pruneEvents(before);
    } catch (err) {
      this.deps.logger.warn('event journal sweep failed', { error: err instanceof Error ? err.message : String(err) });
    }
  }
}
