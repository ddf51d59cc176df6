/**
 * DynamicObject: construction and the checked conversion to a typed object.
 */
import { ApiResource } from '../../lib/core/api-resource.js';
import { DynamicObject } from '../../lib/core/dynamic.js';
import { DecodeError } from '../../lib/core/error-boundary.js';
import { GroupVersionKind } from '../../lib/core/gvk.js';
import { resourceType } from '../../lib/core/resource.js';

interface ConfigMapLike {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string };
  data?: Record<string, string>;
}
const ConfigMap = resourceType<ConfigMapLike, 'Namespaced'>({ group: '', version: 'v1', kind: 'ConfigMap', plural: 'configmaps', scope: 'Namespaced' });

function decodeError(fn: () => unknown): DecodeError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(DecodeError);
    return e as DecodeError;
  }
  throw new Error('expected a DecodeError');
}

describe('DynamicObject', () => {
  it('of creates a named object of a resource kind', () => {
    const widgets = ApiResource.fromGvk(GroupVersionKind.of('example.com', 'v1', 'Widget'), 'widgets');
    expect(DynamicObject.of(widgets, 'w', 'ns')).toEqual({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w', namespace: 'ns' } });
    expect(DynamicObject.of(widgets, 'w')).toEqual({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } });
  });

  it('tryParse returns the object typed when apiVersion and kind match', () => {
    const obj: DynamicObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { a: '1' } };
    const cm = DynamicObject.tryParse(obj, ConfigMap);
    expect(cm.data?.a).toBe('1');
    expect(cm).toBe(obj);
  });

  it('tryParse names the mismatching field and the object', () => {
    const wrongKind = decodeError(() => DynamicObject.tryParse({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'ns' } }, ConfigMap));
    expect(wrongKind.message).toBe('object ns/s has kind "Secret", expected "ConfigMap"');
    expect(wrongKind.field).toBe('kind');
    expect(wrongKind.object).toEqual({ kind: 'Secret', namespace: 'ns', name: 's' });

    const wrongVersion = decodeError(() => DynamicObject.tryParse({ apiVersion: 'apps/v1', kind: 'ConfigMap' }, ConfigMap));
    expect(wrongVersion.field).toBe('apiVersion');
    expect(wrongVersion.message).toBe('object has apiVersion "apps/v1", expected "v1"');

    expect(decodeError(() => DynamicObject.tryParse({ kind: 'ConfigMap' }, ConfigMap)).message).toMatch(/apiVersion undefined/);
    expect(decodeError(() => DynamicObject.tryParse({ apiVersion: 'v1', kind: 'ConfigMap', metadata: 'x' }, ConfigMap)).field).toBe('metadata');
  });

  it('tryParse rejects non-objects', () => {
    expect(decodeError(() => DynamicObject.tryParse(null, ConfigMap)).message).toBe('expected a ConfigMap object, got null');
    expect(decodeError(() => DynamicObject.tryParse([], ConfigMap)).message).toBe('expected a ConfigMap object, got an array');
    expect(decodeError(() => DynamicObject.tryParse('x', ConfigMap)).message).toBe('expected a ConfigMap object, got string');
  });
});
