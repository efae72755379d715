import type { ProblemDetail } from '../errors';

const MAX_REPORTED = 20;

function escapePointer(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}

/**
 * Every number JSON.parse turned into ±Infinity (`1e400`): JSON has no such value, so it would be
 * held as Infinity, compared as Infinity, and written back as `null`. Each is a problem at its JSON
 * pointer (the first 20). Iterative: safe on any nesting depth.
 */
export function nonFiniteNumbers(value: unknown, base = ''): ProblemDetail[] {
  // Every body is walked: the pointers are made only for one that holds such a number.
  if (allFinite(value)) return [];
  const problems: ProblemDetail[] = [];
  const stack: Array<[unknown, string]> = [[value, base]];
  while (stack.length > 0 && problems.length < MAX_REPORTED) {
    const [node, pointer] = stack.pop()!;
    if (typeof node === 'number') {
      if (!Number.isFinite(node)) problems.push({ pointer, message: 'the number is out of range (beyond ±1.8e308): JSON numbers must be finite' });
      continue;
    }
    if (typeof node !== 'object' || node === null) continue;
    const entries: Array<[string, unknown]> = Array.isArray(node) ? node.map((v, i) => [String(i), v]) : Object.entries(node);
    // Pushed in reverse so problems come out in document order.
    for (let i = entries.length - 1; i >= 0; i -= 1) {
      const [key, child] = entries[i]!;
      if (typeof child === 'number' || (typeof child === 'object' && child !== null)) stack.push([child, `${pointer}/${escapePointer(key)}`]);
    }
  }
  return problems;
}

/** No number in `value` is ±Infinity (or NaN). Iterative, like the walk above. */
function allFinite(value: unknown): boolean {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const node = stack.pop();
    if (typeof node === 'number') {
      if (!Number.isFinite(node)) return false;
    } else if (Array.isArray(node)) {
      for (const child of node) if (typeof child === 'object' ? child !== null : typeof child === 'number') stack.push(child);
    } else if (typeof node === 'object' && node !== null) {
      for (const key in node) {
        const child = (node as Record<string, unknown>)[key];
        if (typeof child === 'object' ? child !== null : typeof child === 'number') stack.push(child);
      }
    }
  }
  return true;
}
