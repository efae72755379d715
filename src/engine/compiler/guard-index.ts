import type { RuleMarks } from './rule-marks';
import { type FactRead, type LeafPlan, OP, POSTFIX, type RulePlan, sizeAt, toTree } from './rule-plan';

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
  /** The read's slot in the rules program, i.e. where its value is in the loaded slot values. */
  slot: number;
  /** Every threshold compared with on the slot, ascending and distinct: one binary search serves all four operators. */
  at: Float64Array;
  /**
   * Per ordering operator used on the slot: its guard leaves' rules by ascending threshold, and
   * below[k], how many of its thresholds are under at[k] (below[at.length]: all of them).
   */
  thresholds: { op: number; rule: Int32Array; below: Int32Array }[];
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
   * positions; `slotIdOf`: the rules program's slot of a read.
   */
  constructor(rules: { position: number; plan: RulePlan }[], slotIdOf: (read: FactRead) => number) {
    const bySlot = new Map<number, { slot: Slot; thresholds: Map<number, Array<[number, number]>> }>();
    for (const { position, plan } of rules) {
      const guard = guardOf(Int32Array.from(toTree(plan.postfix, 0)), 0, plan.leaves, 0);
      if (!guard) continue;
      this.guarded.push(position);
      for (const i of guard) {
        const leaf = plan.leaves[i]!;
        const id = slotIdOf(leaf.read);
        let entry = bySlot.get(id);
        if (!entry) {
          const slot: Slot = { slot: id, at: new Float64Array(0), thresholds: [], equal: new Map(), contains: new Map(), ordered: [] };
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
      const at = [...new Set([...thresholds.values()].flatMap((list) => list.map((x) => x[0])))].sort((x, y) => x - y);
      slot.at = Float64Array.from(at);
      for (const [op, list] of thresholds) {
        list.sort((x, y) => x[0] - y[0]);
        const below = new Int32Array(at.length + 1);
        for (let k = 0, i = 0; k <= at.length; k++) {
          while (i < list.length && (k === at.length || list[i]![0] < at[k]!)) i++;
          below[k] = i;
        }
        slot.thresholds.push({ op, rule: Int32Array.from(list.map((x) => x[1])), below });
      }
      this.slots.push(slot);
    }
  }

  /** Marks every guarded rule a guard leaf of which may hold on the slot values the rules program loaded. */
  mark(slotValues: readonly unknown[], marks: RuleMarks): void {
    for (let s = 0; s < this.slots.length; s++) {
      const slot = this.slots[s]!;
      const a = slotValues[slot.slot];
      if (typeof a === 'number') this.markThresholds(slot, a, marks);
      else if (typeof a === 'string' || (a !== null && typeof a === 'object')) {
        // A numeric string or an object may still compare as a number (the engine's parseFloat check).
        for (const position of slot.ordered) marks.set(position);
      }
      if (isPrimitive(a)) {
        const rules = slot.equal.get(a);
        if (rules) for (const position of rules) marks.set(position);
      } else if (Array.isArray(a) && slot.contains.size > 0) {
        for (const item of a) {
          const rules = isPrimitive(item) ? slot.contains.get(item) : undefined;
          if (rules) for (const position of rules) marks.set(position);
        }
      }
    }
  }

  /** A number against the thresholds: the leaves that hold are a prefix or a suffix of each sorted list. */
  private markThresholds(slot: Slot, a: number, marks: RuleMarks): void {
    if (a !== a) return; // NaN is not number-like: no ordering holds
    const at = slot.at;
    // j: how many thresholds are under a; equal: whether a is one of them.
    let j = 0;
    for (let n = at.length; n > 0; ) {
      const half = n >>> 1;
      if (at[j + half]! < a) {
        j += half + 1;
        n -= half + 1;
      } else n = half;
    }
    const equal = j < at.length && at[j] === a;
    for (let s = 0; s < slot.thresholds.length; s++) {
      const { op, rule, below } = slot.thresholds[s]!;
      const under = below[j]!; // this operator's thresholds t < a
      const upTo = equal ? below[j + 1]! : under; // t <= a
      // a < t: those above upTo; a <= t: from under; a > t: the first `under`; a >= t: the first upTo.
      if (op === OP.lessThan) for (let i = upTo; i < rule.length; i++) marks.set(rule[i]!);
      else if (op === OP.lessThanInclusive) for (let i = under; i < rule.length; i++) marks.set(rule[i]!);
      else if (op === OP.greaterThan) for (let i = 0; i < under; i++) marks.set(rule[i]!);
      else for (let i = 0; i < upTo; i++) marks.set(rule[i]!);
    }
  }
}
