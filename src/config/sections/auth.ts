import type { JSONSchemaType } from 'ajv';
import { ACTION_TYPES } from '../../domain/rule';
import type { EnvBinding } from '../env';

/** API keys with roles, four eyes, and request-rate limits. */
export interface AuthConfig {
  /** "name:role:key" entries, comma-separated (env API_KEYS). */
  apiKeys: string;
  /** JSON file of [{ name, role, sha256 }] (env API_KEYS_FILE); empty for none. */
  apiKeysFile: string;
  /** Action types whose approval must come from a different key than the one that requested them. */
  fourEyes: string[];
  /**
   * `instances`: how many instances serve one address (PM2 cluster workers behind one port). Each
   * keeps its buckets in memory and enforces its share, limit / instances, so that all of them
   * together never let more than the configured limit through (docs/security.md).
   */
  rateLimit: { ingestPerMinute: number; authFailuresPerMinute: number; instances: number };
}

/** This instance's share of a cluster-wide per-minute limit: never more than the whole, at least 1. */
export function perInstanceLimit(perMinute: number, instances: number): number {
  return Math.max(1, Math.floor(perMinute / instances));
}

export const authConfigSchema: JSONSchemaType<AuthConfig> = {
  type: 'object',
  additionalProperties: false,
  required: ['apiKeys', 'apiKeysFile', 'fourEyes', 'rateLimit'],
  properties: {
    apiKeys: { type: 'string' },
    apiKeysFile: { type: 'string' },
    // A misspelt type would silently switch four eyes off for it, so only real types are accepted.
    fourEyes: { type: 'array', items: { type: 'string', enum: [...ACTION_TYPES] }, uniqueItems: true },
    rateLimit: {
      type: 'object',
      additionalProperties: false,
      required: ['ingestPerMinute', 'authFailuresPerMinute', 'instances'],
      properties: {
        ingestPerMinute: { type: 'integer', minimum: 1 },
        authFailuresPerMinute: { type: 'integer', minimum: 1 },
        instances: { type: 'integer', minimum: 1, maximum: 1024 },
      },
    },
  },
};

export const AUTH_ENV: Record<string, EnvBinding> = {
  API_KEYS: { key: 'auth.apiKeys', kind: 'string' },
  API_KEYS_FILE: { key: 'auth.apiKeysFile', kind: 'string' },
  RATE_LIMIT_INSTANCES: { key: 'auth.rateLimit.instances', kind: 'number' },
};
