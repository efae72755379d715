import type { Rule } from '../../domain/rule';
import { type CompiledRule, compileRule } from './compiled-rule';
import { FactIndex } from './fact-index';
import { readOutput, RulesProgram } from './rules-program';

/** Priority first (highest first), then position in the file: the order decisions are listed in. */
export function byPriority<T extends { rule: Rule }>(items: T[], position: ReadonlyMap<Rule, number>): T[] {
  return items.sort((a, b) => b.rule.priority - a.rule.priority || position.get(a.rule)! - position.get(b.rule)!);
}

/**
 * The enabled rules of one rules version, in decision order: compiled ones as one program, the
 * others left to json-rules-engine, and the fact index that says which to run for a snapshot.
 */
export class CompiledRuleset {
  private constructor(
    readonly ordered: CompiledRule[],
    readonly program: RulesProgram,
    readonly index: FactIndex,
    /** Positions (in `ordered`) of the rules json-rules-engine evaluates. */
    readonly interpreted: number[],
  ) {}

  static fromCompiled(compiled: CompiledRule[], position: ReadonlyMap<Rule, number>): CompiledRuleset {
    const ordered = byPriority(compiled.filter((c) => c.rule.enabled), position);
    const program = new RulesProgram(
      ordered.flatMap((c, i) => (c.evaluation === 'compiled' ? [{ position: i, code: c.code }] : [])),
    );
    // On an empty snapshot every fact is missing: whatever holds (or throws) there must always run.
    const everything = new Uint32Array(ordered.length).fill(1);
    const onEmpty = program.run(Object.create(null) as Record<string, unknown>, everything, 1);
    const always = new Set<number>();
    readOutput(onEmpty, (i) => always.add(i), (i) => always.add(i));
    const interpreted = ordered.flatMap((c, i) => (c.evaluation === 'interpreted' ? [i] : []));
    for (const i of interpreted) always.add(i);
    const index = new FactIndex(
      ordered.map((c, i) => ({ facts: c.evaluation === 'compiled' ? c.code.facts : [], always: always.has(i) })),
    );
    return new CompiledRuleset(ordered, program, index, interpreted);
  }
}

export { compileRule };
