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
  private readonly markArray: Uint32Array;
  private generation = 0;

  constructor(entries: IndexEntry[]) {
    this.markArray = new Uint32Array(entries.length);
    entries.forEach((entry, i) => {
      if (entry.always) this.always.push(i);
      for (const fact of entry.facts) (this.byFact[fact] ??= []).push(i);
    });
  }

  /** Per position: evaluate it when equal to the generation `mark` returned. */
  get marks(): Uint32Array {
    return this.markArray;
  }

  /**
   * Marks the entries to evaluate for these facts (by id, as the rules program loaded them) and returns the generation that means "marked".
   * Generations instead of clearing: one pass over the keys, none over the marks.
   */
  mark(values: readonly unknown[]): number {
    this.generation = (this.generation + 1) >>> 0;
    if (this.generation === 0) {
      this.markArray.fill(0);
      this.generation = 1;
    }
    const g = this.generation;
    const marks = this.markArray;
    for (const i of this.always) marks[i] = g;
    // A fact present with the value undefined reads exactly as a missing one.
    for (let fact = 0; fact < this.byFact.length; fact++) {
      const list = this.byFact[fact];
      if (list && values[fact] !== undefined) for (const i of list) marks[i] = g;
    }
    return g;
  }
}
