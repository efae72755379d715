import { DOTTED_PATH } from '../path-resolver';

/**
 * Code that narrows a fact value by a condition's `path`, as json-rules-engine's almanac does with
 * the service's resolver: only a non-null object is narrowed (anything else is compared as it is);
 * a plain dotted path walks own properties; any other path goes to the resolver (jsonpath-plus).
 * Keys enter the code only as JSON string literals.
 */
export function pathStatements(target: string, path: string | undefined): string[] {
  if (!path) return [];
  if (!DOTTED_PATH.test(path)) {
    return [`if (${target} != null && typeof ${target} === 'object') ${target} = resolvePath(${target}, ${JSON.stringify(path)});`];
  }
  const steps = path
    .slice(2)
    .split('.')
    .map((key) => {
      const k = JSON.stringify(key);
      return `  ${target} = ${target} !== null && typeof ${target} === 'object' && hasOwn.call(${target}, ${k}) ? ${target}[${k}] : undefined;`;
    });
  return [`if (${target} != null && typeof ${target} === 'object') {`, ...steps, '}'];
}
