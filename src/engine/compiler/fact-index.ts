import { RuleMarks } from './rule-marks';

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
  /**
   * Per fact read by more rules than the marks have words, its rules as marks to OR in: a fact
   * most rules read (an incident storm's ten facts) costs a word each, not a rule each.
   */
  private readonly wordsByFact: (Uint32Array | undefined)[] = [];
  private readonly always: RuleMarks;

  constructor(entries: IndexEntry[]) {
    this.always = new RuleMarks(entries.length);
    entries.forEach((entry, i) => {
      if (entry.always) this.always.set(i);
      for (const fact of entry.facts) (this.byFact[fact] ??= []).push(i);
    });
    this.byFact.forEach((list, fact) => {
      if (list.length <= this.always.words.length) return;
      const marks = new RuleMarks(entries.length);
      for (const i of list) marks.set(i);
      this.wordsByFact[fact] = marks.words;
    });
  }

  /** Marks the entries to evaluate for these facts (by id, as the rules program loaded them). */
  mark(values: readonly unknown[], marks: RuleMarks): void {
    marks.or(this.always.words);
    // A fact present with the value undefined reads exactly as a missing one.
    for (let fact = 0; fact < this.byFact.length; fact++) {
      const list = this.byFact[fact];
      if (list === undefined || values[fact] === undefined) continue;
      const words = this.wordsByFact[fact];
      if (words !== undefined) marks.or(words);
      else for (const i of list) marks.set(i);
    }
  }
}
