import { ACTION_SPECS } from './action-specs';
import type { StrategyCheck } from '../domain/action';
import type { Clock } from '../clock';
import { PROMPT_NAME_PATTERN, isPromptError, type PromptVersions } from '../targets/prompt-versions';
import { detailsOf, type Strategy, StrategyFailure } from './strategy';

export interface PromptRollbackParams {
  prompt: string;
}

/**
 * Makes the previous version of a prompt active (one atomic write in the registry), then reads the
 * prompt back to confirm what the apps will now get.
 */
export function createPromptRollbackStrategy(deps: { prompts: Pick<PromptVersions, 'rollback' | 'get' | 'reactivate'>; clock: Clock }): Strategy {
  const { prompts, clock } = deps;
  return {
    type: 'prompt_rollback',
    requiresApprovalByDefault: ACTION_SPECS.prompt_rollback.approvalByDefault,
    timeoutMs: 30_000,
    targetOf: (params) => ACTION_SPECS.prompt_rollback.targetOf(params as Record<string, unknown>),
    /** Re-activates the version the rollback replaced, only while the one it set is still active. */
    async revert({ original, signal }) {
      const { prompt, from, to } = detailsOf(original) as { prompt?: unknown; from?: unknown; to?: unknown };
      if (typeof prompt !== 'string' || typeof from !== 'number' || typeof to !== 'number') {
        throw new StrategyFailure(`action ${original.id} recorded no versions to revert`, { reason: 'nothing_to_revert' });
      }
      try {
        await prompts.reactivate(prompt, { expectedActive: to, activate: from }, signal);
      } catch (err) {
        if (!isPromptError(err)) throw err;
        throw new StrategyFailure(`revert refused: ${err.message}`, { prompt, reason: err.reason });
      }
      return {
        summary: `prompt "${prompt}" back on version ${from} (version ${to} deactivated)`,
        changed: true,
        details: { prompt, from: to, to: from, revertOf: original.id },
        checks: [{ name: 'compare_and_set', ok: true, detail: `version ${to} was still active` }],
      };
    },
    async execute({ params, signal }) {
      const name = (params as Partial<PromptRollbackParams>).prompt;
      if (typeof name !== 'string' || !PROMPT_NAME_PATTERN.test(name)) {
        throw new StrategyFailure('params.prompt must name a prompt (letters, digits, ".", "_", "-")', {
          reason: 'invalid_params',
          prompt: name ?? null,
        });
      }
      const checks: StrategyCheck[] = [];

      let started = clock.now().getTime();
      let rollback;
      try {
        rollback = await prompts.rollback(name, signal);
      } catch (err) {
        if (!isPromptError(err)) throw err;
        checks.push({ name: 'rollback', ok: false, detail: err.message, durationMs: clock.now().getTime() - started });
        throw new StrategyFailure(err.message, { prompt: name, reason: err.reason }, checks);
      }
      checks.push({
        name: 'rollback',
        ok: true,
        detail: `version ${rollback.from} deactivated, version ${rollback.to} activated`,
        durationMs: clock.now().getTime() - started,
      });

      // A concurrent rollback may already have moved on; what matters is that ours was applied.
      started = clock.now().getTime();
      const prompt = await prompts.get(name);
      const active = prompt.versions.filter((v) => v.active);
      checks.push({
        name: 'verify_active_version',
        ok: active.length === 1 && prompt.activeVersion !== rollback.from,
        detail: `active version is now ${prompt.activeVersion ?? 'none'} (${active.length} marked active)`,
        durationMs: clock.now().getTime() - started,
      });

      return {
        summary: `prompt "${name}" rolled back from version ${rollback.from} to version ${rollback.to}`,
        changed: true,
        details: { prompt: name, from: rollback.from, to: rollback.to },
        checks,
      };
    },
  };
}
