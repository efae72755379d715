import type { ActionRecord } from '../domain/action';
import type { ConditionOutcome } from '../engine/condition-outcomes';
import type { Evaluator } from '../engine/evaluate';
import type { RulesService } from '../rules/rules-service';
import type { Store } from '../store/store';

/** The newest snapshot since the request on which the rule no longer matches, and what now fails. */
export interface ClearedCondition {
  snapshotId: string;
  receivedAt: Date;
  failedConditions: ConditionOutcome[];
}

/**
 * Before an approval runs: does the rule still match the newest snapshot its source sent after the
 * action was requested? Null when it does, or when there is nothing newer to tell (no source, no
 * newer snapshot, rule gone): then the approval goes ahead as before.
 */
export async function clearedCondition(
  deps: { store: Pick<Store, 'latestSnapshotFrom'>; rules: Pick<RulesService, 'current'>; evaluator: Pick<Evaluator, 'evaluateRules'> },
  action: ActionRecord,
): Promise<ClearedCondition | null> {
  const source = action.snapshot?.source;
  if (!source) return null;
  const ruleset = deps.rules.current();
  const rule = ruleset.byName.get(action.rule);
  if (!rule) return null;
  const latest = await deps.store.latestSnapshotFrom(source, action.createdAt);
  if (!latest) return null;
  const [evaluation] = await deps.evaluator.evaluateRules([rule], ruleset, latest.metrics);
  if (!evaluation || evaluation.matched) return null;
  return { snapshotId: latest.id, receivedAt: latest.receivedAt, failedConditions: evaluation.failedConditions };
}
