import type { AppConfig } from '../config/schema';
import type { Rule } from '../domain/rule';
import { verifySpecOf } from '../domain/verify-spec';
import { isRevertible, targetOfAction } from './action-specs';

/**
 * What a replay (the service's, or `self-healing rules test`) needs to play budgets and
 * verification windows as the service would: its limits and verification defaults, each action's
 * target and which types can be reverted.
 */
export function closedLoopFacts(config: Pick<AppConfig, 'verify' | 'limits'>) {
  return {
    perTarget: { ...config.limits.perTarget },
    verifySpecFor: (rule: Rule) => verifySpecOf(rule, config.verify.defaults),
    targetOf: (rule: Rule) => targetOfAction(rule.action.type, rule.action.params),
    revertible: isRevertible,
  };
}
