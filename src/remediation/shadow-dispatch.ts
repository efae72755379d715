import type { ActionRecord } from '../domain/action';
import { buildEvent } from '../domain/events';
import type { StoredSnapshot } from '../domain/snapshot';
import type { RuleEvaluation } from '../engine/evaluate';
import type { RuleDecision } from '../engine/rule-decisions';
import { newAction } from './new-action';
import type { PipelineDeps } from './pipeline-deps';

export type ShadowDispatch =
  | { ok: true; action: ActionRecord; cooldownUntil: Date }
  | { ok: false; until: Date };

/**
 * Records what a shadow rule would have done: an action with status `shadowed`, through the same
 * atomic dispatch as a real one so that the rule's own cooldown holds across instances. No strategy
 * runs and no approval is asked; the one event goes only to notifications.shadowChannels.
 */
export async function dispatchShadow(
  deps: PipelineDeps,
  decision: RuleDecision,
  match: RuleEvaluation,
  snapshot: StoredSnapshot | null,
  requestedBy: string,
): Promise<ShadowDispatch> {
  const { store, clock, config } = deps;
  const now = clock.now();
  const rule = match.rule;
  const action = newAction({
    rule,
    status: 'shadowed',
    now,
    requestedBy,
    snapshot,
    matchedFacts: { ...match.matchedFacts, shadow: { wouldDecide: decision.wouldDecide } },
    expiresAt: null,
  });
  const cooldownUntil = new Date(now.getTime() + rule.cooldownMinutes * 60_000);
  const channels = config.notifications.shadowChannels;
  // Committed with the shadowed record, like every action event.
  const events =
    channels.length > 0
      ? [buildEvent('action.shadowed', now, { action, channels, data: { wouldDecide: decision.wouldDecide, matchedFacts: match.matchedFacts } })]
      : [];
  const outcome = await store.dispatchAction(action, cooldownUntil, now, undefined, events);
  // A shadowed record is never an open approval, so the only race to lose is the cooldown.
  if (!outcome.ok) return { ok: false, until: outcome.reason === 'cooldown' ? outcome.until : now };
  for (const event of events) deps.notifier.notify(event);
  return { ok: true, action, cooldownUntil };
}
