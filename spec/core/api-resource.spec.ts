/**
 * ApiResource constructors, the plural guess, and use with RequestBuilder.
 */
import { ApiResource, guessPlural } from '../../lib/core/api-resource.js';
import { GroupVersionKind } from '../../lib/core/gvk.js';
import { RequestBuilder } from '../../lib/core/request.js';
import { resourceType } from '../../lib/core/resource.js';

describe('guessPlural', () => {
  it.each([
    ['Pod', 'pods'],
    ['Ingress', 'ingresses'],
    ['NetworkPolicy', 'networkpolicies'],
    ['Gateway', 'gateways'],
    ['Box', 'boxes'],
    ['Quiz', 'quizes'],
    ['Batch', 'batches'],
    ['Mesh', 'meshes'],
    ['Endpoints', 'endpoints'],
    ['EndpointSlices', 'endpointslices'],
  ])('%s → %s', (kind, plural) => {
    expect(guessPlural(kind)).toBe(plural);
  });
});

describe('ApiResource', () => {
  it('fromGvk guesses the plural and assumes Namespaced', () => {
    expect(ApiResource.fromGvk(GroupVersionKind.of('example.com', 'v1', 'Policy'))).toEqual({
      group: 'example.com',
      version: 'v1',
      apiVersion: 'example.com/v1',
      kind: 'Policy',
      plural: 'policies',
      scope: 'Namespaced',
      namespaced: true,
    });
  });

  it('fromGvk takes an explicit plural and scope', () => {
    const r = ApiResource.fromGvk(GroupVersionKind.of('', 'v1', 'Node'), 'nodes', 'Cluster');
    expect([r.apiVersion, r.plural, r.scope, r.namespaced]).toEqual(['v1', 'nodes', 'Cluster', false]);
    expect(Object.isFrozen(r)).toBe(true);
  });

  it('fromResourceType copies a typed descriptor', () => {
    const Deployment = resourceType({ group: 'apps', version: 'v1', kind: 'Deployment', plural: 'deployments', scope: 'Namespaced', shortNames: ['deploy'], subresources: ['scale', 'status'] });
    expect(ApiResource.fromResourceType(Deployment)).toEqual({ ...Deployment, namespaced: true });
  });

  it('fromDiscovery groups subresources under their resource', () => {
    const resources = ApiResource.fromDiscovery('apps/v1', [
      { name: 'deployments', singularName: 'deployment', namespaced: true, kind: 'Deployment', verbs: ['get', 'list', 'watch'], shortNames: ['deploy'] },
      { name: 'deployments/status', singularName: '', namespaced: true, kind: 'Deployment', verbs: ['get', 'patch'] },
      { name: 'deployments/scale', singularName: '', namespaced: true, group: 'autoscaling', version: 'v1', kind: 'Scale', verbs: ['get'] },
      { name: 'controllerrevisions', singularName: 'controllerrevision', namespaced: true, kind: 'ControllerRevision', verbs: ['get'] },
    ]);
    expect(resources).toEqual([
      {
        group: 'apps',
        version: 'v1',
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        plural: 'deployments',
        scope: 'Namespaced',
        namespaced: true,
        singular: 'deployment',
        shortNames: ['deploy'],
        subresources: ['scale', 'status'],
        verbs: ['get', 'list', 'watch'],
      },
      {
        group: 'apps',
        version: 'v1',
        apiVersion: 'apps/v1',
        kind: 'ControllerRevision',
        plural: 'controllerrevisions',
        scope: 'Namespaced',
        namespaced: true,
        singular: 'controllerrevision',
        verbs: ['get'],
      },
    ]);
  });

  it('fromDiscovery reads cluster scope and the core group', () => {
    const [ns] = ApiResource.fromDiscovery('v1', [{ name: 'namespaces', singularName: 'namespace', namespaced: false, kind: 'Namespace', verbs: ['get'], shortNames: ['ns'] }]);
    expect([ns?.group, ns?.apiVersion, ns?.scope, ns?.namespaced]).toEqual(['', 'v1', 'Cluster', false]);
  });

  it('builds requests like a typed descriptor', () => {
    const widgets = ApiResource.fromGvk(GroupVersionKind.of('example.com', 'v1', 'Widget'), 'widgets');
    expect(RequestBuilder.for(widgets, 'ns').get('w').path).toBe('/apis/example.com/v1/namespaces/ns/widgets/w');
  });
});
