/**
 * Exact requests built by `RequestBuilder` for every verb: method, path, query, headers and body,
 * and the parameter checks that throw `InvalidRequestError` before a request exists.
 */
import { InvalidRequestError } from '../../lib/core/errors.js';
import { Patch } from '../../lib/core/patch.js';
import {
  ACCEPT_METADATA,
  ACCEPT_METADATA_LIST,
  RequestBuilder,
  resourceUrl,
} from '../../lib/core/request.js';

const pods = { group: '', version: 'v1', plural: 'pods' };
const deployments = { group: 'apps', version: 'v1', plural: 'deployments' };
const nodes = { group: '', version: 'v1', plural: 'nodes' };
const clusterRoles = { group: 'rbac.authorization.k8s.io', version: 'v1', plural: 'clusterroles' };

const JSON_ONLY = { Accept: 'application/json' };
const JSON_BODY = { Accept: 'application/json', 'Content-Type': 'application/json' };

/** Runs `build` and returns the InvalidRequestError it throws (failing the test if it does not). */
function invalid(build: () => unknown): InvalidRequestError {
  try {
    build();
  } catch (e) {
    expect(e).toBeInstanceOf(InvalidRequestError);
    return e as InvalidRequestError;
  }
  throw new Error('expected an InvalidRequestError, but a request was built');
}

describe('resourceUrl', () => {
  it('uses /api/v1 for the core group', () => {
    expect(resourceUrl(pods)).toBe('/api/v1/pods');
    expect(resourceUrl(pods, 'kube-system')).toBe('/api/v1/namespaces/kube-system/pods');
  });

  it('uses /apis/group/version for named groups', () => {
    expect(resourceUrl(deployments)).toBe('/apis/apps/v1/deployments');
    expect(resourceUrl(deployments, 'ns')).toBe('/apis/apps/v1/namespaces/ns/deployments');
    expect(resourceUrl(clusterRoles)).toBe('/apis/rbac.authorization.k8s.io/v1/clusterroles');
  });

  it('escapes the namespace and refuses an empty or dot namespace', () => {
    expect(resourceUrl(pods, 'a b/c')).toBe('/api/v1/namespaces/a%20b%2Fc/pods');
    expect(invalid(() => resourceUrl(pods, '')).reason).toBe('missingNamespace');
    expect(invalid(() => resourceUrl(pods, '..')).reason).toBe('missingNamespace');
  });
});

describe('RequestBuilder', () => {
  const nsPods = RequestBuilder.for(pods, 'default');
  const allPods = RequestBuilder.for(pods);
  const nsDeploy = RequestBuilder.for(deployments, 'prod');
  const allNodes = RequestBuilder.for(nodes);

  describe('get', () => {
    it('builds a namespaced core-group GET', () => {
      expect(nsPods.get('web-0')).toEqual({
        verb: 'get',
        method: 'GET',
        path: '/api/v1/namespaces/default/pods/web-0',
        query: {},
        headers: JSON_ONLY,
      });
    });

    it('builds a cluster-scoped GET and a named-group GET', () => {
      expect(allNodes.get('node-1').path).toBe('/api/v1/nodes/node-1');
      expect(nsDeploy.get('web').path).toBe('/apis/apps/v1/namespaces/prod/deployments/web');
    });

    it('passes resourceVersion', () => {
      expect(nsPods.get('web-0', { resourceVersion: '0' }).query).toEqual({ resourceVersion: '0' });
    });

    it('escapes names', () => {
      expect(allNodes.get('a/b?c#d%e f').path).toBe('/api/v1/nodes/a%2Fb%3Fc%23d%25e%20f');
      expect(RequestBuilder.for(clusterRoles).get('system:controller:x').path).toBe(
        '/apis/rbac.authorization.k8s.io/v1/clusterroles/system%3Acontroller%3Ax',
      );
    });

    it('refuses an empty, "." or ".." name before building', () => {
      for (const name of ['', '.', '..']) {
        const err = invalid(() => nsPods.get(name));
        expect(err.reason).toBe('missingName');
        expect(err.context).toEqual({ name });
      }
    });
  });

  describe('getMetadata', () => {
    it('asks for PartialObjectMetadata', () => {
      expect(nsPods.getMetadata('web-0', { resourceVersion: '5' })).toEqual({
        verb: 'get',
        method: 'GET',
        path: '/api/v1/namespaces/default/pods/web-0',
        query: { resourceVersion: '5' },
        headers: { Accept: 'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1,application/json' },
      });
      expect(ACCEPT_METADATA).toBe('application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1,application/json');
    });
  });

  describe('list', () => {
    it('lists across all namespaces without a namespace segment', () => {
      expect(allPods.list()).toEqual({ verb: 'list', method: 'GET', path: '/api/v1/pods', query: {}, headers: JSON_ONLY });
    });

    it('puts every list parameter in the query', () => {
      const req = nsDeploy.list({
        labelSelector: 'app=web,tier in (fe,be)',
        fieldSelector: 'metadata.name!=x',
        limit: 500,
        timeoutSeconds: 30,
        resourceVersion: '100',
        resourceVersionMatch: 'NotOlderThan',
      });
      expect(req.path).toBe('/apis/apps/v1/namespaces/prod/deployments');
      expect(req.query).toEqual({
        labelSelector: 'app=web,tier in (fe,be)',
        fieldSelector: 'metadata.name!=x',
        limit: '500',
        timeoutSeconds: '30',
        resourceVersion: '100',
        resourceVersionMatch: 'NotOlderThan',
      });
      expect(req.headers).toEqual(JSON_ONLY);
      expect(req.body).toBeUndefined();
      expect(req.streaming).toBeUndefined();
    });

    it('sends the continue token as `continue` and drops empty selectors', () => {
      expect(allPods.list({ continueToken: 'abc', labelSelector: '', fieldSelector: '', limit: 2 }).query).toEqual({
        continue: 'abc',
        limit: '2',
      });
    });

    it('allows resourceVersion "0" with a continue token (the server ignores it)', () => {
      expect(allPods.list({ continueToken: 'abc', resourceVersion: '0' }).query).toEqual({ continue: 'abc', resourceVersion: '0' });
    });

    it('rejects impossible combinations', () => {
      expect(invalid(() => allPods.list({ resourceVersionMatch: 'Exact' })).reason).toBe('invalidParams');
      expect(invalid(() => allPods.list({ resourceVersion: '', resourceVersionMatch: 'NotOlderThan' })).message).toMatch(/requires a resourceVersion/);
      expect(invalid(() => allPods.list({ resourceVersion: '0', resourceVersionMatch: 'Exact' })).message).toMatch(/Exact/);
      expect(invalid(() => allPods.list({ continueToken: 'abc', resourceVersion: '12' })).context).toEqual({ resourceVersion: '12' });
      expect(invalid(() => allPods.list({ continueToken: 'abc', resourceVersion: '0', resourceVersionMatch: 'NotOlderThan' })).message).toMatch(
        /resourceVersionMatch cannot be combined with continueToken/,
      );
      expect(invalid(() => allPods.list({ limit: -1 })).context).toEqual({ limit: -1 });
      expect(invalid(() => allPods.list({ limit: 1.5 })).message).toMatch(/limit must be a non-negative integer/);
      expect(invalid(() => allPods.list({ timeoutSeconds: -3 })).context).toEqual({ timeoutSeconds: -3 });
    });
  });

  describe('listMetadata', () => {
    it('asks for PartialObjectMetadataList', () => {
      const req = allNodes.listMetadata({ labelSelector: 'role' });
      expect(req).toEqual({
        verb: 'list',
        method: 'GET',
        path: '/api/v1/nodes',
        query: { labelSelector: 'role' },
        headers: { Accept: 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json' },
      });
      expect(req.headers.Accept).toBe(ACCEPT_METADATA_LIST);
    });
  });

  describe('watch', () => {
    it('streams with watch=true', () => {
      expect(nsPods.watch()).toEqual({
        verb: 'watch',
        method: 'GET',
        path: '/api/v1/namespaces/default/pods',
        query: { watch: 'true' },
        headers: JSON_ONLY,
        streaming: true,
      });
    });

    it('passes resourceVersion, selectors, timeout and bookmarks', () => {
      expect(allPods.watch({ resourceVersion: '42', labelSelector: 'a=b', fieldSelector: 'spec.nodeName=n1', timeoutSeconds: 290, bookmarks: true }).query).toEqual({
        watch: 'true',
        resourceVersion: '42',
        labelSelector: 'a=b',
        fieldSelector: 'spec.nodeName=n1',
        timeoutSeconds: '290',
        allowWatchBookmarks: 'true',
      });
      expect(allPods.watch({ bookmarks: false }).query).toEqual({ watch: 'true' });
    });

    it('builds a streaming list with bookmarks and NotOlderThan', () => {
      expect(allPods.watch({ sendInitialEvents: true, resourceVersionMatch: 'NotOlderThan' }).query).toEqual({
        watch: 'true',
        allowWatchBookmarks: 'true',
        sendInitialEvents: 'true',
        resourceVersionMatch: 'NotOlderThan',
      });
    });

    it('rejects a timeout of 295 s or more, but accepts 294', () => {
      expect(invalid(() => allPods.watch({ timeoutSeconds: 295 })).context).toEqual({ timeoutSeconds: 295 });
      expect(invalid(() => allPods.watch({ timeoutSeconds: 3600 })).message).toMatch(/below 295/);
      expect(allPods.watch({ timeoutSeconds: 294 }).query.timeoutSeconds).toBe('294');
    });

    it('rejects sendInitialEvents without NotOlderThan or without bookmarks', () => {
      expect(invalid(() => allPods.watch({ sendInitialEvents: true })).message).toMatch(/NotOlderThan/);
      expect(invalid(() => allPods.watch({ sendInitialEvents: true, resourceVersionMatch: 'Exact' })).message).toMatch(/NotOlderThan/);
      expect(invalid(() => allPods.watch({ sendInitialEvents: true, resourceVersionMatch: 'NotOlderThan', bookmarks: false })).message).toMatch(
        /requires bookmarks/,
      );
    });

    it('rejects resourceVersionMatch on a plain watch', () => {
      expect(invalid(() => allPods.watch({ resourceVersion: '1', resourceVersionMatch: 'NotOlderThan' })).message).toMatch(/only allowed with sendInitialEvents/);
    });
  });

  describe('watchMetadata', () => {
    it('streams PartialObjectMetadata events', () => {
      expect(nsDeploy.watchMetadata({ resourceVersion: '7' })).toEqual({
        verb: 'watch',
        method: 'GET',
        path: '/apis/apps/v1/namespaces/prod/deployments',
        query: { watch: 'true', resourceVersion: '7' },
        headers: { Accept: ACCEPT_METADATA },
        streaming: true,
      });
    });
  });

  describe('create', () => {
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { a: '1' } };
    const configmaps = RequestBuilder.for({ group: '', version: 'v1', plural: 'configmaps' }, 'default');

    it('POSTs the object to the collection', () => {
      expect(configmaps.create(cm)).toEqual({
        verb: 'create',
        method: 'POST',
        path: '/api/v1/namespaces/default/configmaps',
        query: {},
        headers: JSON_BODY,
        body: cm,
      });
    });

    it('maps dryRun, fieldManager and fieldValidation to the query', () => {
      expect(configmaps.create(cm, { dryRun: true, fieldManager: 'me', fieldValidation: 'Strict' }).query).toEqual({
        dryRun: 'All',
        fieldManager: 'me',
        fieldValidation: 'Strict',
      });
      expect(configmaps.create(cm, { dryRun: false }).query).toEqual({});
    });

    it('rejects an empty or too long fieldManager', () => {
      expect(invalid(() => configmaps.create(cm, { fieldManager: '' })).message).toMatch(/1 to 128/);
      expect(invalid(() => configmaps.create(cm, { fieldManager: 'x'.repeat(129) })).reason).toBe('invalidParams');
      expect(configmaps.create(cm, { fieldManager: 'x'.repeat(128) }).query.fieldManager).toHaveLength(128);
    });
  });

  describe('replace', () => {
    it('PUTs the object at its name', () => {
      const obj = { metadata: { name: 'web', resourceVersion: '9' } };
      expect(nsDeploy.replace('web', obj, { fieldManager: 'me', dryRun: true })).toEqual({
        verb: 'replace',
        method: 'PUT',
        path: '/apis/apps/v1/namespaces/prod/deployments/web',
        query: { dryRun: 'All', fieldManager: 'me' },
        headers: JSON_BODY,
        body: obj,
      });
    });
  });

  describe('patch', () => {
    const body = { metadata: { labels: { a: 'b' } } };

    it.each([
      ['apply', Patch.apply(body), 'application/apply-patch+yaml'],
      ['merge', Patch.merge(body), 'application/merge-patch+json'],
      ['strategic', Patch.strategic(body), 'application/strategic-merge-patch+json'],
    ] as const)('sends a %s patch with its content type', (_name, patch, contentType) => {
      expect(nsDeploy.patch('web', patch, { fieldManager: 'me' })).toEqual({
        verb: 'patch',
        method: 'PATCH',
        path: '/apis/apps/v1/namespaces/prod/deployments/web',
        query: { fieldManager: 'me' },
        headers: { Accept: 'application/json', 'Content-Type': contentType },
        body,
      });
    });

    it('sends JSON patch operations as an array', () => {
      const ops = [
        { op: 'test', path: '/metadata/finalizers/0', value: 'x' },
        { op: 'remove', path: '/metadata/finalizers/0' },
      ] as const;
      const req = nsPods.patch('web-0', Patch.json(ops));
      expect(req.headers).toEqual({ Accept: 'application/json', 'Content-Type': 'application/json-patch+json' });
      expect(req.body).toEqual(ops);
      expect(req.query).toEqual({});
    });

    it('sends force, dryRun and fieldValidation with server-side apply', () => {
      expect(nsPods.patch('web-0', Patch.apply(body), { fieldManager: 'me', force: true, dryRun: true, fieldValidation: 'Warn' }).query).toEqual({
        dryRun: 'All',
        fieldManager: 'me',
        fieldValidation: 'Warn',
        force: 'true',
      });
    });

    it('rejects apply without a fieldManager', () => {
      const err = invalid(() => nsPods.patch('web-0', Patch.apply(body)));
      expect(err.message).toMatch(/requires a fieldManager/);
      expect(err.context).toEqual({ patchType: 'apply' });
    });

    it.each([
      ['merge', Patch.merge(body)],
      ['strategic', Patch.strategic(body)],
      ['json', Patch.json([])],
    ] as const)('rejects force on a %s patch', (name, patch) => {
      const err = invalid(() => nsPods.patch('web-0', patch, { force: true }));
      expect(err.message).toBe(`force is only valid with server-side apply, not a ${name} patch`);
    });
  });

  describe('delete', () => {
    it('sends no body without options', () => {
      expect(nsPods.delete('web-0')).toEqual({
        verb: 'delete',
        method: 'DELETE',
        path: '/api/v1/namespaces/default/pods/web-0',
        query: {},
        headers: JSON_ONLY,
      });
    });

    it('sends DeleteOptions as the body', () => {
      const req = nsDeploy.delete('web', {
        propagationPolicy: 'Foreground',
        gracePeriodSeconds: 0,
        dryRun: true,
        preconditions: { uid: 'u-1', resourceVersion: '3' },
      });
      expect(req).toEqual({
        verb: 'delete',
        method: 'DELETE',
        path: '/apis/apps/v1/namespaces/prod/deployments/web',
        query: {},
        headers: JSON_BODY,
        body: {
          apiVersion: 'v1',
          kind: 'DeleteOptions',
          dryRun: ['All'],
          gracePeriodSeconds: 0,
          propagationPolicy: 'Foreground',
          preconditions: { uid: 'u-1', resourceVersion: '3' },
        },
      });
    });

    it('rejects a negative grace period', () => {
      expect(invalid(() => nsPods.delete('web-0', { gracePeriodSeconds: -1 })).context).toEqual({ gracePeriodSeconds: -1 });
    });
  });

  describe('deleteCollection', () => {
    it('DELETEs the collection with list selectors in the query', () => {
      expect(nsPods.deleteCollection({ propagationPolicy: 'Background' }, { labelSelector: 'app=web', fieldSelector: 'status.phase=Failed' })).toEqual({
        verb: 'deletecollection',
        method: 'DELETE',
        path: '/api/v1/namespaces/default/pods',
        query: { labelSelector: 'app=web', fieldSelector: 'status.phase=Failed' },
        headers: JSON_BODY,
        body: { apiVersion: 'v1', kind: 'DeleteOptions', propagationPolicy: 'Background' },
      });
    });

    it('sends neither query nor body without parameters', () => {
      expect(allNodes.deleteCollection()).toEqual({
        verb: 'deletecollection',
        method: 'DELETE',
        path: '/api/v1/nodes',
        query: {},
        headers: JSON_ONLY,
      });
    });

    it('validates both parameter sets', () => {
      expect(invalid(() => nsPods.deleteCollection({ gracePeriodSeconds: 1.5 })).reason).toBe('invalidParams');
      expect(invalid(() => nsPods.deleteCollection({}, { resourceVersionMatch: 'Exact' })).reason).toBe('invalidParams');
    });
  });

  describe('subresources', () => {
    it('GETs status and scale', () => {
      expect(nsDeploy.getSubresource('scale', 'web')).toEqual({
        verb: 'get',
        method: 'GET',
        path: '/apis/apps/v1/namespaces/prod/deployments/web/scale',
        query: {},
        headers: JSON_ONLY,
      });
      expect(allNodes.getSubresource('status', 'n1').path).toBe('/api/v1/nodes/n1/status');
    });

    it('PATCHes a subresource with the patch content type', () => {
      expect(nsDeploy.patchSubresource('status', 'web', Patch.apply({ status: {} }), { fieldManager: 'ctl', force: true })).toEqual({
        verb: 'patch',
        method: 'PATCH',
        path: '/apis/apps/v1/namespaces/prod/deployments/web/status',
        query: { fieldManager: 'ctl', force: 'true' },
        headers: { Accept: 'application/json', 'Content-Type': 'application/apply-patch+yaml' },
        body: { status: {} },
      });
      expect(invalid(() => nsDeploy.patchSubresource('scale', 'web', Patch.merge({ spec: { replicas: 2 } }), { force: true })).reason).toBe('invalidParams');
    });

    it('PUTs a subresource', () => {
      const scale = { spec: { replicas: 3 } };
      expect(nsDeploy.replaceSubresource('scale', 'web', scale, { dryRun: true })).toEqual({
        verb: 'replace',
        method: 'PUT',
        path: '/apis/apps/v1/namespaces/prod/deployments/web/scale',
        query: { dryRun: 'All' },
        headers: JSON_BODY,
        body: scale,
      });
    });
  });

  describe('evict', () => {
    it('POSTs a policy/v1 Eviction', () => {
      expect(nsPods.evict('web-0', 'default')).toEqual({
        verb: 'evict',
        method: 'POST',
        path: '/api/v1/namespaces/default/pods/web-0/eviction',
        query: {},
        headers: JSON_BODY,
        body: { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: 'web-0', namespace: 'default' } },
      });
    });

    it('carries DeleteOptions', () => {
      expect(nsPods.evict('web-0', 'default', { gracePeriodSeconds: 5, dryRun: true }).body).toEqual({
        apiVersion: 'policy/v1',
        kind: 'Eviction',
        metadata: { name: 'web-0', namespace: 'default' },
        deleteOptions: { apiVersion: 'v1', kind: 'DeleteOptions', dryRun: ['All'], gracePeriodSeconds: 5 },
      });
    });
  });

  describe('logs', () => {
    it('GETs plain text once', () => {
      expect(nsPods.logs('web-0')).toEqual({
        verb: 'logs',
        method: 'GET',
        path: '/api/v1/namespaces/default/pods/web-0/log',
        query: {},
        headers: { Accept: 'text/plain, */*' },
      });
    });

    it('maps every log parameter, and follow makes it streaming', () => {
      const req = nsPods.logs('web-0', {
        container: 'app',
        follow: true,
        previous: true,
        sinceSeconds: 60,
        sinceTime: '2024-01-01T00:00:00Z',
        tailLines: 100,
        timestamps: true,
        limitBytes: 4096,
        insecureSkipTLSVerifyBackend: true,
      });
      expect(req.query).toEqual({
        container: 'app',
        follow: 'true',
        previous: 'true',
        sinceSeconds: '60',
        sinceTime: '2024-01-01T00:00:00Z',
        tailLines: '100',
        timestamps: 'true',
        limitBytes: '4096',
        insecureSkipTLSVerifyBackend: 'true',
      });
      expect(req.streaming).toBe(true);
    });

    it('omits false flags and is not streaming without follow', () => {
      const req = nsPods.logs('web-0', { follow: false, timestamps: false, previous: false });
      expect(req.query).toEqual({});
      expect(req.streaming).toBeUndefined();
    });
  });

  describe('constructor', () => {
    it('accepts a ready collection path', () => {
      expect(new RequestBuilder('/apis/example.com/v1/namespaces/x/widgets').get('w').path).toBe('/apis/example.com/v1/namespaces/x/widgets/w');
    });
  });
});

describe('RequestBuilder pod streams', () => {
  const rb = RequestBuilder.for(pods, 'ns');

  it('should build pods/exec with the command repeated and every stream flag', () => {
    expect(rb.exec('web', { command: ['sh', '-c', 'echo hi'], container: 'app', stdin: true })).toEqual({
      verb: 'exec',
      method: 'GET',
      path: '/api/v1/namespaces/ns/pods/web/exec',
      query: { command: ['sh', '-c', 'echo hi'], container: 'app', stdin: 'true', stdout: 'true', stderr: 'true', tty: 'false' },
      headers: {},
      streaming: true,
    });
    expect(rb.exec('web', { command: ['sh'], tty: true, stdin: true }).query).toEqual({ command: ['sh'], stdin: 'true', stdout: 'true', stderr: 'false', tty: 'true' });
  });

  it('should refuse an empty command, a TTY with stderr, no stream at all and an empty container', () => {
    expect(invalid(() => rb.exec('web', { command: [] })).message).toMatch(/needs a command/);
    expect(invalid(() => rb.exec('web', { command: ['sh'], tty: true, stderr: true })).message).toMatch(/TTY/);
    expect(invalid(() => rb.exec('web', { command: ['sh'], stdout: false, stderr: false })).message).toMatch(/at least one/);
    expect(invalid(() => rb.attach('web', { container: '' })).message).toMatch(/container cannot be empty/);
  });

  it('should build pods/attach', () => {
    expect(rb.attach('web', { stdin: true, tty: true })).toEqual({
      verb: 'attach',
      method: 'GET',
      path: '/api/v1/namespaces/ns/pods/web/attach',
      query: { stdin: 'true', stdout: 'true', stderr: 'false', tty: 'true' },
      headers: {},
      streaming: true,
    });
  });

  it('should build pods/portforward with the ports joined and refuse bad port lists', () => {
    expect(rb.portForward('web', { ports: [8080, 9090] })).toEqual({
      verb: 'portforward',
      method: 'GET',
      path: '/api/v1/namespaces/ns/pods/web/portforward',
      query: { ports: '8080,9090' },
      headers: {},
      streaming: true,
    });
    expect(invalid(() => rb.portForward('web', { ports: [] })).message).toMatch(/at least one port/);
    expect(invalid(() => rb.portForward('web', { ports: [0] })).message).toMatch(/1 to 65535/);
    expect(invalid(() => rb.portForward('web', { ports: [80, 80] })).message).toMatch(/twice/);
  });

  it('should build pods/log with every parameter', () => {
    const req = rb.logs('web', { container: 'app', follow: true, previous: true, sinceSeconds: 5, tailLines: 3, timestamps: true, limitBytes: 100 });
    expect(req.query).toEqual({ container: 'app', follow: 'true', previous: 'true', sinceSeconds: '5', tailLines: '3', timestamps: 'true', limitBytes: '100' });
    expect(rb.logs('web', { sinceTime: '2026-01-01T00:00:00Z' }).query).toEqual({ sinceTime: '2026-01-01T00:00:00Z' });
  });
});
