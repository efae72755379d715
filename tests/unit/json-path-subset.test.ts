import { JSONPath } from 'jsonpath-plus';
import { jsonPathProblem } from '../../src/engine/json-path-subset';

describe('the JSONPath forms rules may use', () => {
  const data = { a: { 'b.c': 1, 'x y': 2, k: [10, null, { v: 3 }] }, hosts: [{ latency: 200 }, null] };

  it.each(['$', '$.a', '$.a.k[0]', '$.a.k[*]', '$.a.*', '$..v', '$..*', "$.a['b.c']", '$["a"]["x y"]', '$.hosts[*].latency', '$..[0]'])(
    'allows %s, which selects without running code and does not throw on nulls',
    (path) => {
      expect(jsonPathProblem(path)).toBeNull();
      expect(() => JSONPath({ path, json: data, wrap: false })).not.toThrow();
    },
  );

  it.each([
    ['$.hosts[?(@.latency > 100)]', /filter/],
    ["$[?(@.constructor.constructor('return process')().exit(7))]", /filter/],
    ['$.a.k[(@.length-1)]', /script/],
    ['$.a^', /not a JSONPath form/],
    ['$.a~', /not a JSONPath form/],
    ['$.a[0,1]', /not a JSONPath form/],
    ['$.a[-1]', /negative indexes .* not as the last element/],
    ['$.`a', /not a JSONPath form/],
    ['$.a.', /not a JSONPath form/],
    ["$['a\\'b']", /not a JSONPath form/],
  ])('refuses %s', (path, message) => {
    expect(jsonPathProblem(path)).toMatch(message);
  });
});
