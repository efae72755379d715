import type { Clock } from '../clock';
import type { AppConfig } from '../config/schema';
import {
  FAILBACK_PROBES_KEPT,
  type FailbackHold,
  type FailbackProbes,
  type FailoverState,
  type HostProbe,
} from '../domain/state';
import { checkModelHostHealth, type HostHealth } from '../integrations/model-host-health';
import type { Logger } from '../logging/logger';
import type { Store } from '../store/store';
import type { FailoverService } from './failover-service';

export interface FailbackProbesDeps {
  store: Pick<Store, 'getFailbackProbes' | 'saveFailbackProbes'>;
  config: Pick<AppConfig, 'modelHosts'>;
  clock: Clock;
  logger: Logger;
  failover: Pick<FailoverService, 'getState' | 'urlOf' | 'holdOf'>;
}

/** One round of probing while failed over: the state it was made in and the probes as they now stand. */
export interface ProbeRound {
  state: FailoverState;
  probes: FailbackProbes;
  /** Both hosts failed this round, and since when (the first such round): nowhere left to go. */
  nowhereToGoSince: string | null;
}

/** What GET /api/health/router, the console and the CLI show of the failback. */
export interface FailbackView {
  enabled: boolean;
  /** Probes of the primary, oldest first, each with its latency. */
  probes: HostProbe[];
  /** The last probe of the secondary, made when the primary failed one. */
  secondaryProbe: HostProbe | null;
  healthyStreak: number;
  healthyProbesNeeded: number;
  /** When a failback is expected if every probe from now on is healthy; null when none is coming. */
  failbackAt: string | null;
  /** Why no failback is coming (or what it waits for), in words. */
  status: string;
  holdSeconds: number;
  failoverActionId: string | null;
  pendingFailbackId: string | null;
  suspendedAt: string | null;
  failbacksLastHour: number;
}

const EMPTY: FailbackProbes = { since: null, primary: [], secondary: null, healthyStreak: 0, nowhereToGoSince: null };

function probeOf(health: HostHealth, at: Date): HostProbe {
  return { at: at.toISOString(), ok: health.ok, latencyMs: health.durationMs, reason: health.reason };
}

/** The automatic failbacks of the last hour (the flap limit counts these). */
export function failbacksWithinHour(hold: FailbackHold, now: Date): string[] {
  return hold.recent.filter((at) => Date.parse(at) > now.getTime() - 3_600_000);
}

/**
 * Probes the primary while traffic is on the secondary, and the secondary too when the primary
 * fails, each probe bounded by modelHosts.timeoutMs. Results belong to one failover (its
 * failoverTimestamp) and are kept in the store, so every instance shows what the lease holder saw.
 */
export class FailbackProber {
  constructor(private readonly deps: FailbackProbesDeps) {}

  /** One round; null when traffic is on the primary (nothing to probe for). */
  async probe(signal?: AbortSignal): Promise<ProbeRound | null> {
    const state = await this.deps.failover.getState();
    if (!state.failedOver) return null;
    const { modelHosts } = this.deps.config;
    const previous = await this.current(state);
    const at = this.deps.clock.now();
    const primary = await checkModelHostHealth(this.deps.failover.urlOf('primary'), modelHosts, signal);
    const primaryProbe = probeOf(primary, at);
    // The secondary matters only when the primary cannot take the traffic back.
    const secondary = primary.ok ? null : await checkModelHostHealth(this.deps.failover.urlOf('secondary'), modelHosts, signal);
    const bothDown = !primary.ok && secondary !== null && !secondary.ok;
    const probes: FailbackProbes = {
      since: state.failoverTimestamp,
      primary: [...previous.primary, primaryProbe].slice(-FAILBACK_PROBES_KEPT),
      secondary: secondary ? probeOf(secondary, at) : previous.secondary,
      // A failing primary starts the count again: the streak must be unbroken.
      healthyStreak: primary.ok ? previous.healthyStreak + 1 : 0,
      nowhereToGoSince: bothDown ? (previous.nowhereToGoSince ?? at.toISOString()) : null,
    };
    await this.deps.store.saveFailbackProbes(probes);
    if (!primary.ok) {
      this.deps.logger.debug('failback probe: primary unhealthy', { reason: primary.reason, secondary: secondary?.reason });
    }
    return { state, probes, nowhereToGoSince: probes.nowhereToGoSince ?? null };
  }

  /** The failback as every instance shows it. */
  async view(): Promise<FailbackView> {
    const cfg = this.deps.config.modelHosts.failback;
    const state = await this.deps.failover.getState();
    const hold = this.deps.failover.holdOf(state);
    const probes = state.failedOver ? await this.current(state) : EMPTY;
    const now = this.deps.clock.now();
    const { failbackAt, status } = this.forecast(state, hold, probes, now);
    return {
      enabled: cfg.enabled,
      probes: probes.primary,
      secondaryProbe: probes.secondary,
      healthyStreak: probes.healthyStreak,
      healthyProbesNeeded: cfg.healthyProbes,
      failbackAt,
      status,
      holdSeconds: hold.holdSeconds,
      failoverActionId: hold.failoverActionId,
      pendingFailbackId: hold.pending?.actionId ?? null,
      suspendedAt: hold.suspendedAt,
      failbacksLastHour: failbacksWithinHour(hold, now).length,
    };
  }

  /** The stored probes when they belong to this failover; none otherwise (a new failover starts afresh). */
  private async current(state: FailoverState): Promise<FailbackProbes> {
    const stored = await this.deps.store.getFailbackProbes();
    if (!stored || stored.since !== state.failoverTimestamp) return EMPTY;
    return { ...EMPTY, ...stored };
  }

  /**
   * When the failback will happen if the primary stays healthy: the later of the end of the hold and
   * the probe that completes the streak (one interval apart from the last one).
   */
  private forecast(state: FailoverState, hold: FailbackHold, probes: FailbackProbes, now: Date): { failbackAt: string | null; status: string } {
    const cfg = this.deps.config.modelHosts.failback;
    if (!state.failedOver) return { failbackAt: null, status: 'on the primary' };
    if (!cfg.enabled) return { failbackAt: null, status: 'automatic failback is disabled (modelHosts.failback.enabled)' };
    if (hold.suspendedAt) {
      return { failbackAt: null, status: `automatic failback suspended at ${hold.suspendedAt}: more than ${cfg.maxFailbacksPerHour} per hour; an operator decides` };
    }
    if (hold.pending) return { failbackAt: null, status: `failback ${hold.pending.actionId} under way` };
    const holdEnds = Date.parse(state.failoverTimestamp ?? now.toISOString()) + hold.holdSeconds * 1000;
    const missing = Math.max(0, cfg.healthyProbes - probes.healthyStreak);
    const last = probes.primary.at(-1);
    const lastAt = last ? Date.parse(last.at) : now.getTime();
    const streakAt = missing === 0 ? lastAt : lastAt + missing * cfg.probeIntervalSeconds * 1000;
    const at = new Date(Math.max(holdEnds, streakAt, now.getTime()));
    const waiting = missing > 0 ? `${missing} more healthy probe${missing === 1 ? '' : 's'} of the primary` : 'the primary is healthy';
    const holding = holdEnds > now.getTime() ? `; on the secondary for at least ${hold.holdSeconds} s` : '';
    return { failbackAt: at.toISOString(), status: `${waiting}${holding}${cfg.requiresApproval ? '; then an approval' : ''}` };
  }
}
