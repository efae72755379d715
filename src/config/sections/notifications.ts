import type { JSONSchemaType } from 'ajv';
import type { EnvBinding } from '../env';

/** Outbound events to n8n (and other webhook channels) and the inbound n8n webhook. */
export interface NotificationsConfig {
  n8n: { url: string; secret: string };
  /** This service's base URL as n8n reaches it; makes the "how to answer" links absolute. */
  publicUrl: string;
  /** Further webhook channels a rule may name: channel name -> URL. */
  channels: Record<string, string>;
  /**
   * Channels (log, n8n, or a name of `channels`) that want `action.shadowed` events; none by
   * default, so a rule on trial stays silent.
   */
  shadowChannels: string[];
  delivery: {
    maxAttempts: number;
    initialDelayMs: number;
    maxDelayMs: number;
    timeoutMs: number;
    pollIntervalMs: number;
    /** Delivered and failed entries are deleted this long after their last change. */
    retentionHours: number;
    /**
     * The most undelivered entries the outbox keeps (n8n down for long): beyond it new events are
     * dropped — the oldest are kept, to be delivered in order — counted, and logged as errors.
     */
    maxPending: number;
  };
  /** Per destination: stop sending to a webhook that keeps failing, and probe it again later. */
  breaker: { errorThresholdPercentage: number; volumeThreshold: number; resetTimeoutMs: number; rollingWindowMs: number };
  inbound: { auth: 'hmac' | 'token'; token: string; maxSkewSeconds: number };
}

export const notificationsConfigSchema: JSONSchemaType<NotificationsConfig> = {
  type: 'object',
  additionalProperties: false,
  required: ['n8n', 'publicUrl', 'channels', 'shadowChannels', 'delivery', 'breaker', 'inbound'],
  properties: {
    n8n: {
      type: 'object',
      additionalProperties: false,
      required: ['url', 'secret'],
      properties: {
        url: { type: 'string', pattern: '^(https?://[^\\s]+)?$' },
        secret: { type: 'string' },
      },
    },
    publicUrl: { type: 'string', pattern: '^(https?://[^\\s]+)?$' },
    channels: {
      type: 'object',
      required: [],
      propertyNames: { pattern: '^[a-z][a-z0-9_-]{0,31}$' },
      additionalProperties: { type: 'string', pattern: '^https?://[^\\s]+$' },
    },
    shadowChannels: {
      type: 'array',
      uniqueItems: true,
      items: { type: 'string', pattern: '^[a-z][a-z0-9_-]{0,31}$' },
    },
    delivery: {
      type: 'object',
      additionalProperties: false,
      required: ['maxAttempts', 'initialDelayMs', 'maxDelayMs', 'timeoutMs', 'pollIntervalMs', 'retentionHours', 'maxPending'],
      properties: {
        maxAttempts: { type: 'integer', minimum: 1 },
        initialDelayMs: { type: 'integer', minimum: 1 },
        maxDelayMs: { type: 'integer', minimum: 1 },
        timeoutMs: { type: 'integer', minimum: 1 },
        pollIntervalMs: { type: 'integer', minimum: 10 },
        retentionHours: { type: 'integer', minimum: 1 },
        maxPending: { type: 'integer', minimum: 1 },
      },
    },
    breaker: {
      type: 'object',
      additionalProperties: false,
      required: ['errorThresholdPercentage', 'volumeThreshold', 'resetTimeoutMs', 'rollingWindowMs'],
      properties: {
        errorThresholdPercentage: { type: 'integer', minimum: 1, maximum: 100 },
        volumeThreshold: { type: 'integer', minimum: 1 },
        resetTimeoutMs: { type: 'integer', minimum: 10 },
        rollingWindowMs: { type: 'integer', minimum: 100 },
      },
    },
    inbound: {
      type: 'object',
      additionalProperties: false,
      required: ['auth', 'token', 'maxSkewSeconds'],
      properties: {
        auth: { type: 'string', enum: ['hmac', 'token'] },
        token: { type: 'string' },
        maxSkewSeconds: { type: 'integer', minimum: 1 },
      },
    },
  },
};

export const NOTIFICATIONS_ENV: Record<string, EnvBinding> = {
  N8N_WEBHOOK_URL: { key: 'notifications.n8n.url', kind: 'string' },
  N8N_WEBHOOK_SECRET: { key: 'notifications.n8n.secret', kind: 'string' },
  N8N_INBOUND_TOKEN: { key: 'notifications.inbound.token', kind: 'string' },
  N8N_INBOUND_AUTH: { key: 'notifications.inbound.auth', kind: 'string' },
  SELF_HEALING_PUBLIC_URL: { key: 'notifications.publicUrl', kind: 'string' },
  NOTIFY_MAX_ATTEMPTS: { key: 'notifications.delivery.maxAttempts', kind: 'number' },
  NOTIFY_MAX_PENDING: { key: 'notifications.delivery.maxPending', kind: 'number' },
};
