import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { JSONPath } from 'jsonpath-plus';
import { compiledPath, resolvePath } from '../../src/engine/path-resolver';

/**
 * jsonpath-plus, called as json-rules-engine calls it (`JSONPath({ path, json, wrap: false })`), is
 * the oracle for every path the compiled reader handles: generated paths of every documented form
 * (and a few beyond it: negative indexes, names that mean something else to jsonpath-plus) over
 * generated documents whose keys are the same names. Rerun a failure with PATH_SEED=<seed>.
 */
const RUNS = Number(process.env.PATH_RUNS ?? 20_000);
const SEED = process.env.PATH_SEED !== undefined ? Number(process.env.PATH_SEED) : Math.floor(Math.random() * 2 ** 31);

const IDENTIFIERS = ['a', 'b', 'x', 'hosts', 'length', 'constructor', 'toString', '__proto__', 'up'];
// Names only a quoted form can write, some of which jsonpath-plus reads as something else
// ('..' as descent, '1:2' as a slice, 'a;b' as two names).
const QUOTED = [...IDENTIFIERS, 'a.b', 'x y', '0', '1', '-1', '*', '..', '1:2', 'a;b', '', ' '];
const KEYS = [...new Set([...QUOTED, 'a.b', '2'])];

const segment = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...IDENTIFIERS).map((n) => `.${n}`) },
  { weight: 3, arbitrary: fc.integer({ min: -2, max: 3 }).map((i) => `[${i}]`) },
  { weight: 2, arbitrary: fc.constantFrom(...QUOTED).map((n) => `['${n}']`) },
  { weight: 1, arbitrary: fc.constantFrom(...QUOTED).map((n) => `["${n}"]`) },
  { weight: 1, arbitrary: fc.constantFrom('.*', '[*]', '..*') },
  { weight: 1, arbitrary: fc.constantFrom(...IDENTIFIERS).map((n) => `..${n}`) },
  { weight: 1, arbitrary: fc.constantFrom(...QUOTED).map((n) => `..['${n}']`) },
);

export const pathArb = fc.array(segment, { maxLength: 4 }).map((segments) => `$${segments.join('')}`);

const primitive = fc.oneof(fc.constantFrom(0, 1, -1, 2.5), fc.constantFrom('', 'abc', 'x'), fc.boolean(), fc.constant(null));

/** Objects built with Object.fromEntries, so that keys like `__proto__` are own data properties, as JSON.parse makes them. */
const documentArb: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    primitive,
    fc.array(tie('value'), { maxLength: 4 }),
    fc.array(fc.tuple(fc.constantFrom(...KEYS), tie('value')), { maxLength: 4 }).map((entries) => Object.fromEntries(entries)),
  ),
})).value;

const rootArb = fc.oneof(
  fc.array(fc.tuple(fc.constantFrom(...KEYS), documentArb), { minLength: 1, maxLength: 5 }).map((entries) => Object.fromEntries(entries)),
  fc.array(documentArb, { minLength: 1, maxLength: 4 }),
);

type Outcome = { value: unknown } | { threw: true };

function attempt(read: () => unknown): Outcome {
  try {
    return { value: read() };
  } catch {
    return { threw: true };
  }
}

describe('compiled paths against jsonpath-plus', () => {
  it(`read what jsonpath-plus reads, as json-rules-engine calls it (${RUNS} cases, seed ${SEED})`, () => {
    // eslint-disable-next-line no-console
    console.log(`path differential test: seed ${SEED}, ${RUNS} cases (rerun with PATH_SEED=${SEED})`);
    fc.assert(
      fc.property(pathArb, rootArb, (path, json) => {
        const expected = attempt(() => JSONPath({ path, json: json as object, wrap: false }) as unknown);
        const actual = attempt(() => resolvePath(json, path));
        if (!isDeepStrictEqual(actual, expected)) {
          throw new Error(`${path} on ${JSON.stringify(json)}: jsonpath-plus ${JSON.stringify(expected)}, compiled ${JSON.stringify(actual)}`);
        }
      }),
      { numRuns: RUNS, seed: SEED, verbose: 0 },
    );
  });

  it('reads chains of names directly, whatever their notation', () => {
    expect(compiledPath('$.hosts[0].latencyMs')).toMatchObject({ keys: ['hosts', '0', 'latencyMs'], byJsonPath: false });
    expect(compiledPath(`$['a.b']["x y"][-1]`)).toMatchObject({ keys: ['a.b', 'x y', '-1'], byJsonPath: false });
    expect(compiledPath('$..latencyMs')).toMatchObject({ keys: null, byJsonPath: false });
    expect(compiledPath('$.hosts[*].up')).toMatchObject({ keys: null, byJsonPath: false });
    // A slice, even written as a quoted name, is left to jsonpath-plus.
    expect(compiledPath(`$['1:2']`)).toMatchObject({ keys: null, byJsonPath: true });
  });

  it('reads a string through a name as jsonpath-plus does (its length, its characters)', () => {
    const json = { name: 'web-1', hosts: ['a', 'bc'] };
    for (const path of ['$.name.length', '$.name[0]', '$.hosts[1].length', '$.hosts[-1]', '$.hosts.length']) {
      expect(resolvePath(json, path)).toEqual(JSONPath({ path, json, wrap: false }));
    }
    expect(resolvePath(json, '$.name.length')).toBe(5);
    // jsonpath-plus reads [-1] as the own property named "-1": an array has none.
    expect(resolvePath(json, '$.hosts[-1]')).toBeUndefined();
  });

  it('leaves filters to jsonpath-plus, with its results and its errors', () => {
    const json = { hosts: [{ up: true, ms: 3 }, { up: false, ms: 9 }] };
    const filter = '$.hosts[?(@.ms > 5)].up';
    expect(compiledPath(filter).byJsonPath).toBe(true);
    expect(resolvePath(json, filter)).toEqual(JSONPath({ path: filter, json, wrap: false }));
    expect(resolvePath(json, filter)).toEqual([false]);
    const withNull = { hosts: [null, { ms: 9 }] };
    expect(() => JSONPath({ path: filter, json: withNull, wrap: false })).toThrow();
    expect(() => resolvePath(withNull, filter)).toThrow();
  });
});
