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
};
