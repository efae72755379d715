import { randomUUID } from 'node:crypto';
import type { ActionRecord } from '../domain/action';
import type { ProblemCode } from '../domain/problem-codes';
import type { Severity } from '../domain/rule';
import { ConflictError, NotFoundError } from '../errors';
import { buildEvent } from '../domain/events';
import type { RulesService } from '../rules/rules-service';
import type { ActionStore } from '../store/action-store';
import type { DispatchStore } from '../store/dispatch-store';
import type { PipelineDepsOn } from '../execution/pipeline-deps';
import type { StrategyMap } from '../strategies/strategy';
import type { AlertRecorder } from '../execution/alert-recorder';
import type { ActionExecutor } from '../execution/executor';

export interface RevertDeps extends PipelineDepsOn<ActionStore & DispatchStore> {
  strategies: StrategyMap;
  executor: Pick<ActionExecutor, 'run'>;
  alerts: AlertRecorder;
  rules: Pick<RulesService, 'channelsFor' | 'isLoaded' | 'current'>;
  instanceId: string;
}

/** Why an action cannot be reverted: the 409's code. */
type RevertRefusalCode = Extract<ProblemCode, 'is_a_revert' | 'no_inverse' | 'not_succeeded' | 'already_reverted'>;

const ONE_STEP_UP: Record<Severity, Severity> = { info: 'warning', warning: 'critical', critical: 'critical' };

/**
 * Undoing an action through its strategy's inverse, and escalating when it cannot be undone. A
 * revert is an action record of its own (`revertOf`), at most one per action, run by the same
 * executor and notified like any other, outside cooldowns, budgets, the pause and verification.
 */
export class RevertService {
  constructor(private readonly deps: RevertDeps) {}

  /** Why `action` cannot be reverted, or null when it can. */
  refusal(action: ActionRecord): { code: RevertRefusalCode; message: string } | null {
    if (action.revertOf) return { code: 'is_a_revert', message: `action ${action.id} is itself a revert; it is never reverted` };
    if (!this.deps.strategies.get(action.type)?.revert) {
      return { code: 'no_inverse', message: `${action.type} has no inverse; it cannot be reverted (escalate instead)` };
    }
    if (action.status !== 'succeeded') {
      return { code: 'not_succeeded', message: `action ${action.id} is ${action.status}; only a succeeded action can be reverted` };
    }
    if (action.revertedBy) return { code: 'already_reverted', message: `action ${action.id} was already reverted by ${action.revertedBy}` };
    return null;
  }

  /** By hand (POST /actions/:id/revert): the revert, run to its end; a 409 naming why when it cannot be. */
  async revertById(id: string, requestedBy: string): Promise<ActionRecord> {
    const action = await this.deps.store.getAction(id);
    if (!action) throw new NotFoundError(`no action with id "${id}"`);
    const outcome = await this.revert(action, requestedBy);
    if (!outcome.ok) throw new ConflictError(outcome.message, { actionId: id, ...(outcome.revertId ? { revertId: outcome.revertId } : {}) }, outcome.code);
    return outcome.revert;
  }

  async revert(
    action: ActionRecord,
    requestedBy: string,
  ): Promise<{ ok: true; revert: ActionRecord } | { ok: false; code: RevertRefusalCode; message: string; revertId?: string }> {
    const refusal = this.refusal(action);
    if (refusal) return { ok: false, ...refusal, ...(action.revertedBy ? { revertId: action.revertedBy } : {}) };
    const now = this.deps.clock.now();
    const revert: ActionRecord = {
      id: randomUUID(),
      rule: action.rule,
      type: action.type,
      params: action.params,
      severity: action.severity,
      status: 'running',
      requestedBy,
      snapshotId: null,
      snapshot: null,
      matchedFacts: {},
      createdAt: now,
      updatedAt: now,
      expiresAt: null,
      decidedBy: null,
      decidedAt: null,
      decisionComment: null,
      startedAt: now,
      finishedAt: null,
      result: null,
      error: null,
      runner: this.deps.instanceId,
      target: action.target ?? null,
      revertOf: action.id,
      ...(action.incidentId ? { incidentId: action.incidentId } : {}),
    };
    const inserted = await this.deps.store.insertRevert(revert);
    if (!inserted.ok) {
      return { ok: false, code: 'already_reverted', message: `action ${action.id} was already reverted by ${inserted.existingId}`, revertId: inserted.existingId };
    }
    await this.deps.store.transitionAction(action.id, ['succeeded'], { revertedBy: revert.id, updatedAt: now });
    this.deps.logger.info('reverting action', { actionId: action.id, revertId: revert.id, requestedBy });
    // Its outcome goes to the channels of the rule the undone action came from.
    const rule = this.deps.rules.isLoaded() ? (this.deps.rules.current().byName.get(action.rule) ?? null) : null;
    return { ok: true, revert: await this.deps.executor.run(revert, rule) };
  }

  /**
   * Tells people an action did not work and could not be (or was not to be) undone: an alert one
   * severity step above the action's, and an `action.ineffective` event with the latest metrics.
   */
  async escalate(action: ActionRecord, why: string, latestMetrics: Record<string, unknown> | null): Promise<void> {
    const severity = ONE_STEP_UP[action.severity];
    const channels = this.deps.rules.channelsFor(action.rule);
    const ineffective = buildEvent('action.ineffective', this.deps.clock.now(), {
      action,
      severity,
      channels,
      data: { outcome: action.outcome ?? null, why, latestMetrics, outcomeAt: action.outcomeAt?.toISOString() ?? null },
    });
    // The event travels with the alert's insert: both are on record, or neither.
    await this.deps.alerts.create({
      rule: action.rule,
      severity,
      message: `action ${action.id} (${action.type}) did not fix what rule ${action.rule} matched: ${why}`,
      metrics: latestMetrics ?? {},
      actionId: action.id,
      // The escalation joins the incident of the action it reports.
      ...(action.incidentId ? { incidentId: action.incidentId } : {}),
      channels,
      events: [ineffective],
    });
  }
}
