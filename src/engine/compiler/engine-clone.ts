// json-rules-engine evaluates (and reports) a copy of each rule's conditions made by the `clone`
// package. The copy is not always equal to the original: keys named like Object.prototype's own
// members (`toString`, `constructor`, ...) are dropped and `__proto__` becomes the prototype, and
// operators see the copy. The compiler takes each value through the same function.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const clone = require('clone') as (value: unknown) => unknown;

export function engineCopy<T>(value: T): T {
  return clone(value) as T;
}
