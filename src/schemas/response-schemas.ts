import { actionSchema, actionPageSchema } from './action-schemas';
import { alertSchema, alertPageSchema } from './alert-schemas';
import { healthSchema, rulesFileErrorSchema, readinessSchema, strategyCheckSchema } from './health-schemas';
import { ingestResultSchema, decisionCountsSchema, batchIngestResultSchema, appliedDecisionSchema, inhibitedBySchema } from './ingest-schemas';
import { notificationPageSchema } from './notification-schemas';
import { openApiDocumentSchema } from './openapi-schemas';
import { promptVersionSchema, activePromptSchema, promptSchema, promptListSchema, promptVersionCreatedSchema } from './prompt-schemas';
import { routerStateSchema, routerResetResultSchema } from './router-health-schemas';
import { ruleActionSchema, effectiveRuleSchema, rulesListSchema, ruleDetailSchema, ruleWriteSchema, ruleDeletedSchema, rulesValidationSchema } from './rule-schemas';
import { problemSchema, problemDetailSchema } from './shared-schemas';
import { conditionOutcomeSchema, simulateResultSchema } from './simulate-schemas';
import { throttleStateSchema, throttleRestoreResultSchema } from './throttle-schemas';
import { triggerResultSchema } from './trigger-schemas';

/**
 * Every reply shape of the API, listed for the registry and the OpenAPI operation table. Each shape
 * lives beside its resource's request schemas (action-schemas.ts, rule-schemas.ts, ...); what several
 * resources share (problem details, common field shapes) is in shared-schemas.ts. Each has an $id, is
 * registered in the same ajv registry as the request schemas and feeds the OpenAPI document; the
 * integration tests validate real replies against them, so a reply that drifts from its schema fails
 * a test. Objects are closed (additionalProperties/unevaluatedProperties false) so that an
 * undocumented field is caught too.
 *
 * RESPONSE_SCHEMA_IDS: $ids of the reply schemas, for the OpenAPI operation table and the tests.
 */
export const RESPONSE_SCHEMA_IDS = {
  problem: problemSchema.$id,
  health: healthSchema.$id,
  readiness: readinessSchema.$id,
  routerState: routerStateSchema.$id,
  routerResetResult: routerResetResultSchema.$id,
  action: actionSchema.$id,
  actionPage: actionPageSchema.$id,
  ingestResult: ingestResultSchema.$id,
  batchIngestResult: batchIngestResultSchema.$id,
  triggerResult: triggerResultSchema.$id,
  simulateResult: simulateResultSchema.$id,
  rulesList: rulesListSchema.$id,
  ruleDetail: ruleDetailSchema.$id,
  ruleWrite: ruleWriteSchema.$id,
  ruleDeleted: ruleDeletedSchema.$id,
  rulesValidation: rulesValidationSchema.$id,
  prompt: promptSchema.$id,
  promptList: promptListSchema.$id,
  activePrompt: activePromptSchema.$id,
  promptVersionCreated: promptVersionCreatedSchema.$id,
  throttleState: throttleStateSchema.$id,
  throttleRestoreResult: throttleRestoreResultSchema.$id,
  alert: alertSchema.$id,
  alertPage: alertPageSchema.$id,
  openApiDocument: openApiDocumentSchema.$id,
  notificationPage: notificationPageSchema.$id,
} as const;

export const responseSchemas = [
  problemSchema,
  problemDetailSchema,
  healthSchema,
  rulesFileErrorSchema,
  readinessSchema,
  strategyCheckSchema,
  routerStateSchema,
  routerResetResultSchema,
  actionSchema,
  actionPageSchema,
  ingestResultSchema,
  decisionCountsSchema,
  batchIngestResultSchema,
  appliedDecisionSchema,
  inhibitedBySchema,
  triggerResultSchema,
  conditionOutcomeSchema,
  simulateResultSchema,
  ruleActionSchema,
  effectiveRuleSchema,
  rulesListSchema,
  ruleDetailSchema,
  ruleWriteSchema,
  ruleDeletedSchema,
  rulesValidationSchema,
  promptVersionSchema,
  activePromptSchema,
  promptSchema,
  promptListSchema,
  promptVersionCreatedSchema,
  throttleStateSchema,
  throttleRestoreResultSchema,
  alertSchema,
  alertPageSchema,
  notificationPageSchema,
  openApiDocumentSchema,
];
