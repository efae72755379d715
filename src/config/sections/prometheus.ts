import type { JSONSchemaType } from 'ajv';
import type { EnvBinding } from '../env';

/** GET /metrics and the Alertmanager webhook (docs/prometheus.md). */
export interface PrometheusConfig {
  /**
   * How many distinct snapshot sources get their own `source` label value; later ones are counted as
   * `other`. Every label value is a time series in Prometheus, so a client that invents sources must
   * not be able to grow them without bound.
   */
  maxSourceLabels: number;
  alertmanager: {
    /** The alert label whose value becomes the snapshot's source. */
    sourceLabel: string;
    /** The source of alerts that lack that label. */
    defaultSource: string;
  };
}

const sourceName = { type: 'string', minLength: 1, maxLength: 128, pattern: '^[\\x21-\\x7E]+$' } as const;

export const prometheusConfigSchema: JSONSchemaType<PrometheusConfig> = {
  type: 'object',
  additionalProperties: false,
  required: ['maxSourceLabels', 'alertmanager'],
  properties: {
    maxSourceLabels: { type: 'integer', minimum: 1, maximum: 10_000 },
    alertmanager: {
      type: 'object',
      additionalProperties: false,
      required: ['sourceLabel', 'defaultSource'],
      properties: {
        sourceLabel: { type: 'string', minLength: 1, maxLength: 200 },
        defaultSource: sourceName,
      },
    },
  },
};

export const PROMETHEUS_ENV: Record<string, EnvBinding> = {
  METRICS_MAX_SOURCE_LABELS: { key: 'prometheus.maxSourceLabels', kind: 'number' },
  ALERTMANAGER_SOURCE_LABEL: { key: 'prometheus.alertmanager.sourceLabel', kind: 'string' },
};
