/**
 * Every `code` an application/problem+json reply can carry (src/errors.ts takes only these). Clients
 * branch on the code, never on the words: the console reads this list from the service
 * (`/console/vocabulary.js`), so a code added here reaches it without a copy to keep in step.
 */
export const PROBLEM_CODES = [
  // Any route
  'validation_failed',
  'bad_request',
  'not_found',
  'method_not_allowed',
  'not_acceptable',
  'unsupported_media_type',
  'payload_too_large',
  'request_aborted',
  'too_many_requests',
  'service_unavailable',
  'internal_error',
  'conflict',
  'concurrent_update',
  // Access: keys, sessions, browsers, hosts
  'unauthorized',
  'forbidden',
  'insufficient_role',
  'cross_origin',
  'misdirected_request',
  'sign_in_not_needed',
  'webhook_unauthorized',
  // Versions and retries
  'precondition_failed',
  'precondition_required',
  'idempotency_key_reused',
  'idempotency_key_in_progress',
  // Rules
  'rules_file_invalid',
  'rule_exists',
  'rule_disabled',
  // Approvals
  'four_eyes',
  'already_decided',
  'approval_expired',
  'condition_cleared',
  'paused',
  // Reverts
  'no_inverse',
  'not_succeeded',
  'is_a_revert',
  'already_reverted',
  // Targets
  'primary_unhealthy',
  'no_active_version',
  'no_previous_version',
  'version_limit',
  'already_acknowledged',
  // Silences
  'silence_expired',
] as const;
export type ProblemCode = (typeof PROBLEM_CODES)[number];
