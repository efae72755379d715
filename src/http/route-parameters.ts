import { NAME_PATTERN, UUID_PATTERN } from '../domain/identifiers';
import type { ParameterSpec } from './route-declaration';

/**
 * Parameters and error statuses several route declarations share. `as const`: a declaration's
 * query names are read from their literal types (readQuery).
 */

export const ruleNameParam = {
  name: 'name',
  in: 'path',
  required: true,
  description: 'Rule name: 1-100 letters, digits, dots, underscores or dashes (checked before any file or store access).',
  schema: { type: 'string', pattern: NAME_PATTERN.source },
} as const satisfies ParameterSpec;

export const promptNameParam = {
  name: 'name',
  in: 'path',
  required: true,
  description: 'Prompt name: same shape as a rule name.',
  schema: { type: 'string', pattern: NAME_PATTERN.source },
} as const satisfies ParameterSpec;

export const idParam = (what: string) =>
  ({
    name: 'id',
    in: 'path',
    required: true,
    description: `${what} id (a lower-case UUID).`,
    schema: { type: 'string', pattern: UUID_PATTERN.source },
  }) as const satisfies ParameterSpec;

export const ifMatch = {
  name: 'If-Match',
  in: 'header',
  description: 'The rules file version (ETag) this edit is based on; a stale one gets 412. Omit to write unconditionally.',
  schema: { type: 'string' },
} as const satisfies ParameterSpec;

export const idempotencyKey = {
  name: 'Idempotency-Key',
  in: 'header',
  description:
    'Any 1-255 visible ASCII characters (a UUID) naming this request. A retry with the same key and the same request (body, query) gets the first reply again, marked `Idempotent-Replayed: true`: same snapshotId, same decisions, nothing stored or dispatched again, on any instance, for `snapshots.idempotency.ttlMinutes` (default 24 h). Only 2xx replies are kept. The same key with a different request gets 422 `idempotency_key_reused`. A retry that arrives while the first request is still being answered waits for its reply. See docs/api.md.',
  schema: { type: 'string', pattern: '^[\\x21-\\x7e]{1,255}$' },
} as const satisfies ParameterSpec;

export const idempotencyErrors = [
  { status: 409, description: '`idempotency_key_in_progress`: a request with this Idempotency-Key is still being answered after `snapshots.idempotency.inProgressTimeoutMs`; try again.' },
  { status: 422, description: '`idempotency_key_reused`: this Idempotency-Key was used for a different request.' },
] as const;

/** What every ingest route reads from its query. */
export const ingestQueryParams = [
  { name: 'wait', in: 'query', description: '`true`: wait for executed actions to finish and report their final status.', schema: { enum: ['true', 'false'] } },
  {
    name: 'decisions',
    in: 'query',
    description: '`acted`: list only decisions that did something, leaving out `cooldown` and `duplicate_pending` ones (`counts` still counts them); `all` (default): every decision.',
    schema: { enum: ['all', 'acted'], default: 'all' },
  },
] as const satisfies readonly ParameterSpec[];

/** A date-time in a query (RFC 3339; a longer text is no date the service writes). */
export const dateTimeQuery = { type: 'string', format: 'date-time', maxLength: 64 } as const;
/** An id in a query: a UUID as the service issues them (lower case). */
export const uuidQuery = { type: 'string', format: 'uuid', pattern: UUID_PATTERN.source } as const;

export const sinceParam = { name: 'since', in: 'query', description: 'Created at or after (ISO 8601).', schema: dateTimeQuery } as const satisfies ParameterSpec;
export const untilParam = { name: 'until', in: 'query', description: 'Created before (ISO 8601).', schema: dateTimeQuery } as const satisfies ParameterSpec;
export const limitParam = {
  name: 'limit',
  in: 'query',
  description: 'Page size, 1-500 (default 50).',
  schema: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
} as const satisfies ParameterSpec;
export const cursorParam = {
  name: 'cursor',
  in: 'query',
  description: '`nextCursor` of the previous page.',
  schema: { type: 'string', format: 'cursor', pattern: '^[A-Za-z0-9_-]+$', maxLength: 200 },
} as const satisfies ParameterSpec;
/** The time window and paging of the action and alert lists. */
export const pageParams = [sinceParam, untilParam, limitParam, cursorParam] as const;

export const ruleFilter = { name: 'rule', in: 'query', description: 'Only this rule.', schema: { type: 'string', pattern: NAME_PATTERN.source } } as const satisfies ParameterSpec;

export const notFound = (what: string) => ({ status: 404, description: `No such ${what}.` });

export const rulesWriteErrors = [
  { status: 409, description: '`rule_exists` (create) or `rules_file_invalid`: the file on disk is invalid; fix it first.' },
  { status: 412, description: 'If-Match does not match the file on disk (`currentVersion` says what does).' },
  { status: 503, description: 'Another writer (another instance) held the rules file lock for longer than 5 s; retry.' },
] as const;
