import { type ActionStatRow, emptyCounts, STATS_COUNTS, type StatsCount } from '../domain/stats';
import type { Clock } from '../clock';
import type { Store } from '../store/store';

export const STATS_WINDOWS = { '24h': 24 * 3_600_000, '7d': 7 * 86_400_000, '30d': 30 * 86_400_000 } as const;
export type StatsWindow = keyof typeof STATS_WINDOWS;

export type StatsEntry = Record<StatsCount, number> & {
  effectiveRate: number | null;
  medianRecoverySeconds: number | null;
  medianApprovalWaitSeconds: number | null;
};

export interface ActionStats {
  window: StatsWindow;
  from: string;
  to: string;
  rules: Array<{ rule: string } & StatsEntry>;
  types: Array<{ type: string } & StatsEntry>;
  totals: StatsEntry;
}

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const m = sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return Math.round(m * 1000) / 1000;
}

function entryOf(rows: ActionStatRow[]): StatsEntry {
  const counts = emptyCounts();
  const recovery: number[] = [];
  const wait: number[] = [];
  for (const row of rows) {
    for (const key of STATS_COUNTS) counts[key] += row.counts[key];
    recovery.push(...row.recoverySeconds);
    wait.push(...row.approvalWaitSeconds);
  }
  const judged = counts.effective + counts.ineffective;
  return {
    ...counts,
    // Of the verified actions whose outcome is known: `unknown` ones say nothing either way.
    effectiveRate: judged === 0 ? null : Math.round((counts.effective / judged) * 10_000) / 10_000,
    medianRecoverySeconds: median(recovery),
    medianApprovalWaitSeconds: median(wait),
  };
}

function groupBy<K extends 'rule' | 'type'>(rows: ActionStatRow[], key: K): Map<string, ActionStatRow[]> {
  const groups = new Map<string, ActionStatRow[]>();
  for (const row of rows) {
    const k = row[key];
    groups.set(k, [...(groups.get(k) ?? []), row]);
  }
  return groups;
}

/** Per rule, per action type and in total: how often actions fired, ran, helped, and how fast things recovered. */
export class StatsService {
  constructor(private readonly deps: { store: Pick<Store, 'actionStats'>; clock: Clock }) {}

  async compute(window: StatsWindow): Promise<ActionStats> {
    const to = this.deps.clock.now();
    const from = new Date(to.getTime() - STATS_WINDOWS[window]);
    const rows = await this.deps.store.actionStats(from, to);
    const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
    return {
      window,
      from: from.toISOString(),
      to: to.toISOString(),
      rules: [...groupBy(rows, 'rule')].sort(([a], [b]) => byName(a, b)).map(([rule, r]) => ({ rule, ...entryOf(r) })),
      types: [...groupBy(rows, 'type')].sort(([a], [b]) => byName(a, b)).map(([type, r]) => ({ type, ...entryOf(r) })),
      totals: entryOf(rows),
    };
  }
}
