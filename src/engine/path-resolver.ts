import { JSONPath } from 'jsonpath-plus';

// `$.a.b.c` with plain identifiers: by far the most common path in rules.
export const DOTTED_PATH = /^\$(?:\.[A-Za-z_$][\w$]*)+$/;

/**
 * json-rules-engine resolves every `path` with jsonpath-plus, which parses the expression on each
 * call. Plain dotted paths are walked directly (own properties only, as JSONPath does); anything
 * else goes to JSONPath with the engine's own settings, so results are identical.
 */
export function resolvePath(value: unknown, path: string): unknown {
  if (!DOTTED_PATH.test(path)) return JSONPath({ path, json: value as object, wrap: false });
  let node: unknown = value;
  for (const key of path.slice(2).split('.')) {
    if (node === null || typeof node !== 'object' || !Object.prototype.hasOwnProperty.call(node, key)) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}
