import { standaloneComponents } from '../../src/openapi/standalone-schemas';

const BASE = 'https://example.test/schemas';

describe('standaloneComponents', () => {
  const rules = {
    $id: `${BASE}/rules-file.json`,
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    type: 'object',
    properties: { rules: { type: 'array', items: { $ref: '#/$defs/rule' } }, $id: { type: 'string' } },
    $defs: {
      ruleName: { type: 'string', pattern: '^[a-z]+$' },
      rule: {
        type: 'object',
        properties: { name: { $ref: '#/$defs/ruleName' }, when: { $ref: '#/$defs/rule/$defs/when/properties/fact' } },
        $defs: { when: { type: 'object', properties: { fact: { type: 'string' } } } },
      },
    },
  };
  const write = {
    $id: `${BASE}/responses/rule-write.json`,
    type: 'object',
    properties: { rule: { $ref: `${BASE}/rules-file.json#/$defs/rule` }, file: { $ref: '../rules-file.json' } },
  };

  it('hoists $defs into components and points every reference into the document', () => {
    const { schemas, refFor } = standaloneComponents([rules, write]);
    expect(Object.keys(schemas).sort()).toEqual(['RuleWrite', 'RulesFile', 'RulesFileRule', 'RulesFileRuleName', 'RulesFileRuleWhen']);
    expect(schemas.RulesFile).toEqual({
      type: 'object',
      properties: { rules: { type: 'array', items: { $ref: '#/components/schemas/RulesFileRule' } }, $id: { type: 'string' } },
      'x-schema-id': `${BASE}/rules-file.json`,
    });
    expect(schemas.RulesFileRule).toEqual({
      type: 'object',
      properties: {
        name: { $ref: '#/components/schemas/RulesFileRuleName' },
        when: { $ref: '#/components/schemas/RulesFileRuleWhen/properties/fact' },
      },
    });
    expect(schemas.RuleWrite!.properties).toEqual({
      rule: { $ref: '#/components/schemas/RulesFileRule' },
      file: { $ref: '#/components/schemas/RulesFile' },
    });
    expect(refFor(`${BASE}/rules-file.json#/$defs/ruleName`)).toBe('#/components/schemas/RulesFileRuleName');
    expect(refFor(`${BASE}/rules-file.json#/properties/rules`)).toBe('#/components/schemas/RulesFile/properties/rules');
    // The registered schemas themselves are left as the server's ajv knows them.
    expect(rules.$defs.rule.properties.name.$ref).toBe('#/$defs/ruleName');
  });

  it('refuses what it cannot place instead of publishing a broken document', () => {
    const dangling = { $id: `${BASE}/a.json`, properties: { b: { $ref: `${BASE}/missing.json` } } };
    expect(() => standaloneComponents([dangling])).toThrow(/missing\.json/);
    const anchor = { $id: `${BASE}/a.json`, properties: { b: { $ref: '#thing' } } };
    expect(() => standaloneComponents([anchor])).toThrow(/only JSON pointer fragments/);
    const clash = { $id: `${BASE}/rules-file-rule.json`, type: 'string' };
    expect(() => standaloneComponents([rules, clash])).toThrow(/RulesFileRule/);
  });
});
