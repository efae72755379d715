import type { OperatorFn } from './operators';

/**
 * A compiled rule as data rather than code: its leaves (what to read, how to compare) and its
 * all/any/not structure in postfix. One small machine (rules-program) runs the plans of a whole
 * rules version; V8 optimizes that one hot loop at once, where a thousand generated functions each
 * wait to be called often enough to be optimized at all.
 */

/** How a leaf compares; the plain operators are inlined in the machine, the rest are called. */
export const OP = {
  call: 0,
  equal: 1,
  notEqual: 2,
  in: 3,
  notIn: 4,
  contains: 5,
  doesNotContain: 6,
  lessThan: 7,
  lessThanInclusive: 8,
  greaterThan: 9,
  greaterThanInclusive: 10,
} as const;

export function opcodeOf(operator: string): number {
  return Object.prototype.hasOwnProperty.call(OP, operator) && operator !== 'call' ? OP[operator as keyof typeof OP] : OP.call;
}

/** A value read from the snapshot: a top-level fact, narrowed by a dotted path or a JSONPath. */
export interface FactRead {
  fact: string;
  /** A path that is a chain of names (`$.a.b`, `$.hosts[0].up`, `$['a.b']`) as its keys, walked over own properties. */
  keys: string[] | null;
  /** Any other path (wildcards, descent, and what jsonpath-plus itself resolves), read by its compiled reader. */
  jsonPath: string | null;
}

export interface LeafPlan {
  read: FactRead;
  /** The operator as written, decorators included. */
  operator: string;
  opcode: number;
  /** The operator with its decorators, for OP.call. */
  fn: OperatorFn;
  /** The constant compared with, when `ref` is null. */
  value: unknown;
  /** A value that is itself a fact reference. */
  ref: FactRead | null;
}

/** Postfix codes: a leaf index (>= 0, within the rule), or one of these. AND and OR are followed by their child count. */
export const POSTFIX = { TRUE: -1, NOT: -2, AND: -3, OR: -4 } as const;

export interface RulePlan {
  leaves: LeafPlan[];
  postfix: number[];
}

/**
 * A rule's postfix as a prefix tree that can be walked and skipped: a leaf is its (global) index,
 * TRUE is one code, NOT is [NOT, size, child], AND/OR are [op, size, count, children...], where
 * size counts the whole node.
 */
export function toTree(postfix: number[], leafBase: number): number[] {
  const stack: number[][] = [];
  for (let p = 0; p < postfix.length; p++) {
    const c = postfix[p]!;
    if (c >= 0) stack.push([leafBase + c]);
    else if (c === POSTFIX.TRUE) stack.push([c]);
    else if (c === POSTFIX.NOT) {
      const child = stack.pop()!;
      stack.push([c, child.length + 2, ...child]);
    } else {
      const n = postfix[++p]!;
      const children = stack.splice(stack.length - n, n).flat();
      stack.push([c, children.length + 3, n, ...children]);
    }
  }
  return stack[0]!;
}

export function sizeAt(tree: Int32Array, q: number): number {
  const c = tree[q]!;
  return c >= 0 || c === POSTFIX.TRUE ? 1 : tree[q + 1]!;
}
