/** One leaf condition as the engine evaluated it. */
export interface ConditionOutcome {
  fact: string;
  path?: string;
  operator: string;
  value: unknown;
  factValue: unknown;
  result: boolean;
}

interface EvaluatedNode {
  all?: EvaluatedNode[];
  any?: EvaluatedNode[];
  not?: EvaluatedNode;
  fact?: string;
  path?: string;
  operator?: string;
  value?: unknown;
  factResult?: unknown;
  result?: boolean;
}

/** Flattens the engine's annotated condition tree into the leaves it actually evaluated. */
export function collectLeaves(node: unknown, out: ConditionOutcome[] = []): ConditionOutcome[] {
  const n = node as EvaluatedNode | undefined;
  if (!n) return out;
  if (n.all) n.all.forEach((c) => collectLeaves(c, out));
  else if (n.any) n.any.forEach((c) => collectLeaves(c, out));
  else if (n.not) collectLeaves(n.not, out);
  else if (n.fact !== undefined && typeof n.result === 'boolean') {
    const leaf: ConditionOutcome = {
      fact: n.fact,
      operator: n.operator ?? '',
      value: n.value,
      factValue: n.factResult,
      result: n.result,
    };
    if (n.path !== undefined) leaf.path = n.path;
    out.push(leaf);
  }
  return out;
}

/** `fact` or `fact$.path` -> value, for the conditions that held: what a person deciding needs to see. */
export function matchedFactValues(leaves: ConditionOutcome[]): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const leaf of leaves) {
    if (!leaf.result) continue;
    // defineProperty, so a fact literally named "__proto__" stays a plain key.
    Object.defineProperty(values, leaf.path ? `${leaf.fact}${leaf.path.slice(1)}` : leaf.fact, {
      value: leaf.factValue,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return values;
}
