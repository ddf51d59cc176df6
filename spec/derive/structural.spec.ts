import { type JsonSchema, StructuralSchemaError, assertStructural, checkStructural } from '../../lib/derive/index.js';

/** A root schema with `spec` set to the node under test. */
function withSpec(spec: JsonSchema): JsonSchema {
  return { type: 'object', properties: { spec } };
}

function rules(schema: JsonSchema): [string, string][] {
  return checkStructural(schema).map((v) => [v.path, v.rule]);
}

describe('checkStructural', () => {
  it('accepts a structural schema with every extension in place', () => {
    const spec: JsonSchema = {
      type: 'object',
      properties: {
        port: { 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'string' }] },
        anything: { 'x-kubernetes-preserve-unknown-fields': true },
        template: { type: 'object', 'x-kubernetes-embedded-resource': true, 'x-kubernetes-preserve-unknown-fields': true },
        ports: {
          type: 'array',
          'x-kubernetes-list-type': 'map',
          'x-kubernetes-list-map-keys': ['name', 'protocol'],
          items: {
            type: 'object',
            required: ['name'],
            properties: { name: { type: 'string' }, protocol: { type: 'string', default: 'TCP' } },
          },
        },
        tags: { type: 'array', 'x-kubernetes-list-type': 'set', items: { type: 'string' } },
        labels: { type: 'object', 'x-kubernetes-map-type': 'atomic', additionalProperties: { type: 'string' } },
        range: {
          type: 'object',
          properties: { min: { type: 'integer' }, max: { type: 'integer' } },
          oneOf: [{ required: ['min'] }, { properties: { max: { minimum: 1 } } }],
          'x-kubernetes-validations': [{ rule: 'self.min <= self.max', fieldPath: '.min', reason: 'FieldValueInvalid' }],
        },
      },
    };
    const root: JsonSchema = {
      type: 'object',
      properties: {
        apiVersion: { type: 'string' },
        kind: { type: 'string' },
        metadata: { type: 'object', properties: { name: { type: 'string', maxLength: 20 } } },
        spec,
      },
    };
    expect(checkStructural(root)).toEqual([]);
  });

  it('accepts defaults that are valid where they apply', () => {
    const spec: JsonSchema = {
      type: 'object',
      default: { port: 80, ratio: 1, tags: ['a'], nested: { name: 'x' } },
      properties: {
        port: { 'x-kubernetes-int-or-string': true, default: 'http' },
        ratio: { type: 'number', default: 0.5 },
        mode: { type: 'string', nullable: true, enum: ['a', 'b'], default: null },
        tags: { type: 'array', items: { type: 'string' }, default: [] },
        nested: { type: 'object', required: ['name', 'kind'], properties: { name: { type: 'string' }, kind: { type: 'string', default: 'K' } } },
      },
    };
    expect(checkStructural(withSpec(spec))).toEqual([]);
  });

  it('explains what is wrong with a default', () => {
    const spec: JsonSchema = { type: 'object', properties: { ports: { type: 'array', items: { type: 'integer' } } }, default: { ports: [80, 'http'] } };
    expect(checkStructural(withSpec(spec)).map((v) => v.message)).toEqual(['default .ports[1] "http" is not of type integer']);
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

  it.each<[string, JsonSchema, string, string]>([
    ['nullable without a type', { nullable: true }, 'openAPIV3Schema.properties[spec]', 'nullableWithoutType'],
    [
      'additionalProperties beside properties',
      { type: 'object', properties: { a: { type: 'string' } }, additionalProperties: { type: 'string' } },
      'openAPIV3Schema.properties[spec]',
      'propertiesWithAdditionalProperties',
    ],
    ['additionalProperties: false', { type: 'object', additionalProperties: false }, 'openAPIV3Schema.properties[spec]', 'additionalPropertiesFalse'],
    ['an array without items', { type: 'object', properties: { l: { type: 'array' } } }, 'openAPIV3Schema.properties[spec].properties[l]', 'arrayWithoutItems'],
    ['properties on a string', { type: 'string', properties: {} }, 'openAPIV3Schema.properties[spec]', 'typeMismatch'],
    ['items on an object', { type: 'object', items: { type: 'string' } }, 'openAPIV3Schema.properties[spec]', 'typeMismatch'],
    ['$ref', { type: 'object', $ref: '#/definitions/x' } as JsonSchema, 'openAPIV3Schema.properties[spec]', 'forbiddenKeyword'],
    ['patternProperties', { type: 'object', patternProperties: {} } as JsonSchema, 'openAPIV3Schema.properties[spec]', 'forbiddenKeyword'],
    ['uniqueItems', { type: 'array', items: { type: 'string' }, uniqueItems: true }, 'openAPIV3Schema.properties[spec]', 'forbiddenKeyword'],
    [
      'a type inside a junctor',
      { type: 'object', properties: { a: { type: 'string' } }, anyOf: [{ properties: { a: { type: 'string' } } }] },
      'openAPIV3Schema.properties[spec].anyOf[0].properties[a]',
      'junctorNotValueValidation',
    ],
    [
      'a default inside a junctor',
      { type: 'string', allOf: [{ default: 'x' }] },
      'openAPIV3Schema.properties[spec].allOf[0]',
      'junctorNotValueValidation',
    ],
    [
      'a junctor field not declared outside it',
      { type: 'object', properties: { a: { type: 'string' } }, oneOf: [{ properties: { b: { minLength: 1 } } }] },
      'openAPIV3Schema.properties[spec].oneOf[0].properties[b]',
      'junctorUnknownField',
    ],
    ['int-or-string with a type', { type: 'string', 'x-kubernetes-int-or-string': true }, 'openAPIV3Schema.properties[spec]', 'intOrStringWithType'],
    [
      'preserve-unknown-fields: false',
      { type: 'object', 'x-kubernetes-preserve-unknown-fields': false },
      'openAPIV3Schema.properties[spec]',
      'preserveUnknownFieldsFalse',
    ],
    ['an embedded resource that is a string', { type: 'string', 'x-kubernetes-embedded-resource': true }, 'openAPIV3Schema.properties[spec]', 'embeddedResource'],
    ['an embedded resource without fields', { type: 'object', 'x-kubernetes-embedded-resource': true }, 'openAPIV3Schema.properties[spec]', 'embeddedResource'],
    ['a list type on an object', { type: 'object', 'x-kubernetes-list-type': 'set' }, 'openAPIV3Schema.properties[spec]', 'listType'],
    [
      'a map list without keys',
      { type: 'array', 'x-kubernetes-list-type': 'map', items: { type: 'object', properties: {} } },
      'openAPIV3Schema.properties[spec]',
      'listType',
    ],
    [
      'a map list key that is optional without a default',
      { type: 'array', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['k'], items: { type: 'object', properties: { k: { type: 'string' } } } },
      'openAPIV3Schema.properties[spec]',
      'listType',
    ],
    [
      'a set of objects',
      { type: 'array', 'x-kubernetes-list-type': 'set', items: { type: 'object', properties: {} } },
      'openAPIV3Schema.properties[spec]',
      'listType',
    ],
    [
      'map keys without a map list',
      { type: 'array', 'x-kubernetes-list-map-keys': ['k'], items: { type: 'string' } },
      'openAPIV3Schema.properties[spec]',
      'listType',
    ],
    ['a map type on an array', { type: 'array', items: { type: 'string' }, 'x-kubernetes-map-type': 'atomic' }, 'openAPIV3Schema.properties[spec]', 'mapType'],
    ['an empty CEL rule', { type: 'object', 'x-kubernetes-validations': [{ rule: ' ' }] }, 'openAPIV3Schema.properties[spec].x-kubernetes-validations[0]', 'validationRule'],
    [
      'a CEL rule with an unknown reason',
      { type: 'object', 'x-kubernetes-validations': [{ rule: 'true', reason: 'Nope' as 'FieldValueInvalid' }] },
      'openAPIV3Schema.properties[spec].x-kubernetes-validations[0]',
      'validationRule',
    ],
    [
      'a CEL rule with a relative fieldPath',
      { type: 'object', 'x-kubernetes-validations': [{ rule: 'true', fieldPath: 'spec.a' }] },
      'openAPIV3Schema.properties[spec].x-kubernetes-validations[0]',
      'validationRule',
    ],
    ['a default of the wrong type', { type: 'object', properties: { n: { type: 'integer', default: 'one' } } }, 'openAPIV3Schema.properties[spec].properties[n]', 'invalidDefault'],
    ['a default outside the enum', { type: 'string', enum: ['a', 'b'], default: 'c' }, 'openAPIV3Schema.properties[spec]', 'invalidDefault'],
    ['a null default without nullable', { type: 'string', default: null }, 'openAPIV3Schema.properties[spec]', 'invalidDefault'],
    [
      'an object default with a bad field',
      { type: 'object', properties: { ports: { type: 'array', items: { type: 'integer' } } }, default: { ports: [80, 'http'] } },
      'openAPIV3Schema.properties[spec]',
      'invalidDefault',
    ],
    [
      'an object default missing a required field',
      { type: 'object', required: ['a'], properties: { a: { type: 'string' } }, default: {} },
      'openAPIV3Schema.properties[spec]',
      'invalidDefault',
    ],
  ])('rejects %s', (_, spec, path, rule) => {
    expect(rules(withSpec(spec))).toEqual([[path, rule]]);
  });

  it('rejects a root that is not an object', () => {
    expect(rules({ type: 'string' })).toEqual([['openAPIV3Schema', 'rootNotObject']]);
  });

  it('allows only metadata.name and metadata.generateName to be constrained', () => {
    const root: JsonSchema = {
      type: 'object',
      properties: {
        metadata: {
          type: 'object',
          properties: {
            name: { type: 'string', maxLength: 30 },
            generateName: { type: 'string' },
            labels: { type: 'object', additionalProperties: { type: 'string' } },
          },
        },
      },
    };
    expect(checkStructural(root)).toEqual([
      {
        path: 'openAPIV3Schema.properties[metadata].properties[labels]',
        field: '.metadata.labels',
        rule: 'metadataConstrained',
        message: 'only metadata.name and metadata.generateName may be constrained, not metadata.labels',
      },
    ]);
    expect(rules({ type: 'object', properties: { metadata: { type: 'object', required: ['name'] } } })).toEqual([
      ['openAPIV3Schema.properties[metadata]', 'metadataConstrained'],
    ]);
    expect(rules({ type: 'object', properties: { metadata: { type: 'object', properties: { name: { type: 'string', default: 'x' } } } } })).toEqual([
      ['openAPIV3Schema.properties[metadata].properties[name]', 'metadataConstrained'],
    ]);
    expect(rules({ type: 'object', properties: { kind: { type: 'integer' } } })).toEqual([['openAPIV3Schema.properties[kind]', 'typeMismatch']]);
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
