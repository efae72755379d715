import type { Rule } from '../../domain/rule';
import { type CompiledRule, compileRule } from './compiled-rule';
import type { Metrics } from './condition-compiler';
import { FactIndex } from './fact-index';
import { GuardIndex } from './guard-index';
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
  ) {}

  /**
   * Loads these metrics into the program and marks the rules to run on them (marks[position] ===
   * g): guarded rules by their guards on a benign snapshot, all of them on any other; the rest by
   * the facts they read. The run must follow synchronously.
   */
  select(metrics: Metrics): { g: number; benign: boolean } {
    const benign = this.program.load(metrics);
    const g = this.index.mark(this.program.values);
    if (benign) this.guards.mark(this.program.values, this.index.marks, g);
    else for (const position of this.guards.guarded) this.index.marks[position] = g;
    return { g, benign };
  }

  static fromCompiled(compiled: CompiledRule[], position: ReadonlyMap<Rule, number>): CompiledRuleset {
    const ordered = byPriority(compiled.filter((c) => c.rule.enabled), position);
    const compiledRules = ordered.flatMap((c, i) => (c.evaluation === 'compiled' ? [{ position: i, code: c.code }] : []));
    const program = new RulesProgram(compiledRules);
    // On an empty snapshot every fact is missing: whatever holds (or throws) there must always run.
    const everything = new Uint32Array(ordered.length).fill(1);
    const onEmpty = program.run(everything, 1, program.load(Object.create(null) as Record<string, unknown>));
    const always = new Set<number>();
    readOutput(onEmpty, (i) => always.add(i), (i) => always.add(i));
    const interpreted = ordered.flatMap((c, i) => (c.evaluation === 'interpreted' ? [i] : []));
    for (const i of interpreted) always.add(i);
    // Only rules that cannot throw on a benign snapshot can be skipped by a guard that does not hold.
    const guards = new GuardIndex(
      compiledRules.filter((r, k) => program.eager[k] === 0 && !always.has(r.position)).map((r) => ({ position: r.position, plan: r.code.plan })),
      (fact) => program.factIdOf(fact)!,
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
