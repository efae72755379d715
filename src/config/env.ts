import { AUTH_ENV } from './sections/auth';
import { CLUSTER_ENV } from './sections/cluster';
import { CONSOLE_ENV } from './sections/console';
import { NOTIFICATIONS_ENV } from './sections/notifications';
import { PROMETHEUS_ENV } from './sections/prometheus';

/** Environment variables that override configuration keys, and how each is read. */
export interface EnvBinding {
  key: string;
  kind: 'string' | 'number' | 'boolean';
}

const CORE_ENV: Record<string, EnvBinding> = {
  HOST: { key: 'server.host', kind: 'string' },
  PORT: { key: 'server.port', kind: 'number' },
  BODY_LIMIT: { key: 'server.bodyLimit', kind: 'string' },
  LOG_LEVEL: { key: 'log.level', kind: 'string' },
  LOG_FORMAT: { key: 'log.format', kind: 'string' },
  STORE: { key: 'store.type', kind: 'string' },
  SQLITE_PATH: { key: 'store.sqlite.path', kind: 'string' },
  MONGODB_URI: { key: 'store.mongo.uri', kind: 'string' },
  RULES_FILE: { key: 'rules.file', kind: 'string' },
  RULES_WATCH: { key: 'rules.watch', kind: 'boolean' },
  APPROVAL_TIMEOUT_MINUTES: { key: 'approvals.timeoutMinutes', kind: 'number' },
  APPROVAL_SWEEP_INTERVAL_MS: { key: 'approvals.sweepIntervalMs', kind: 'number' },
  SNAPSHOT_RETENTION_COUNT: { key: 'snapshots.retention.maxCount', kind: 'number' },
  IDEMPOTENCY_TTL_MINUTES: { key: 'snapshots.idempotency.ttlMinutes', kind: 'number' },
  SNAPSHOT_RETENTION_HOURS: { key: 'snapshots.retention.maxAgeHours', kind: 'number' },
  ACTION_TIMEOUT_MS: { key: 'actions.timeoutMs', kind: 'number' },
  MODEL_HOST_PRIMARY: { key: 'modelHosts.primary', kind: 'string' },
  MODEL_HOST_SECONDARY: { key: 'modelHosts.secondary', kind: 'string' },
  PM2_STABILIZATION_MS: { key: 'pm2.stabilizationMs', kind: 'number' },
  THROTTLE_BASE_LIMIT: { key: 'throttle.baseLimit', kind: 'number' },
};

export const ENV_BINDINGS: Record<string, EnvBinding> = {
  ...CORE_ENV,
  ...CLUSTER_ENV,
  ...AUTH_ENV,
  ...NOTIFICATIONS_ENV,
  ...CONSOLE_ENV,
  ...PROMETHEUS_ENV,
};

/** Converts only well-formed values, so a bad one reaches schema validation and is reported there. */
export function readEnvValue(raw: string, kind: EnvBinding['kind']): unknown {
  const text = raw.trim();
  if (kind === 'number') return text !== '' && Number.isFinite(Number(text)) ? Number(text) : raw;
  if (kind === 'boolean') {
    if (/^(true|1|yes|on)$/i.test(text)) return true;
    if (/^(false|0|no|off)$/i.test(text)) return false;
    return raw;
  }
  return raw;
}
