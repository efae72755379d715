import { JSONPath } from 'jsonpath-plus';
import { resolvePath } from '../../src/engine/path-resolver';

const doc = {
  ollama: { avgResponseTimeMs: 6200, nested: { deep: [1, 2, 3] }, zero: 0, nul: null },
  list: [{ a: 1 }, { a: 2 }],
  'odd key': { x: 1 },
};

describe('resolvePath', () => {
  it.each([
    '$.ollama.avgResponseTimeMs',
    '$.ollama.nested.deep',
    '$.ollama.zero',
    '$.ollama.nul',
    '$.ollama.missing',
    '$.ollama.avgResponseTimeMs.toFixed',
    '$.ollama.constructor',
    '$.__proto__',
    '$.list[0].a',
    '$.list[*].a',
    "$['odd key'].x",
    '$..a',
  ])('gives what JSONPath gives for %s', (path) => {
    expect(resolvePath(doc, path)).toEqual(JSONPath({ path, json: doc, wrap: false }));
  });
});
