import { load } from 'js-yaml';
import { DefinitionError, StructuralSchemaError, defineCustomResource, isCustomResource } from '../../lib/derive/index.js';
import { Widget } from './fixtures/widget.js';

const minimal = {
  group: 'derive.rxkube.test',
  version: 'v1',
  kind: 'Gadget',
  scope: 'Cluster',
  spec: { type: 'object', properties: { on: { type: 'boolean' } } },
} as const;

describe('defineCustomResource', () => {
  it('is a ResourceType with the descriptor fields Api and the runtime need', () => {
    expect(Widget.group).toBe('derive.rxkube.test');
    expect(Widget.version).toBe('v1');
    expect(Widget.apiVersion).toBe('derive.rxkube.test/v1');
    expect(Widget.kind).toBe('Widget');
    expect(Widget.plural).toBe('widgets');
    expect(Widget.singular).toBe('widget');
    expect(Widget.scope).toBe('Namespaced');
    expect(Widget.shortNames).toEqual(['wdg']);
    expect(Widget.subresources).toEqual(['status', 'scale']);
    expect(Object.isFrozen(Widget)).toBe(true);
    expect(isCustomResource(Widget)).toBe(true);
    expect(isCustomResource({ ...minimal })).toBe(false);
  });

  it('produces the exact CRD of a representative definition', () => {
    expect(Widget.crd()).toEqual({
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'widgets.derive.rxkube.test' },
      spec: {
        group: 'derive.rxkube.test',
        names: { kind: 'Widget', listKind: 'WidgetList', plural: 'widgets', singular: 'widget', shortNames: ['wdg'], categories: ['rxkube'] },
        scope: 'Namespaced',
        versions: [
          {
            name: 'v1',
            served: true,
            storage: true,
            schema: {
              openAPIV3Schema: {
                type: 'object',
                description: 'A widget of the rxkube derive tests.',
                required: ['spec'],
                properties: {
                  apiVersion: { type: 'string' },
                  kind: { type: 'string' },
                  metadata: { type: 'object' },
                  spec: {
                    type: 'object',
                    required: ['size', 'replicas'],
                    properties: {
                      size: { type: 'string', enum: ['small', 'large'], description: 'How big each widget is.' },
                      replicas: { type: 'integer', format: 'int32', minimum: 0, maximum: 10 },
                      port: { 'x-kubernetes-int-or-string': true },
                      color: {
                        type: 'string',
                        default: 'blue',
                        maxLength: 20,
                        'x-kubernetes-validations': [
                          { rule: "oldSelf.hasValue() || self != 'black'", optionalOldSelf: true, message: 'new widgets cannot be black' },
                        ],
                      },
                      labels: { type: 'object', additionalProperties: { type: 'string' }, 'x-kubernetes-map-type': 'granular' },
                      ports: {
                        type: 'array',
                        maxItems: 8,
                        'x-kubernetes-list-type': 'map',
                        'x-kubernetes-list-map-keys': ['name'],
                        items: {
                          type: 'object',
                          required: ['name'],
                          properties: {
                            name: { type: 'string', maxLength: 15 },
                            port: { type: 'integer', minimum: 1, maximum: 65535 },
                          },
                        },
                      },
                      tags: { type: 'array', 'x-kubernetes-list-type': 'set', items: { type: 'string' } },
                      template: { type: 'object', 'x-kubernetes-embedded-resource': true, 'x-kubernetes-preserve-unknown-fields': true },
                      extra: { type: 'object', nullable: true, 'x-kubernetes-preserve-unknown-fields': true },
                    },
                    'x-kubernetes-validations': [
                      {
                        rule: "self.size == 'large' || self.replicas <= 5",
                        message: 'small widgets have at most 5 replicas',
                        fieldPath: '.replicas',
                        reason: 'FieldValueInvalid',
                      },
                      { rule: 'self.size == oldSelf.size', messageExpression: "'size is immutable, was ' + oldSelf.size" },
                    ],
                  },
                  status: {
                    type: 'object',
                    properties: {
                      replicas: { type: 'integer' },
                      selector: { type: 'string' },
                      phase: { type: 'string', enum: ['Pending', 'Ready'] },
                    },
                  },
                },
                'x-kubernetes-validations': [{ rule: 'self.metadata.name.size() <= 40', message: 'widget names are at most 40 characters' }],
              },
            },
            subresources: {
              status: {},
              scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas', labelSelectorPath: '.status.selector' },
            },
            additionalPrinterColumns: [
              { name: 'Size', type: 'string', jsonPath: '.spec.size' },
              { name: 'Replicas', type: 'integer', jsonPath: '.spec.replicas' },
              { name: 'Ready', type: 'integer', jsonPath: '.status.replicas' },
              { name: 'Color', type: 'string', jsonPath: '.spec.color', priority: 1 },
            ],
            selectableFields: [{ jsonPath: '.spec.size' }],
          },
        ],
      },
    });
  });

  it('renders crdYaml as the same CRD', () => {
    expect(load(Widget.crdYaml())).toEqual(Widget.crd());
  });

  it('returns a fresh manifest each time, so editing one does not change the definition', () => {
    const crd = Widget.crd();
    crd.spec.versions[0]!.served = false;
    (crd.spec.versions[0]!.schema.openAPIV3Schema as { description?: string }).description = 'changed';
    expect(Widget.crd().spec.versions[0]!.served).toBe(true);
    expect(Widget.crd().spec.versions[0]!.schema.openAPIV3Schema.description).toBe('A widget of the rxkube derive tests.');
  });

  it('exposes its root schema frozen, so it cannot drift from the CRD', () => {
    expect(Object.isFrozen(Widget.schema)).toBe(true);
    expect(Object.isFrozen(Widget.schema.properties!['spec']!.properties!['size'])).toBe(true);
    expect(Widget.schema).toEqual(Widget.crd().spec.versions[0]!.schema.openAPIV3Schema);
  });

  it('leaves out optional parts and derives names when they are not given', () => {
    const Gadget = defineCustomResource(minimal);
    expect(Gadget.crd()).toEqual({
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'gadgets.derive.rxkube.test' },
      spec: {
        group: 'derive.rxkube.test',
        names: { kind: 'Gadget', listKind: 'GadgetList', plural: 'gadgets', singular: 'gadget' },
        scope: 'Cluster',
        versions: [
          {
            name: 'v1',
            served: true,
            storage: true,
            schema: {
              openAPIV3Schema: {
                type: 'object',
                required: ['spec'],
                properties: {
                  apiVersion: { type: 'string' },
                  kind: { type: 'string' },
                  metadata: { type: 'object' },
                  spec: { type: 'object', properties: { on: { type: 'boolean' } } },
                },
              },
            },
          },
        ],
      },
    });
    expect(Gadget.subresources).toEqual([]);
  });

  it('enables the status subresource when there is a status schema, unless told not to', () => {
    const status = { type: 'object', properties: { ok: { type: 'boolean' } } } as const;
    expect(defineCustomResource({ ...minimal, status }).crd().spec.versions[0]!.subresources).toEqual({ status: {} });
    const without = defineCustomResource({ ...minimal, status, subresources: { status: false } });
    expect(without.crd().spec.versions[0]!.subresources).toBeUndefined();
    expect(without.subresources).toEqual([]);
  });

  it('constrains metadata.name when asked, in the CRD and in validate()', () => {
    const Short = defineCustomResource({ ...minimal, metadata: { name: { type: 'string', maxLength: 8 } } });
    expect(Short.crd().spec.versions[0]!.schema.openAPIV3Schema.properties!['metadata']).toEqual({
      type: 'object',
      properties: { name: { type: 'string', maxLength: 8 } },
    });
    const result = Short.validate({ apiVersion: 'derive.rxkube.test/v1', kind: 'Gadget', metadata: { name: 'much-too-long' }, spec: {} });
    expect(result.valid ? [] : result.issues.map((i) => [i.pointer, i.keyword])).toEqual([['/metadata/name', 'maxLength']]);
  });

  it('refuses a default on metadata.name (the server would)', () => {
    expect(() => defineCustomResource({ ...minimal, metadata: { name: { type: 'string', default: 'x' } } })).toThrow(
      expect.objectContaining({ name: 'StructuralSchemaError', rule: 'metadataConstrained', path: 'openAPIV3Schema.properties[metadata].properties[name]' }),
    );
  });

  it('takes explicit names over the derived ones', () => {
    const Mouse = defineCustomResource({ ...minimal, kind: 'Mouse', plural: 'mice', singular: 'mouse', listKind: 'MouseCollection' });
    expect(Mouse.crd().metadata.name).toBe('mice.derive.rxkube.test');
    expect(Mouse.crd().spec.names).toEqual({ kind: 'Mouse', listKind: 'MouseCollection', plural: 'mice', singular: 'mouse' });
  });

  it('rejects a schema that is not structural before anything reaches a server', () => {
    const define = () =>
      defineCustomResource({ ...minimal, spec: { type: 'object', properties: { size: { minimum: 1 } } } });
    expect(define).toThrow(StructuralSchemaError);
    expect(define).toThrow(/openAPIV3Schema\.properties\[spec\]\.properties\[size\]: type is required/);
  });

  it.each([
    ['invalidGroup', { group: 'nodot' }],
    ['invalidGroup', { group: 'Upper.Case' }],
    ['invalidVersion', { version: 'V1' }],
    ['invalidKind', { kind: 'gadget' }],
    ['invalidNames', { plural: 'Gadgets' }],
    ['invalidNames', { shortNames: ['g_d'] }],
    ['invalidScale', { subresources: { scale: { specReplicasPath: '.status.replicas', statusReplicasPath: '.status.replicas' } } }],
    ['invalidScale', { subresources: { scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.spec.replicas' } } }],
    ['invalidScale', { subresources: { scale: { specReplicasPath: '.spec.r', statusReplicasPath: '.status.r', labelSelectorPath: 'status.s' } } }],
    ['invalidPrinterColumn', { printerColumns: [{ name: 'On', type: 'boolean', jsonPath: 'spec.on' }] }],
    ['invalidPrinterColumn', { printerColumns: [{ name: 'On', type: 'boolean', jsonPath: '.spec.on' }, { name: 'On', type: 'string', jsonPath: '.spec.x' }] }],
    ['invalidSelectableField', { selectableFields: ['.metadata.name'] }],
    ['invalidDeprecation', { deprecationWarning: 'old' }],
  ] as const)('raises DefinitionError(%s) for %j', (reason, change) => {
    let error: unknown;
    try {
      defineCustomResource({ ...minimal, ...change });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DefinitionError);
    expect((error as DefinitionError).reason).toBe(reason);
    expect((error as DefinitionError).context).toMatchObject({ group: expect.any(String) });
  });
});
