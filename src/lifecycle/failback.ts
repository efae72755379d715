import { randomUUID } from 'node:crypto';
import { FAILBACK_ACTION_TYPE, type ActionRecord } from '../domain/action';
import type { Rule } from '../domain/rule';
import type { FailbackHold, FailbackProbes, FailoverState } from '../domain/state';
import { verifySpecOf } from '../domain/verify-spec';
import type { RulesService } from '../rules/rules-service';
import type { AlertRecorder } from '../execution/alert-recorder';
import type { ActionStore } from '../store/action-store';
import type { SnapshotStore } from '../store/snapshot-store';
import type { LeaseStore } from '../store/lease-store';
import type { PipelineDepsOn } from '../execution/pipeline-deps';
import type { RemediationService } from '../pipeline/remediation-service';

/**
 * What the failback needs of the router (targets/failover-service and targets/failback-probes),
 * declared here so remediation depends on the shape, not on the target layer.
 */
export interface FailbackRouter {
  /** One round of probes; null when traffic is on the primary. */
  probe(): Promise<{ state: FailoverState; probes: FailbackProbes; nowhereToGoSince: string | null } | null>;
  getState(): Promise<FailoverState>;
  holdOf(state: FailoverState): FailbackHold;
  updateHold(change: (hold: FailbackHold, state: FailoverState) => FailbackHold | null): Promise<FailoverState | null>;
}

export interface FailbackDeps extends PipelineDepsOn<ActionStore & SnapshotStore & LeaseStore> {
  router: FailbackRouter;
  remediation: Pick<RemediationService, 'dispatchSystemAction'>;
  rules: Pick<RulesService, 'isLoaded' | 'current'>;
  alerts: AlertRecorder;
}

/** The hold never grows past this (or past minHoldSeconds, when that is longer): one hour. */
export const FAILBACK_HOLD_CAP_SECONDS = 3600;

/** A reserved failback whose record never appeared (the instance died in between) is given up after this. */
const LOST_RESERVATION_MS = 60_000;

/** What became of a failback, once it is over. */
type FailbackEnd = 'held' | 'did_not_hold' | 'declined' | 'lost';

function endOf(action: ActionRecord | null): FailbackEnd | null {
  if (!action) return 'lost';
  switch (action.status) {
    case 'pending_approval':
    case 'approved':
    case 'running':
      return null;
    case 'rejected':
    case 'expired':
      return 'declined';
    case 'failed':
      return 'did_not_hold';
    case 'succeeded':
      if (action.revertedBy || action.outcome === 'ineffective') return 'did_not_hold';
      return action.outcome === 'pending' ? null : 'held';
    default:
      return 'declined';
  }
}

/**
 * Automatic failback. On the periodic-work lease holder, every `probeIntervalSeconds` while traffic
 * is on the secondary: probe the primary; after `healthyProbes` healthy probes in a row and at least
 * the hold on the secondary, dispatch `model_failover` to the primary through the pipeline (pause,
 * budget, approval gate, verification with revert). A failback that did not hold doubles the hold
 * (up to FAILBACK_HOLD_CAP_SECONDS); more than `maxFailbacksPerHour` suspends it with one alert.
 * Every change of the hold is one compare-and-set on the failover state, so two instances (or a
 * lease changing hands mid-round) dispatch one failback.
 */
export class FailbackService {
  constructor(private readonly deps: FailbackDeps) {}

  /** One round: settle the last failback, probe, and fail back when the time has come. */
  async run(): Promise<void> {
    const cfg = this.deps.config.modelHosts.failback;
    if (!cfg.enabled) return;
    await this.settle();
    const round = await this.deps.router.probe();
    if (!round) return;
    const { state, probes } = round;
    if (round.nowhereToGoSince) await this.alertNowhereToGo(state, probes, round.nowhereToGoSince);
    const hold = this.deps.router.holdOf(state);
    if (hold.pending || hold.suspendedAt) return;
    if (probes.healthyStreak < cfg.healthyProbes) return;
    const now = this.deps.clock.now();
    const onSecondarySince = Date.parse(state.failoverTimestamp ?? now.toISOString());
    if (now.getTime() - onSecondarySince < hold.holdSeconds * 1000) return;
    const recent = hold.recent.filter((at) => Date.parse(at) > now.getTime() - 3_600_000);
    if (recent.length >= cfg.maxFailbacksPerHour) {
      await this.suspend(recent.length);
      return;
    }
    await this.failBack(state, probes);
  }

  /** Takes the end of the last failback into account: a hold doubled, or earned back. */
  private async settle(): Promise<void> {
    const { pending } = this.deps.router.holdOf(await this.deps.router.getState());
    if (!pending) return;
    const action = await this.deps.store.getAction(pending.actionId);
    const end = endOf(action);
    if (end === null) return;
    const now = this.deps.clock.now();
    if (end === 'lost' && now.getTime() - Date.parse(pending.at) < LOST_RESERVATION_MS) return;
    const min = this.deps.config.modelHosts.failback.minHoldSeconds;
    const written = await this.deps.router.updateHold((hold) => {
      if (hold.pending?.actionId !== pending.actionId) return null;
      const holdSeconds =
        end === 'did_not_hold' ? Math.min(Math.max(FAILBACK_HOLD_CAP_SECONDS, min), hold.holdSeconds * 2) : end === 'held' ? min : hold.holdSeconds;
      // A failback that was never dispatched does not count against the hourly limit.
      const recent = end === 'lost' ? hold.recent.filter((at) => at !== pending.at) : hold.recent;
      return { ...hold, holdSeconds, recent, pending: null };
    });
    if (!written) return;
    const holdSeconds = this.deps.router.holdOf(written).holdSeconds;
    if (end === 'did_not_hold') {
      this.deps.logger.warn('failback did not hold; the next one waits longer on the secondary', { actionId: pending.actionId, holdSeconds });
    } else {
      this.deps.logger.info(`failback ${end === 'held' ? 'held' : 'ended without switching'}`, { actionId: pending.actionId, holdSeconds });
    }
  }

  /**
   * Reserves the failback on the failover state (the compare-and-set only one instance wins), then
   * dispatches it; a refused dispatch (paused, budget spent) gives the reservation back for a later round.
   */
  private async failBack(state: FailoverState, probes: FailbackProbes): Promise<void> {
    const cfg = this.deps.config.modelHosts.failback;
    const now = this.deps.clock.now();
    const id = randomUUID();
    const at = now.toISOString();
    const reserved = await this.deps.router.updateHold((hold, current) => {
      if (!current.failedOver || current.failoverTimestamp !== state.failoverTimestamp || hold.pending || hold.suspendedAt) return null;
      return { ...hold, pending: { actionId: id, at }, recent: [...hold.recent.filter((t) => Date.parse(t) > now.getTime() - 3_600_000), at] };
    });
    if (!reserved) return;
    const hold = this.deps.router.holdOf(reserved);
    const failover = hold.failoverActionId ? await this.deps.store.getAction(hold.failoverActionId) : null;
    const rule = this.ruleFor(failover);
    const source = failover?.snapshot?.source;
    const latest = source ? await this.deps.store.latestSnapshotFrom(source, failover.createdAt) : null;
    const spec = verifySpecOf(rule, this.deps.config.verify.defaults);
    const lastProbe = probes.primary.at(-1);
    const outcome = await this.deps.remediation.dispatchSystemAction({
      id,
      rule,
      requestedBy: `failback:${hold.failoverActionId ?? 'none'}`,
      requiresApproval: cfg.requiresApproval,
      // Verified like the failover; one that does not hold goes back to the secondary.
      verify: spec ? { windowMinutes: spec.windowMinutes, onIneffective: 'revert' } : null,
      snapshot: latest ?? (failover?.snapshot ? { ...failover.snapshot, id: failover.snapshotId } : null),
      matchedFacts: {
        failback: {
          healthyStreak: probes.healthyStreak,
          onSecondarySince: state.failoverTimestamp,
          holdSeconds: hold.holdSeconds,
          lastProbe: lastProbe ?? null,
        },
      },
      ...(hold.failoverActionId ? { failbackOf: hold.failoverActionId } : {}),
      // Its failover's incident, while that is open: the way back belongs to the same cause.
      ...(failover?.incidentId ? { incidentId: failover.incidentId } : {}),
    });
    if (!outcome.dispatched) {
      this.deps.logger.info('failback not dispatched; trying again on a later round', { reason: outcome.reason, detail: outcome.detail });
      await this.deps.router.updateHold((h) =>
        h.pending?.actionId === id ? { ...h, pending: null, recent: h.recent.filter((t) => t !== at) } : null,
      );
      return;
    }
    this.deps.logger.warn('failing back to the primary', { actionId: id, failbackOf: hold.failoverActionId, status: outcome.action.status });
    if (outcome.running) await outcome.running;
  }

  /** The failover's rule, with the action turned back to the primary; a stand-in when it is gone. */
  private ruleFor(failover: ActionRecord | null): Rule {
    const named = failover && this.deps.rules.isLoaded() ? this.deps.rules.current().byName.get(failover.rule) : undefined;
    const base: Rule = named ?? {
      name: failover?.rule ?? 'failback',
      description: 'automatic failback to the primary model host',
      enabled: true,
      priority: 0,
      severity: failover?.severity ?? 'warning',
      conditions: { all: [] },
      action: { type: FAILBACK_ACTION_TYPE, params: {} },
      cooldownMinutes: 0,
      notifications: { channels: ['log'] },
      mode: 'enforce',
    };
    return { ...base, action: { type: FAILBACK_ACTION_TYPE, params: { target: 'primary' } } };
  }

  /** Stops automatic failback with one alert; the compare-and-set winner raises it. */
  private async suspend(count: number): Promise<void> {
    const cfg = this.deps.config.modelHosts.failback;
    const at = this.deps.clock.now().toISOString();
    const written = await this.deps.router.updateHold((hold) => (hold.suspendedAt ? null : { ...hold, suspendedAt: at }));
    if (!written) return;
    const hold = this.deps.router.holdOf(written);
    this.deps.logger.warn('automatic failback suspended: too many failbacks within an hour', { count, max: cfg.maxFailbacksPerHour });
    await this.deps.alerts.create({
      rule: await this.ruleNameOf(hold),
      severity: 'critical',
      message: `automatic failback to the primary suspended: ${count} failbacks within the last hour reached modelHosts.failback.maxFailbacksPerHour (${cfg.maxFailbacksPerHour}); the primary looks healthy again, so decide by hand (POST /api/health/router/reset) or leave traffic on the secondary`,
      metrics: { failbacksLastHour: count, maxFailbacksPerHour: cfg.maxFailbacksPerHour, holdSeconds: hold.holdSeconds },
      actionId: hold.failoverActionId,
    });
  }

  /** Both hosts fail: one critical alert per such episode (whichever instance claims it), and no switch. */
  private async alertNowhereToGo(state: FailoverState, probes: FailbackProbes, since: string): Promise<void> {
    if (!(await this.deps.store.claimOnce(`failback-nowhere-to-go:${since}`, this.deps.clock.now()))) return;
    const hold = this.deps.router.holdOf(state);
    const primary = probes.primary.at(-1);
    const secondary = probes.secondary;
    this.deps.logger.error('both model hosts fail their health probes: nowhere left to fail over to', {
      primary: primary?.reason,
      secondary: secondary?.reason,
    });
    await this.deps.alerts.create({
      rule: await this.ruleNameOf(hold),
      severity: 'critical',
      message: `both model hosts are unhealthy: traffic is on the secondary (${secondary?.reason ?? 'unknown'}) and the primary is down too (${primary?.reason ?? 'unknown'}); nowhere left to go, traffic stays where it is`,
      metrics: { primary: primary ?? null, secondary: secondary ?? null, since },
      actionId: hold.failoverActionId,
    });
  }

  private async ruleNameOf(hold: FailbackHold): Promise<string> {
    const failover = hold.failoverActionId ? await this.deps.store.getAction(hold.failoverActionId) : null;
    return failover?.rule ?? 'failback';
  }
}
