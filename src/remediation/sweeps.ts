import type { ServiceDeps } from '../services/deps';
import type { ThrottleService } from '../services/throttle-service';
import type { ApprovalService } from './approvals';

export interface SweepDeps extends ServiceDeps {
  approvals: ApprovalService;
  throttle: ThrottleService;
}

interface Job {
  name: string;
  intervalMs: number;
  run: () => Promise<unknown>;
}

/**
 * Periodic work: expire overdue approvals, restore an expired throttle, apply snapshot retention.
 * Each job never overlaps itself, and a failure is logged and retried on the next tick.
 */
export class Sweeps {
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly busy = new Set<string>();
  private readonly jobs: Job[];

  constructor(private readonly deps: SweepDeps) {
    const { config } = deps;
    this.jobs = [
      { name: 'approval-expiry', intervalMs: config.approvals.sweepIntervalMs, run: () => deps.approvals.expireOverdue() },
      { name: 'throttle-restore', intervalMs: config.throttle.sweepIntervalMs, run: () => deps.throttle.restoreExpired() },
      { name: 'snapshot-retention', intervalMs: config.snapshots.sweepIntervalMs, run: () => this.pruneSnapshots() },
    ];
  }

  start(): void {
    for (const job of this.jobs) {
      const timer = setInterval(() => void this.runJob(job), job.intervalMs);
      timer.unref();
      this.timers.push(timer);
    }
  }

  stop(): void {
    for (const timer of this.timers.splice(0)) clearInterval(timer);
  }

  /** Runs every job once now (at start-up, and from tests). */
  async runOnce(): Promise<void> {
    for (const job of this.jobs) await this.runJob(job);
  }

  async pruneSnapshots(): Promise<number> {
    const { retention } = this.deps.config.snapshots;
    const olderThan = new Date(this.deps.clock.now().getTime() - retention.maxAgeHours * 3_600_000);
    return this.deps.store.pruneSnapshots({ olderThan, keepNewest: retention.maxCount });
  }

  private async runJob(job: Job): Promise<void> {
    if (this.busy.has(job.name)) return;
    this.busy.add(job.name);
    try {
      await job.run();
    } catch (err) {
      this.deps.logger.error(`sweep ${job.name} failed`, { error: (err as Error).message });
    } finally {
      this.busy.delete(job.name);
    }
  }
}
