import { ACTION_STATUSES } from '../domain/action';
import { DECISION_KINDS } from '../domain/decision';
import { PROBLEM_CODES } from '../domain/problem-codes';
import { ACTION_TYPES, SEVERITIES } from '../domain/rule';

/**
 * What several resources share: the $id bases, the problem document and common field shapes. Each
 * resource's request and reply schemas live in its own module and import from here only.
 */
export const SCHEMA_BASE = 'https://self-healing.local/schemas';
export const REPLY_BASE = `${SCHEMA_BASE}/responses`;
export const RULES_FILE = `${SCHEMA_BASE}/rules-file.json`;

export const dateTime = { type: 'string', format: 'date-time' } as const;
/**
 * A date-time from a body other systems send (a snapshot's timestamp, Alertmanager's startsAt and
 * endsAt, a replay's window): its length is bounded before the date parser reads it, and the bound
 * is part of the published contract, so it stays.
 */
export const boundedDateTime = { ...dateTime, maxLength: 64 } as const;
export const nullableDateTime = { type: ['string', 'null'], format: 'date-time' } as const;
export const nullableString = { type: ['string', 'null'] } as const;
export const uuid = { type: 'string', format: 'uuid' } as const;
export const severity = { enum: SEVERITIES } as const;
export const actionType = { enum: ACTION_TYPES } as const;
export const actionStatus = { enum: ACTION_STATUSES } as const;
export const decisionKind = { enum: DECISION_KINDS } as const;
/** A rule's decision after its mode: a shadow rule's is `shadow`, with `wouldDecide`. */
export const ruleDecisionKind = { enum: [...DECISION_KINDS, 'shadow'] } as const;

/** RFC 9457 problem details as the error handler writes them; kinds may add extension members. */
export const problemSchema = {
  $id: `${REPLY_BASE}/problem.json`,
  title: 'Problem',
  description:
    'application/problem+json (RFC 9457). `code` is stable (one of the listed values; clients branch on it, never on the words); `errors` lists every validation problem with a JSON pointer. Some kinds add members (currentVersion, lastError, reason, checks, state, ...).',
  type: 'object',
  required: ['type', 'title', 'status', 'code', 'detail', 'instance'],
  properties: {
    type: { type: 'string' },
    title: { type: 'string' },
    status: { type: 'integer', minimum: 400, maximum: 599 },
    code: { type: 'string', enum: PROBLEM_CODES },
    detail: { type: 'string' },
    instance: { type: 'string' },
    errors: {
      type: 'array',
      items: { $ref: `${REPLY_BASE}/problem-detail.json` },
    },
  },
} as const;

export const problemDetailSchema = {
  $id: `${REPLY_BASE}/problem-detail.json`,
  title: 'ProblemDetail',
  type: 'object',
  additionalProperties: false,
  required: ['pointer', 'message'],
  properties: { pointer: { type: 'string' }, message: { type: 'string' } },
} as const;
