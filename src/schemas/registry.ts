import fs from 'node:fs';
import path from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import type { AnySchema, ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { isDateTime } from '../domain/date-time';
import { findProjectRoot } from '../config/project-root';
import type { ProblemDetail } from '../errors';
import { decisionRequestSchema } from './action-schemas';
import { metricsBatchSchema, snapshotSchema } from './ingest-schemas';
import { rulePatchSchema } from './rule-schemas';
import { RULES_FILE } from './shared-schemas';
import { simulateRequestSchema } from './simulate-schemas';
import { featureSchemas } from './feature-schemas';
import { responseSchemas } from './response-schemas';
import { MAX_JSON_DEPTH, nestsDeeperThan } from './json-depth';
import { toProblems } from './problems';

export const SCHEMA_IDS = {
  rulesFile: RULES_FILE,
  rule: `${RULES_FILE}#/$defs/rule`,
  snapshot: snapshotSchema.$id,
  metricsBatch: metricsBatchSchema.$id,
  simulateRequest: simulateRequestSchema.$id,
  decisionRequest: decisionRequestSchema.$id,
  rulePatch: rulePatchSchema.$id,
} as const;

export type ValidationResult<T> = { ok: true; value: T } | { ok: false; errors: ProblemDetail[] };

export interface SchemaRegistry {
  /** Validates `data` against the schema with this $id (or $id#/pointer). */
  validate<T>(id: string, data: unknown, pointerPrefix?: string): ValidationResult<T>;
  /** Every registered schema, for the OpenAPI document. */
  schemas(): AnySchema[];
}

export function loadRulesFileSchema(): Record<string, unknown> {
  const file = path.join(findProjectRoot(), 'config', 'self-healing-rules.schema.json');
  return JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
}

/** One ajv instance for every shape; validators are compiled on first use and kept. */
export function createSchemaRegistry(): SchemaRegistry {
  const ajv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true });
  addFormats(ajv);
  // ajv-formats accepts a leap second (23:59:60), which no Date can hold: every date-time the
  // schemas pass must be one the service can use (src/domain/date-time.ts, shared with the query parser).
  ajv.addFormat('date-time', { type: 'string', validate: isDateTime });
  const all: AnySchema[] = [
    loadRulesFileSchema(),
    // The core request bodies, each beside its resource's replies; the order is the document's.
    snapshotSchema,
    metricsBatchSchema,
    simulateRequestSchema,
    decisionRequestSchema,
    rulePatchSchema,
    ...featureSchemas,
    // Reply shapes: the OpenAPI document and the contract tests validate with the same ajv.
    ...responseSchemas,
  ];
  for (const schema of all) ajv.addSchema(schema as AnySchema);
  const compiled = new Map<string, ValidateFunction>();

  return {
    validate<T>(id: string, data: unknown, pointerPrefix = ''): ValidationResult<T> {
      let fn = compiled.get(id);
      if (!fn) {
        fn = ajv.getSchema(id);
        if (!fn) throw new Error(`unknown schema ${id}`);
        compiled.set(id, fn);
      }
      // ajv recurses with the data on recursive schemas: refuse absurd nesting before it can overflow.
      if (nestsDeeperThan(data, MAX_JSON_DEPTH)) {
        return { ok: false, errors: [{ pointer: pointerPrefix, message: `nests deeper than ${MAX_JSON_DEPTH} levels` }] };
      }
      if (fn(data)) return { ok: true, value: data as T };
      return { ok: false, errors: toProblems(fn.errors, pointerPrefix) };
    },
    schemas: () => all,
  };
}
