import { Client } from '../../lib/client/client.js';
import { AGGREGATED_DISCOVERY_ACCEPT, Discovery, DiscoveryError } from '../../lib/client/discovery.js';
import { json, type ScriptedServer, startServer, status } from './support/scripted-server.js';

// A small server: core v1 (configmaps, events, pods with status), apps v1 (deployments with scale),
// events.k8s.io v1 (events), example.com v2 preferred over v1 (widgets, cluster-scoped).
const resources = {
  '': {
    v1: [
      { resource: 'configmaps', kind: 'ConfigMap', scope: 'Namespaced', singular: 'configmap', shortNames: ['cm'] },
      { resource: 'events', kind: 'Event', scope: 'Namespaced', singular: 'event', shortNames: ['ev'] },
      { resource: 'pods', kind: 'Pod', scope: 'Namespaced', singular: 'pod', shortNames: ['po'], subresources: ['status', 'log'] },
    ],
  },
  apps: { v1: [{ resource: 'deployments', kind: 'Deployment', scope: 'Namespaced', singular: 'deployment', shortNames: ['deploy'], subresources: ['status', 'scale'] }] },
  'events.k8s.io': { v1: [{ resource: 'events', kind: 'Event', scope: 'Namespaced', singular: 'event', shortNames: ['ev'] }] },
  'example.com': {
    v2: [{ resource: 'widgets', kind: 'Widget', scope: 'Cluster', singular: 'widget', shortNames: ['wd'] }],
    v1: [{ resource: 'widgets', kind: 'Widget', scope: 'Cluster', singular: 'widget', shortNames: ['wd'] }],
  },
} as const;

type Groups = Record<string, Record<string, readonly { resource: string; kind: string; scope: string; singular: string; shortNames: readonly string[]; subresources?: readonly string[] }[]>>;
const verbs = ['get', 'list', 'watch', 'create'];

function aggregated(groups: Groups, core: boolean): unknown {
  const items = Object.entries(groups)
    .filter(([g]) => (g === '') === core)
    .map(([g, versions]) => ({
      metadata: g === '' ? {} : { name: g },
      versions: Object.entries(versions).map(([version, rs]) => ({
        version,
        freshness: 'Current',
        resources: rs.map((r) => ({
          resource: r.resource,
          responseKind: { group: '', version: '', kind: r.kind },
          scope: r.scope,
          singularResource: r.singular,
          verbs,
          shortNames: r.shortNames,
          ...(r.subresources ? { subresources: r.subresources.map((s) => ({ subresource: s, responseKind: { group: '', version: '', kind: r.kind }, verbs: ['get'] })) } : {}),
        })),
      })),
    }));
  return { kind: 'APIGroupDiscoveryList', apiVersion: 'apidiscovery.k8s.io/v2', metadata: {}, items };
}

function legacyList(groupVersion: string, rs: Groups[string][string]): unknown {
  return {
    kind: 'APIResourceList',
    groupVersion,
    resources: rs.flatMap((r) => [
      { name: r.resource, singularName: r.singular, namespaced: r.scope === 'Namespaced', kind: r.kind, verbs, shortNames: r.shortNames },
      ...(r.subresources ?? []).map((s) => ({ name: `${r.resource}/${s}`, singularName: '', namespaced: r.scope === 'Namespaced', kind: r.kind, verbs: ['get'] })),
    ]),
  };
}

/** Serves discovery for `groups`; `aggregatedSupported` false makes it a pre-1.26 server. */
function serve(server: ScriptedServer, groups: () => Groups, aggregatedSupported = true, broken: string[] = []): void {
  server.handle((req, res) => {
    const url = req.url ?? '';
    const wantsAggregated = (req.headers.accept ?? '').includes('as=APIGroupDiscoveryList');
    if (aggregatedSupported && wantsAggregated && (url === '/api' || url === '/apis')) return json(res, 200, aggregated(groups(), url === '/api'));
    if (url === '/api') return json(res, 200, { kind: 'APIVersions', versions: Object.keys(groups()[''] ?? {}) });
    if (url === '/apis') {
      return json(res, 200, {
        kind: 'APIGroupList',
        groups: Object.entries(groups())
          .filter(([g]) => g !== '')
          .map(([g, vs]) => ({
            name: g,
            versions: Object.keys(vs).map((v) => ({ groupVersion: `${g}/${v}`, version: v })),
            preferredVersion: { groupVersion: `${g}/${Object.keys(vs)[0]}`, version: Object.keys(vs)[0] },
          })),
      });
    }
    const m = /^\/(?:api|apis\/([^/]+))\/([^/]+)$/.exec(url);
    const gv = m ? (m[1] ? `${m[1]}/${m[2]}` : (m[2] ?? '')) : '';
    if (broken.includes(gv)) return json(res, 503, status(503, 'ServiceUnavailable', 'the server is currently unable to handle the request'));
    const rs = m ? groups()[m[1] ?? '']?.[m[2] ?? ''] : undefined;
    return rs ? json(res, 200, legacyList(gv, rs)) : json(res, 404, status(404, 'NotFound', 'not found'));
  });
}

describe('Discovery', () => {
  let server: ScriptedServer;
  let client: Client;
  beforeEach(async () => {
    server = await startServer();
    client = new Client({ server: server.url }, { retry: false });
  });
  afterEach(async () => {
    await server.close();
  });

  it('uses aggregated discovery: two requests with the aggregated Accept header', async () => {
    serve(server, () => resources);
    const d = await new Discovery(client).run();
    expect(d.protocol).toBe('aggregated');
    expect(server.requests.map((r) => `${r.url} ${r.headers.accept}`)).toEqual([`/api ${AGGREGATED_DISCOVERY_ACCEPT}`, `/apis ${AGGREGATED_DISCOVERY_ACCEPT}`]);
    expect(d.groups).toEqual([
      { name: '', versions: ['v1'], preferredVersion: 'v1' },
      { name: 'apps', versions: ['v1'], preferredVersion: 'v1' },
      { name: 'events.k8s.io', versions: ['v1'], preferredVersion: 'v1' },
      { name: 'example.com', versions: ['v2', 'v1'], preferredVersion: 'v2' },
    ]);
  });

  it('falls back to the legacy endpoints and finds the same resources', async () => {
    serve(server, () => resources);
    const aggregatedView = (await new Discovery(client).run()).resources;
    serve(server, () => resources, false);
    server.requests.length = 0;
    const d = await new Discovery(client).run();
    expect(d.protocol).toBe('legacy');
    expect(server.requests.map((r) => r.url).sort()).toEqual(['/api', '/api', '/api/v1', '/apis', '/apis', '/apis/apps/v1', '/apis/events.k8s.io/v1', '/apis/example.com/v1', '/apis/example.com/v2']);
    const key = (r: { apiVersion: string; plural: string }): string => `${r.apiVersion} ${r.plural}`;
    expect([...d.resources].sort((a, b) => key(a).localeCompare(key(b)))).toEqual([...aggregatedView].sort((a, b) => key(a).localeCompare(key(b))));
  });

  it('resolves plurals, plural.group, singulars, short names, kinds and GVKs to full ApiResources', async () => {
    serve(server, () => resources);
    const d = new Discovery(client);
    const deploy = await d.resolve('deploy');
    expect(deploy).toMatchObject({ group: 'apps', version: 'v1', apiVersion: 'apps/v1', kind: 'Deployment', plural: 'deployments', scope: 'Namespaced', namespaced: true, singular: 'deployment', shortNames: ['deploy'], subresources: ['scale', 'status'], verbs });
    for (const q of ['deployments', 'deployment', 'Deployment', 'deployments.apps', { group: 'apps', kind: 'Deployment' }, { group: 'apps', version: 'v1', kind: 'Deployment' }]) {
      expect(await d.resolve(q)).toEqual(deploy);
    }
    expect((await d.resolve('cm')).plural).toBe('configmaps');
    expect((await d.resolve('po')).subresources).toEqual(['log', 'status']);
  });

  it('prefers the core group, and the preferred version of a group', async () => {
    serve(server, () => resources);
    const d = new Discovery(client);
    expect((await d.resolve('events')).group).toBe('');
    expect((await d.resolve('events.events.k8s.io')).group).toBe('events.k8s.io');
    expect(await d.resolve('widgets')).toMatchObject({ version: 'v2', scope: 'Cluster', namespaced: false });
    expect((await d.resolve({ group: 'example.com', version: 'v1', kind: 'Widget' })).version).toBe('v1');
  });

  it('refreshes once on a miss, so a newly installed kind is found', async () => {
    let current: Groups = { '': resources[''] };
    serve(server, () => current);
    const d = await new Discovery(client).run();
    expect(d.find('deploy')).toBeUndefined();
    current = resources;
    expect((await d.resolve('deploy')).plural).toBe('deployments');
    expect(server.requests).toHaveLength(4);
  });

  it('rejects an unknown resource with DiscoveryError after one refresh', async () => {
    serve(server, () => resources);
    const d = await new Discovery(client).run();
    const e = (await d.resolve('gizmos').catch((x: unknown) => x)) as DiscoveryError;
    expect(e).toBeInstanceOf(DiscoveryError);
    expect(e.reason).toBe('notFound');
    expect(e.message).toBe('the server has no resource "gizmos"');
    expect(server.requests).toHaveLength(4);
  });

  it('skips group versions that fail in legacy mode and names them', async () => {
    serve(server, () => resources, false, ['example.com/v2']);
    const d = await new Discovery(client, { mode: 'legacy' }).run();
    expect(d.failedGroupVersions).toEqual(['example.com/v2']);
    expect(d.find('deploy')?.plural).toBe('deployments');
  });

  it('shares one load between concurrent callers', async () => {
    serve(server, () => resources);
    const d = new Discovery(client);
    await Promise.all([d.resolve('cm'), d.resolve('deploy'), d.run()]);
    expect(server.requests).toHaveLength(2);
  });
});
