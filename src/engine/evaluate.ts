import type { Rule, Ruleset } from '../domain/rule';
import { type ConditionOutcome, matchedFactValues } from './condition-outcomes';
import { type CompiledConditions, outcomesOf } from './compiler/condition-compiler';
import { type CompiledRule, compileRule, type EvaluationMode } from './compiler/compiled-rule';
import { byPriority, CompiledRuleset } from './compiler/compiled-ruleset';
import { readOutput, type RunOutput } from './compiler/rules-program';
import { EnabledEvaluation } from './enabled-evaluation';

export interface RuleEvaluation {
  rule: Rule;
  matched: boolean;
  /** Leaves that held (for a match) — their fact values are what triggered the rule. */
  matchedFacts: Record<string, unknown>;
  /** Leaves that did not hold: why a rule did not match. */
  failedConditions: ConditionOutcome[];
  /** Set when evaluating the rule threw on this snapshot: it is neither matched nor explained. */
  error?: string;
}

export interface RuleEvaluationMode {
  evaluation: EvaluationMode;
  interpretedBecause?: string;
}

/** Rules compiled between yields to the event loop while a new rules version is prepared. */
const COMPILE_SLICE = 100;

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function explained(rule: Rule, matched: boolean, leaves: ConditionOutcome[]): RuleEvaluation {
  return {
    rule,
    matched,
    matchedFacts: matched ? matchedFactValues(leaves) : {},
    failedConditions: matched ? [] : leaves.filter((l) => !l.result),
  };
}

const NO_FAILED_CONDITIONS = Object.freeze([]) as unknown as ConditionOutcome[];

/**
 * A match whose matchedFacts are worked out only when read (by an action being recorded): a match
 * that ends in cooldown or a duplicate approval costs no explanation. The same compiled code, in
 * explain mode, on the same facts gives the same values as when the match was found.
 */
class MatchExplainedOnDemand implements RuleEvaluation {
  private explainedFacts: Record<string, unknown> | undefined;

  constructor(
    readonly rule: Rule,
    private readonly code: CompiledConditions,
    private readonly facts: Record<string, unknown>,
  ) {}

  // On the prototype rather than per match: a storm makes hundreds of these a snapshot.
  get matched(): true {
    return true;
  }

  get failedConditions(): ConditionOutcome[] {
    return NO_FAILED_CONDITIONS;
  }

  get matchedFacts(): Record<string, unknown> {
    this.explainedFacts ??= matchedFactValues(outcomesOf(this.code.leaves, this.code.explain(this.facts)));
    return this.explainedFacts;
  }
}

function failed(rule: Rule, err: unknown): RuleEvaluation {
  return { rule, matched: false, matchedFacts: {}, failedConditions: [], error: messageOf(err) };
}

/**
 * Evaluates snapshots' metrics against rules; each top-level metric is a fact. Rules run as code
 * compiled from their conditions (engine/compiler), with json-rules-engine's exact semantics, or on
 * json-rules-engine itself when the compiler leaves them alone. A rule that throws is reported with
 * its error; it never stops the others.
 */
export class Evaluator {
  private readonly rules = new WeakMap<Rule, CompiledRule>();
  private readonly rulesets = new WeakMap<Ruleset, CompiledRuleset>();

  /**
   * Compiles a rules version before it takes effect, yielding to the event loop between slices so
   * that requests keep being served (on the version in force) meanwhile.
   */
  async prepare(ruleset: Ruleset): Promise<void> {
    const compiled: CompiledRule[] = [];
    for (let i = 0; i < ruleset.rules.length; i += COMPILE_SLICE) {
      for (const rule of ruleset.rules.slice(i, i + COMPILE_SLICE)) compiled.push(this.compiled(rule));
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    this.rulesets.set(ruleset, CompiledRuleset.fromCompiled(compiled, positions(ruleset.rules)));
  }

  /** How a rule of this version is evaluated, and why when not compiled. */
  modeOf(rule: Rule): RuleEvaluationMode {
    const c = this.compiled(rule);
    return c.evaluation === 'compiled' ? { evaluation: 'compiled' } : { evaluation: 'interpreted', interpretedBecause: c.interpretedBecause };
  }

  /**
   * What ingest needs: the enabled rules that matched (with the facts that triggered them) or threw,
   * in priority order (ties: file order), as positions in the version's decision order (the
   * evaluation's `order`, the same array for the version's life); a match's RuleEvaluation is
   * made only when asked for. Rules that did not match are not listed, nor explained.
   */
  async evaluateEnabled(ruleset: Ruleset, facts: Record<string, unknown>): Promise<EnabledEvaluation> {
    const compiled = this.rulesetFor(ruleset);
    const { ordered, interpreted } = compiled;
    const benign = compiled.select(facts);
    const marks = compiled.marks;
    // Everything that reads the marks happens before the first await: another evaluation may mark next.
    const waiting = interpreted.length === 0 ? interpreted : interpreted.filter((i) => marks.has(i));
    const output = compiled.program.run(marks, benign);
    const matchAt = (position: number) => new MatchExplainedOnDemand(ordered[position]!.rule, compiledCode(ordered[position]!), facts);
    // Without errors and rules left to the engine, the program's output (in position order) is the
    // answer as it stands: no sorting, and no object for a match nobody asks about.
    if (waiting.length === 0 && !threwIn(output)) {
      const positions = output as number[];
      return new EnabledEvaluation(compiled.rules, positions, null, (k) => matchAt(positions[k]!));
    }
    const found: { position: number; evaluation: RuleEvaluation }[] = [];
    readOutput(
      output,
      (position) => found.push({ position, evaluation: matchAt(position) }),
      (position, err) => found.push({ position, evaluation: failed(ordered[position]!.rule, err) }),
    );
    for (const i of waiting) {
      const e = await this.interpret(ordered[i] as InterpretedRule, facts);
      if (e.matched || e.error !== undefined) found.push({ position: i, evaluation: e });
    }
    found.sort((a, b) => a.position - b.position);
    const errors = found.some((f) => f.evaluation.error !== undefined) ? found.map((f) => f.evaluation.error) : null;
    return new EnabledEvaluation(compiled.rules, found.map((f) => f.position), errors, (k) => found[k]!.evaluation);
  }

  /** Any rules, enabled or not, each matched or not and explained: for simulate and for tests. */
  async evaluateRules(rules: Rule[], _ruleset: Ruleset, facts: Record<string, unknown>): Promise<RuleEvaluation[]> {
    const out: RuleEvaluation[] = [];
    for (const rule of rules) {
      const c = this.compiled(rule);
      if (c.evaluation === 'interpreted') {
        out.push(await this.interpret(c, facts));
        continue;
      }
      try {
        const record = c.code.explain(facts);
        out.push(explained(rule, record[0] === true, outcomesOf(c.code.leaves, record)));
      } catch (err) {
        out.push(failed(rule, err));
      }
    }
    return byPriority(out, positions(rules));
  }

  private async interpret(c: InterpretedRule, facts: Record<string, unknown>): Promise<RuleEvaluation> {
    try {
      const outcome = await c.interpreter.evaluate(facts);
      return explained(c.rule, outcome.matched, outcome.leaves);
    } catch (err) {
      return failed(c.rule, err);
    }
  }

  private compiled(rule: Rule): CompiledRule {
    let c = this.rules.get(rule);
    if (!c) {
      c = compileRule(rule);
      this.rules.set(rule, c);
    }
    return c;
  }

  /** A version nobody prepared (tests, tools) is compiled on first use. */
  private rulesetFor(ruleset: Ruleset): CompiledRuleset {
    let compiled = this.rulesets.get(ruleset);
    if (!compiled) {
      compiled = CompiledRuleset.fromCompiled(ruleset.rules.map((r) => this.compiled(r)), positions(ruleset.rules));
      this.rulesets.set(ruleset, compiled);
    }
    return compiled;
  }
}

type InterpretedRule = Extract<CompiledRule, { evaluation: 'interpreted' }>;

function compiledCode(c: CompiledRule): CompiledConditions {
  if (c.evaluation !== 'compiled') throw new Error(`rule ${c.rule.name} is not compiled`);
  return c.code;
}

/** Whether a rule threw in this run (the output has a `~position`). */
function threwIn(output: RunOutput): boolean {
  for (let i = 0; i < output.length; i++) if ((output[i] as number) < 0) return true;
  return false;
}

function positions(rules: Rule[]): Map<Rule, number> {
  return new Map(rules.map((r, i) => [r, i]));
}
