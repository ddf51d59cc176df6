/**
 * apiVersion parsing and GroupVersionKind helpers.
 */
import { GroupVersionKind, GvkError, apiVersionOf, parseApiVersion } from '../../lib/core/gvk.js';

describe('parseApiVersion', () => {
  it('splits group and version', () => {
    expect(parseApiVersion('apps/v1')).toEqual({ group: 'apps', version: 'v1' });
    expect(parseApiVersion('rbac.authorization.k8s.io/v1')).toEqual({ group: 'rbac.authorization.k8s.io', version: 'v1' });
  });

  it('reads a bare version as the core group', () => {
    expect(parseApiVersion('v1')).toEqual({ group: '', version: 'v1' });
  });

  it.each(['', '/v1', 'apps/', 'a/b/c', '/'])('rejects %j', (bad) => {
    expect(() => parseApiVersion(bad)).toThrow(GvkError);
    expect(() => parseApiVersion(bad)).toThrow(`invalid apiVersion ${JSON.stringify(bad)}`);
  });

  it('round-trips through apiVersionOf', () => {
    for (const v of ['v1', 'apps/v1', 'example.com/v1alpha1']) expect(apiVersionOf(parseApiVersion(v))).toBe(v);
  });
});

describe('GroupVersionKind', () => {
  it('builds from parts, an apiVersion or an object', () => {
    expect(GroupVersionKind.of('apps', 'v1', 'Deployment')).toEqual({ group: 'apps', version: 'v1', kind: 'Deployment' });
    expect(GroupVersionKind.fromApiVersion('v1', 'Pod')).toEqual({ group: '', version: 'v1', kind: 'Pod' });
    expect(GroupVersionKind.fromObject({ apiVersion: 'batch/v1', kind: 'Job' })).toEqual({ group: 'batch', version: 'v1', kind: 'Job' });
  });

  it('rejects objects without type fields and empty kinds', () => {
    expect(() => GroupVersionKind.fromObject({ metadata: { name: 'x' } })).toThrow('object x has no apiVersion and kind');
    expect(() => GroupVersionKind.fromObject({ apiVersion: 'v1' })).toThrow(GvkError);
    expect(() => GroupVersionKind.fromApiVersion('v1', '')).toThrow('a kind cannot be empty');
  });

  it('formats as Kind.version.group', () => {
    expect(GroupVersionKind.format(GroupVersionKind.of('apps', 'v1', 'Deployment'))).toBe('Deployment.v1.apps');
    expect(GroupVersionKind.format(GroupVersionKind.of('', 'v1', 'Pod'))).toBe('Pod.v1');
    expect(GroupVersionKind.apiVersion(GroupVersionKind.of('apps', 'v1', 'Deployment'))).toBe('apps/v1');
  });
});
