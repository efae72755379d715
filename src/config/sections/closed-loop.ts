import type { JSONSchemaType } from 'ajv';

/** One action type's verification default; `false`: its actions are not verified. */
export type VerifyDefault = { windowMinutes: number; onIneffective: 'revert' | 'escalate' | 'none' } | false;

/** Outcome verification: per-type defaults (a rule's own `verify` wins) and how often windows are decided. */
export interface VerifyConfig {
  defaults: {
    model_failover: VerifyDefault;
    prompt_rollback: VerifyDefault;
    service_restart: VerifyDefault;
    throttle: VerifyDefault;
    alert_only: VerifyDefault;
  };
  /** How often the lease holder decides ended windows and lifts an expired pause. */
  sweepIntervalMs: number;
}

/** Blast-radius limits: at most `maxActions` actions per target in any `windowMinutes`. */
export interface LimitsConfig {
  perTarget: { windowMinutes: number; maxActions: number };
  /** At most `maxActions` actions per incident (docs/incidents.md); absent: no such budget. */
  perIncident?: { maxActions: number };
}

const verifyDefault = {
  anyOf: [
    { type: 'boolean', const: false },
    {
      type: 'object',
      additionalProperties: false,
      required: ['windowMinutes', 'onIneffective'],
      properties: {
        windowMinutes: { type: 'number', exclusiveMinimum: 0, maximum: 10_080 },
        onIneffective: { type: 'string', enum: ['revert', 'escalate', 'none'] },
      },
    },
  ],
} as unknown as JSONSchemaType<VerifyDefault>;

export const verifyConfigSchema: JSONSchemaType<VerifyConfig> = {
  type: 'object',
  additionalProperties: false,
  required: ['defaults', 'sweepIntervalMs'],
  properties: {
    defaults: {
      type: 'object',
      additionalProperties: false,
      required: ['model_failover', 'prompt_rollback', 'service_restart', 'throttle', 'alert_only'],
      properties: {
        model_failover: verifyDefault,
        prompt_rollback: verifyDefault,
        service_restart: verifyDefault,
        throttle: verifyDefault,
        alert_only: verifyDefault,
      },
    },
    sweepIntervalMs: { type: 'integer', minimum: 10 },
  },
};

export const limitsConfigSchema: JSONSchemaType<LimitsConfig> = {
  type: 'object',
  additionalProperties: false,
  required: ['perTarget'],
  properties: {
    perTarget: {
      type: 'object',
      additionalProperties: false,
      required: ['windowMinutes', 'maxActions'],
      properties: {
        windowMinutes: { type: 'number', exclusiveMinimum: 0, maximum: 525_600 },
        maxActions: { type: 'integer', minimum: 1, maximum: 100_000 },
      },
    },
    perIncident: {
      type: 'object',
      nullable: true,
      additionalProperties: false,
      required: ['maxActions'],
      properties: { maxActions: { type: 'integer', minimum: 1, maximum: 1000 } },
    },
  },
};
