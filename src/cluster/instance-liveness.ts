import type { ClusterConfig } from '../config/sections/cluster';
import { Lease, type LeaseDeps } from './lease';

export function instanceLeaseName(instanceId: string): string {
  return `instance:${instanceId}`;
}

/**
 * This instance's "I am alive" lease (`instance:<id>`), renewed every `leaseRenewMs`. Actions record
 * the instance that runs them (`runner`); once a runner's lease has expired, the actions it left
 * `running` or `approved` can no longer finish and are failed as interrupted (see recovery.ts).
 */
export class InstanceLiveness {
  private readonly lease: Lease;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly deps: LeaseDeps & { config: { cluster: ClusterConfig } },
    readonly instanceId: string,
  ) {
    this.lease = new Lease(deps, instanceLeaseName(instanceId), instanceId, deps.config.cluster.leaseTtlMs);
  }

  async start(): Promise<void> {
    await this.renew();
    this.timer = setInterval(() => void this.renew(), this.deps.config.cluster.leaseRenewMs);
    this.timer.unref();
  }

  /** Stops renewing and gives the lease up: what this instance leaves unfinished is recoverable at once. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.lease.release();
  }

  private async renew(): Promise<void> {
    if ((await this.lease.tryHold()) === 'held_by_other') {
      // Held by someone else: a survivor checking on a crashed process with the same id (it gives
      // the lease back at once), or a second running process configured with the same INSTANCE_ID.
      this.deps.logger.warn(`liveness lease ${this.lease.name} is not held by this instance; retrying`, {
        instanceId: this.instanceId,
      });
    }
  }
}

/**
 * Whether `instanceId` still renews its liveness lease. The check takes the lease only if it has
 * expired (the store's atomic acquire) and hands it straight back, so it needs nothing beyond the
 * Store's lease methods and can never steal a live instance's lease.
 */
export async function isInstanceAlive(deps: LeaseDeps & { config: { cluster: ClusterConfig } }, instanceId: string, checker: string): Promise<boolean> {
  const name = instanceLeaseName(instanceId);
  const holder = `${checker} (liveness check)`;
  if (!(await deps.store.acquireLease(name, holder, deps.config.cluster.leaseTtlMs, deps.clock.now()))) return true;
  await deps.store.releaseLease(name, holder);
  return false;
}
