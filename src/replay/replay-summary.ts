import type { Ruleset } from '../domain/rule';
import type { RuleDecisionKind } from '../engine/rule-decisions';
import type { ReplayOutcome } from '../closed-loop/memory-port';

/**
 * What a replay counts per rule: each decision; each verification outcome, and what followed an
 * ineffective one (`reverted`, `escalated`); `verifying`: windows still open when the replay ended.
 */
export type ReplayCountKey = RuleDecisionKind | ReplayOutcome | 'reverted' | 'escalated' | 'verifying';

/** Per rule, how many times each was counted: `{ rule, execute: 3, cooldown: 12, effective: 2 }`. */
export type DecisionCounts = Partial<Record<ReplayCountKey, number>>;
export type SummaryRow = { rule: string } & DecisionCounts;

export interface DiffRow {
  rule: string;
  current: DecisionCounts;
  candidate: DecisionCounts;
}

/** Counts decisions and outcomes per rule as a replay goes. */
export class DecisionTally {
  private readonly counts = new Map<string, DecisionCounts>();

  add(rule: string, decision: ReplayCountKey): void {
    let c = this.counts.get(rule);
    if (!c) this.counts.set(rule, (c = {}));
    c[decision] = (c[decision] ?? 0) + 1;
  }

  of(rule: string): DecisionCounts {
    return this.counts.get(rule) ?? {};
  }

  /** Every enabled rule of the set in file order (a rule that never matched shows no counts), then any other rule seen. */
  summary(ruleset: Ruleset): SummaryRow[] {
    const names = ruleset.rules.filter((r) => r.enabled).map((r) => r.name);
    for (const name of this.counts.keys()) if (!names.includes(name)) names.push(name);
    return names.map((rule) => ({ rule, ...this.of(rule) }));
  }
}

function sameCounts(a: DecisionCounts, b: DecisionCounts): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]) as Set<ReplayCountKey>;
  return [...keys].every((k) => (a[k] ?? 0) === (b[k] ?? 0));
}

/** The rules whose decisions differ between the two runs, in the candidate's order then the current's. */
export function diffTallies(current: DecisionTally, currentSet: Ruleset, candidate: DecisionTally, candidateSet: Ruleset): DiffRow[] {
  const names = [...new Set([...candidateSet.rules.map((r) => r.name), ...currentSet.rules.map((r) => r.name)])];
  return names
    .map((rule) => ({ rule, current: current.of(rule), candidate: candidate.of(rule) }))
    .filter((row) => !sameCounts(row.current, row.candidate));
}
