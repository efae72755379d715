import type { JSONSchemaType } from 'ajv';
import type { EnvBinding } from '../env';

/** API keys with roles, four eyes, and request-rate limits. */
export interface AuthConfig {
  /** "name:role:key" entries, comma-separated (env API_KEYS). */
  apiKeys: string;
  /** JSON file of [{ name, role, sha256 }] (env API_KEYS_FILE); empty for none. */
  apiKeysFile: string;
  /** Action types whose approval must come from a different key than the one that requested them. */
  fourEyes: string[];
  rateLimit: { ingestPerMinute: number; authFailuresPerMinute: number };
}

export const authConfigSchema: JSONSchemaType<AuthConfig> = {
  type: 'object',
  additionalProperties: false,
  required: ['apiKeys', 'apiKeysFile', 'fourEyes', 'rateLimit'],
  properties: {
    apiKeys: { type: 'string' },
    apiKeysFile: { type: 'string' },
    fourEyes: { type: 'array', items: { type: 'string' }, uniqueItems: true },
    rateLimit: {
      type: 'object',
      additionalProperties: false,
      required: ['ingestPerMinute', 'authFailuresPerMinute'],
      properties: {
        ingestPerMinute: { type: 'integer', minimum: 1 },
        authFailuresPerMinute: { type: 'integer', minimum: 1 },
      },
    },
  },
};

export const AUTH_ENV: Record<string, EnvBinding> = {
  API_KEYS: { key: 'auth.apiKeys', kind: 'string' },
  API_KEYS_FILE: { key: 'auth.apiKeysFile', kind: 'string' },
};
