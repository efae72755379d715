import type { Rule } from '../domain/rule';
import type { RuleEvaluation } from './evaluate';

/**
 * One snapshot's evaluation of a version's enabled rules: the rules that matched or threw, in
 * decision order (priority, then file order), held as their positions in that order rather than as
 * an object each. A match's RuleEvaluation is made only when asked for: during a storm the closed
 * loop answers most matches from its cooldown memory by position, and those never need one.
 */
export class EnabledEvaluation {
  private made: (RuleEvaluation | undefined)[] | undefined;

  constructor(
    /** The rules `positions` index: the version's enabled rules in decision order, one array per version. */
    readonly order: readonly Rule[],
    /** Per entry, the position in `order` of a rule that matched or threw, ascending. */
    readonly positions: ArrayLike<number>,
    /** Per entry, the error of a rule that threw (undefined for a match); null when none threw. */
    readonly errors: readonly (string | undefined)[] | null,
    /** Entry k's evaluation, made when first asked for. */
    private readonly evaluationOf: (k: number) => RuleEvaluation,
  ) {}

  /** Evaluations listed as they are (tests, tools): the matched or failed ones, in their order. */
  static of(evaluations: readonly RuleEvaluation[]): EnabledEvaluation {
    const listed = evaluations.filter((e) => e.matched || e.error !== undefined);
    const errors = listed.some((e) => e.error !== undefined) ? listed.map((e) => e.error) : null;
    return new EnabledEvaluation(
      listed.map((e) => e.rule),
      listed.map((_, k) => k),
      errors,
      (k) => listed[k]!,
    );
  }

  /** How many rules matched or threw. */
  get length(): number {
    return this.positions.length;
  }

  /** Entry k's rule. */
  rule(k: number): Rule {
    return this.order[this.positions[k]!]!;
  }

  /** Entry k's error when its rule threw. */
  error(k: number): string | undefined {
    return this.errors === null ? undefined : this.errors[k];
  }

  /** Entry k as a RuleEvaluation (the same object each time it is asked for). */
  evaluation(k: number): RuleEvaluation {
    this.made ??= new Array<RuleEvaluation | undefined>(this.length);
    return (this.made[k] ??= this.evaluationOf(k));
  }

  /** Every entry as a RuleEvaluation. */
  list(): RuleEvaluation[] {
    return Array.from({ length: this.length }, (_, k) => this.evaluation(k));
  }

  /** The rules of the entries, in order. */
  rules(): Rule[] {
    return Array.from({ length: this.length }, (_, k) => this.rule(k));
  }

  /** The rules that matched (not those that threw). */
  matchedRules(): Rule[] {
    const rules: Rule[] = [];
    for (let k = 0; k < this.length; k++) if (this.error(k) === undefined) rules.push(this.rule(k));
    return rules;
  }
}
