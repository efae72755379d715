import { Engine, Fact, Rule as EngineRule } from 'json-rules-engine';
import type { Rule, Ruleset } from '../domain/rule';
import { resolvePath } from './path-resolver';
import { collectLeaves, type ConditionOutcome, matchedFactValues } from './condition-outcomes';

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

const MAX_IDLE_ENGINES = 8;

function buildEngine(rules: Rule[]): Engine {
  // Undefined facts are "not matched", not an error: snapshots carry different subsets of metrics.
  const engine = new Engine([], { allowUndefinedFacts: true, pathResolver: resolvePath });
  for (const rule of rules) {
    engine.addRule(
      new EngineRule({
        name: rule.name,
        priority: rule.priority,
        conditions: rule.conditions as never,
        event: { type: rule.name },
      }),
    );
  }
  return engine;
}

/**
 * Engines for one set of rules. json-rules-engine keeps run state on the Engine, so overlapping
 * evaluations each take their own; building one costs far more than a run, so they are reused.
 */
class EnginePool {
  private readonly idle: Engine[] = [];
  /** File position of each rule, the tie-breaker after priority. */
  readonly order: Map<string, number>;

  constructor(readonly rules: Rule[]) {
    this.order = new Map(rules.map((r, i) => [r.name, i]));
  }

  acquire(): Engine {
    return this.idle.pop() ?? buildEngine(this.rules);
  }

  release(engine: Engine): void {
    if (this.idle.length < MAX_IDLE_ENGINES) this.idle.push(engine);
  }
}

/** Evaluates snapshots' metrics against rules with json-rules-engine; each top-level metric is a fact. */
export class Evaluator {
  private readonly pools = new WeakMap<Ruleset, EnginePool>();

  /** The enabled rules of the set, as ingest sees them, in priority order (ties: file order). */
  async evaluateEnabled(ruleset: Ruleset, facts: Record<string, unknown>): Promise<RuleEvaluation[]> {
    let pool = this.pools.get(ruleset);
    if (!pool) {
      pool = new EnginePool(ruleset.rules.filter((r) => r.enabled));
      this.pools.set(ruleset, pool);
    }
    return this.runOn(pool, ruleset, facts);
  }

  /** Any rules, enabled or not, on a throwaway engine: for simulate and for tests. */
  async evaluateRules(rules: Rule[], ruleset: Ruleset, facts: Record<string, unknown>): Promise<RuleEvaluation[]> {
    return this.runOn(new EnginePool(rules), ruleset, facts);
  }

  private async runOn(pool: EnginePool, ruleset: Ruleset, facts: Record<string, unknown>): Promise<RuleEvaluation[]> {
    const engine = pool.acquire();
    // Each metric is a constant fact read once per run: caching would only spend time hashing it.
    // No prototype: only the snapshot's own metrics are facts.
    const runtimeFacts: Record<string, Fact> = Object.create(null) as Record<string, Fact>;
    for (const [id, value] of Object.entries(facts)) runtimeFacts[id] = new Fact(id, value as never, { cache: false });
    let outcome: Awaited<ReturnType<Engine['run']>>;
    try {
      outcome = await engine.run(runtimeFacts);
    } catch (err) {
      if (pool.rules.length <= 1) throw err;
      // One rule threw and took the whole run with it: find it by running each rule alone.
      return sortByPriority(await this.isolate(pool, ruleset, facts), pool.order);
    } finally {
      pool.release(engine);
    }
    const evaluations: RuleEvaluation[] = [];
    for (const [results, matched] of [
      [outcome.results, true],
      [outcome.failureResults, false],
    ] as const) {
      for (const result of results) {
        const rule = ruleset.byName.get(result.name as string);
        if (!rule) continue;
        const leaves = collectLeaves(result.conditions);
        evaluations.push({
          rule,
          matched,
          matchedFacts: matched ? matchedFactValues(leaves) : {},
          failedConditions: matched ? [] : leaves.filter((l) => !l.result),
        });
      }
    }
    return sortByPriority(evaluations, pool.order);
  }

  private async isolate(pool: EnginePool, ruleset: Ruleset, facts: Record<string, unknown>): Promise<RuleEvaluation[]> {
    const out: RuleEvaluation[] = [];
    for (const rule of pool.rules) {
      try {
        out.push(...(await this.runOn(new EnginePool([rule]), ruleset, facts)));
      } catch (err) {
        out.push({ rule, matched: false, matchedFacts: {}, failedConditions: [], error: (err as Error).message });
      }
    }
    return out;
  }
}

function sortByPriority(evaluations: RuleEvaluation[], order: Map<string, number>): RuleEvaluation[] {
  return evaluations.sort(
    (a, b) => b.rule.priority - a.rule.priority || order.get(a.rule.name)! - order.get(b.rule.name)!,
  );
}
