import { Engine, Fact, Rule as EngineRule } from 'json-rules-engine';
import type { Rule } from '../domain/rule';
import { collectLeaves, type ConditionOutcome } from './condition-outcomes';
import { resolvePath } from './path-resolver';

const MAX_IDLE_ENGINES = 8;

export interface InterpretedOutcome {
  matched: boolean;
  leaves: ConditionOutcome[];
}

function buildEngine(rule: Rule): Engine {
  // Undefined facts are "not matched", not an error: snapshots carry different subsets of metrics.
  const engine = new Engine([], { allowUndefinedFacts: true, pathResolver: resolvePath });
  engine.addRule(
    new EngineRule({ name: rule.name, priority: rule.priority, conditions: rule.conditions as never, event: { type: rule.name } }),
  );
  return engine;
}

/**
 * One rule on json-rules-engine: the reference semantics (the differential test's oracle) and the
 * fallback for rules the compiler leaves alone. One rule per engine, so a rule that throws rejects
 * only its own run. json-rules-engine keeps run state on the Engine, so overlapping evaluations
 * each take their own; building one costs far more than a run, so they are reused.
 */
export class RuleInterpreter {
  private readonly idle: Engine[] = [];

  constructor(readonly rule: Rule) {}

  /** Rejects where the engine rejects (a condition that throws on these facts). */
  async evaluate(facts: Record<string, unknown>): Promise<InterpretedOutcome> {
    const engine = this.idle.pop() ?? buildEngine(this.rule);
    // No prototype: only the snapshot's own metrics are facts. Each is a constant read once per run.
    const runtimeFacts = Object.create(null) as Record<string, Fact>;
    for (const [id, value] of Object.entries(facts)) runtimeFacts[id] = new Fact(id, value as never, { cache: false });
    try {
      const outcome = await engine.run(runtimeFacts);
      const [result, matched] = outcome.results.length > 0 ? [outcome.results[0]!, true] : [outcome.failureResults[0]!, false];
      return { matched, leaves: collectLeaves(result.conditions) };
    } finally {
      if (this.idle.length < MAX_IDLE_ENGINES) this.idle.push(engine);
    }
  }
}
