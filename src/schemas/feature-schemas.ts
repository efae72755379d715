import type { AnySchema } from 'ajv';
import { alertSchemas } from './alert-schemas';
import { closedLoopSchemas } from './closed-loop-schemas';
import { consoleSchemas } from './console-schemas';
import { alertmanagerSchemas } from './alertmanager-schemas';
import { promptSchemas } from './prompt-schemas';
import { replaySchemas } from './replay-schemas';
import { rulesCasesSchema } from './rules-cases-schemas';
import { rulesHistorySchemas } from './rules-history-schemas';
import { snapshotSchemas } from './snapshot-schemas';
import { routerResetRequestSchema } from './router-health-schemas';
import { triggerRequestSchema } from './trigger-schemas';
import { webhookSchemas } from './webhook-schemas';
import { sourceSchemas } from './source-schemas';
import { silenceSchemas } from './silence-schemas';
import { incidentSchemas } from './incident-schemas';

/**
 * Request-body schemas of the feature routes (prompts, throttle, alerts, router, ...). Each feature
 * keeps its schemas in its own module and lists them here, so one registry compiles them all.
 */
export const featureSchemas: AnySchema[] = [
  routerResetRequestSchema,
  ...promptSchemas,
  ...alertSchemas,
  triggerRequestSchema,
  ...webhookSchemas,
  ...alertmanagerSchemas,
  ...replaySchemas,
  rulesCasesSchema,
  ...rulesHistorySchemas,
  ...consoleSchemas,
  ...closedLoopSchemas,
  ...snapshotSchemas,
  ...sourceSchemas,
  ...silenceSchemas,
  ...incidentSchemas,
];
