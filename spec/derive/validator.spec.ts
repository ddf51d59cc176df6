import Ajv from 'ajv';
import { type JsonSchema, SchemaValidationError, createValidator } from '../../lib/derive/index.js';
import { Widget } from './fixtures/widget.js';

const valid = {
  apiVersion: 'derive.rxkube.test/v1',
  kind: 'Widget',
  metadata: { name: 'w1' },
  spec: { size: 'small', replicas: 2, port: 'http', labels: { tier: 'web' }, ports: [{ name: 'http', port: 80 }] },
};

function root(spec: JsonSchema): JsonSchema {
  return { type: 'object', properties: { spec } };
}

function issuesOf(schema: JsonSchema, spec: unknown) {
  const result = createValidator(root(schema), 'Test').validate({ spec });
  return result.valid ? [] : result.issues.map((i) => [i.pointer, i.keyword]);
}

describe('createValidator', () => {
  it('accepts a valid object and returns it typed', () => {
    const result = Widget.validate(valid);
    expect(result).toEqual({ valid: true, value: valid });
  });

  it('reports each problem with a JSON pointer, the Kubernetes field path and a message', () => {
    const result = Widget.validate({ ...valid, spec: { size: 'medium', replicas: '3', ports: [{ port: 0 }] } });
    expect(result.valid).toBe(false);
    if (result.valid) return;
    expect(result.issues).toEqual([
      { pointer: '/spec/size', field: 'spec.size', keyword: 'enum', message: 'must be one of "small", "large"' },
      { pointer: '/spec/replicas', field: 'spec.replicas', keyword: 'type', message: 'must be integer' },
      { pointer: '/spec/ports/0/name', field: 'spec.ports[0].name', keyword: 'required', message: "must have required property 'name'" },
      { pointer: '/spec/ports/0/port', field: 'spec.ports[0].port', keyword: 'minimum', message: 'must be >= 1' },
    ]);
  });

  it('names a missing required field itself, not its parent', () => {
    const result = Widget.validate({ ...valid, spec: { size: 'small' } });
    expect(result.valid ? [] : result.issues.map((i) => i.pointer)).toEqual(['/spec/replicas']);
    const noSpec = Widget.validate({ apiVersion: valid.apiVersion, kind: 'Widget', metadata: {} });
    expect(noSpec.valid ? [] : noSpec.issues.map((i) => i.field)).toEqual(['spec']);
  });

  it('escapes map keys in pointers and keeps them readable in field paths', () => {
    const result = Widget.validate({ ...valid, spec: { ...valid.spec, labels: { 'app/name': 3 } } });
    expect(result.valid ? [] : result.issues.map((i) => [i.pointer, i.field])).toEqual([['/spec/labels/app~1name', 'spec.labels.app/name']]);
  });

  it('accepts an integer or a string for x-kubernetes-int-or-string, nothing else', () => {
    const schema: JsonSchema = { type: 'object', properties: { port: { 'x-kubernetes-int-or-string': true } } };
    expect(issuesOf(schema, { port: 80 })).toEqual([]);
    expect(issuesOf(schema, { port: '25%' })).toEqual([]);
    expect(issuesOf(schema, { port: 1.5 })).toEqual([['/spec/port', 'type']]);
    expect(issuesOf(schema, { port: true })).toEqual([['/spec/port', 'type']]);
  });

  it('accepts int-or-string written with the anyOf pattern', () => {
    const schema: JsonSchema = {
      type: 'object',
      properties: { port: { 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'string' }] } },
    };
    expect(issuesOf(schema, { port: 8 })).toEqual([]);
    expect(issuesOf(schema, { port: [] }).map(([pointer]) => pointer)).toContain('/spec/port');
  });

  it('keeps null where nullable, and drops it from other object fields as the server does', () => {
    const schema: JsonSchema = {
      type: 'object',
      required: ['c'],
      properties: {
        a: { type: 'string', nullable: true, enum: ['x'] },
        b: { type: 'string' },
        c: { type: 'string' },
        m: { type: 'object', additionalProperties: { type: 'integer' } },
        l: { type: 'array', items: { type: 'string' } },
      },
    };
    const validator = createValidator(root(schema), 'Test');
    const value = { spec: { a: null, b: null, c: 'x', m: { k: null, j: 1 } } };
    expect(validator.validate(value)).toEqual({ valid: true, value: { spec: { a: null, c: 'x', m: { j: 1 } } } });
    expect(value.spec.b).toBeNull(); // the caller's object is not touched
    // A required field that is null is missing; a null list item stays and is checked.
    expect(issuesOf(schema, { c: null, l: ['a', null] })).toEqual([
      ['/spec/c', 'required'],
      ['/spec/l/1', 'type'],
    ]);
  });

  it('returns the very object it was given when there is nothing to drop', () => {
    const value = { spec: { size: 'small', replicas: 1 } };
    const result = createValidator(root({ type: 'object', properties: { size: { type: 'string' } } }), 'Test').validate(value);
    expect(result.valid && result.value).toBe(value);
  });

  it('finds repeated values in a set list and repeated keys in a map list, at the repeat', () => {
    const result = Widget.validate({
      ...valid,
      spec: { ...valid.spec, tags: ['a', 'b', 'a'], ports: [{ name: 'http' }, { name: 'x' }, { name: 'http', port: 2 }] },
    });
    expect(result.valid ? [] : result.issues).toEqual([
      { pointer: '/spec/ports/2', field: 'spec.ports[2]', keyword: 'x-kubernetes-list-type', message: 'duplicate key name="http"' },
      { pointer: '/spec/tags/2', field: 'spec.tags[2]', keyword: 'x-kubernetes-list-type', message: 'duplicate value "a"' },
    ]);
  });

  it('counts a missing map-list key as its default', () => {
    const schema: JsonSchema = {
      type: 'array',
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-list-map-keys': ['port', 'protocol'],
      items: {
        type: 'object',
        required: ['port'],
        properties: { port: { type: 'integer' }, protocol: { type: 'string', default: 'TCP' } },
      },
    };
    expect(issuesOf(schema, [{ port: 80 }, { port: 80, protocol: 'UDP' }])).toEqual([]);
    expect(issuesOf(schema, [{ port: 80 }, { port: 80, protocol: 'TCP' }])).toEqual([['/spec/1', 'x-kubernetes-list-type']]);
  });

  it('reads OpenAPI v3.0 boolean exclusiveMinimum and exclusiveMaximum', () => {
    const schema: JsonSchema = {
      type: 'object',
      properties: { ratio: { type: 'number', minimum: 0, exclusiveMinimum: true, maximum: 1, exclusiveMaximum: false } },
    };
    expect(issuesOf(schema, { ratio: 0 })).toEqual([['/spec/ratio', 'exclusiveMinimum']]);
    expect(issuesOf(schema, { ratio: 1 })).toEqual([]);
    expect(issuesOf(schema, { ratio: 1.5 })).toEqual([['/spec/ratio', 'maximum']]);
  });

  it('checks formats as the API server does, and ignores unknown formats', () => {
    const schema: JsonSchema = {
      type: 'object',
      properties: {
        at: { type: 'string', format: 'date-time' },
        every: { type: 'string', format: 'duration' },
        small: { type: 'integer', format: 'int32' },
        odd: { type: 'string', format: 'made-up' },
      },
    };
    expect(issuesOf(schema, { at: '2024-01-02T03:04:05Z', every: '1h30m', small: 2 ** 31 - 1, odd: '?' })).toEqual([]);
    // The server accepts ISO 8601 durations too.
    expect(issuesOf(schema, { every: 'P1D' })).toEqual([]);
    expect(issuesOf(schema, { at: 'yesterday', small: 2 ** 31 })).toEqual([
      ['/spec/at', 'format'],
      ['/spec/small', 'format'],
    ]);
  });

  it('requires apiVersion and kind on an embedded resource', () => {
    const result = Widget.validate({ ...valid, spec: { ...valid.spec, template: { metadata: { name: 'x' } } } });
    expect(result.valid ? [] : result.issues.map((i) => i.pointer)).toEqual(['/spec/template/apiVersion', '/spec/template/kind']);
    expect(Widget.validate({ ...valid, spec: { ...valid.spec, template: { apiVersion: 'v1', kind: 'Pod', spec: {} } } }).valid).toBe(true);
  });

  it('refuses an object of another version or kind, and accepts one without them', () => {
    const result = Widget.validate({ ...valid, apiVersion: 'derive.rxkube.test/v1alpha1', kind: 'Gadget' });
    expect(result.valid ? [] : result.issues).toEqual([
      { pointer: '/apiVersion', field: 'apiVersion', keyword: 'const', message: 'must be "derive.rxkube.test/v1"' },
      { pointer: '/kind', field: 'kind', keyword: 'const', message: 'must be "Widget"' },
    ]);
    expect(Widget.validate({ metadata: { name: 'w' }, spec: valid.spec }).valid).toBe(true);
  });

  it('leaves unknown fields to the server (which prunes them)', () => {
    expect(Widget.validate({ ...valid, spec: { ...valid.spec, unknown: true } }).valid).toBe(true);
  });

  it('throws a SchemaValidationError from assert, naming the object and the fields', () => {
    expect(Widget.assertValid(valid)).toBe(valid);
    let error: unknown;
    try {
      Widget.assertValid({ ...valid, spec: { size: 'small', replicas: -1 } });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SchemaValidationError);
    expect((error as SchemaValidationError).message).toBe('Widget derive.rxkube.test/v1 is invalid: spec.replicas: must be >= 0');
    expect((error as SchemaValidationError).context).toEqual({ kind: 'Widget derive.rxkube.test/v1', name: 'w1' });
  });

  it('compiles the schema once, on first use', () => {
    const compile = jest.spyOn(Ajv.prototype, 'compile');
    try {
      const validator = createValidator(root({ type: 'object' }), 'Once');
      expect(compile).not.toHaveBeenCalled();
      validator.validate({ spec: {} });
      validator.validate({ spec: 1 });
      validator.validate({ spec: {} });
      expect(compile).toHaveBeenCalledTimes(1);
    } finally {
      compile.mockRestore();
    }
  });
});
