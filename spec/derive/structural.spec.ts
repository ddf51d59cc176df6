import { type JsonSchema, StructuralSchemaError, assertStructural, checkStructural } from '../../lib/derive/index.js';
import { accepted, rejected, withSpec } from './fixtures/structural-cases.js';

function rules(schema: JsonSchema): [string, string][] {
  return checkStructural(schema).map((v) => [v.path, v.rule]);
}

describe('checkStructural', () => {
  it.each(accepted)('accepts %s', (_, schema) => {
    expect(checkStructural(schema)).toEqual([]);
  });

  it.each(rejected)('rejects %s', (_, schema, path, rule) => {
    expect(rules(schema)).toEqual([[path, rule]]);
  });

  it('names the schema path, the value field and the rule of a node without a type', () => {
    expect(checkStructural(withSpec({ type: 'object', properties: { items: { type: 'array', items: { properties: {} } } } }))).toEqual([
      {
        path: 'openAPIV3Schema.properties[spec].properties[items].items',
        field: '.spec.items[*]',
        rule: 'missingType',
        message: 'type is required unless x-kubernetes-int-or-string or x-kubernetes-preserve-unknown-fields is true',
      },
    ]);
  });

  it('explains what is wrong with a default', () => {
    const spec: JsonSchema = { type: 'object', properties: { ports: { type: 'array', items: { type: 'integer' } } }, default: { ports: [80, 'http'] } };
    expect(checkStructural(withSpec(spec)).map((v) => v.message)).toEqual(['default .ports[1] "http" is not of type integer']);
  });

  it('names the metadata field that may not be constrained', () => {
    const root: JsonSchema = { type: 'object', properties: { metadata: { type: 'object', properties: { labels: { type: 'object' } } } } };
    expect(checkStructural(root).map((v) => [v.field, v.message])).toEqual([
      ['.metadata', 'only metadata.name and metadata.generateName may be constrained, not metadata.labels'],
    ]);
  });

  it('reports every violation, not just the first', () => {
    const spec: JsonSchema = { type: 'object', properties: { a: {}, b: { type: 'array' } } };
    expect(rules(withSpec(spec)).map(([, rule]) => rule)).toEqual(['missingType', 'arrayWithoutItems']);
  });
});

describe('assertStructural', () => {
  it('throws a StructuralSchemaError with the first path and rule and all violations', () => {
    let error: unknown;
    try {
      assertStructural(withSpec({ type: 'object', properties: { a: {}, b: { type: 'array' } } }), { kind: 'Widget' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(StructuralSchemaError);
    const e = error as StructuralSchemaError;
    expect(e.path).toBe('openAPIV3Schema.properties[spec].properties[a]');
    expect(e.rule).toBe('missingType');
    expect(e.violations).toHaveLength(2);
    expect(e.context).toEqual({ kind: 'Widget' });
    expect(e.message).toContain('openAPIV3Schema.properties[spec].properties[b]: items must be set for type array (arrayWithoutItems)');
  });

  it('returns quietly for a structural schema', () => {
    expect(() => assertStructural(withSpec({ type: 'object' }))).not.toThrow();
  });
});
