import { readPath } from './fact-read';
import { type LeafPlan, OP, POSTFIX, type RulePlan, sizeAt, toTree } from './rule-plan';

/**
 * Rules that a snapshot cannot match, found without running them. A rule's guard is a set of its
 * leaves at least one of which holds whenever the rule holds (a conjunct of a top-level `all`; one
 * such leaf from every branch of an `any`), chosen among leaves an index can answer for many rules
 * at once: a number compared with a constant threshold, equality with a constant, `in` a constant
 * list, `contains` a constant. When no guard leaf can hold, the rule does not match; and it cannot
 * throw either, because only rules none of whose leaves may throw on a benign snapshot are guarded
 * (the caller marks every guarded rule on any other snapshot).
 */

type Primitive = string | number | boolean | null;

function isPrimitive(v: unknown): v is Primitive {
  return v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
}

const THRESHOLD_OPS: readonly number[] = [OP.lessThan, OP.lessThanInclusive, OP.greaterThan, OP.greaterThanInclusive];

/** Whether the index can say for this leaf, on any snapshot, whether it may hold. */
function indexable(leaf: LeafPlan): boolean {
  if (leaf.ref !== null || leaf.read.jsonPath !== null) return false;
  if (THRESHOLD_OPS.includes(leaf.opcode)) return typeof leaf.value === 'number' && Number.isFinite(leaf.value);
  if (leaf.opcode === OP.equal || leaf.opcode === OP.contains) return isPrimitive(leaf.value);
  if (leaf.opcode === OP.in) return Array.isArray(leaf.value) && leaf.value.every(isPrimitive);
  return false;
}

/** Leaves (rule-local indices) one of which holds whenever the node at p holds; null when there is no such set. */
function guardOf(tree: Int32Array, p: number, leaves: LeafPlan[], base: number): number[] | null {
  const c = tree[p]!;
  if (c >= 0) return indexable(leaves[c - base]!) ? [c - base] : null;
  if (c === POSTFIX.TRUE || c === POSTFIX.NOT) return null;
  const n = tree[p + 2]!;
  let best: number[] | null = null;
  for (let k = 0, q = p + 3; k < n; k++, q += sizeAt(tree, q)) {
    const child = guardOf(tree, q, leaves, base);
    if (c === POSTFIX.AND) {
      if (child && (!best || child.length < best.length)) best = child;
    } else {
      if (!child) return null;
      best = [...(best ?? []), ...child];
    }
  }
  return best;
}

/** One value read from a snapshot (a fact and a dotted path) and the guard leaves over it. */
interface Slot {
  /** The fact's id in the rules program, i.e. where its value is in the loaded values. */
  fact: number;
  keys: string[] | null;
  /** Per ordering operator used on the slot: ascending thresholds with the rule each guard leaf belongs to. */
  thresholds: { op: number; at: Float64Array; rule: Int32Array }[];
  equal: Map<Primitive, number[]>;
  contains: Map<Primitive, number[]>;
  /** Every rule guarded on this slot by an ordering: marked when the value is not a plain number. */
  ordered: number[];
}

export class GuardIndex {
  private readonly slots: Slot[] = [];
  /** Positions of the guarded rules. */
  readonly guarded: number[] = [];

  /**
   * `rules`: the compiled rules none of whose leaves may throw on a benign snapshot, with their
   * positions; `factIdOf`: the rules program's fact ids.
   */
  constructor(rules: { position: number; plan: RulePlan }[], factIdOf: (fact: string) => number) {
    const bySlot = new Map<string, { slot: Slot; thresholds: Map<number, Array<[number, number]>> }>();
    for (const { position, plan } of rules) {
      const guard = guardOf(Int32Array.from(toTree(plan.postfix, 0)), 0, plan.leaves, 0);
      if (!guard) continue;
      this.guarded.push(position);
      for (const i of guard) {
        const leaf = plan.leaves[i]!;
        const id = `${leaf.read.fact}\u0000${leaf.read.keys?.join('.') ?? ''}`;
        let entry = bySlot.get(id);
        if (!entry) {
          const slot: Slot = { fact: factIdOf(leaf.read.fact), keys: leaf.read.keys, thresholds: [], equal: new Map(), contains: new Map(), ordered: [] };
          entry = { slot, thresholds: new Map() };
          bySlot.set(id, entry);
        }
        const { slot } = entry;
        if (THRESHOLD_OPS.includes(leaf.opcode)) {
          const list = entry.thresholds.get(leaf.opcode) ?? [];
          list.push([leaf.value as number, position]);
          entry.thresholds.set(leaf.opcode, list);
          slot.ordered.push(position);
        } else {
          const map = leaf.opcode === OP.contains ? slot.contains : slot.equal;
          const values = leaf.opcode === OP.in ? (leaf.value as Primitive[]) : [leaf.value as Primitive];
          for (const v of values) {
            const list = map.get(v);
            if (list) list.push(position);
            else map.set(v, [position]);
          }
        }
      }
    }
    for (const { slot, thresholds } of bySlot.values()) {
      for (const [op, list] of thresholds) {
        list.sort((x, y) => x[0] - y[0]);
        slot.thresholds.push({ op, at: Float64Array.from(list.map((x) => x[0])), rule: Int32Array.from(list.map((x) => x[1])) });
      }
      this.slots.push(slot);
    }
  }

  /** Marks (marks[position] = g) every guarded rule a guard leaf of which may hold on the facts the rules program loaded. */
  mark(values: readonly unknown[], marks: Uint32Array, g: number): void {
    for (let s = 0; s < this.slots.length; s++) {
      const slot = this.slots[s]!;
      const a = readPath(values[slot.fact], slot.keys, null);
      if (typeof a === 'number') this.markThresholds(slot, a, marks, g);
      else if (typeof a === 'string' || (a !== null && typeof a === 'object')) {
        // A numeric string or an object may still compare as a number (the engine's parseFloat check).
        for (const position of slot.ordered) marks[position] = g;
      }
      if (isPrimitive(a)) {
        const rules = slot.equal.get(a);
        if (rules) for (const position of rules) marks[position] = g;
      } else if (Array.isArray(a) && slot.contains.size > 0) {
        for (const item of a) {
          const rules = isPrimitive(item) ? slot.contains.get(item) : undefined;
          if (rules) for (const position of rules) marks[position] = g;
        }
      }
    }
  }

  /** A number against the thresholds: the leaves that hold are a prefix or a suffix of each sorted list. */
  private markThresholds(slot: Slot, a: number, marks: Uint32Array, g: number): void {
    if (a !== a) return; // NaN is not number-like: no ordering holds
    for (let s = 0; s < slot.thresholds.length; s++) {
      const { op, at, rule } = slot.thresholds[s]!;
      // The leaf holds for threshold t when: a < t, a <= t (a suffix), a > t, a >= t (a prefix).
      const strict = op === OP.lessThan || op === OP.greaterThanInclusive;
      let lo = 0;
      let hi = at.length;
      // First index whose threshold is > a (strict) or >= a (not strict).
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (strict ? at[mid]! <= a : at[mid]! < a) lo = mid + 1;
        else hi = mid;
      }
      if (op === OP.lessThan || op === OP.lessThanInclusive) for (let i = lo; i < at.length; i++) marks[rule[i]!] = g;
      else for (let i = 0; i < lo; i++) marks[rule[i]!] = g;
    }
  }
}
