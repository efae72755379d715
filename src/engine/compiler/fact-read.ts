import type { PathReader } from '../path-resolver';

/** Reading snapshot values the way json-rules-engine's almanac does, and what reading them may run. */

const hasOwn = Object.prototype.hasOwnProperty;

/**
 * A fact value narrowed by a path as json-rules-engine's almanac does (see path-access.ts): only a
 * non-null object is narrowed. A chain of names follows own properties of truthy values, as
 * jsonpath-plus does (a string's `length` and indices included); any other path has its reader.
 */
export function readPath(value: unknown, keys: string[] | null, reader: PathReader | null): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (keys !== null) {
    let v: unknown = value;
    for (let k = 0; k < keys.length; k++) {
      const key = keys[k]!;
      v = v && hasOwn.call(v, key) ? (v as Record<string, unknown>)[key] : undefined;
    }
    return v;
  }
  return reader !== null ? reader(value) : value;
}

/**
 * Whether converting this value (or anything inside it) to a string could do anything but the
 * built-in conversions: an object with its own toString or valueOf, or one without the usual
 * prototype (a null-prototype object has no conversion at all). Parsed JSON never has the latter.
 */
export function hasConversionHooks(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return false;
  if (Array.isArray(value)) return Object.getPrototypeOf(value) !== Array.prototype || value.some(hasConversionHooks);
  if (Object.getPrototypeOf(value) !== Object.prototype) return true;
  if (hasOwn.call(value, 'toString') || hasOwn.call(value, 'valueOf')) return true;
  for (const key in value) if (hasOwn.call(value, key) && hasConversionHooks((value as Record<string, unknown>)[key])) return true;
  return false;
}
