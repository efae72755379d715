/**
 * json-rules-engine 7.3.1's built-in operators (engine-default-operators.js), written out so the
 * compiled code can call them directly. Each keeps the engine's exact expression and its fact-value
 * check: the differential test holds them to the engine's own.
 */
export type OperatorFn = (factValue: unknown, value: unknown) => boolean;

interface BaseOperator {
  test: (factValue: unknown, value: unknown) => boolean;
  /** The engine's check on the fact value before the test; false means "does not hold". */
  accepts?: (factValue: unknown) => boolean;
}

// parseFloat's string conversion is the engine's; it throws, as the engine does, on an object whose
// toString and valueOf are not functions.
export const isNumberLike = (factValue: unknown): boolean => {
  // Shortcuts for what parseFloat(String(x)) decides without parsing: a number is NaN or not, and
  // "undefined", "null", "true" and "false" are never numbers.
  if (typeof factValue === 'number') return factValue === factValue;
  if (factValue === undefined || factValue === null || typeof factValue === 'boolean') return false;
  return Number.parseFloat(factValue as string).toString() !== 'NaN';
};

type Indexable = { indexOf(item: unknown): number };

const BASE: Record<string, BaseOperator> = {
  equal: { test: (a, b) => a === b },
  notEqual: { test: (a, b) => a !== b },
  in: { test: (a, b) => (b as Indexable).indexOf(a) > -1 },
  notIn: { test: (a, b) => (b as Indexable).indexOf(a) === -1 },
  contains: { test: (a, b) => (a as Indexable).indexOf(b) > -1, accepts: Array.isArray },
  doesNotContain: { test: (a, b) => (a as Indexable).indexOf(b) === -1, accepts: Array.isArray },
  lessThan: { test: (a, b) => (a as number) < (b as number), accepts: isNumberLike },
  lessThanInclusive: { test: (a, b) => (a as number) <= (b as number), accepts: isNumberLike },
  greaterThan: { test: (a, b) => (a as number) > (b as number), accepts: isNumberLike },
  greaterThanInclusive: { test: (a, b) => (a as number) >= (b as number), accepts: isNumberLike },
};

export const BASE_OPERATOR_NAMES: readonly string[] = Object.keys(BASE);

/** The plain operator, with its fact-value check in front; null for a name the engine does not know. */
export function baseOperator(name: string): OperatorFn | null {
  if (!Object.prototype.hasOwnProperty.call(BASE, name)) return null;
  const { test, accepts } = BASE[name]!;
  return accepts ? (a, b) => accepts(a) && test(a, b) : test;
}

/**
 * The plain operators as expressions over two local variables (no decorators): the same tests as
 * above written into the generated code, so that the common case costs no call. `isNumberLike` and
 * `isArray` must be in scope.
 */
export function inlineOperator(name: string, a: string, b: string): string | null {
  const numberLike = `(typeof ${a} === 'number' ? ${a} === ${a} : isNumberLike(${a}))`;
  switch (name) {
    case 'equal':
      return `${a} === ${b}`;
    case 'notEqual':
      return `${a} !== ${b}`;
    case 'in':
      return `${b}.indexOf(${a}) > -1`;
    case 'notIn':
      return `${b}.indexOf(${a}) === -1`;
    case 'contains':
      return `isArray(${a}) && ${a}.indexOf(${b}) > -1`;
    case 'doesNotContain':
      return `isArray(${a}) && ${a}.indexOf(${b}) === -1`;
    case 'lessThan':
      return `${numberLike} && ${a} < ${b}`;
    case 'lessThanInclusive':
      return `${numberLike} && ${a} <= ${b}`;
    case 'greaterThan':
      return `${numberLike} && ${a} > ${b}`;
    case 'greaterThanInclusive':
      return `${numberLike} && ${a} >= ${b}`;
    default:
      return null;
  }
}
