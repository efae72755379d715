import { Lease } from '../cluster/lease';
import type { RulesService } from '../rules/rules-service';
import type { PipelineDeps } from '../execution/pipeline-deps';
import type { ApprovalService } from '../approvals/approvals';
import type { ActionExecutor } from '../execution/executor';
import type { PauseService } from '../execution/pause';
import type { VerificationService } from '../closed-loop-service/verification';
import { recoverInterruptedActions } from './recovery';
import type { FailbackService } from './failback';
import type { ThrottleRestoreJudge } from '../closed-loop-service/throttle-restore-judge';
import type { IncidentService } from '../incidents/incident-service';

export interface SweepDeps extends PipelineDeps {
  rules: RulesService;
  approvals: ApprovalService;
  /**
   * Restores the request rate when a throttle's deadline has passed (targets/throttle-service); a
   * throttle restoring in steps takes its next step as the judge says.
   */
  throttle: { restoreExpired(judge?: ThrottleRestoreJudge): Promise<boolean> };
  throttleJudge: ThrottleRestoreJudge;
  executor: ActionExecutor;
  /** Holder name in the periodic-work lease. */
  instanceId: string;
  verification: Pick<VerificationService, 'decideDue'>;
  pause: Pick<PauseService, 'endIfExpired'>;
  /** Probes the primary while failed over and fails back (./failback.ts). */
  failback: Pick<FailbackService, 'run'>;
  /** Incidents: the opened notice after the group wait, resolution (src/incidents/). */
  incidents?: Pick<IncidentService, 'sweep'>;
}

interface Job {
  name: string;
  intervalMs: number;
  run: () => Promise<unknown>;
  /** Work about this instance itself: runs everywhere, not only on the lease holder. */
  everyInstance?: boolean;
}

/** The store lease that decides which instance runs the periodic work. */
export const PERIODIC_WORK_LEASE = 'periodic-work';

/**
 * Periodic work: expire overdue approvals, restore an expired throttle, apply snapshot retention,
 * probe the primary model host while failed over (and fail back), and fail actions whose instance died. With several instances on one store, only the holder of the
 * `periodic-work` lease runs it (each instance still looks after its own leftover actions). The lease is renewed every `cluster.leaseRenewMs` and lasts
 * `cluster.leaseTtlMs`; when its holder dies, another instance takes it within leaseTtlMs +
 * leaseRenewMs and runs every job at once. Each job is also safe if it ever ran twice (conditional
 * transitions, compare-and-set), so the lease saves work and noise rather than carrying correctness.
 * A job never overlaps itself, and a failure is logged and retried on the next tick.
 */
export class Sweeps {
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly inFlight = new Map<string, Promise<void>>();
  private readonly jobs: Job[];
  private readonly lease: Lease;
  /** What the last renewal found, so a change of hands is logged once. */
  private holding = false;
  private renewing: Promise<boolean> | null = null;

  constructor(private readonly deps: SweepDeps) {
    const { config } = deps;
    this.jobs = [
      { name: 'approval-expiry', intervalMs: config.approvals.sweepIntervalMs, run: () => deps.approvals.expireOverdue() },
      { name: 'throttle-restore', intervalMs: config.throttle.sweepIntervalMs, run: () => deps.throttle.restoreExpired(deps.throttleJudge) },
      { name: 'verification', intervalMs: config.verify.sweepIntervalMs, run: () => deps.verification.decideDue() },
      { name: 'pause-expiry', intervalMs: config.verify.sweepIntervalMs, run: () => deps.pause.endIfExpired() },
      ...(deps.incidents ? [{ name: 'incidents', intervalMs: config.verify.sweepIntervalMs, run: () => deps.incidents!.sweep() }] : []),
      {
        name: 'failback-probe',
        intervalMs: Math.max(1, Math.round(config.modelHosts.failback.probeIntervalSeconds * 1000)),
        run: () => deps.failback.run(),
      },
      { name: 'snapshot-retention', intervalMs: config.snapshots.sweepIntervalMs, run: () => this.pruneSnapshots() },
      {
        name: 'idempotency-key-expiry',
        intervalMs: config.snapshots.sweepIntervalMs,
        run: () => deps.store.idempotency.pruneIdempotencyKeys(deps.clock.now()),
      },
      {
        name: 'interrupted-actions',
        intervalMs: config.cluster.leaseRenewMs,
        run: () => recoverInterruptedActions(deps, { instanceId: deps.instanceId, scope: 'dead-instances' }),
      },
      {
        name: 'own-leftover-actions',
        intervalMs: config.cluster.leaseTtlMs,
        everyInstance: true,
        run: () =>
          recoverInterruptedActions(deps, {
            instanceId: deps.instanceId,
            scope: 'own-leftovers',
            runningHere: (id) => deps.executor.isRunning(id),
          }),
      },
    ];
    this.lease = new Lease(deps, PERIODIC_WORK_LEASE, deps.instanceId, config.cluster.leaseTtlMs);
  }

  /** True while this instance holds the periodic-work lease (shown by GET /api/health). */
  get holdsLease(): boolean {
    return this.lease.isHeld();
  }

  start(): void {
    const renew = setInterval(() => void this.renewLease(), this.deps.config.cluster.leaseRenewMs);
    renew.unref();
    this.timers.push(renew);
    for (const job of this.jobs) {
      const timer = setInterval(() => {
        if (job.everyInstance || this.lease.isHeld()) void this.runJob(job);
      }, job.intervalMs);
      timer.unref();
      this.timers.push(timer);
    }
  }

  /** Stops the timers, lets a job in progress finish, and hands the lease over at once. */
  async stop(): Promise<void> {
    for (const timer of this.timers.splice(0)) clearInterval(timer);
    await Promise.allSettled([...this.inFlight.values()]);
    this.holding = false;
    if (await this.lease.release()) {
      this.deps.logger.info('periodic-work lease released', { instanceId: this.deps.instanceId });
    }
  }

  /**
   * Takes or renews the lease and runs, once now, every job this instance may run: all of them if it
   * holds the lease (at start-up, and from tests). False when another instance holds the lease.
   */
  async runOnce(): Promise<boolean> {
    const held = await this.renewLease(false);
    for (const job of this.jobs) if (held || job.everyInstance) await this.runJob(job);
    return held;
  }

  async pruneSnapshots(): Promise<number> {
    const { retention } = this.deps.config.snapshots;
    const olderThan = new Date(this.deps.clock.now().getTime() - retention.maxAgeHours * 3_600_000);
    return this.deps.store.pruneSnapshots({ olderThan, keepNewest: retention.maxCount });
  }

  /** Logs when the lease changes hands; on taking it over, catches up on every job at once. */
  private renewLease(catchUp = true): Promise<boolean> {
    this.renewing ??= this.renewLeaseNow(catchUp).finally(() => {
      this.renewing = null;
    });
    return this.renewing;
  }

  private async renewLeaseNow(catchUp: boolean): Promise<boolean> {
    const had = this.holding;
    const outcome = await this.lease.tryHold();
    // Unreachable store: the lease is still ours until its last expiry, and nobody can take it before.
    const holds = outcome === 'held' || (outcome === 'store_unreachable' && this.lease.isHeld());
    this.holding = holds;
    const meta = { instanceId: this.deps.instanceId, lease: PERIODIC_WORK_LEASE };
    if (holds && !had) {
      this.deps.logger.info('this instance now runs the periodic work', meta);
      if (catchUp) for (const job of this.jobs) if (!job.everyInstance) void this.runJob(job);
    } else if (!holds && had) {
      const why =
        outcome === 'held_by_other'
          ? 'periodic-work lease lost to another instance; periodic work stops here'
          : 'periodic-work lease lapsed while the store does not answer; periodic work pauses here';
      this.deps.logger.warn(why, meta);
    }
    return holds;
  }

  private runJob(job: Job): Promise<void> {
    const running = this.inFlight.get(job.name);
    if (running) return running;
    const done = (async () => {
      try {
        await job.run();
      } catch (err) {
        this.deps.logger.error(`sweep ${job.name} failed`, { error: (err as Error).message });
      } finally {
        this.inFlight.delete(job.name);
      }
    })();
    this.inFlight.set(job.name, done);
    return done;
  }
}
