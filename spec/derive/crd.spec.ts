import { loadAll } from 'js-yaml';
import { CrdMergeError, type CustomResourceInit, defineCustomResource, mergeCrdVersions, toYaml } from '../../lib/derive/index.js';
import { Widget, WidgetV1alpha1 } from './fixtures/widget.js';

const base = {
  group: 'derive.rxkube.test',
  kind: 'Thing',
  scope: 'Namespaced',
  spec: { type: 'object', properties: { n: { type: 'integer' } } },
} as const satisfies Omit<CustomResourceInit, 'version'>;

function mergeError(run: () => unknown): CrdMergeError {
  try {
    run();
  } catch (e) {
    if (e instanceof CrdMergeError) return e;
    throw e;
  }
  throw new Error('expected a CrdMergeError');
}

describe('mergeCrdVersions', () => {
  it('merges versions of one kind into one CRD, keeping served, storage and deprecation per version', () => {
    const crd = mergeCrdVersions(WidgetV1alpha1, Widget);
    expect(crd.metadata.name).toBe('widgets.derive.rxkube.test');
    expect(crd.spec.names).toEqual(Widget.crd().spec.names);
    expect(crd.spec.versions.map((v) => [v.name, v.served, v.storage, v.deprecated, v.deprecationWarning])).toEqual([
      ['v1alpha1', true, false, true, 'derive.rxkube.test/v1alpha1 Widget is deprecated; use v1'],
      ['v1', true, true, undefined, undefined],
    ]);
    expect(crd.spec.versions[0]!.schema.openAPIV3Schema.properties!['spec']).toEqual({
      type: 'object',
      properties: { count: { type: 'integer', default: 1 } },
    });
    expect(crd.spec.versions[1]).toEqual(Widget.crd().spec.versions[0]);
  });

  it('keeps a version that is not served', () => {
    const v1 = defineCustomResource({ ...base, version: 'v1' });
    const v0 = defineCustomResource({ ...base, version: 'v0', served: false, storage: false });
    expect(mergeCrdVersions(v1, v0).spec.versions.map((v) => [v.name, v.served, v.storage])).toEqual([
      ['v1', true, true],
      ['v0', false, false],
    ]);
  });

  it('needs exactly one storage version', () => {
    const a = defineCustomResource({ ...base, version: 'v1' });
    const b = defineCustomResource({ ...base, version: 'v2' });
    const both = mergeError(() => mergeCrdVersions(a, b));
    expect(both.reason).toBe('multipleStorageVersions');
    expect(both.message).toBe('CRD things.derive.rxkube.test: v1, v2 are all marked storage; exactly one must be');
    const none = mergeError(() =>
      mergeCrdVersions(defineCustomResource({ ...base, version: 'v1', storage: false }), defineCustomResource({ ...base, version: 'v2', storage: false })),
    );
    expect(none.reason).toBe('noStorageVersion');
    expect(none.context).toEqual({ crd: 'things.derive.rxkube.test', versions: ['v1', 'v2'] });
  });

  it.each([
    ['groupMismatch', { group: 'other.rxkube.test' }],
    ['scopeMismatch', { scope: 'Cluster' }],
    ['namesMismatch', { shortNames: ['th'] }],
    ['namesMismatch', { categories: ['all'] }],
    ['duplicateVersion', { version: 'v1' }],
  ] as const)('raises %s when versions disagree (%j)', (reason, change) => {
    const v1 = defineCustomResource({ ...base, version: 'v1' });
    const other = defineCustomResource({ ...base, version: 'v2', storage: false, ...change });
    expect(mergeError(() => mergeCrdVersions(v1, other)).reason).toBe(reason);
  });

  it('raises kindMismatch for a different kind under the same plural', () => {
    const v1 = defineCustomResource({ ...base, version: 'v1' });
    const other = defineCustomResource({ ...base, kind: 'Thang', plural: 'things', version: 'v2', storage: false });
    const error = mergeError(() => mergeCrdVersions(v1, other));
    expect(error.reason).toBe('kindMismatch');
    expect(error.message).toBe('CRD things.derive.rxkube.test: version v2 has kind Thang, not Thing');
  });

  it('needs at least one version', () => {
    expect(mergeError(() => mergeCrdVersions()).reason).toBe('noVersions');
  });
});

describe('toYaml', () => {
  it('writes one YAML document per object, separated by ---', () => {
    const yaml = toYaml(Widget.crd(), mergeCrdVersions(WidgetV1alpha1, Widget));
    expect(yaml.split('\n').filter((line) => line === '---')).toHaveLength(1);
    expect(loadAll(yaml)).toEqual([Widget.crd(), mergeCrdVersions(WidgetV1alpha1, Widget)]);
  });

  it('writes shared sub-objects in full, without anchors', () => {
    const shared = { type: 'string' };
    const yaml = toYaml({ a: shared, b: shared });
    expect(yaml).toBe('a:\n  type: string\nb:\n  type: string\n');
  });
});
