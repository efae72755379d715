import fc from 'fast-check';
import type { Rule, TopLevelCondition } from '../../src/domain/rule';
import { normalizedRule } from './rules';

/**
 * Rules and snapshots for the differential test: every operator and decorator combination, paths
 * (plain dotted ones and the other allowed JSONPath forms), values that refer to facts, nesting,
 * empty lists, and snapshots with missing facts, wrong types, nulls, empty and nested arrays, and
 * objects that make number conversion throw.
 */
export const FACTS = ['a', 'b', 'hosts', 'constructor'] as const;
// Chains of names in every notation (read directly, shared per snapshot), a string read through a
// name (`length`, an index), negative and out-of-range indexes, wildcards and descent.
const PATHS = [
  '$.x', '$.y.z', '$.length', '$.constructor', '$.x[0]', '$[0]', '$[1].x', '$[*]', '$.*', '$..z', "$['x']", '$', '$.y',
  '$.x.length', '$.x[-1]', '$[-1]', "$['y'].z", '$["y"]["z"]', '$.y[1]', "$['a.b']", '$.*.z', '$[*].x', '$..*',
];
const OPERATORS = ['equal', 'notEqual', 'in', 'notIn', 'contains', 'doesNotContain', 'lessThan', 'lessThanInclusive', 'greaterThan', 'greaterThanInclusive'];
const DECORATORS = ['someFact', 'someValue', 'everyFact', 'everyValue', 'swap', 'not'];

const primitive = fc.oneof(
  fc.constantFrom(0, 1, 5, -1, 2.5, 100, 1e21),
  fc.constantFrom('a', 'b', '5', ' 3', 'abc', '', '100'),
  fc.boolean(),
  fc.constant(null),
);

export const jsonValue: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    primitive,
    fc.array(tie('value'), { maxLength: 3 }),
    fc.record({ x: tie('value'), y: tie('value'), z: tie('value') }, { requiredKeys: [] }),
    // Number conversion of this object throws (toString is not a function): the engine rejects.
    fc.constant({ toString: 1 }),
  ),
})).value;

const operator = fc
  .tuple(fc.array(fc.constantFrom(...DECORATORS), { maxLength: 2 }), fc.constantFrom(...OPERATORS))
  .map(([decorators, base]) => [...decorators, base].join(':'));

const factRef = fc.record({ fact: fc.constantFrom(...FACTS), path: fc.constantFrom(...PATHS) }, { requiredKeys: ['fact'] });

const leaf = fc.record(
  {
    fact: fc.constantFrom(...FACTS),
    operator,
    value: fc.oneof({ weight: 4, arbitrary: jsonValue }, { weight: 1, arbitrary: factRef }),
    path: fc.constantFrom(...PATHS),
  },
  { requiredKeys: ['fact', 'operator', 'value'] },
);

const condition: fc.Arbitrary<Record<string, unknown>> = fc.letrec<{ node: Record<string, unknown> }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.array(tie('node'), { maxLength: 3 }).map((all) => ({ all })),
    fc.array(tie('node'), { maxLength: 3 }).map((any) => ({ any })),
    tie('node').map((not) => ({ not })),
  ),
})).node;

const topLevel = fc.oneof(
  fc.array(condition, { maxLength: 4 }).map((all) => ({ all })),
  fc.array(condition, { maxLength: 4 }).map((any) => ({ any })),
  condition.map((not) => ({ not })),
) as unknown as fc.Arbitrary<TopLevelCondition>;

export const rulesArb: fc.Arbitrary<Rule[]> = fc
  .array(fc.record({ conditions: topLevel, priority: fc.integer({ min: 1, max: 3 }), enabled: fc.boolean() }), { minLength: 1, maxLength: 4 })
  .map((specs) => specs.map((s, i) => normalizedRule(`r${i}`, s)));

export const metricsArb: fc.Arbitrary<Record<string, unknown>> = fc.record(
  { a: jsonValue, b: jsonValue, hosts: jsonValue, constructor: jsonValue, other: jsonValue },
  { requiredKeys: [] },
);

// --- rules the guard index and short-circuiting apply to -----------------------------------------

const near = fc.constantFrom(-1, -0, 0, 0.5, 1, 4.999, 5, 5.001, 10, 100);
const guardableValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: near },
  { weight: 1, arbitrary: fc.constantFrom('5', '10', 'a', 'errored', '', ' 3') },
  { weight: 1, arbitrary: fc.constantFrom(true, false, null) },
  { weight: 1, arbitrary: fc.array(fc.oneof(near, fc.constantFrom('errored', 'a', null)), { maxLength: 3 }) },
  { weight: 1, arbitrary: fc.record({ x: fc.oneof(near, fc.constantFrom('errored', 'abcde')), y: fc.record({ z: near }) }, { requiredKeys: [] }) },
  // Rare, and enough to switch every skip off for the snapshot.
  { weight: 1, arbitrary: fc.constantFrom({ toString: 1 }, [{ valueOf: 1, toString: 2 }]) },
);

const guardableLeaf = fc.record(
  {
    fact: fc.constantFrom('a', 'b', 'hosts'),
    operator: fc.constantFrom('lessThan', 'lessThanInclusive', 'greaterThan', 'greaterThanInclusive', 'equal', 'in', 'contains', 'notEqual', 'doesNotContain'),
    value: fc.oneof(near, fc.constantFrom('errored', 'a', '5', null, true), fc.array(fc.oneof(near, fc.constantFrom('errored', 'a')), { maxLength: 3 })),
    // Chains of names only (slots the guard index reads), in several notations; `length` of a string.
    path: fc.constantFrom('$.x', '$.y.z', "$['y'].z", '$["x"]', '$.x.length'),
  },
  { requiredKeys: ['fact', 'operator', 'value'] },
);

const guardableCondition: fc.Arbitrary<Record<string, unknown>> = fc.letrec<{ node: Record<string, unknown> }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    { weight: 3, arbitrary: guardableLeaf },
    { weight: 1, arbitrary: fc.array(tie('node'), { maxLength: 3 }).map((all) => ({ all })) },
    { weight: 1, arbitrary: fc.array(tie('node'), { maxLength: 3 }).map((any) => ({ any })) },
  ),
})).node;

/** Between min and max rules made only of what the guard index and short-circuiting apply to. */
export function guardableRulesArbOf(minLength: number, maxLength: number): fc.Arbitrary<Rule[]> {
  return fc
    .array(
      fc.record({
        conditions: fc.oneof(
          fc.array(guardableCondition, { minLength: 1, maxLength: 3 }).map((all) => ({ all })),
          fc.array(guardableCondition, { minLength: 1, maxLength: 3 }).map((any) => ({ any })),
        ) as unknown as fc.Arbitrary<TopLevelCondition>,
        priority: fc.integer({ min: 1, max: 3 }),
        enabled: fc.constant(true),
      }),
      { minLength, maxLength },
    )
    .map((specs) => specs.map((s, i) => normalizedRule(`g${i}`, s)));
}

export const guardableRulesArb = guardableRulesArbOf(1, 6);

export const guardableMetricsArb: fc.Arbitrary<Record<string, unknown>> = fc.record(
  { a: guardableValue, b: guardableValue, hosts: guardableValue },
  { requiredKeys: [] },
);
