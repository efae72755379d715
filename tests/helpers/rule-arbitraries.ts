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
const PATHS = ['$.x', '$.y.z', '$.length', '$.constructor', '$.x[0]', '$[0]', '$[1].x', '$[*]', '$.*', '$..z', "$['x']", '$', '$.y'];
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
