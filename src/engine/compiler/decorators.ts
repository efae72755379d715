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

// Loops rather than some/every with a closure per call; a value that is not a list still goes to
// its own `some`/`every`, which throws as the engine's call does. (Lists from JSON have no holes,
// which some/every would skip.)
const DECORATORS: Record<string, Decorator> = {
  someFact: {
    wrap: (f, v, next) => {
      const list = f as List;
      for (let i = 0; i < list.length; i++) if (next(list[i], v)) return true;
      return false;
    },
    accepts: Array.isArray,
  },
  someValue: {
    wrap: (f, v, next) => {
      if (!Array.isArray(v)) return (v as List).some((x) => next(f, x));
      for (let i = 0; i < v.length; i++) if (next(f, v[i])) return true;
      return false;
    },
  },
  everyFact: {
    wrap: (f, v, next) => {
      const list = f as List;
      for (let i = 0; i < list.length; i++) if (!next(list[i], v)) return false;
      return true;
    },
    accepts: Array.isArray,
  },
  everyValue: {
    wrap: (f, v, next) => {
      if (!Array.isArray(v)) return (v as List).every((x) => next(f, x));
      for (let i = 0; i < v.length; i++) if (!next(f, v[i])) return false;
      return true;
    },
  },
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

/**
 * Whether a decorated operator compared with this constant may throw on a benign snapshot (see
 * rules-program's mayThrow), given whether its base operator may throw against a constant.
 * `someFact`, `everyFact` and `not` only hand snapshot values (list elements) to what they wrap;
 * `someValue` and `everyValue` hand it the constant's elements, so the constant must be a list
 * and each element safe; `swap` puts the snapshot value where a constant was: left as may throw.
 */
export function decoratedMayThrow(name: string, value: unknown, baseMayThrow: (base: string, constant: unknown) => boolean): boolean {
  let constants: unknown[] = [value];
  let rest = name;
  while (!baseOperator(rest)) {
    const colon = rest.indexOf(':');
    if (colon <= 0) return true;
    const decorator = rest.slice(0, colon);
    if (decorator === 'someValue' || decorator === 'everyValue') {
      if (!constants.every(Array.isArray)) return true;
      constants = constants.flatMap((c) => c as List);
    } else if (decorator !== 'someFact' && decorator !== 'everyFact' && decorator !== 'not') {
      return true;
    }
    rest = rest.slice(colon + 1);
  }
  const base = rest;
  return constants.some((c) => baseMayThrow(base, c));
}
