import type { ActionRecord } from '../domain/action';
import { ConflictError, ForbiddenError, NotFoundError } from '../errors';
import { buildEvent, type NotificationEvent } from '../domain/events';
import type { RulesService } from '../rules/rules-service';
import type { ActionStore } from '../store/action-store';
import type { SnapshotStore } from '../store/snapshot-store';
import type { PipelineDepsOn } from '../execution/pipeline-deps';
import type { Evaluator } from '../engine/evaluate';
import type { ActionExecutor } from '../execution/executor';
import { clearedCondition } from './fresh-approval';
import { approvalExpired } from '../closed-loop/dispatch-rules';
import type { PauseService } from '../execution/pause';

export interface ApprovalDeps extends PipelineDepsOn<ActionStore & SnapshotStore> {
  executor: ActionExecutor;
  rules: RulesService;
  /** Recorded as the `runner` of actions approved (and so run) here. */
  instanceId: string;
  evaluator: Pick<Evaluator, 'evaluateRules'>;
  pause: Pick<PauseService, 'current'>;
}

export interface DecisionInput {
  by: string;
  comment?: string;
  /**
   * The API key that made the decision. When present it is the decider on record (`decidedBy`),
   * and a `by` that differs is kept as a note in front of the comment.
   */
  keyName?: string;
  /** Approve even though the rule no longer matches the latest snapshot (recorded on the action). */
  force?: boolean;
}

/** Who decided, and the comment to keep: a key's name outranks what the body claims. */
function decisionOf(input: DecisionInput): { by: string; comment: string | null } {
  if (input.keyName === undefined || input.by === input.keyName) return { by: input.keyName ?? input.by, comment: input.comment ?? null };
  return { by: input.keyName, comment: `(by ${input.by})${input.comment ? ` ${input.comment}` : ''}` };
}

/**
 * The approval gate. Every decision is one conditional transition from `pending_approval`, so the
 * first decision wins everywhere (threads, processes, instances) and later ones get 409.
 */
export class ApprovalService {
  constructor(private readonly deps: ApprovalDeps) {}

  /** Approves, runs the action, and returns it with its outcome. */
  async approve(id: string, input: DecisionInput): Promise<ActionRecord> {
    const action = await this.refuseIfExpired(id);
    const decision = decisionOf(input);
    this.refuseSameRequester(action, decision.by);
    const forcedApproval = action.status === 'pending_approval' ? await this.refuseIfStale(action, input.force === true) : null;
    const now = this.deps.clock.now();
    const approved = await this.deps.store.transitionAction(id, ['pending_approval'], {
      status: 'approved',
      decidedBy: decision.by,
      decidedAt: now,
      decisionComment: decision.comment,
      updatedAt: now,
      runner: this.deps.instanceId,
      ...(forcedApproval ? { forcedApproval } : {}),
    });
    if (!approved) throw await this.alreadyDecided(id);
    this.deps.logger.info('action approved', { actionId: id, rule: approved.rule, by: decision.by });
    const running = await this.deps.store.transitionAction(id, ['approved'], {
      status: 'running',
      startedAt: this.deps.clock.now(),
      updatedAt: this.deps.clock.now(),
    });
    if (!running) throw await this.alreadyDecided(id);
    return this.deps.executor.run(running, this.deps.rules.ruleNamed(running.rule));
  }

  /**
   * While automation is paused nothing is approved; and an approval is checked against the newest
   * snapshot from the action's source: a rule that no longer matches is refused unless forced.
   * Returns what a forced approval overrode, to be kept on the action.
   */
  private async refuseIfStale(action: ActionRecord, force: boolean): Promise<ActionRecord['forcedApproval']> {
    const pause = await this.deps.pause.current();
    if (pause.paused) {
      throw new ConflictError(
        `automation is paused${pause.by ? ` by ${pause.by}` : ''}${pause.until ? ` until ${pause.until}` : ''} (${pause.reason ?? 'no reason given'}); resume it before approving`,
        { pause },
        'paused',
      );
    }
    // A failback goes by the primary's probes, not by its rule: that rule no longer matching is the point.
    if (action.failbackOf) return null;
    const cleared = await clearedCondition(this.deps, action);
    if (!cleared) return null;
    const failed = cleared.failedConditions.map((c) => ({ ...c, factValue: c.factValue ?? null }));
    if (force) {
      this.deps.logger.warn('approval forced over a cleared condition', { actionId: action.id, snapshotId: cleared.snapshotId });
      return { snapshotId: cleared.snapshotId, failedConditions: failed };
    }
    const names = failed.map((c) => `${c.path ? `${c.fact}${c.path.slice(1)}` : c.fact} ${c.operator} ${JSON.stringify(c.value)} (now ${JSON.stringify(c.factValue)})`);
    throw new ConflictError(
      `rule ${action.rule} no longer matches snapshot ${cleared.snapshotId} (received ${cleared.receivedAt.toISOString()}): ${names.join('; ') || 'its conditions fail'}. Reject the action, or approve with "force": true`,
      { snapshotId: cleared.snapshotId, snapshotReceivedAt: cleared.receivedAt.toISOString(), failedConditions: failed },
      'condition_cleared',
    );
  }

  async reject(id: string, input: DecisionInput): Promise<ActionRecord> {
    await this.refuseIfExpired(id);
    const decision = decisionOf(input);
    const now = this.deps.clock.now();
    let event: NotificationEvent | null = null;
    const rejected = await this.deps.store.transitionAction(
      id,
      ['pending_approval'],
      {
        status: 'rejected',
        decidedBy: decision.by,
        decidedAt: now,
        decisionComment: decision.comment,
        updatedAt: now,
        finishedAt: now,
      },
      undefined,
      (next) => [
        (event = buildEvent('action.rejected', now, {
          action: next,
          data: { by: decision.by, comment: decision.comment },
          channels: this.deps.rules.channelsFor(next.rule),
        })),
      ],
    );
    if (!rejected) throw await this.alreadyDecided(id);
    this.deps.logger.info('action rejected', { actionId: id, rule: rejected.rule, by: decision.by });
    if (event) this.deps.notifier.notify(event);
    return rejected;
  }

  /** Marks every overdue approval expired (each exactly once) and tells people; returns how many. */
  async expireOverdue(): Promise<number> {
    const now = this.deps.clock.now();
    let expired = 0;
    for (const action of await this.deps.store.listOverdueApprovals(now)) {
      if (await this.expire(action.id, now)) expired += 1;
    }
    return expired;
  }

  /**
   * Expires the approval if its deadline has passed at `now` (the sweep may not have come by yet);
   * true when it is no longer open, whoever expired or decided it.
   */
  async expireIfDue(action: Pick<ActionRecord, 'id' | 'expiresAt'>, now: Date): Promise<boolean> {
    if (!approvalExpired(action.expiresAt, now)) return false;
    await this.expire(action.id, now);
    return true;
  }

  private async expire(id: string, now: Date): Promise<boolean> {
    let event: NotificationEvent | null = null;
    const expired = await this.deps.store.transitionAction(
      id,
      ['pending_approval'],
      {
        status: 'expired',
        updatedAt: now,
        finishedAt: now,
        error: 'approval expired before anyone decided',
      },
      undefined,
      (next) => [
        (event = buildEvent('action.expired', now, {
          action: next,
          data: { expiresAt: next.expiresAt?.toISOString() },
          channels: this.deps.rules.channelsFor(next.rule),
        })),
      ],
    );
    if (!expired) return false;
    this.deps.logger.info('approval expired', { actionId: id, rule: expired.rule });
    if (event) this.deps.notifier.notify(event);
    return true;
  }

  /** A decision that arrives after the deadline expires the approval (if the sweep has not yet) and is refused. */
  private async refuseIfExpired(id: string): Promise<ActionRecord> {
    const action = await this.deps.store.getAction(id);
    if (!action) throw new NotFoundError(`no action with id "${id}"`);
    const now = this.deps.clock.now();
    if (action.status === 'pending_approval' && approvalExpired(action.expiresAt, now)) {
      await this.expire(id, now);
      throw new ConflictError(`the approval expired at ${action.expiresAt!.toISOString()}`, { actionStatus: 'expired' }, 'approval_expired');
    }
    return action;
  }

  /**
   * Four eyes: whoever asked for an action of a listed type (auth.fourEyes) may not also approve
   * it; rejecting one's own request stays allowed. Only a pending action is checked, so a late
   * decision still gets the 409 that says what became of it.
   */
  private refuseSameRequester(action: ActionRecord, decider: string): void {
    if (action.status !== 'pending_approval') return;
    if (!this.deps.config.auth.fourEyes.includes(action.type) || action.requestedBy !== decider) return;
    throw new ForbiddenError(
      `four eyes: "${decider}" requested this ${action.type} action and cannot approve it too; another key must approve it`,
      { actionId: action.id, requestedBy: action.requestedBy, actionType: action.type },
      'four_eyes',
    );
  }

  private async alreadyDecided(id: string): Promise<ConflictError> {
    const action = await this.deps.store.getAction(id);
    if (!action) return new ConflictError(`action "${id}" disappeared`);
    const by = action.decidedBy ? ` by ${action.decidedBy}` : '';
    return new ConflictError(
      `action is no longer pending approval: it is ${action.status}${by}`,
      { actionStatus: action.status, decidedBy: action.decidedBy },
      'already_decided',
    );
  }
}
