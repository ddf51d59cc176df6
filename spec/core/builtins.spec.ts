/**
 * The generated built-in descriptors: naming rule, shapes, URLs, and how well the plural guess of
 * ApiResource.fromGvk does on them. (Drift against the real server: spec/e2e/core/builtins.spec.ts.)
 */
import { guessPlural } from '../../lib/core/api-resource.js';
import * as builtins from '../../lib/core/builtins.js';
import { BUILTIN_RESOURCE_TYPES, ConfigMap, CoreEvent, CustomResourceDefinition, Deployment, Event, Lease, Namespace, Node, Pod } from '../../lib/core/builtins.js';
import { RequestBuilder } from '../../lib/core/request.js';

describe('builtins', () => {
  it('lists every exported descriptor once, sorted by name', () => {
    const exported = Object.entries(builtins).filter(([name]) => name !== 'BUILTIN_RESOURCE_TYPES');
    expect(BUILTIN_RESOURCE_TYPES).toHaveLength(exported.length);
    expect(new Set(BUILTIN_RESOURCE_TYPES).size).toBe(exported.length);
    for (const [, descriptor] of exported) expect(BUILTIN_RESOURCE_TYPES).toContain(descriptor);
    const kinds = BUILTIN_RESOURCE_TYPES.map((r) => r.kind);
    expect(kinds.length).toBeGreaterThan(60);
  });

  it('names each descriptor after its kind, with Core for the core/v1 Event', () => {
    for (const [name, r] of Object.entries(builtins)) {
      if (name === 'BUILTIN_RESOURCE_TYPES') continue;
      const d = r as (typeof BUILTIN_RESOURCE_TYPES)[number];
      expect([d.kind, `Core${d.kind}`]).toContain(name);
    }
    expect([Event.apiVersion, Event.kind]).toEqual(['events.k8s.io/v1', 'Event']);
    expect([CoreEvent.apiVersion, CoreEvent.kind]).toEqual(['v1', 'Event']);
  });

  it('has consistent, frozen descriptors with one entry per group and plural', () => {
    const seen = new Set<string>();
    for (const r of BUILTIN_RESOURCE_TYPES) {
      expect(Object.isFrozen(r)).toBe(true);
      expect(r.apiVersion).toBe(r.group === '' ? r.version : `${r.group}/${r.version}`);
      expect(r.plural).toMatch(/^[a-z0-9]+$/);
      expect(['Namespaced', 'Cluster']).toContain(r.scope);
      expect([...(r.subresources ?? [])]).toEqual([...(r.subresources ?? [])].sort());
      const key = `${r.group}/${r.plural}`;
      expect(seen.has(key)).toBe(false);
      seen.add(key);
    }
  });

  it('carries scope, short names and subresources from discovery', () => {
    expect(Pod).toMatchObject({ group: '', version: 'v1', plural: 'pods', scope: 'Namespaced', shortNames: ['po'] });
    expect(Pod.subresources).toEqual(expect.arrayContaining(['status', 'log', 'eviction', 'exec']));
    expect(Deployment).toMatchObject({ apiVersion: 'apps/v1', scope: 'Namespaced', shortNames: ['deploy'], subresources: ['scale', 'status'] });
    expect(Node).toMatchObject({ scope: 'Cluster', shortNames: ['no'] });
    expect(Namespace).toMatchObject({ scope: 'Cluster', shortNames: ['ns'] });
    expect(CustomResourceDefinition).toMatchObject({ apiVersion: 'apiextensions.k8s.io/v1', scope: 'Cluster', shortNames: ['crd', 'crds'] });
    expect(Lease).toMatchObject({ apiVersion: 'coordination.k8s.io/v1', plural: 'leases', scope: 'Namespaced' });
  });

  it('builds the URLs of core and named groups', () => {
    expect(RequestBuilder.for(ConfigMap, 'default').get('c').path).toBe('/api/v1/namespaces/default/configmaps/c');
    expect(RequestBuilder.for(Deployment, 'prod').getSubresource('scale', 'web').path).toBe('/apis/apps/v1/namespaces/prod/deployments/web/scale');
    expect(RequestBuilder.for(CustomResourceDefinition).get('widgets.example.com').path).toBe(
      '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.com',
    );
  });

  it('the plural guess of ApiResource.fromGvk gets every built-in plural right', () => {
    const wrong = BUILTIN_RESOURCE_TYPES.filter((r) => guessPlural(r.kind) !== r.plural).map((r) => `${r.kind}→${r.plural}`);
    expect(wrong).toEqual([]);
  });
});
