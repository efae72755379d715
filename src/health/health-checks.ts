import type { RulesService, RulesStatus } from '../rules/rules-service';
import type { Store } from '../store/store';

export interface HealthChecksDeps {
  store: Pick<Store, 'ping' | 'kind'>;
  rules: Pick<RulesService, 'isLoaded' | 'status' | 'current'>;
  /** Whether this instance runs the periodic work (lifecycle/sweeps). */
  periodicWork: { readonly holdsLease: boolean };
  instanceId: string;
}

export interface Readiness {
  ready: boolean;
  checks: { store: { ok: boolean; kind: Store['kind'] }; rules: { ok: true; count: number } & RulesStatus | { ok: false } };
}

/** What /api/health (the process answers) and /api/ready (store and rules in force) report. */
export class HealthChecks {
  constructor(private readonly deps: HealthChecksDeps) {}

  /** Which instance answered, and whether it is the one running the periodic work (docs/operations.md). */
  instance(): { id: string; periodicWork: boolean } {
    return { id: this.deps.instanceId, periodicWork: this.deps.periodicWork.holdsLease };
  }

  async readiness(): Promise<Readiness> {
    const { store, rules } = this.deps;
    const storeOk = await store.ping();
    const rulesOk = rules.isLoaded();
    return {
      ready: storeOk && rulesOk,
      checks: {
        store: { ok: storeOk, kind: store.kind },
        rules: rulesOk ? { ok: true, ...rules.status(), count: rules.current().rules.length } : { ok: false },
      },
    };
  }
}
