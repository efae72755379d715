import type { NotificationEvent } from '../domain/events';
import type { Logger } from '../logging/logger';
import type { CommittedEventStore } from '../store/committed-events';
import type { FaultPoints } from '../domain/fault-points';

export interface EventRelayDeps {
  store: { committedEvents: CommittedEventStore };
  /**
   * Where committed events go durably: the outbox (idempotent by entry id) and the console's event
   * journal (once per event id). Each resolves once the event is stored there.
   */
  targets: { write(event: NotificationEvent): Promise<void> }[];
  logger: Logger;
  pollIntervalMs: number;
  faults: FaultPoints;
}

const BATCH = 100;

/**
 * Moves events committed with their cause into the outbox: reads them, writes their outbox entries
 * (a no-op for entries already there), and only then marks them relayed. A crash anywhere in
 * between relays them again on the next pass, here or on another instance, and the outbox keeps one
 * entry per event and destination: nothing lost, nothing twice. Every instance runs it; it is woken
 * by its own store writes and polls for what other instances (or a crashed one) left.
 */
export class EventRelay {
  private timer: NodeJS.Timeout | null = null;
  private loop: Promise<void> | null = null;
  private again = false;
  private stopped = true;

  constructor(private readonly deps: EventRelayDeps) {
    deps.store.committedEvents.onCommitted(() => this.kick());
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule(0);
  }

  kick(): void {
    if (this.stopped) return;
    if (this.loop) {
      this.again = true;
      return;
    }
    this.schedule(0);
  }

  /** Stops, after the pass under way; what is left is relayed on the next start (or elsewhere). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.loop;
  }

  /** Relays everything committed now; returns how many events. */
  async runOnce(): Promise<number> {
    let total = 0;
    for (;;) {
      const batch = await this.deps.store.committedEvents.pending(BATCH);
      if (batch.length === 0) return total;
      for (const { event } of batch) for (const target of this.deps.targets) await target.write(event);
      this.deps.faults.reach('relay.after-outbox-write');
      await this.deps.store.committedEvents.markRelayed(batch);
      total += batch.length;
      if (batch.length < BATCH) return total;
    }
  }

  private schedule(delayMs: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.again = false;
      this.loop = this.runOnce()
        .then(
          () => undefined,
          (err: unknown) => {
            this.deps.logger.warn('event relay could not move committed events to the outbox; retrying', {
              error: err instanceof Error ? err.message : String(err),
            });
          },
        )
        .finally(() => {
          this.loop = null;
          if (!this.stopped) this.schedule(this.again ? 0 : this.deps.pollIntervalMs);
        });
    }, delayMs);
    this.timer.unref();
  }
}
