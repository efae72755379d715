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
