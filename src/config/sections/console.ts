import type { JSONSchemaType } from 'ajv';
import type { EnvBinding } from '../env';

/** The browser console: its sign-in sessions and the event stream it listens to. */
export interface ConsoleConfig {
  /** How long a session cookie lasts after sign-in (fixed, not sliding). */
  sessionTtlMinutes: number;
  /** Mark the session cookie `Secure`: set it when the service is reached over TLS (behind a proxy). */
  secureCookie: boolean;
  /** Extra origins (scheme://host[:port]) allowed to send cookie-authenticated writes, e.g. the proxy's public one. */
  allowedOrigins: string[];
  events: {
    /** How often an open event stream looks for events written by other instances. */
    pollIntervalMs: number;
    /** Events older than this are forgotten; a client resuming from before gets what is left. */
    retentionHours: number;
    heartbeatMs: number;
  };
}

export const consoleConfigSchema: JSONSchemaType<ConsoleConfig> = {
  type: 'object',
  additionalProperties: false,
  required: ['sessionTtlMinutes', 'secureCookie', 'allowedOrigins', 'events'],
  properties: {
    sessionTtlMinutes: { type: 'number', exclusiveMinimum: 0, maximum: 43200 },
    secureCookie: { type: 'boolean' },
    allowedOrigins: { type: 'array', items: { type: 'string', pattern: '^https?://[^/\\s]+$' }, uniqueItems: true },
    events: {
      type: 'object',
      additionalProperties: false,
      required: ['pollIntervalMs', 'retentionHours', 'heartbeatMs'],
      properties: {
        pollIntervalMs: { type: 'integer', minimum: 10 },
        retentionHours: { type: 'number', exclusiveMinimum: 0 },
        heartbeatMs: { type: 'integer', minimum: 100 },
      },
    },
  },
};

export const CONSOLE_ENV: Record<string, EnvBinding> = {
  CONSOLE_SESSION_TTL_MINUTES: { key: 'console.sessionTtlMinutes', kind: 'number' },
  CONSOLE_SECURE_COOKIE: { key: 'console.secureCookie', kind: 'boolean' },
};
