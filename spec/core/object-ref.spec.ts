/**
 * ObjectRef: construction, keys, equality, owner references and core/v1 ObjectReference.
 */
import { ObjectRef, objectReference, refFromOwnerReference } from '../../lib/core/object-ref.js';
import { MissingMetadataError } from '../../lib/core/resource-ext.js';
import { resourceType } from '../../lib/core/resource.js';

const Pod = resourceType({ group: '', version: 'v1', kind: 'Pod', plural: 'pods', scope: 'Namespaced' });
const Deployment = resourceType({ group: 'apps', version: 'v1', kind: 'Deployment', plural: 'deployments', scope: 'Namespaced' });
const ClusterRole = resourceType({ group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'ClusterRole', plural: 'clusterroles', scope: 'Cluster' });

describe('ObjectRef', () => {
  it('builds from a descriptor, name and namespace', () => {
    const ref = ObjectRef.from(Deployment, 'web', 'prod');
    expect([ref.kind, ref.apiVersion, ref.name, ref.namespace, ref.group]).toEqual(['Deployment', 'apps/v1', 'web', 'prod', 'apps']);
    expect(ref.extra).toEqual({});
    expect(Object.isFrozen(ref)).toBe(true);
  });

  it('has a stable key with kind, group, namespace and name', () => {
    expect(ObjectRef.key(ObjectRef.from(Pod, 'web-0', 'default'))).toBe('Pod:default/web-0');
    expect(ObjectRef.from(Deployment, 'web', 'prod').key()).toBe('Deployment.apps:prod/web');
    expect(ObjectRef.from(ClusterRole, 'system:controller:x').key()).toBe('ClusterRole.rbac.authorization.k8s.io:system:controller:x');
  });

  it('keys tell namespaced from cluster-scoped refs and kinds apart', () => {
    const keys = new Set([
      ObjectRef.from(Pod, 'a', 'ns').key(),
      ObjectRef.from(Pod, 'a').key(),
      ObjectRef.from(Pod, 'ns/a').key(),
      ObjectRef.from(Deployment, 'a', 'ns').key(),
      ObjectRef.of({ kind: 'Pod', apiVersion: 'example.com/v1', name: 'a', namespace: 'ns' }).key(),
    ]);
    expect(keys.size).toBe(5);
  });

  it('prints for logs', () => {
    expect(`${ObjectRef.from(Deployment, 'web', 'prod')}`).toBe('Deployment prod/web (apps/v1)');
    expect(String(ObjectRef.from(ClusterRole, 'admin'))).toBe('ClusterRole admin (rbac.authorization.k8s.io/v1)');
  });

  it('equality ignores version and extra, not namespace', () => {
    const a = ObjectRef.fromObject({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'prod', uid: 'u1', resourceVersion: '1' } });
    const b = ObjectRef.of({ kind: 'Deployment', apiVersion: 'apps/v1beta1', name: 'web', namespace: 'prod', extra: { uid: 'u2' } });
    expect(a.equals(b)).toBe(true);
    expect(ObjectRef.equals(a, b.within('dev'))).toBe(false);
    expect(a.equals(ObjectRef.from(Pod, 'web', 'prod'))).toBe(false);
  });

  it('takes kind and apiVersion from the descriptor when a list item lacks them', () => {
    const ref = ObjectRef.fromObject({ metadata: { name: 'web-0', namespace: 'default', uid: 'u', resourceVersion: '9' } }, Pod);
    expect(ref.key()).toBe('Pod:default/web-0');
    expect(ref.apiVersion).toBe('v1');
    expect(ref.extra).toEqual({ uid: 'u', resourceVersion: '9' });
  });

  it('refuses an object without a name', () => {
    expect(() => ObjectRef.fromObject({ kind: 'Pod', metadata: { generateName: 'x-' } })).toThrow(MissingMetadataError);
  });

  it('works as a Map key through key()', () => {
    const m = new Map<string, number>();
    m.set(ObjectRef.from(Pod, 'a', 'ns').key(), 1);
    m.set(ObjectRef.fromObject({ kind: 'Pod', apiVersion: 'v1', metadata: { name: 'a', namespace: 'ns', uid: 'x' } }).key(), 2);
    expect([...m.entries()]).toEqual([['Pod:ns/a', 2]]);
  });
});

describe('refFromOwnerReference', () => {
  it('points at the owner in the given namespace with its uid', () => {
    const ref = refFromOwnerReference({ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-7d9', uid: 'rs-uid', controller: true }, 'default');
    expect(ref.key()).toBe('ReplicaSet.apps:default/web-7d9');
    expect(ref.extra).toEqual({ uid: 'rs-uid' });
    expect(refFromOwnerReference({ apiVersion: 'v1', kind: 'Node', name: 'n1', uid: 'n' }, undefined).key()).toBe('Node:n1');
  });
});

describe('objectReference', () => {
  it('copies the known identity fields', () => {
    expect(
      objectReference({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web-0', namespace: 'default', uid: 'u', resourceVersion: '3', labels: { a: 'b' } } }),
    ).toEqual({ apiVersion: 'v1', kind: 'Pod', name: 'web-0', namespace: 'default', uid: 'u', resourceVersion: '3' });
  });

  it('uses the descriptor for kind and apiVersion and leaves unknown fields out', () => {
    expect(objectReference({ metadata: { name: 'web' } }, Deployment)).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' });
    expect(objectReference({})).toEqual({});
  });
});
