import type { JSONSchemaType } from 'ajv';
import type { EnvBinding } from '../env';

/** Several instances over one store: who this instance is and how long a lease on periodic work lasts. */
export interface ClusterConfig {
  /** Empty means "<hostname>:<pid>", decided at start. */
  instanceId: string;
  leaseTtlMs: number;
  leaseRenewMs: number;
}

export const clusterConfigSchema: JSONSchemaType<ClusterConfig> = {
  type: 'object',
  additionalProperties: false,
  required: ['instanceId', 'leaseTtlMs', 'leaseRenewMs'],
  properties: {
    instanceId: { type: 'string', maxLength: 200 },
    leaseTtlMs: { type: 'integer', minimum: 100 },
    leaseRenewMs: { type: 'integer', minimum: 50 },
  },
};

export const CLUSTER_ENV: Record<string, EnvBinding> = {
  INSTANCE_ID: { key: 'cluster.instanceId', kind: 'string' },
  LEASE_TTL_MS: { key: 'cluster.leaseTtlMs', kind: 'number' },
  LEASE_RENEW_MS: { key: 'cluster.leaseRenewMs', kind: 'number' },
};

/**
 * A lease renewed no faster than it expires would lapse between renewals and change hands at
 * random, so the renewal must come well inside the TTL. Returns the problem, or null.
 */
export function clusterConfigProblem(cluster: ClusterConfig): { key: string; message: string } | null {
  if (cluster.leaseRenewMs * 2 > cluster.leaseTtlMs) {
    return { key: 'cluster.leaseRenewMs', message: `must be at most half of cluster.leaseTtlMs (${cluster.leaseTtlMs})` };
  }
  return null;
}
