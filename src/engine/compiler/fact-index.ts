import type { RuleMarks } from './rule-marks';

export interface IndexEntry {
  /** Ids (in the rules program) of the top-level facts the rule reads. */
  facts: number[];
  /**
   * Whether the rule must be evaluated whatever the snapshot holds: it holds (or throws) when none
   * of its facts is present (`notEqual`, `notIn`, `doesNotContain`, `not`, ...), or its outcome
   * cannot be known in advance (a rule left to json-rules-engine).
   */
  always: boolean;
}

/**
 * Top-level fact name → the rules that read it. A rule none of whose facts is in a snapshot sees
 * every fact as missing, so its outcome is the one it has on an empty snapshot, known when the
 * rules are compiled: rules that hold (or throw) there are always evaluated, the others are skipped
 * as "no match" without being run.
 */
export class FactIndex {
  private readonly byFact: number[][] = [];
  private readonly always: number[] = [];

  constructor(entries: IndexEntry[]) {
    entries.forEach((entry, i) => {
      if (entry.always) this.always.push(i);
      for (const fact of entry.facts) (this.byFact[fact] ??= []).push(i);
    });
  }

  /** Marks the entries to evaluate for these facts (by id, as the rules program loaded them). */
  mark(values: readonly unknown[], marks: RuleMarks): void {
    for (const i of this.always) marks.set(i);
    // A fact present with the value undefined reads exactly as a missing one.
    for (let fact = 0; fact < this.byFact.length; fact++) {
      const list = this.byFact[fact];
      if (list && values[fact] !== undefined) for (const i of list) marks.set(i);
    }
  }
}
