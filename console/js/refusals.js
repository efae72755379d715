/** The service's refusals, said in the words of the person who hit them. */
const TEXT = {
  four_eyes: 'Four eyes: you asked for this action, so someone else must approve it.',
  already_decided: 'Already decided: someone else got there first.',
  approval_expired: 'Expired: the approval window closed before the decision.',
  condition_cleared: 'Condition cleared: fresh metrics no longer match the rule, so the action was not run.',
  paused: 'Automation is paused: nothing runs until it is resumed (Overview).',
  budget_exhausted: 'The action budget for this target is used up for now.',
  insufficient_role: 'Your role does not allow this.',
  cross_origin: 'Refused: the request did not come from the console\'s own address.',
  precondition_failed: 'Someone changed the rules file since you opened it.',
  already_reverted: 'Already reverted: someone (or the verification) got there first.',
  no_inverse: 'This kind of action has no inverse; it cannot be reverted.',
  not_succeeded: 'Only a succeeded action can be reverted.',
  is_a_revert: 'A revert is never reverted itself.',
};

export function refusalText(err) {
  const lead = TEXT[err.code];
  return lead ? `${lead} (${err.message})` : err.message;
}
