import { ACTION_SPECS } from './action-specs';
import type { StrategyCheck } from '../domain/action';
import type { ThrottleState } from '../domain/state';
import { ValidationError } from '../errors';
import type { Clock } from '../clock';
import type { AppConfig } from '../config/schema';
import type { ThrottleService } from '../targets/throttle-service';
import { describeApplied, holdsThrottle } from '../targets/throttle-state';
import { detailsOf, type Strategy, StrategyFailure } from './strategy';

export interface ThrottleParams {
  factor?: number;
  durationMinutes?: number;
  /** Come back in steps at the deadline (docs/strategies/throttle.md). */
  restore?: { steps?: unknown; stepMinutes?: unknown };
}

/** stepMinutes when the rule's `restore` gives none. */
export const DEFAULT_STEP_MINUTES = 5;

/** The rule's `restore`, checked again here (the rules schema checks it on load): steps ascending in (0, 1]. */
function restoreSteps(value: ThrottleParams['restore']): { steps: number[]; stepMinutes: number } | undefined {
  if (value === undefined) return undefined;
  const steps = value.steps;
  const ok =
    Array.isArray(steps) &&
    steps.length > 0 &&
    steps.every((s, i) => typeof s === 'number' && s > 0 && s <= 1 && (i === 0 || s > (steps[i - 1] as number)));
  if (!ok) throw new StrategyFailure('params.restore.steps must be ascending factors above 0 and at most 1', { reason: 'invalid_params' });
  const stepMinutes = value.stepMinutes ?? DEFAULT_STEP_MINUTES;
  if (typeof stepMinutes !== 'number' || !(stepMinutes > 0) || stepMinutes > 1440) {
    throw new StrategyFailure('params.restore.stepMinutes must be above 0 and at most 1440', { reason: 'invalid_params' });
  }
  return { steps: steps as number[], stepMinutes };
}

function rate(state: ThrottleState): { active: boolean; factor: number; limit: number } {
  return { active: state.active, factor: state.factor, limit: state.limit };
}

function optionalNumber(value: unknown, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new StrategyFailure(`params.${name} must be a number`, { reason: 'invalid_params' });
  }
  return value;
}

/**
 * Lowers the allowed request rate that the apps' rate limiters read (GET
 * /api/self-healing/throttle), then reads the state back to confirm it is what they will see.
 */
export function createThrottleStrategy(deps: {
  throttle: Pick<ThrottleService, 'apply' | 'getState' | 'revertTo'>;
  clock: Clock;
  config: Pick<AppConfig, 'throttle'>;
}): Strategy {
  const { throttle, clock, config } = deps;
  return {
    type: 'throttle',
    requiresApprovalByDefault: ACTION_SPECS.throttle.approvalByDefault,
    timeoutMs: 30_000,
    targetOf: (params) => ACTION_SPECS.throttle.targetOf(params as Record<string, unknown>),
    /** Restores the rate in force before the action (lifted entirely if there was no throttle). */
    async revert({ original, action }) {
      const before = detailsOf(original).from as { active?: unknown; factor?: unknown } | undefined;
      if (!before || typeof before.active !== 'boolean' || typeof before.factor !== 'number') {
        throw new StrategyFailure(`action ${original.id} recorded no previous rate to restore`, { reason: 'nothing_to_revert' });
      }
      const outcome = await throttle.revertTo(
        { active: before.active, factor: before.factor },
        { by: `verify:${original.id}`, reason: `revert of action ${original.id} (action ${action.id})` },
      );
      const to = outcome.to;
      return {
        summary: to.active ? `throttle back at factor ${to.factor} (limit ${to.limit})` : `throttle lifted (limit ${to.limit})`,
        changed: outcome.changed,
        details: { from: rate(outcome.from), to: rate(to), change: outcome.change, revertOf: original.id },
        checks: [{ name: 'restore', ok: true, detail: outcome.change }],
      };
    },
    async execute({ params, action, rule, signal }) {
      const p = params as ThrottleParams;
      const factor = optionalNumber(p.factor, 'factor');
      const durationMinutes = optionalNumber(p.durationMinutes, 'durationMinutes');
      const steps = restoreSteps(p.restore);
      signal.throwIfAborted();
      const checks: StrategyCheck[] = [];
      const reason = rule?.description ? `rule ${rule.name}: ${rule.description}` : `rule ${action.rule}`;

      let started = clock.now().getTime();
      let outcome;
      try {
        outcome = await throttle.apply({
          factor,
          durationMinutes,
          reason,
          action,
          channels: rule?.notifications.channels,
          ...(steps ? { restore: { ...steps, rule: action.rule, source: action.snapshot?.source ?? null, actionId: action.id } } : {}),
        });
      } catch (err) {
        const reason = err instanceof ValidationError ? 'invalid_params' : 'apply_failed';
        throw new StrategyFailure(`throttle could not be applied: ${(err as Error).message}`, { reason }, [
          { name: 'apply', ok: false, detail: (err as Error).message, durationMs: clock.now().getTime() - started },
        ]);
      }
      checks.push({
        name: 'apply',
        ok: true,
        detail: outcome.change,
        durationMs: clock.now().getTime() - started,
      });
      const requested = outcome.requestedFactor ?? config.throttle.defaultFactor;
      if (requested < config.throttle.minFactor) {
        checks.push({
          name: 'factor_floor',
          ok: true,
          detail: `requested factor ${requested} raised to the floor ${config.throttle.minFactor}`,
        });
      }

      started = clock.now().getTime();
      const seen = await throttle.getState();
      const persisted = holdsThrottle(seen, outcome.to);
      checks.push({
        name: 'verify_state',
        ok: persisted,
        detail: `apps now read factor ${seen.factor}, limit ${seen.limit}, until ${seen.until ?? 'none'}`,
        durationMs: clock.now().getTime() - started,
      });
      if (!persisted) {
        throw new StrategyFailure('the throttle state read back does not show the throttle', { reason: 'verify_failed', state: seen }, checks);
      }

      const summary = describeApplied(outcome.change, outcome.to);
      return {
        summary,
        changed: outcome.changed,
        details: { from: rate(outcome.from), to: rate(outcome.to), until: outcome.to.until, change: outcome.change },
        checks,
      };
    },
  };
}
