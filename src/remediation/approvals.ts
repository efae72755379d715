import type { ActionRecord } from '../domain/action';
import { ConflictError, NotFoundError } from '../errors';
import { buildEvent } from '../integrations/notifier';
import type { ServiceDeps } from '../services/deps';
import type { ActionExecutor } from './executor';

export interface ApprovalDeps extends ServiceDeps {
  executor: ActionExecutor;
}

export interface DecisionInput {
  by: string;
  comment?: string;
}

/**
 * The approval gate. Every decision is one conditional transition from `pending_approval`, so the
 * first decision wins everywhere (threads, processes, instances) and later ones get 409.
 */
export class ApprovalService {
  constructor(private readonly deps: ApprovalDeps) {}

  /** Approves, runs the action, and returns it with its outcome. */
  async approve(id: string, input: DecisionInput): Promise<ActionRecord> {
    await this.refuseIfExpired(id);
    const now = this.deps.clock.now();
    const approved = await this.deps.store.transitionAction(id, ['pending_approval'], {
      status: 'approved',
      decidedBy: input.by,
      decidedAt: now,
      decisionComment: input.comment ?? null,
      updatedAt: now,
    });
    if (!approved) throw await this.alreadyDecided(id);
    this.deps.logger.info('action approved', { actionId: id, rule: approved.rule, by: input.by });
    const running = await this.deps.store.transitionAction(id, ['approved'], {
      status: 'running',
      startedAt: this.deps.clock.now(),
      updatedAt: this.deps.clock.now(),
    });
    if (!running) throw await this.alreadyDecided(id);
    return this.deps.executor.run(running);
  }

  async reject(id: string, input: DecisionInput): Promise<ActionRecord> {
    await this.refuseIfExpired(id);
    const now = this.deps.clock.now();
    const rejected = await this.deps.store.transitionAction(id, ['pending_approval'], {
      status: 'rejected',
      decidedBy: input.by,
      decidedAt: now,
      decisionComment: input.comment ?? null,
      updatedAt: now,
      finishedAt: now,
    });
    if (!rejected) throw await this.alreadyDecided(id);
    this.deps.logger.info('action rejected', { actionId: id, rule: rejected.rule, by: input.by });
    this.deps.notifier.notify(
      buildEvent('action.rejected', now, { action: rejected, data: { by: input.by, comment: input.comment ?? null } }),
    );
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

  private async expire(id: string, now: Date): Promise<boolean> {
    const expired = await this.deps.store.transitionAction(id, ['pending_approval'], {
      status: 'expired',
      updatedAt: now,
      finishedAt: now,
      error: 'approval expired before anyone decided',
    });
    if (!expired) return false;
    this.deps.logger.info('approval expired', { actionId: id, rule: expired.rule });
    this.deps.notifier.notify(
      buildEvent('action.expired', now, { action: expired, data: { expiresAt: expired.expiresAt?.toISOString() } }),
    );
    return true;
  }

  /** A decision that arrives after the deadline expires the approval (if the sweep has not yet) and is refused. */
  private async refuseIfExpired(id: string): Promise<void> {
    const action = await this.deps.store.getAction(id);
    if (!action) throw new NotFoundError(`no action with id "${id}"`);
    const now = this.deps.clock.now();
    if (action.status === 'pending_approval' && action.expiresAt && action.expiresAt.getTime() <= now.getTime()) {
      await this.expire(id, now);
      throw new ConflictError(`the approval expired at ${action.expiresAt.toISOString()}`, { actionStatus: 'expired' }, 'approval_expired');
    }
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
