import type { CompiledConditions, Metrics } from './condition-compiler';
import { isNumberLike, type OperatorFn } from './operators';
import { hasConversionHooks, readPath } from './fact-read';
import { type FactRead, type LeafPlan, OP, opcodeOf, POSTFIX, sizeAt, toTree } from './rule-plan';
import { decoratedMayThrow } from './decorators';
import { compiledPath, type PathReader } from '../path-resolver';
import type { RuleMarks } from './rule-marks';

/**
 * Collects a run's outcomes: a position for a rule that held, `~position` then the error for one
 * that threw.
 */
export type RunOutput = unknown[];

/**
 * A leaf's or reference's read through a path that is not a chain of names (wildcards, descent,
 * jsonpath-plus): read when the leaf runs, never shared, since each read makes a new list.
 */
const BY_JSON_PATH = -1;
/** A leaf compared with a constant rather than a fact reference. */
const NO_REF = -2;
/** lazyTreeAt of a position whose rule is left to the engine, or is eager. */
const NOT_COMPILED = -1;
const EAGER = -2;

const isOwnEnumerable = Object.prototype.propertyIsEnumerable;

/**
 * The machine's own opcodes for one decorator over a plain operator (its opcode in leafBase): the
 * decorators' loops run here rather than through a closure per decorator and one per element.
 */
const SOME_FACT = 11;
const EVERY_FACT = 12;
const SOME_VALUE = 13;
const NOT = 14;
const DECORATOR_OPCODES: Readonly<Record<string, number>> = { someFact: SOME_FACT, everyFact: EVERY_FACT, someValue: SOME_VALUE, not: NOT };

/** `decorator:operator` with one decorator the machine runs and a plain operator: its opcodes; else null. */
function decoratedOpcodes(operator: string): { op: number; base: number } | null {
  const colon = operator.indexOf(':');
  if (colon <= 0 || !Object.prototype.hasOwnProperty.call(DECORATOR_OPCODES, operator.slice(0, colon))) return null;
  const base = opcodeOf(operator.slice(colon + 1));
  return base === OP.call ? null : { op: DECORATOR_OPCODES[operator.slice(0, colon)]!, base };
}

/**
 * The compiled rules of one version run by one small machine over flat tables of their plans
 * (rule-plan). Each snapshot's facts are read once into an array (own properties only, as the
 * engine's almanac sees them). A marked rule that may throw has every leaf evaluated in order —
 * json-rules-engine evaluates all of them, so a leaf that throws anywhere makes the rule throw —
 * inside its own try/catch, so a rule that throws is reported and the next one runs, and then its
 * all/any/not tree is folded over the leaf results; a rule that cannot throw on the snapshot walks
 * its tree evaluating only the leaves the result needs.
 */
export class RulesProgram {
  private readonly factIds = new Map<string, number>();
  /** The fact names by id. */
  private readonly factNames: string[] = [];
  /**
   * The loaded snapshot's slots: every value the rules read with a plain path or none, read once
   * per snapshot (most leaves share their reads with many others, and the guard index reads the
   * same values). Slot f < factNames.length is fact f itself; the others are a fact narrowed by a
   * dotted path (slotFact, slotKeys).
   */
  private readonly vals: unknown[];
  /** The same slots' values unboxed: a number as it is, NaN for NaN and for anything else (then read `vals`). */
  private readonly nums: Float64Array;
  private readonly slotIds = new Map<string, number>();
  private readonly slotFactList: number[] = [];
  private readonly slotFact: Int32Array;
  private readonly slotKeys: (string[] | null)[] = [];

  // Per rule.
  /** Per position (of all enabled rules): the compiled rule's index here, or -1. */
  private readonly ruleAt: Int32Array;
  private readonly leafStart: Int32Array;
  /** Where each rule's all/any/not tree starts in `tree`. */
  private readonly treeStart: Int32Array;
  /** 1 for a rule with a leaf that may throw on a benign snapshot (see mayThrow): always run whole. */
  readonly eager: Uint8Array;
  private readonly anyLazy: boolean;
  /**
   * Per position, for a run that short-circuits: where the tree of a compiled rule that is not
   * eager starts, EAGER for an eager one, NOT_COMPILED for a rule left to the engine.
   */
  private readonly lazyTreeAt: Int32Array;

  // Per leaf, over all rules.
  /** The slot a leaf reads, or BY_JSON_PATH (then leafFact and leafReader say what to read). */
  private readonly leafSlot: Int32Array;
  private readonly leafFact: Int32Array;
  private readonly leafReader: (PathReader | null)[] = [];
  private readonly leafOp: Uint8Array;
  /** For a decorated leaf the machine runs (SOME_FACT ... NOT): the plain operator inside. */
  private readonly leafBase: Uint8Array;
  private readonly leafFn: OperatorFn[] = [];
  private readonly leafValue: unknown[] = [];
  /** The constant of an ordering against a number, unboxed (NaN for any other leaf). */
  private readonly leafNumber: Float64Array;
  /** The slot a fact reference reads, BY_JSON_PATH (see refFact, refReader), or NO_REF. */
  private readonly refSlot: Int32Array;
  private readonly refFact: Int32Array;
  private readonly refReader: (PathReader | null)[] = [];
  private readonly results: Uint8Array;

  /** All rules' trees in prefix form (see toTree), leaf indices made global. */
  private readonly tree: Int32Array;

  /** `rules` in position order; `size`: how many positions there are (compiled or not). */
  constructor(rules: { position: number; code: CompiledConditions }[], size: number) {
    const leafCount = rules.reduce((n, r) => n + r.code.plan.leaves.length, 0);
    this.ruleAt = new Int32Array(size).fill(-1);
    this.leafStart = new Int32Array(rules.length + 1);
    this.treeStart = new Int32Array(rules.length);
    this.eager = new Uint8Array(rules.length);
    this.leafSlot = new Int32Array(leafCount);
    this.leafFact = new Int32Array(leafCount);
    this.leafOp = new Uint8Array(leafCount);
    this.leafBase = new Uint8Array(leafCount);
    this.leafNumber = new Float64Array(leafCount).fill(Number.NaN);
    this.refSlot = new Int32Array(leafCount).fill(NO_REF);
    this.refFact = new Int32Array(leafCount);
    this.results = new Uint8Array(leafCount);
    // Facts first, so that a fact's own slot is its id.
    for (const { code } of rules) {
      for (const l of code.plan.leaves) {
        this.factId(l.read.fact);
        if (l.ref) this.factId(l.ref.fact);
      }
    }
    const trees: number[] = [];
    let leaf = 0;
    rules.forEach(({ position, code }, r) => {
      const { plan } = code;
      this.ruleAt[position] = r;
      this.leafStart[r] = leaf;
      this.treeStart[r] = trees.length;
      trees.push(...toTree(plan.postfix, leaf));
      this.eager[r] = plan.leaves.some(mayThrow) ? 1 : 0;
      for (const l of plan.leaves) {
        this.leafSlot[leaf] = this.slotOf(l.read);
        this.leafFact[leaf] = this.factId(l.read.fact);
        this.leafReader.push(readerOf(l.read));
        this.leafOp[leaf] = l.opcode;
        const decorated = l.opcode === OP.call ? decoratedOpcodes(l.operator) : null;
        if (decorated) {
          this.leafOp[leaf] = decorated.op;
          this.leafBase[leaf] = decorated.base;
        }
        this.leafFn.push(l.fn);
        this.leafValue.push(l.value);
        if (l.opcode >= OP.lessThan && l.ref === null && typeof l.value === 'number') this.leafNumber[leaf] = l.value;
        if (l.ref) {
          this.refSlot[leaf] = this.slotOf(l.ref);
          this.refFact[leaf] = this.factId(l.ref.fact);
        }
        this.refReader.push(l.ref ? readerOf(l.ref) : null);
        leaf++;
      }
    });
    this.leafStart[rules.length] = leaf;
    this.tree = Int32Array.from(trees);
    this.anyLazy = this.eager.some((e) => e === 0);
    this.lazyTreeAt = new Int32Array(size).fill(NOT_COMPILED);
    rules.forEach(({ position }, r) => (this.lazyTreeAt[position] = this.eager[r] === 1 ? EAGER : this.treeStart[r]!));
    this.slotFact = Int32Array.from(this.slotFactList);
    this.vals = new Array<unknown>(this.factNames.length + this.slotFact.length).fill(undefined);
    this.nums = new Float64Array(this.vals.length);
  }

  private slotOf(read: FactRead): number {
    if (read.jsonPath !== null) return BY_JSON_PATH;
    if (read.keys === null) return this.factId(read.fact);
    const key = JSON.stringify([read.fact, read.keys]);
    let id = this.slotIds.get(key);
    if (id === undefined) {
      id = this.factNames.length + this.slotFactList.length;
      this.slotIds.set(key, id);
      this.slotFactList.push(this.factId(read.fact));
      this.slotKeys.push(read.keys);
    }
    return id;
  }

  /** The slot of a read (a fact and a plain path) these rules make, the index of its value in `values`. */
  slotIdOf(read: FactRead): number | undefined {
    if (read.jsonPath !== null) return undefined;
    return read.keys === null ? this.factIds.get(read.fact) : this.slotIds.get(JSON.stringify([read.fact, read.keys]));
  }


  private factId(name: string): number {
    let id = this.factIds.get(name);
    if (id === undefined) {
      id = this.factIds.size;
      this.factIds.set(name, id);
      this.factNames.push(name);
    }
    return id;
  }

  /** The id of a fact these rules read, the index of its value in `values`. */
  factIdOf(name: string): number | undefined {
    return this.factIds.get(name);
  }

  /**
   * The loaded snapshot's slot values: fact f (its id) at index f, undefined for a fact it does
   * not have; then each plain path the rules read (slotIdOf).
   */
  get values(): readonly unknown[] {
    return this.vals;
  }

  /**
   * Reads a snapshot's facts (own properties only, as the engine's almanac sees them) for the next
   * run, and says whether the snapshot is benign: no fact these rules read holds an object whose
   * conversion to a string could throw (see hasConversionHooks), the only way a leaf of a rule that
   * is not eager can throw.
   */
  load(metrics: Metrics): boolean {
    const vals = this.vals;
    const names = this.factNames;
    let benign = true;
    // By the rules' fact names rather than the snapshot's keys: no key list is built, and a
    // snapshot's metrics no rule reads cost nothing. An own enumerable property is exactly what the
    // engine's almanac takes from the facts it is given (Object.keys).
    for (let id = 0; id < names.length; id++) {
      const name = names[id]!;
      const value = isOwnEnumerable.call(metrics, name) ? metrics[name] : undefined;
      vals[id] = value;
      if (benign && value !== null && typeof value === 'object' && hasConversionHooks(value)) benign = false;
    }
    // Plain paths only read own data properties (snapshots are parsed JSON): nothing here can throw.
    const slotFact = this.slotFact;
    const slotKeys = this.slotKeys;
    for (let s = 0, id = names.length; s < slotFact.length; s++, id++) vals[id] = readPath(vals[slotFact[s]!], slotKeys[s]!, null);
    const nums = this.nums;
    for (let id = 0; id < vals.length; id++) {
      const v = vals[id];
      nums[id] = typeof v === 'number' ? v : Number.NaN;
    }
    return benign;
  }

  /**
   * Runs the marked rules, in position order, against the loaded snapshot; synchronous, so the
   * tables can be reused. On a benign snapshot a rule that is not eager evaluates only the leaves
   * its result needs: none of its leaves can throw there.
   */
  run(marks: RuleMarks, benign: boolean): RunOutput {
    const vals = this.vals;
    const out: RunOutput = [];
    const words = marks.words;
    if (this.anyLazy && benign) {
      // The common run, one lookup a rule: its tree walked as far as the result needs.
      const lazyTreeAt = this.lazyTreeAt;
      for (let w = 0; w < words.length; w++) {
        for (let bits = words[w]!; bits !== 0; ) {
          const low = bits & -bits;
          bits ^= low;
          const position = (w << 5) | (31 - Math.clz32(low));
          const tree = lazyTreeAt[position]!;
          if (tree >= 0) {
            if (this.decides(tree, vals)) out.push(position);
          } else if (tree === EAGER) this.runRule(this.ruleAt[position]!, position, vals, out);
        }
      }
      return out;
    }
    for (let w = 0; w < words.length; w++) {
      for (let bits = words[w]!; bits !== 0; ) {
        const low = bits & -bits;
        bits ^= low;
        const position = (w << 5) | (31 - Math.clz32(low));
        const r = this.ruleAt[position]!;
        if (r >= 0) this.runRule(r, position, vals, out);
      }
    }
    return out;
  }

  /** Runs one rule whole, every leaf: adds its position to `out` when it holds, or ~position and the error when it throws. */
  private runRule(r: number, position: number, vals: unknown[], out: RunOutput): void {
    const results = this.results;
    const end = this.leafStart[r + 1]!;
    try {
      for (let i = this.leafStart[r]!; i < end; i++) results[i] = this.leaf(i, vals) ? 1 : 0;
    } catch (err) {
      out.push(~position, err);
      return;
    }
    if (this.holds(this.treeStart[r]!)) out.push(position);
  }

  private leaf(i: number, vals: unknown[]): boolean {
    const slot = this.leafSlot[i]!;
    const op = this.leafOp[i]!;
    if (slot >= 0) {
      // The common leaf, a number against a number (a constant or a fact reference), from the
      // unboxed slots: plain's result without its number-like check (a NaN on either side takes
      // the general path below, where every ordering fails as the engine's).
      const t = this.leafNumber[i]!;
      const x = this.nums[slot]!;
      if (t === t && x === x) return ordered(op, x, t);
      const ref = this.refSlot[i]!;
      if (ref >= 0 && op >= OP.lessThan && op <= OP.greaterThanInclusive) {
        const y = this.nums[ref]!;
        if (x === x && y === y) return ordered(op, x, y);
      }
    }
    const a = slot >= 0 ? vals[slot] : readPath(vals[this.leafFact[i]!], null, this.leafReader[i]!);
    const ref = this.refSlot[i]!;
    const b = ref === NO_REF ? this.leafValue[i] : ref >= 0 ? vals[ref] : readPath(vals[this.refFact[i]!], null, this.refReader[i]!);
    if (op === OP.call) return this.leafFn[i]!(a, b);
    return op <= OP.greaterThanInclusive ? plain(op, a, b) : this.decorated(i, op, a, b);
  }

  /** A decorator over a plain operator, as decorators.ts runs it (the differential test holds it to the engine). */
  private decorated(i: number, op: number, a: unknown, b: unknown): boolean {
    const base = this.leafBase[i]!;
    switch (op) {
      case SOME_FACT:
        if (!Array.isArray(a)) return false;
        if (base >= OP.lessThan && typeof b === 'number') return someOrdered(base, a, b);
        for (let k = 0; k < a.length; k++) if (plain(base, a[k], b)) return true;
        return false;
      case EVERY_FACT:
        if (!Array.isArray(a)) return false;
        if (base >= OP.lessThan && typeof b === 'number') return everyOrdered(base, a, b);
        for (let k = 0; k < a.length; k++) if (!plain(base, a[k], b)) return false;
        return true;
      case SOME_VALUE:
        // Not a list: its own `some`, through the operator's function (which throws as the engine does).
        if (!Array.isArray(b)) return this.leafFn[i]!(a, b);
        for (let k = 0; k < b.length; k++) if (plain(base, a, b[k])) return true;
        return false;
      default:
        return !plain(base, a, b);
    }
  }

  /** Whether the tree at p holds, over leaf results already computed. */
  private holds(p: number): boolean {
    const tree = this.tree;
    const c = tree[p]!;
    if (c >= 0) return this.results[c] === 1;
    if (c === POSTFIX.TRUE) return true;
    if (c === POSTFIX.NOT) return !this.holds(p + 2);
    const and = c === POSTFIX.AND;
    const n = tree[p + 2]!;
    for (let k = 0, q = p + 3; k < n; k++, q += sizeAt(tree, q)) if (this.holds(q) !== and) return !and;
    return and;
  }

  /** Whether the tree at p holds, evaluating leaves only as far as the result needs (no leaf may throw). */
  private decides(p: number, vals: unknown[]): boolean {
    const tree = this.tree;
    const c = tree[p]!;
    if (c >= 0) return this.leaf(c, vals);
    if (c === POSTFIX.TRUE) return true;
    if (c === POSTFIX.NOT) return !this.decides(p + 2, vals);
    const and = c === POSTFIX.AND;
    const n = tree[p + 2]!;
    // Leaf children (most of them) are evaluated here rather than through a recursive call.
    for (let k = 0, q = p + 3; k < n; k++) {
      const x = tree[q]!;
      if (x >= 0) {
        if (this.leaf(x, vals) !== and) return !and;
        q += 1;
      } else {
        if (this.decides(q, vals) !== and) return !and;
        q += sizeAt(tree, q);
      }
    }
    return and;
  }
}

function readerOf(read: FactRead): PathReader | null {
  return read.jsonPath === null ? null : compiledPath(read.jsonPath).read;
}

/** Whether a read may throw: only one left to jsonpath-plus (filters and scripts run code). */
function readMayThrow(read: FactRead): boolean {
  return read.jsonPath !== null && compiledPath(read.jsonPath).byJsonPath;
}

/**
 * Whether a leaf may throw on some snapshot that has no object with its own toString or valueOf:
 * a read jsonpath-plus resolves (filters run code), a decorated operator on a fact reference or
 * one whose constant makes it unsafe (decoratedMayThrow), `in` and `notIn` on anything but a
 * constant list (`indexOf` of a number throws), and an ordering compared with a constant object
 * (its conversion runs the rules file's own keys). Everything else only reads own properties,
 * compares strictly, or converts snapshot values to strings.
 */
function mayThrow(leaf: LeafPlan): boolean {
  if (readMayThrow(leaf.read) || (leaf.ref !== null && readMayThrow(leaf.ref))) return true;
  if (leaf.opcode === OP.call) return leaf.ref !== null || decoratedMayThrow(leaf.operator, leaf.value, baseMayThrow);
  return leaf.ref === null ? constantMayThrow(leaf.opcode, leaf.value) : leaf.opcode === OP.in || leaf.opcode === OP.notIn;
}

function baseMayThrow(base: string, constant: unknown): boolean {
  const opcode = opcodeOf(base);
  return opcode === OP.call || constantMayThrow(opcode, constant);
}

/** Whether a plain operator compared with a constant may throw on a benign snapshot. */
function constantMayThrow(opcode: number, value: unknown): boolean {
  switch (opcode) {
    case OP.equal:
    case OP.notEqual:
    case OP.contains:
    case OP.doesNotContain:
      return false;
    case OP.in:
    case OP.notIn:
      return !(Array.isArray(value) || typeof value === 'string');
    case OP.lessThan:
    case OP.lessThanInclusive:
    case OP.greaterThan:
    case OP.greaterThanInclusive:
      return value !== null && typeof value === 'object';
    default:
      return true;
  }
}

/** Walks a run's output in order: positions that held, and positions that threw with their error. */
export function readOutput(out: RunOutput, held: (position: number) => void, threw: (position: number, err: unknown) => void): void {
  for (let i = 0; i < out.length; i++) {
    const x = out[i] as number;
    if (x >= 0) held(x);
    else threw(~x, out[++i]);
  }
}

/** An ordering (opcodes lessThan ... greaterThanInclusive) of two numbers: plain's result for them (NaN fails each). */
function ordered(op: number, a: number, b: number): boolean {
  return op === OP.greaterThan ? a > b : op === OP.greaterThanInclusive ? a >= b : op === OP.lessThan ? a < b : a <= b;
}

/** someFact over an ordering against a number: plain's result for each element, numbers without a call. */
function someOrdered(op: number, list: unknown[], b: number): boolean {
  for (let k = 0; k < list.length; k++) {
    const x = list[k];
    if (typeof x === 'number' ? ordered(op, x, b) : plain(op, x, b)) return true;
  }
  return false;
}

/** everyFact over an ordering against a number, as someOrdered. */
function everyOrdered(op: number, list: unknown[], b: number): boolean {
  for (let k = 0; k < list.length; k++) {
    const x = list[k];
    if (!(typeof x === 'number' ? ordered(op, x, b) : plain(op, x, b))) return false;
  }
  return true;
}

/**
 * A plain operator (opcodes equal ... greaterThanInclusive): the same expressions as operators.ts
 * and inlineOperator; the differential test holds them to the engine.
 */
function plain(op: number, a: unknown, b: unknown): boolean {
  switch (op) {
    case OP.equal:
      return a === b;
    case OP.notEqual:
      return a !== b;
    case OP.in:
      return (b as unknown[]).indexOf(a) > -1;
    case OP.notIn:
      return (b as unknown[]).indexOf(a) === -1;
    case OP.contains:
      return Array.isArray(a) && a.indexOf(b) > -1;
    case OP.doesNotContain:
      return Array.isArray(a) && a.indexOf(b) === -1;
    case OP.lessThan:
      return (typeof a === 'number' ? a === a : isNumberLike(a)) && (a as number) < (b as number);
    case OP.lessThanInclusive:
      return (typeof a === 'number' ? a === a : isNumberLike(a)) && (a as number) <= (b as number);
    case OP.greaterThan:
      return (typeof a === 'number' ? a === a : isNumberLike(a)) && (a as number) > (b as number);
    default:
      return (typeof a === 'number' ? a === a : isNumberLike(a)) && (a as number) >= (b as number);
  }
}
