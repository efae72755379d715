/**
 * How deeply JSON may nest before a schema sees it. ajv walks recursive schemas (rule conditions)
 * by recursion, so a body of 100,000 nested `{"not": ...}` would overflow the stack and answer 500;
 * no legitimate document comes near this bound (conditions stop at 10 levels, metrics at 8).
 */
export const MAX_JSON_DEPTH = 64;

/** True when `value` nests deeper than `limit` objects/arrays. Iterative: safe on any depth. */
export function nestsDeeperThan(value: unknown, limit: number = MAX_JSON_DEPTH): boolean {
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (typeof node !== 'object' || node === null) continue;
    if (depth > limit) return true;
    for (const child of Array.isArray(node) ? node : Object.values(node)) {
      if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
    }
  }
  return false;
}
