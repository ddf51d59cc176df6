/**
 * Metadata accessors and owner references.
 */
import { KubeError } from '../../lib/core/errors.js';
import {
  MissingMetadataError,
  ResourceExt,
  annotationsOf,
  controllerOf,
  controllerOwnerRef,
  creationTimestampOf,
  deletionTimestampOf,
  describeObject,
  finalizersOf,
  hasFinalizer,
  isBeingDeleted,
  isOwnedBy,
  labelsOf,
  nameAny,
  nameOf,
  namespaceOf,
  ownerRef,
  ownerReferencesOf,
  requireName,
  resourceVersionOf,
  uidOf,
} from '../../lib/core/resource-ext.js';
import { resourceType } from '../../lib/core/resource.js';

const Deployment = resourceType({ group: 'apps', version: 'v1', kind: 'Deployment', plural: 'deployments', scope: 'Namespaced' });

const full = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: {
    name: 'web',
    namespace: 'prod',
    uid: 'uid-1',
    resourceVersion: '42',
    labels: { app: 'web' },
    annotations: { note: 'x' },
    finalizers: ['example.com/cleanup'],
    ownerReferences: [
      { apiVersion: 'v1', kind: 'ConfigMap', name: 'cfg', uid: 'uid-cm' },
      { apiVersion: 'example.com/v1', kind: 'Widget', name: 'w', uid: 'uid-w', controller: true },
    ],
    creationTimestamp: '2024-05-01T10:00:00Z',
    deletionTimestamp: '2024-05-02T10:00:00Z',
  },
};
const bare = {};

describe('resource-ext', () => {
  it('reads every metadata field of a full object', () => {
    expect(nameOf(full)).toBe('web');
    expect(nameAny(full)).toBe('web');
    expect(namespaceOf(full)).toBe('prod');
    expect(uidOf(full)).toBe('uid-1');
    expect(resourceVersionOf(full)).toBe('42');
    expect(labelsOf(full)).toEqual({ app: 'web' });
    expect(annotationsOf(full)).toEqual({ note: 'x' });
    expect(finalizersOf(full)).toEqual(['example.com/cleanup']);
    expect(hasFinalizer(full, 'example.com/cleanup')).toBe(true);
    expect(hasFinalizer(full, 'other')).toBe(false);
    expect(ownerReferencesOf(full)).toHaveLength(2);
    expect(controllerOf(full)?.name).toBe('w');
    expect(creationTimestampOf(full)?.toISOString()).toBe('2024-05-01T10:00:00.000Z');
    expect(deletionTimestampOf(full)?.toISOString()).toBe('2024-05-02T10:00:00.000Z');
    expect(isBeingDeleted(full)).toBe(true);
  });

  it('gives empty defaults for an object without metadata', () => {
    expect(nameOf(bare)).toBeUndefined();
    expect(nameAny(bare)).toBe('');
    expect(namespaceOf(bare)).toBeUndefined();
    expect(labelsOf(bare)).toEqual({});
    expect(annotationsOf(bare)).toEqual({});
    expect(finalizersOf(bare)).toEqual([]);
    expect(ownerReferencesOf(bare)).toEqual([]);
    expect(controllerOf(bare)).toBeUndefined();
    expect(creationTimestampOf(bare)).toBeUndefined();
    expect(isBeingDeleted(bare)).toBe(false);
    expect(Object.isFrozen(labelsOf(bare))).toBe(true);
  });

  it('falls back to generateName in nameAny', () => {
    expect(nameAny({ metadata: { generateName: 'job-' } })).toBe('job-');
    expect(describeObject({ kind: 'Job', metadata: { generateName: 'job-', namespace: 'ns' } })).toBe('Job ns/job-*');
  });

  it('returns undefined for an unparsable timestamp', () => {
    expect(creationTimestampOf({ metadata: { creationTimestamp: 'not a time' } })).toBeUndefined();
  });

  it('matches owners by uid', () => {
    expect(isOwnedBy(full, { metadata: { uid: 'uid-cm' } })).toBe(true);
    expect(isOwnedBy(full, { metadata: { uid: 'other' } })).toBe(false);
    expect(isOwnedBy(full, { metadata: { name: 'cfg' } })).toBe(false);
  });

  it('requireName throws a MissingMetadataError naming the purpose', () => {
    expect(requireName(full)).toBe('web');
    expect(() => requireName({ kind: 'Pod', metadata: { namespace: 'ns' } }, 'a status patch')).toThrow(
      'Pod without a name has no metadata.name, which a status patch needs',
    );
  });

  describe('controllerOwnerRef', () => {
    it('builds a controlling, deletion-blocking owner reference from the descriptor', () => {
      const listItem = { metadata: { name: 'web', namespace: 'prod', uid: 'uid-1' } };
      expect(controllerOwnerRef(listItem, Deployment)).toEqual({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        name: 'web',
        uid: 'uid-1',
        controller: true,
        blockOwnerDeletion: true,
      });
    });

    it('throws a typed error when the owner has no uid or no name', () => {
      let err: unknown;
      try {
        controllerOwnerRef({ metadata: { name: 'web', namespace: 'prod' } }, Deployment);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(MissingMetadataError);
      expect(err).toBeInstanceOf(KubeError);
      expect((err as MissingMetadataError).field).toBe('uid');
      expect((err as MissingMetadataError).message).toBe('Deployment prod/web has no metadata.uid, which an owner reference needs');
      expect((err as MissingMetadataError).context).toEqual({ field: 'uid', kind: 'Deployment', namespace: 'prod', name: 'web' });

      expect(() => controllerOwnerRef({ metadata: { uid: 'u' } }, Deployment)).toThrow(/has no metadata.name/);
    });

    it('ownerRef leaves controller flags out unless asked', () => {
      expect(ownerRef(full, Deployment)).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: 'uid-1' });
      expect(ownerRef(full, Deployment, { blockOwnerDeletion: false }).blockOwnerDeletion).toBe(false);
    });
  });

  it('gathers the accessors in ResourceExt', () => {
    expect(ResourceExt.name(full)).toBe('web');
    expect(ResourceExt.labels(full)).toBe(full.metadata.labels);
    expect(ResourceExt.controllerOwnerRef).toBe(controllerOwnerRef);
  });
});
