import type { ActionRecord, StrategyCheck, StrategyResult } from '../domain/action';
import type { ActionType, Rule } from '../domain/rule';
import type { Logger } from '../logging/logger';

export interface StrategyContext<P = Record<string, unknown>> {
  action: ActionRecord;
  params: P;
  /** The rule as it stood when the action ran; null if it has since been deleted. */
  rule: Rule | null;
  /** Aborted when the strategy's time is up or the service shuts down: stop waiting and return. */
  signal: AbortSignal;
  logger: Logger;
  /**
   * Records a step on the action just before and just after a side effect outside the store (a
   * PM2 reload), so recovery after a crash can say whether it happened. Rejects when a `before`
   * step cannot be recorded: the strategy must then not act. Absent in tests that run strategies bare.
   */
  step?: (name: string, phase: 'before' | 'after') => Promise<void>;
}

/**
 * One remediation. `execute` acts on the real world and verifies it; it returns what changed, or
 * throws a StrategyFailure naming the reason (anything else thrown is reported as an error too).
 */
export interface Strategy<P = Record<string, unknown>> {
  readonly type: ActionType;
  readonly requiresApprovalByDefault: boolean;
  /** Upper bound for one execution; the pipeline fails the action when it is exceeded. */
  readonly timeoutMs: number;
  execute(context: StrategyContext<P>): Promise<StrategyResult>;
  /**
   * What the action acts on, for the per-target budget (`router`, `prompt:<name>`,
   * `service:<name>`, `throttle`); null when it has no target to protect (alert_only).
   */
  targetOf(params: P): string | null;
  /**
   * The inverse: undo what `context.original` did. Absent when the strategy has none (then an
   * ineffective action is escalated instead). Throws StrategyFailure when it cannot undo safely.
   */
  revert?(context: RevertContext): Promise<StrategyResult>;
}

export interface RevertContext {
  /** The succeeded action to undo, with its result. */
  original: ActionRecord;
  /** The revert's own record. */
  action: ActionRecord;
  signal: AbortSignal;
  logger: Logger;
}

/** The result details of the action being undone (what its `execute` reported). */
export function detailsOf(original: ActionRecord): Record<string, unknown> {
  return original.result?.details ?? {};
}

/** A strategy's own "this did not work", with the checks that show why. */
export class StrategyFailure extends Error {
  constructor(
    message: string,
    readonly details: Record<string, unknown> = {},
    readonly checks: StrategyCheck[] = [],
  ) {
    super(message);
    this.name = 'StrategyFailure';
  }
}

export type StrategyMap = ReadonlyMap<ActionType, Strategy>;
