import type { JSONSchemaType } from 'ajv';
import { type AuthConfig, authConfigSchema } from './sections/auth';
import { type IncidentsConfig, incidentsConfigSchema } from './sections/incidents';
import { type LimitsConfig, limitsConfigSchema, type VerifyConfig, verifyConfigSchema } from './sections/closed-loop';
import { type ClusterConfig, clusterConfigSchema } from './sections/cluster';
import { type ConsoleConfig, consoleConfigSchema } from './sections/console';
import { type NotificationsConfig, notificationsConfigSchema } from './sections/notifications';
import { type PrometheusConfig, prometheusConfigSchema } from './sections/prometheus';
import { type SourcesConfig, sourcesConfigSchema } from './sections/sources';

/** The stores the service can run on (config `store.type`, and `Store.kind`). */
export const STORE_KINDS = ['sqlite', 'mongo'] as const;
export type StoreKind = (typeof STORE_KINDS)[number];

/** Probing the primary while failed over, and going back to it (docs/strategies/model-failover.md). */
export interface FailbackConfig {
  enabled: boolean;
  probeIntervalSeconds: number;
  healthyProbes: number;
  minHoldSeconds: number;
  requiresApproval: boolean;
  maxFailbacksPerHour: number;
}

/** The service's own configuration; the schema below is type-checked against this interface. */
export interface AppConfig {
  server: { host: string; port: number; bodyLimit: string; shutdownTimeoutMs: number; allowedHosts: string[] };
  log: { level: 'error' | 'warn' | 'info' | 'debug'; format: 'auto' | 'json' | 'pretty' };
  store: {
    type: StoreKind;
    sqlite: { path: string; busyTimeoutMs: number };
    mongo: { uri: string };
  };
  rules: { file: string; watch: boolean; watchDebounceMs: number };
  approvals: { timeoutMinutes: number; sweepIntervalMs: number };
  snapshots: {
    retention: { maxCount: number; maxAgeHours: number };
    sweepIntervalMs: number;
    /** Most snapshots one POST /api/metrics/batch may carry. */
    batchMaxCount: number;
    /** Idempotency-Key of ingest: how long a reply is kept for retries; how long a first request counts as running. */
    idempotency: { ttlMinutes: number; inProgressTimeoutMs: number };
  };
  actions: { timeoutMs: number; waitForOutcome: boolean };
  modelHosts: {
    primary: string;
    secondary: string;
    healthPath: string;
    timeoutMs: number;
    failback: FailbackConfig;
  };
  services: Record<string, string>;
  pm2: { stabilizationMs: number };
  throttle: {
    baseLimit: number;
    minFactor: number;
    defaultFactor: number;
    defaultDurationMinutes: number;
    sweepIntervalMs: number;
  };
  cluster: ClusterConfig;
  auth: AuthConfig;
  notifications: NotificationsConfig;
  verify: VerifyConfig;
  limits: LimitsConfig;
  console: ConsoleConfig;
  prometheus: PrometheusConfig;
  /** Pull sources: Prometheus queries turned into snapshots (docs/sources.md). */
  sources: SourcesConfig;
  /** Grouping into incidents and their notifications (docs/incidents.md). */
  incidents: IncidentsConfig;
}

const positiveInt = { type: 'integer', minimum: 1 } as const;
const nonNegativeInt = { type: 'integer', minimum: 0 } as const;
const httpUrl = { type: 'string', pattern: '^https?://[^\\s]+$' } as const;

export const CONFIG_SCHEMA_ID = 'https://self-healing.local/schemas/config.json';

export const configSchema: JSONSchemaType<AppConfig> = {
  $id: CONFIG_SCHEMA_ID,
  type: 'object',
  additionalProperties: false,
  required: [
    'server',
    'log',
    'store',
    'rules',
    'approvals',
    'snapshots',
    'actions',
    'modelHosts',
    'services',
    'pm2',
    'throttle',
    'cluster',
    'auth',
    'notifications',
    'verify',
    'limits',
    'console',
    'prometheus',
    'sources',
    'incidents',
  ],
  properties: {
    server: {
      type: 'object',
      additionalProperties: false,
      required: ['host', 'port', 'bodyLimit', 'shutdownTimeoutMs', 'allowedHosts'],
      properties: {
        host: { type: 'string', minLength: 1 },
        port: { type: 'integer', minimum: 0, maximum: 65535 },
        bodyLimit: { type: 'string', pattern: '^[0-9]+(b|kb|mb)$' },
        shutdownTimeoutMs: positiveInt,
        // Host names only (any port): a proxy's public name, or the machine's name on the LAN.
        allowedHosts: { type: 'array', items: { type: 'string', pattern: '^([A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?|\\[[0-9A-Fa-f:.]+\\])$' }, uniqueItems: true },
      },
    },
    log: {
      type: 'object',
      additionalProperties: false,
      required: ['level', 'format'],
      properties: {
        level: { type: 'string', enum: ['error', 'warn', 'info', 'debug'] },
        format: { type: 'string', enum: ['auto', 'json', 'pretty'] },
      },
    },
    store: {
      type: 'object',
      additionalProperties: false,
      required: ['type', 'sqlite', 'mongo'],
      properties: {
        type: { type: 'string', enum: [...STORE_KINDS] },
        sqlite: {
          type: 'object',
          additionalProperties: false,
          required: ['path', 'busyTimeoutMs'],
          properties: { path: { type: 'string', minLength: 1 }, busyTimeoutMs: nonNegativeInt },
        },
        mongo: {
          type: 'object',
          additionalProperties: false,
          required: ['uri'],
          properties: { uri: { type: 'string' } },
        },
      },
    },
    rules: {
      type: 'object',
      additionalProperties: false,
      required: ['file', 'watch', 'watchDebounceMs'],
      properties: {
        file: { type: 'string', minLength: 1 },
        watch: { type: 'boolean' },
        watchDebounceMs: nonNegativeInt,
      },
    },
    approvals: {
      type: 'object',
      additionalProperties: false,
      required: ['timeoutMinutes', 'sweepIntervalMs'],
      properties: {
        timeoutMinutes: { type: 'number', exclusiveMinimum: 0 },
        sweepIntervalMs: positiveInt,
      },
    },
    snapshots: {
      type: 'object',
      additionalProperties: false,
      required: ['retention', 'sweepIntervalMs', 'batchMaxCount', 'idempotency'],
      properties: {
        retention: {
          type: 'object',
          additionalProperties: false,
          required: ['maxCount', 'maxAgeHours'],
          properties: {
            maxCount: positiveInt,
            maxAgeHours: { type: 'number', exclusiveMinimum: 0 },
          },
        },
        sweepIntervalMs: positiveInt,
        batchMaxCount: { type: 'integer', minimum: 1, maximum: 100000 },
        idempotency: {
          type: 'object',
          additionalProperties: false,
          required: ['ttlMinutes', 'inProgressTimeoutMs'],
          properties: {
            ttlMinutes: { type: 'number', exclusiveMinimum: 0 },
            inProgressTimeoutMs: positiveInt,
          },
        },
      },
    },
    actions: {
      type: 'object',
      additionalProperties: false,
      required: ['timeoutMs', 'waitForOutcome'],
      properties: { timeoutMs: positiveInt, waitForOutcome: { type: 'boolean' } },
    },
    modelHosts: {
      type: 'object',
      additionalProperties: false,
      required: ['primary', 'secondary', 'healthPath', 'timeoutMs', 'failback'],
      properties: {
        primary: httpUrl,
        secondary: httpUrl,
        healthPath: { type: 'string', pattern: '^/' },
        timeoutMs: positiveInt,
        failback: {
          type: 'object',
          additionalProperties: false,
          required: ['enabled', 'probeIntervalSeconds', 'healthyProbes', 'minHoldSeconds', 'requiresApproval', 'maxFailbacksPerHour'],
          properties: {
            enabled: { type: 'boolean' },
            probeIntervalSeconds: { type: 'number', exclusiveMinimum: 0, maximum: 3600 },
            healthyProbes: { type: 'integer', minimum: 1, maximum: 100 },
            minHoldSeconds: { type: 'number', minimum: 0, maximum: 86400 },
            requiresApproval: { type: 'boolean' },
            maxFailbacksPerHour: { type: 'integer', minimum: 0, maximum: 60 },
          },
        },
      },
    },
    services: {
      type: 'object',
      required: [],
      propertyNames: { pattern: '^[A-Za-z0-9._-]{1,64}$' },
      additionalProperties: { type: 'string', minLength: 1 },
    },
    pm2: {
      type: 'object',
      additionalProperties: false,
      required: ['stabilizationMs'],
      properties: { stabilizationMs: nonNegativeInt },
    },
    throttle: {
      type: 'object',
      additionalProperties: false,
      required: ['baseLimit', 'minFactor', 'defaultFactor', 'defaultDurationMinutes', 'sweepIntervalMs'],
      properties: {
        baseLimit: { type: 'number', exclusiveMinimum: 0 },
        minFactor: { type: 'number', exclusiveMinimum: 0, maximum: 1 },
        defaultFactor: { type: 'number', exclusiveMinimum: 0, maximum: 1 },
        defaultDurationMinutes: { type: 'number', exclusiveMinimum: 0 },
        sweepIntervalMs: positiveInt,
      },
    },
    cluster: clusterConfigSchema,
    auth: authConfigSchema,
    notifications: notificationsConfigSchema,
    verify: verifyConfigSchema,
    limits: limitsConfigSchema,
    console: consoleConfigSchema,
    prometheus: prometheusConfigSchema,
    sources: sourcesConfigSchema,
    incidents: incidentsConfigSchema,
  },
};
