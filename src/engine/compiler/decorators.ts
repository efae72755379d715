import { baseOperator, type OperatorFn } from './operators';

/**
 * json-rules-engine 7.3.1's operator decorators (engine-default-operator-decorators.js) and how its
 * OperatorMap resolves `dec1:dec2:operator`: the first prefix is the outermost wrapper.
 */
interface Decorator {
  wrap: (factValue: unknown, value: unknown, next: OperatorFn) => boolean;
  accepts?: (factValue: unknown) => boolean;
}

type List = unknown[];

const DECORATORS: Record<string, Decorator> = {
  someFact: { wrap: (f, v, next) => (f as List).some((x) => next(x, v)), accepts: Array.isArray },
  someValue: { wrap: (f, v, next) => (v as List).some((x) => next(f, x)) },
  everyFact: { wrap: (f, v, next) => (f as List).every((x) => next(x, v)), accepts: Array.isArray },
  everyValue: { wrap: (f, v, next) => (v as List).every((x) => next(f, x)) },
  swap: { wrap: (f, v, next) => next(v, f) },
  not: { wrap: (f, v, next) => !next(f, v) },
};

function decorate(decorator: Decorator, next: OperatorFn): OperatorFn {
  const { wrap, accepts } = decorator;
  return accepts ? (f, v) => accepts(f) && wrap(f, v, next) : (f, v) => wrap(f, v, next);
}

/** The operator a condition names, decorators applied; null when the engine would not know it. */
export function resolveOperator(name: string): OperatorFn | null {
  const prefixes: Decorator[] = [];
  let rest = name;
  let op = baseOperator(rest);
  while (!op) {
    const colon = rest.indexOf(':');
    if (colon <= 0) return null;
    const decoratorName = rest.slice(0, colon);
    if (!Object.prototype.hasOwnProperty.call(DECORATORS, decoratorName)) return null;
    prefixes.push(DECORATORS[decoratorName]!);
    rest = rest.slice(colon + 1);
    op = baseOperator(rest);
  }
  for (let i = prefixes.length - 1; i >= 0; i--) op = decorate(prefixes[i]!, op);
  return op;
}
