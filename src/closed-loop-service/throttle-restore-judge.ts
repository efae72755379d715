import type { Clock } from '../clock';
import type { ThrottleRestorePlan } from '../domain/state';
import type { Evaluator } from '../engine/evaluate';
import type { RulesService } from '../rules/rules-service';
import type { Store } from '../store/store';

/** What the rule that throttled says now; 'unknown' when there is nothing to judge it by. */
export interface RestoreVerdict {
  verdict: 'matches' | 'clear' | 'unknown';
  snapshotId?: string;
}

export type ThrottleRestoreJudge = (plan: ThrottleRestorePlan) => Promise<RestoreVerdict>;

/**
 * Before each step of a throttle restoring in steps: does its rule match the newest snapshot its
 * source sent during the last step? Judged by the same evaluator as ingest, so a step is taken
 * exactly when ingest would no longer have fired the rule.
 */
export function throttleRestoreJudge(deps: {
  store: Pick<Store, 'latestSnapshotFrom'>;
  rules: Pick<RulesService, 'isLoaded' | 'current'>;
  evaluator: Pick<Evaluator, 'evaluateRules'>;
  clock: Clock;
}): ThrottleRestoreJudge {
  return async (plan) => {
    if (!plan.source || !deps.rules.isLoaded()) return { verdict: 'unknown' };
    const ruleset = deps.rules.current();
    const rule = ruleset.byName.get(plan.rule);
    if (!rule) return { verdict: 'unknown' };
    const since = new Date(deps.clock.now().getTime() - plan.stepMinutes * 60_000);
    const latest = await deps.store.latestSnapshotFrom(plan.source, since);
    if (!latest) return { verdict: 'unknown' };
    const [evaluation] = await deps.evaluator.evaluateRules([rule], ruleset, latest.metrics);
    return { verdict: evaluation?.matched ? 'matches' : 'clear', snapshotId: latest.id };
  };
}
