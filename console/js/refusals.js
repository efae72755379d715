// @ts-check
/** @typedef {import('./vocabulary.js').ProblemCode} ProblemCode */

/**
 * The service's refusals, said in the words of the person who hit them. Keyed by the service's own
 * problem codes (vocabulary.js): a key that is not one of them does not type-check.
 * @type {Partial<Record<ProblemCode, string>>}
 */
const TEXT = {
  four_eyes: 'Four eyes: you asked for this action, so someone else must approve it.',
  already_decided: 'Already decided: someone else got there first.',
  approval_expired: 'Expired: the approval window closed before the decision.',
  condition_cleared: 'Condition cleared: fresh metrics no longer match the rule, so the action was not run.',
  paused: 'Automation is paused: nothing runs until it is resumed (Overview).',
  insufficient_role: 'Your role does not allow this.',
  cross_origin: 'Refused: the request did not come from the console\'s own address.',
  precondition_failed: 'Someone changed the rules file since you opened it.',
  already_reverted: 'Already reverted: someone (or the verification) got there first.',
  no_inverse: 'This kind of action has no inverse; it cannot be reverted.',
  not_succeeded: 'Only a succeeded action can be reverted.',
  is_a_revert: 'A revert is never reverted itself.',
  already_acknowledged: 'Already acknowledged: someone else got there first.',
  primary_unhealthy: 'The primary host is not healthy: traffic stays where it is.',
  silence_expired: 'Already over: the silence had ended or someone expired it.',
};

/**
 * @param {{ code?: string, message: string }} err an ApiError (or any error: its message)
 * @returns {string}
 */
export function refusalText(err) {
  const lead = err.code ? TEXT[/** @type {ProblemCode} */ (err.code)] : undefined;
  return lead ? `${lead} (${err.message})` : err.message;
}
