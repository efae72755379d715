/**
 * Who does what among several instances on one store: leases for periodic work, and one-time
 * claims for what must happen once across all of them.
 */
export interface LeaseStore {
  /**
   * Take or renew the named lease until `now + ttlMs`: succeeds when it is free, expired, or already
   * held by `holder`. Periodic work runs only on the instance holding its lease.
   */
  acquireLease(name: string, holder: string, ttlMs: number, now: Date): Promise<boolean>;
  /** Give the lease up early (on shutdown) so another instance takes over at once. */
  releaseLease(name: string, holder: string): Promise<void>;
  /** True for the first caller only, on every instance: one-time events (one alert per budget window). */
  claimOnce(key: string, at: Date): Promise<boolean>;
}

export const LEASE_STORE_METHODS: Record<keyof LeaseStore, true> = { acquireLease: true, releaseLease: true, claimOnce: true };
