import type { ActionType } from './rule';

export const STATS_COUNTS = [
  'dispatched',
  'executed',
  'succeeded',
  'failed',
  'rejected',
  'expired',
  'effective',
  'ineffective',
  'unknown',
  'reverted',
] as const;
export type StatsCount = (typeof STATS_COUNTS)[number];

/** What a store returns for one (rule, type): counts, and the durations medians are taken over. */
export interface ActionStatRow {
  rule: string;
  type: ActionType;
  counts: Record<StatsCount, number>;
  /** Seconds from an action's finish to the first snapshot on which its rule no longer matched. */
  recoverySeconds: number[];
  /** Seconds from an approval request to its decision (approved or rejected). */
  approvalWaitSeconds: number[];
}

export function emptyCounts(): Record<StatsCount, number> {
  return Object.fromEntries(STATS_COUNTS.map((c) => [c, 0])) as Record<StatsCount, number>;
}
