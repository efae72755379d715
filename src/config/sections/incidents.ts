import type { JSONSchemaType } from 'ajv';
import { GROUP_LABELS, type GroupLabel } from '../../domain/incident';

/** How notifications go out: one per incident and change, one per rule as before, or both. */
export const INCIDENT_NOTIFY_MODES = ['incident', 'rule', 'both'] as const;
export type IncidentNotifyMode = (typeof INCIDENT_NOTIFY_MODES)[number];

/** Grouping what one cause sets off into incidents (docs/incidents.md), like Alertmanager's route grouping. */
export interface IncidentsConfig {
  /** The labels that make one group (Alertmanager's group_by); default ["source"]. */
  groupBy: GroupLabel[];
  /** How long a new incident collects before its first notification (group_wait); 0: at once. */
  groupWaitSeconds: number;
  /** An open incident with no new decision for this long is resolved as `quiet`. */
  resolveAfterMinutes: number;
  notify: IncidentNotifyMode;
}

export const incidentsConfigSchema: JSONSchemaType<IncidentsConfig> = {
  type: 'object',
  additionalProperties: false,
  required: ['groupBy', 'groupWaitSeconds', 'resolveAfterMinutes', 'notify'],
  properties: {
    groupBy: { type: 'array', minItems: 1, maxItems: GROUP_LABELS.length, uniqueItems: true, items: { type: 'string', enum: [...GROUP_LABELS] } },
    groupWaitSeconds: { type: 'number', minimum: 0, maximum: 3600 },
    resolveAfterMinutes: { type: 'number', exclusiveMinimum: 0, maximum: 10_080 },
    notify: { type: 'string', enum: [...INCIDENT_NOTIFY_MODES] },
  },
};
