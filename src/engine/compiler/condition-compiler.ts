import type { ConditionOutcome } from '../condition-outcomes';
import { resolvePath } from '../path-resolver';
import { resolveOperator } from './decorators';
import { engineCopy } from './engine-clone';
import { inlineOperator, isNumberLike, type OperatorFn } from './operators';
import { pathStatements } from './path-access';
import { compiledPath } from '../path-resolver';
import { type FactRead, type LeafPlan, opcodeOf, POSTFIX, type RulePlan } from './rule-plan';

/** A leaf condition as written, in the order json-rules-engine reports leaves (depth first). */
export interface LeafInfo {
  fact: string;
  operator: string;
  value: unknown;
  path?: string;
}

export type Metrics = Record<string, unknown>;
/** [result, factValue0, result0, factValue1, result1, ...]: what explanations are made of. */
export type ExplainRecord = unknown[];

/** One rule's evaluation as statements, for its explain function. */
interface RuleSource {
  /** Fact name → the local variable the statements read it from; the caller declares them. */
  factVars: Map<string, string>;
  /** Evaluates every leaf into l<i> (fact value) and r<i> (result). */
  statements: string[];
  /** Boolean expression over the r<i>: whether the rule holds. */
  result: string;
  /** `name = array[i]` bindings of operators and constants, made once when the program is built. */
  bindings(ops: string, consts: string): string[];
}

export interface CompiledConditions {
  /** Top-level facts the conditions read, in conditions and in values that refer to a fact. */
  facts: string[];
  leaves: LeafInfo[];
  ops: OperatorFn[];
  consts: unknown[];
  /** Evaluates the rule returning each leaf's fact value and result (compiled on first use). */
  explain: (metrics: Metrics) => ExplainRecord;
  /** The same rule as data, for the machine that runs a whole rules version (rules-program). */
  plan: RulePlan;
}

export type Compilation = { ok: true; compiled: CompiledConditions } | { ok: false; reason: string };

/** What generated code may call, by the names it uses. */
const CODE_SCOPE = ['hasOwn', 'resolvePath', 'isNumberLike', 'isArray'] as const;
function codeScope(): unknown[] {
  return [hasOwn, resolvePath, isNumberLike, Array.isArray];
}

/** Thrown inside the compiler for a shape it leaves to json-rules-engine. */
class Unsupported extends Error {}

const hasOwn = Object.prototype.hasOwnProperty;
const own = (o: object, key: string): boolean => hasOwn.call(o, key);

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/**
 * Generated code: every leaf is evaluated (the service's conditions carry no priorities, so the
 * engine evaluates all children of every all/any and short-circuits nothing; a throw in any leaf
 * rejects the rule), then the results are combined. Names in the code are the compiler's own; fact
 * names, keys and paths from the rules file enter only as JSON string literals, values only
 * through the `consts` array. This code explains a rule (simulate, an action's matched facts); the
 * same walk records the rule's plan, which the rules program runs for ingest.
 */
class Generator {
  readonly leaves: LeafInfo[] = [];
  readonly ops: OperatorFn[] = [];
  readonly consts: unknown[] = [];
  readonly planLeaves: LeafPlan[] = [];
  readonly postfix: number[] = [];
  private readonly factVars = new Map<string, string>();
  private readonly leafLines: string[] = [];

  factVar(name: string): string {
    let v = this.factVars.get(name);
    if (!v) {
      v = `f${this.factVars.size}`;
      this.factVars.set(name, v);
    }
    return v;
  }

  node(n: unknown): string {
    if (!isObject(n)) throw new Unsupported('a condition is not an object');
    if (own(n, 'condition')) throw new Unsupported('condition references');
    if (own(n, 'priority')) throw new Unsupported('condition priorities');
    if (own(n, 'any')) return this.list(n.any, ' || ', 'any');
    if (own(n, 'all')) return this.list(n.all, ' && ', 'all');
    if (own(n, 'not')) {
      if (Array.isArray(n.not)) throw new Unsupported('"not" holding a list');
      const inner = this.node(n.not);
      this.postfix.push(POSTFIX.NOT);
      return `!${inner}`;
    }
    return this.leaf(n);
  }

  private list(children: unknown, joiner: string, name: string): string {
    if (!Array.isArray(children)) throw new Unsupported(`"${name}" that is not a list`);
    // The engine treats an empty list as holding, for any as for all.
    if (children.length === 0) {
      this.postfix.push(POSTFIX.TRUE);
      return 'true';
    }
    const expr = `(${children.map((c) => this.node(c)).join(joiner)})`;
    this.postfix.push(name === 'all' ? POSTFIX.AND : POSTFIX.OR, children.length);
    return expr;
  }

  private leaf(n: Record<string, unknown>): string {
    if (!own(n, 'fact') || !own(n, 'operator') || !own(n, 'value')) throw new Unsupported('a condition without fact, operator or value');
    const { fact, operator, path } = n;
    const value = engineCopy(n.value);
    if (typeof fact !== 'string') throw new Unsupported('a fact name that is not a string');
    if (typeof operator !== 'string') throw new Unsupported('an operator name that is not a string');
    const op = resolveOperator(operator);
    if (!op) throw new Unsupported(`operator "${operator}" is not one of json-rules-engine's built-in operators`);
    if (path !== undefined && typeof path !== 'string') throw new Unsupported('a path that is not a string');
    const i = this.leaves.length;
    const info: LeafInfo = { fact, operator, value };
    if (path !== undefined) info.path = path;
    this.leaves.push(info);
    this.ops.push(op);
    const lines = [`let l${i} = ${this.factVar(fact)};`, ...pathStatements(`l${i}`, path)];
    const plan: LeafPlan = { read: factRead(fact, path), operator, opcode: opcodeOf(operator), fn: op, value, ref: null };
    this.planLeaves.push(plan);
    this.postfix.push(i);
    if (isObject(value) && own(value, 'fact')) {
      const ref = value as { fact: unknown; path?: unknown };
      if (typeof ref.fact !== 'string') throw new Unsupported('a value referring to a fact whose name is not a string');
      if (ref.path !== undefined && typeof ref.path !== 'string') throw new Unsupported('a value referring to a fact with a path that is not a string');
      plan.ref = factRead(ref.fact, ref.path);
      lines.push(`let v${i} = ${this.factVar(ref.fact)};`, ...pathStatements(`v${i}`, ref.path));
    } else {
      this.consts.push(value);
      lines.push(`const v${i} = k${this.consts.length - 1};`);
    }
    const inline = inlineOperator(operator, `l${i}`, `v${i}`);
    lines.push(inline ? `const r${i} = ${inline};` : `const r${i} = o${i}(l${i}, v${i});`);
    this.leafLines.push(...lines);
    return `r${i}`;
  }

  ruleSource(result: string): RuleSource {
    return {
      factVars: this.factVars,
      statements: this.leafLines,
      result,
      bindings: (ops, consts) => [
        ...this.ops.map((_, i) => `o${i} = ${ops}[${i}]`),
        ...this.consts.map((_, i) => `k${i} = ${consts}[${i}]`),
      ],
    };
  }
}

/** A function of the snapshot's metrics returning [result, l0, r0, l1, r1, ...]. */
function buildExplain(gen: Generator, result: string): (m: Metrics) => ExplainRecord {
  const src = gen.ruleSource(result);
  const reads = [...src.factVars].map(([name, v]) => {
    const k = JSON.stringify(name);
    return `const ${v} = hasOwn.call(m, ${k}) ? m[${k}] : undefined;`;
  });
  const bind = src.bindings('ops', 'consts');
  const body = [
    '"use strict";',
    bind.length ? `const ${bind.join(', ')};` : '',
    'return function (m) {',
    ...reads,
    ...src.statements,
    `return [${[result, ...gen.leaves.map((_, i) => `l${i}, r${i}`)].join(', ')}];`,
    '};',
  ].join('\n');
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  const factory = new Function(...CODE_SCOPE, 'ops', 'consts', body) as (...args: unknown[]) => (m: Metrics) => ExplainRecord;
  return factory(...codeScope(), gen.ops, gen.consts);
}

function generate(conditions: unknown): { gen: Generator; result: string } {
  const gen = new Generator();
  if (!isObject(conditions)) throw new Unsupported('conditions that are not an object');
  // The engine picks the top-level form by truthiness, any before all before not.
  if (conditions.any) return { gen, result: gen.node({ any: conditions.any }) };
  if (conditions.all) return { gen, result: gen.node({ all: conditions.all }) };
  if (conditions.not) return { gen, result: gen.node({ not: conditions.not }) };
  throw new Unsupported('a top level that is not all, any or not');
}

/** Compiles one rule's top-level conditions, or says why they are left to json-rules-engine. */
export function compileConditions(conditions: unknown): Compilation {
  let generated: { gen: Generator; result: string };
  try {
    generated = generate(conditions);
  } catch (err) {
    if (err instanceof Unsupported) return { ok: false, reason: `the compiler does not handle ${err.message}` };
    throw err;
  }
  const { gen, result } = generated;
  let explainFn: ((m: Metrics) => ExplainRecord) | null = null;
  return {
    ok: true,
    compiled: {
      facts: [...new Set(gen.leaves.flatMap((l) => [l.fact, ...refFact(l.value)]))],
      leaves: gen.leaves,
      ops: gen.ops,
      consts: gen.consts,
      explain: (m) => {
        explainFn ??= buildExplain(gen, result);
        return explainFn(m);
      },
      plan: { leaves: gen.planLeaves, postfix: gen.postfix },
    },
  };
}

/** A fact read as pathStatements does it: no path (or an empty one), a chain of names, or any other JSONPath. */
function factRead(fact: string, path: string | undefined): FactRead {
  if (!path) return { fact, keys: null, jsonPath: null };
  const { keys } = compiledPath(path);
  return keys !== null ? { fact, keys, jsonPath: null } : { fact, keys: null, jsonPath: path };
}

function refFact(value: unknown): string[] {
  return isObject(value) && own(value, 'fact') ? [value.fact as string] : [];
}

/** The leaves as json-rules-engine's annotated result reports them (see collectLeaves). */
export function outcomesOf(leaves: LeafInfo[], record: ExplainRecord): ConditionOutcome[] {
  return leaves.map((leaf, i) => {
    const outcome: ConditionOutcome = {
      fact: leaf.fact,
      operator: leaf.operator,
      value: leaf.value,
      factValue: record[1 + 2 * i],
      result: record[2 + 2 * i] as boolean,
    };
    if (leaf.path !== undefined) outcome.path = leaf.path;
    return outcome;
  });
}
