import { compiledPath } from '../path-resolver';

/**
 * Code that narrows a fact value by a condition's `path`, as json-rules-engine's almanac does with
 * the service's resolver: only a non-null object is narrowed (anything else is compared as it is);
 * a chain of names (`$.a.b`, `$.hosts[0].up`, `$['a.b']`) follows own properties of truthy values
 * as jsonpath-plus does; any other path goes to the resolver's compiled reader. Keys and paths enter
 * the code only as JSON string literals.
 */
export function pathStatements(target: string, path: string | undefined): string[] {
  if (!path) return [];
  const { keys } = compiledPath(path);
  if (keys === null) {
    return [`if (${target} != null && typeof ${target} === 'object') ${target} = resolvePath(${target}, ${JSON.stringify(path)});`];
  }
  const steps = keys.map((key) => {
    const k = JSON.stringify(key);
    return `  ${target} = ${target} && hasOwn.call(${target}, ${k}) ? ${target}[${k}] : undefined;`;
  });
  return [`if (${target} != null && typeof ${target} === 'object') {`, ...steps, '}'];
}
