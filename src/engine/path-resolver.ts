import { JSONPath } from 'jsonpath-plus';

/** Reads a `path` out of a fact value (a non-null object: the almanac narrows nothing else). */
export type PathReader = (value: unknown) => unknown;

export interface CompiledPath {
  /**
   * The path as a chain of property names when that is all it is (`$.a.b`, `$.hosts[0].up`,
   * `$['a.b']`): its one result is the value reached by following own properties, else undefined.
   * Such a read gives the very value stored, so it can be read once per snapshot and shared.
   */
  keys: string[] | null;
  /** Reads the path exactly as jsonpath-plus does when json-rules-engine calls it. */
  read: PathReader;
  /** Whether `read` is jsonpath-plus itself (filters, scripts, slices: code that may throw). */
  byJsonPath: boolean;
}

const hasOwn = Object.prototype.hasOwnProperty;

/** jsonpath-plus's slice step (`[1:3]`, also what `['1:2']` turns into). */
const SLICE = /^(-?\d*):(-?\d*):?(\d*)$/u;

/**
 * Whether jsonpath-plus, at a step of this name, only ever follows the own property of that name:
 * every name its trace gives another meaning to (`*`, `..`, `$`, `^`, `~`, slices, filters,
 * scripts, type selectors, backtick escapes, unions) is not one.
 */
function isPlainName(loc: string): boolean {
  if (loc === '*' || loc === '..' || loc === '$' || loc === '^' || loc === '~') return false;
  if (SLICE.test(loc) || loc.startsWith('?(')) return false;
  const first = loc[0];
  return first !== '(' && first !== '@' && first !== '`' && !loc.includes(',');
}

/** What the trace collects: the values reached, and whether the only one came through a wildcard or descent. */
interface Found {
  values: unknown[];
  arrayLike: boolean;
}

/**
 * jsonpath-plus 10.4.0's `_trace` for steps that are plain names, `*` and `..` (the documented
 * path forms), as it runs them: a name follows the own property of a truthy value (so a string's
 * indices and `length` too); after a step that followed a name or a `*`, a name is tried as a
 * literal key first, which is how `$.a.*` reads a key named `*`; `*` visits an array's indices or
 * an object's own keys; `..` tries the rest of the path here and then in every child whose value
 * is of type object (null included).
 */
function trace(locs: string[], i: number, val: unknown, arrayLike: boolean, literalFirst: boolean, found: Found): void {
  if (i === locs.length) {
    found.values.push(val);
    if (found.values.length === 1) found.arrayLike = arrayLike;
    return;
  }
  const loc = locs[i]!;
  if (literalFirst && val && hasOwn.call(val, loc)) {
    trace(locs, i + 1, (val as Record<string, unknown>)[loc], arrayLike, false, found);
  } else if (loc === '*') {
    forEachChild(val, (child) => trace(locs, i + 1, child, true, true, found));
  } else if (loc === '..') {
    trace(locs, i + 1, val, arrayLike, false, found);
    forEachChild(val, (child) => {
      if (typeof child === 'object') trace(locs, i, child, true, false, found);
    });
  } else if (!literalFirst && val && hasOwn.call(val, loc)) {
    trace(locs, i + 1, (val as Record<string, unknown>)[loc], arrayLike, true, found);
  }
}

/** jsonpath-plus's `_walk`: an array's elements by index, an object's own enumerable keys. */
function forEachChild(val: unknown, visit: (child: unknown) => void): void {
  if (Array.isArray(val)) {
    for (let k = 0, n = val.length; k < n; k++) visit(val[k]);
  } else if (val && typeof val === 'object') {
    for (const key of Object.keys(val)) visit((val as Record<string, unknown>)[key]);
  }
}

function readKeys(value: unknown, keys: string[]): unknown {
  let v = value;
  for (let k = 0; k < keys.length; k++) {
    const key = keys[k]!;
    v = v && hasOwn.call(v, key) ? (v as Record<string, unknown>)[key] : undefined;
  }
  return v;
}

/**
 * A path compiled once: json-rules-engine resolves every `path` with
 * `JSONPath({ path, json, wrap: false })`, which parses the expression and, for any result that is
 * not an object, throws an exception to return it (stack trace and all). The path is split exactly
 * as jsonpath-plus splits it (its own `toPathArray`); chains of names are walked directly, `*` and
 * `..` traced as jsonpath-plus traces them, and whatever else is left (filters, scripts, slices)
 * goes to one jsonpath-plus instance made for the path, evaluated per value without that exception.
 */
export function compilePath(path: string): CompiledPath {
  const locs = splitPath(path);
  if (locs === null) return byJsonPath(path);
  if (locs[0] === '$' && locs.length > 1) locs.shift();
  // `$` alone is the value itself.
  if (locs.length === 1 && locs[0] === '$') return { keys: [], read: (value) => value, byJsonPath: false };
  if (locs.every(isPlainName)) {
    const keys = locs;
    return { keys, read: (value) => readKeys(value, keys), byJsonPath: false };
  }
  if (locs.every((loc) => loc === '*' || loc === '..' || isPlainName(loc))) {
    return {
      keys: null,
      read: (value) => {
        const found: Found = { values: [], arrayLike: false };
        trace(locs, 0, value, false, false, found);
        // wrap: false: nothing is undefined, one result not reached through * or .. is itself, else a list.
        if (found.values.length === 0) return undefined;
        return found.values.length === 1 && !found.arrayLike ? found.values[0] : found.values;
      },
      byJsonPath: false,
    };
  }
  return byJsonPath(path);
}

/** The path's steps as jsonpath-plus splits it, or null when splitting it throws (jsonpath-plus then throws on every read). */
function splitPath(path: string): string[] | null {
  try {
    return JSONPath.toPathArray(path);
  } catch {
    return null;
  }
}

function byJsonPath(path: string): CompiledPath {
  const engine = JSONPath({ path, json: null, wrap: false, autostart: false });
  return { keys: null, read: (value) => engine.evaluate(path, value as object, undefined, undefined) as unknown, byJsonPath: true };
}

const compiled = new Map<string, CompiledPath>();
const COMPILED_LIMIT = 10_000;

/** The compiled form of a path, made once per distinct path (the cache is dropped whole if it ever grows large). */
export function compiledPath(path: string): CompiledPath {
  let c = compiled.get(path);
  if (c === undefined) {
    if (compiled.size >= COMPILED_LIMIT) compiled.clear();
    c = compilePath(path);
    compiled.set(path, c);
  }
  return c;
}

/** json-rules-engine's path resolver, for the engine (interpreted rules) and explanations. */
export function resolvePath(value: unknown, path: string): unknown {
  return compiledPath(path).read(value);
}
