import type { Rule } from '../../domain/rule';
import { type CompiledRule, compileRule } from './compiled-rule';
import type { Metrics } from './condition-compiler';
import { FactIndex } from './fact-index';
import { GuardIndex } from './guard-index';
import { RuleMarks } from './rule-marks';
import { readOutput, RulesProgram } from './rules-program';

/** Priority first (highest first), then position in the file: the order decisions are listed in. */
export function byPriority<T extends { rule: Rule }>(items: T[], position: ReadonlyMap<Rule, number>): T[] {
  return items.sort((a, b) => b.rule.priority - a.rule.priority || position.get(a.rule)! - position.get(b.rule)!);
}

/**
 * The enabled rules of one rules version, in decision order: compiled ones as one program, the
 * others left to json-rules-engine, and the indexes that say which to run for a snapshot (the
 * guards for rules they can rule out, the facts read for the others).
 */
export class CompiledRuleset {
  private constructor(
    readonly ordered: CompiledRule[],
    readonly program: RulesProgram,
    readonly index: FactIndex,
    /** Positions (in `ordered`) of the rules json-rules-engine evaluates. */
    readonly interpreted: number[],
    private readonly guards: GuardIndex,
  ) {
    this.marks = new RuleMarks(ordered.length);
    this.rules = ordered.map((c) => c.rule);
  }

  /** The rules of `ordered`, in its order. */
  readonly rules: readonly Rule[];

  /** The rules `select` marked to run: this ruleset's own, read before anything else selects. */
  readonly marks: RuleMarks;

  /**
   * Loads these metrics into the program and marks the rules to run on them: guarded rules by their
   * guards on a benign snapshot, all of them on any other; the rest by the facts they read. Says
   * whether the snapshot is benign. Reading `marks` and the run must follow synchronously.
   */
  select(metrics: Metrics): boolean {
    const marks = this.marks;
    marks.clear();
    const benign = this.program.load(metrics);
    this.index.mark(this.program.values, marks);
    if (benign) this.guards.mark(this.program.values, marks);
    else for (const position of this.guards.guarded) marks.set(position);
    return benign;
  }

  static fromCompiled(compiled: CompiledRule[], position: ReadonlyMap<Rule, number>): CompiledRuleset {
    const ordered = byPriority(compiled.filter((c) => c.rule.enabled), position);
    const compiledRules = ordered.flatMap((c, i) => (c.evaluation === 'compiled' ? [{ position: i, code: c.code }] : []));
    const program = new RulesProgram(compiledRules, ordered.length);
    // On an empty snapshot every fact is missing: whatever holds (or throws) there must always run.
    const everything = new RuleMarks(ordered.length);
    everything.setAll();
    const onEmpty = program.run(everything, program.load(Object.create(null) as Record<string, unknown>));
    const always = new Set<number>();
    readOutput(onEmpty, (i) => always.add(i), (i) => always.add(i));
    const interpreted = ordered.flatMap((c, i) => (c.evaluation === 'interpreted' ? [i] : []));
    for (const i of interpreted) always.add(i);
    // Only rules that cannot throw on a benign snapshot can be skipped by a guard that does not hold.
    const guards = new GuardIndex(
      compiledRules.filter((r, k) => program.eager[k] === 0 && !always.has(r.position)).map((r) => ({ position: r.position, plan: r.code.plan })),
      (read) => program.slotIdOf(read)!,
    );
    const guarded = new Set(guards.guarded);
    const index = new FactIndex(
      ordered.map((c, i) => ({
        facts: c.evaluation === 'compiled' && !guarded.has(i) ? c.code.facts.map((f) => program.factIdOf(f)!) : [],
        always: always.has(i),
      })),
    );
    return new CompiledRuleset(ordered, program, index, interpreted, guards);
  }
}

export { compileRule };
