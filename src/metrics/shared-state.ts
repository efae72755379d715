import type { Clock } from '../clock';
import type { Logger } from '../logging/logger';
import type { Store } from '../store/store';

export interface SharedStateReader {
  pendingApprovals(): Promise<number>;
  pendingOutbox(): Promise<number>;
  failoverActive(): Promise<number>;
  throttleFactor(): Promise<number>;
  failbackHealthyStreak(): Promise<number>;
  failbackProbeUp(): Promise<number>;
  failbackProbeLatencySeconds(): Promise<number>;
}

/**
 * The store-backed values of /metrics. A read that fails gives NaN (Prometheus' "no value") and a
 * warning, rather than failing the whole scrape and hiding the process metrics with it.
 */
export function sharedStateReader(deps: {
  store: Pick<Store, 'listActionsByStatus' | 'getFailoverState' | 'getThrottleState' | 'getFailbackProbes' | 'notifications'>;
  clock: Clock;
  logger: Logger;
}): SharedStateReader {
  const { store, clock, logger } = deps;
  const guarded = (what: string, read: () => Promise<number>) => async (): Promise<number> => {
    try {
      return await read();
    } catch (err) {
      logger.warn(`metrics: could not read ${what} from the store`, { error: err instanceof Error ? err.message : String(err) });
      return Number.NaN;
    }
  };
  /** The newest probe of the primary, when failed over and it belongs to this failover. */
  const latestProbe = async () => {
    const state = (await store.getFailoverState())?.value;
    if (!state?.failedOver) return null;
    const probes = await store.getFailbackProbes();
    return probes && probes.since === state.failoverTimestamp ? probes : null;
  };
  return {
    failbackHealthyStreak: guarded('the failback probes', async () => (await latestProbe())?.healthyStreak ?? 0),
    failbackProbeUp: guarded('the failback probes', async () => {
      const last = (await latestProbe())?.primary.at(-1);
      return last ? (last.ok ? 1 : 0) : Number.NaN;
    }),
    failbackProbeLatencySeconds: guarded('the failback probes', async () => {
      const last = (await latestProbe())?.primary.at(-1);
      return last ? last.latencyMs / 1000 : Number.NaN;
    }),
    pendingApprovals: guarded('pending approvals', async () => (await store.listActionsByStatus(['pending_approval'])).length),
    pendingOutbox: guarded('the outbox', () => store.notifications.countOutbox('pending')),
    failoverActive: guarded('the failover state', async () => ((await store.getFailoverState())?.value.failedOver ? 1 : 0)),
    throttleFactor: guarded('the throttle state', async () => {
      const stored = (await store.getThrottleState())?.value;
      if (!stored?.active) return 1;
      // Past its deadline a throttle is as good as restored (the sweep writes that down a little later).
      // One restoring in steps stays at its factor until the sweep takes the step.
      const stepping = stored.restore !== undefined && stored.restore.next < stored.restore.steps.length;
      const expired = !stepping && stored.until !== null && Date.parse(stored.until) <= clock.now().getTime();
      return expired ? (stored.previous?.factor ?? 1) : stored.factor;
    }),
  };
}
