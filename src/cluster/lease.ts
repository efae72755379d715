import type { Clock } from '../clock';
import type { Logger } from '../logging/logger';
import type { LeaseStore } from '../store/lease-store';

export interface LeaseDeps {
  store: LeaseStore;
  clock: Clock;
  logger: Logger;
}

/**
 * One named lease in the store, seen from one holder. `isHeld` trusts the last successful take or
 * renewal until its expiry by this instance's clock: nobody else can take the lease before then, so
 * a store that stops answering does not make the holder give up work it still owns.
 */
/** How long a release waits for a renewal in flight; a store that slow is not going to take the release either. */
const RELEASE_WAIT_MS = 2000;

function settledWithin(work: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  return Promise.race([work.then(() => undefined, () => undefined), limit]).finally(() => clearTimeout(timer));
}

/** What a take-or-renew found: ours now, someone else's, or the store did not answer. */
export type LeaseOutcome = 'held' | 'held_by_other' | 'store_unreachable';

export class Lease {
  private heldUntil = 0;
  private unreachable = false;
  /** A renewal still waiting on a slow store: the next tick joins it rather than racing it. */
  private pending: Promise<LeaseOutcome> | null = null;

  constructor(
    private readonly deps: LeaseDeps,
    readonly name: string,
    readonly holder: string,
    private readonly ttlMs: number,
  ) {}

  isHeld(): boolean {
    return this.heldUntil > this.deps.clock.now().getTime();
  }

  /**
   * Takes the lease when it is free or expired, renews it when held. When the store does not
   * answer, the lease stays held until its last expiry and the outage is logged once.
   */
  tryHold(): Promise<LeaseOutcome> {
    this.pending ??= this.attempt().finally(() => {
      this.pending = null;
    });
    return this.pending;
  }

  private async attempt(): Promise<LeaseOutcome> {
    const now = this.deps.clock.now();
    let acquired: boolean;
    try {
      acquired = await this.deps.store.acquireLease(this.name, this.holder, this.ttlMs, now);
    } catch (err) {
      if (!this.unreachable) {
        this.deps.logger.warn(`cannot renew lease ${this.name}: the store does not answer; retrying`, {
          error: (err as Error).message,
          heldUntil: this.isHeld() ? new Date(this.heldUntil).toISOString() : null,
        });
      }
      this.unreachable = true;
      return 'store_unreachable';
    }
    if (this.unreachable) this.deps.logger.info(`lease ${this.name}: the store answers again`);
    this.unreachable = false;
    this.heldUntil = acquired ? now.getTime() + this.ttlMs : 0;
    return acquired ? 'held' : 'held_by_other';
  }

  /**
   * Gives the lease up so another instance can take it at once instead of waiting for it to expire.
   * True when this holder had it (by its last renewal) and the store took the release.
   */
  async release(): Promise<boolean> {
    // A renewal landing after the release would hold the lease again until it expires.
    if (this.pending) await settledWithin(this.pending, RELEASE_WAIT_MS);
    if (!this.isHeld()) return false;
    this.heldUntil = 0;
    try {
      await this.deps.store.releaseLease(this.name, this.holder);
      return true;
    } catch (err) {
      this.deps.logger.warn(`could not release lease ${this.name}; it expires by itself`, { error: (err as Error).message });
      return false;
    }
  }
}
