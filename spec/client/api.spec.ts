import { inspect } from 'node:util';
import type { ConfigMap, Pod } from '../../lib/core/api/core/v1.js';
import { firstValueFrom, type Observable, Subject, take, toArray } from 'rxjs';
import { InvalidRequestError } from '../../lib/core/errors.js';
import { Patch } from '../../lib/core/patch.js';
import { resourceType } from '../../lib/core/resource.js';
import { Api } from '../../lib/client/api.js';
import { Client } from '../../lib/client/client.js';
import { DecodeError } from '../../lib/core/error-boundary.js';
import { AbortedError, ApiError, isAbortedError } from '../../lib/client/errors.js';
import type { RequestOptions } from '../../lib/client/client.js';
import { json, type ScriptedServer, startServer, status } from './support/scripted-server.js';

const ConfigMapType = resourceType<ConfigMap, 'Namespaced'>({ group: '', version: 'v1', kind: 'ConfigMap', plural: 'configmaps', scope: 'Namespaced' });
const PodType = resourceType<Pod, 'Namespaced'>({ group: '', version: 'v1', kind: 'Pod', plural: 'pods', scope: 'Namespaced' });

const cm = (name: string, rv: string, data: Record<string, string> = {}): ConfigMap => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: 'ns', resourceVersion: rv },
  data,
});

describe('Api', () => {
  let server: ScriptedServer;
  let client: Client;
  beforeEach(async () => {
    server = await startServer();
    client = new Client({ server: server.url, namespace: 'team' }, { retry: false });
  });
  afterEach(async () => {
    await server.close();
  });
  const seen = (i: number): { method: string; path: string; query: URLSearchParams; body: unknown } => {
    const r = server.requests[i];
    const url = new URL(r?.url ?? '/', server.url);
    return { method: r?.method ?? '', path: url.pathname, query: url.searchParams, body: r?.body ? JSON.parse(r.body) : undefined };
  };

  it('names its resource type and namespace, defaulting to the config namespace', () => {
    const api = Api.defaultNamespaced(client, ConfigMapType);
    expect(api.namespace).toBe('team');
    expect(api.resourceType).toBe(ConfigMapType);
    expect(Api.all(client, ConfigMapType).namespace).toBeUndefined();
  });

  it('never shows credentials in util.inspect or JSON.stringify of an Api', () => {
    const secret = 'api-secret-token-42';
    const withToken = new Client({ server: server.url, tls: { key: secret, cert: 'CERT' }, auth: { kind: 'token', headers: async () => ({ Authorization: `Bearer ${secret}` }) } });
    const api = Api.namespaced(withToken, ConfigMapType, 'ns');
    for (const text of [inspect(api, { depth: 10, showHidden: true }), JSON.stringify(api)]) {
      expect(text).not.toContain(secret);
      expect(text).toContain('ConfigMap');
    }
  });

  it('gets an object, and getOpt gives undefined on 404', async () => {
    server.handle((req, res) => (req.url?.endsWith('/a') ? json(res, 200, cm('a', '1')) : json(res, 404, status(404, 'NotFound', 'not found'))));
    const api = Api.namespaced(client, ConfigMapType, 'ns');
    expect((await api.get('a')).metadata?.name).toBe('a');
    expect(await api.getOpt('b')).toBeUndefined();
    expect(await firstValueFrom(api.getOpt$('b'))).toBeUndefined();
    await expect(api.get('b')).rejects.toBeInstanceOf(ApiError);
    expect(seen(0)).toMatchObject({ method: 'GET', path: '/api/v1/namespaces/ns/configmaps/a' });
  });

  it('rejects item methods on an all-namespaces handle of a namespaced kind before sending (JavaScript callers; TypeScript ones get a type error)', async () => {
    const api = Api.all(client, ConfigMapType) as unknown as Api<ConfigMap, 'Namespaced'>;
    await expect(api.get('a')).rejects.toBeInstanceOf(InvalidRequestError);
    await expect(firstValueFrom(api.get$('a'))).rejects.toBeInstanceOf(InvalidRequestError);
    expect(server.requests).toHaveLength(0);
  });

  it('$ methods are cold', async () => {
    server.handle((_req, res) => json(res, 200, cm('a', '1')));
    const api = Api.namespaced(client, ConfigMapType, 'ns');
    const get$ = api.get$('a');
    await new Promise((r) => setTimeout(r, 30));
    expect(server.requests).toHaveLength(0);
    expect((await firstValueFrom(get$)).metadata?.name).toBe('a');
    expect(server.requests).toHaveLength(1);
  });

  it('listAll follows continue tokens with pages of 500 and returns the last resourceVersion', async () => {
    server.handle((req, res) => {
      const token = new URL(req.url ?? '', server.url).searchParams.get('continue');
      const page = token === null ? 0 : Number(token);
      json(res, 200, { kind: 'ConfigMapList', metadata: { resourceVersion: `rv${page}`, ...(page < 2 ? { continue: String(page + 1) } : {}) }, items: [cm(`c${page}`, '1')] });
    });
    const api = Api.namespaced(client, ConfigMapType, 'ns');
    const all = await api.listAll({ labelSelector: 'app=x' });
    expect(all.items.map((i) => i.metadata?.name)).toEqual(['c0', 'c1', 'c2']);
    expect(all.metadata.resourceVersion).toBe('rv2');
    expect([0, 1, 2].map((i) => seen(i).query.get('limit'))).toEqual(['500', '500', '500']);
    expect([0, 1, 2].map((i) => seen(i).query.get('labelSelector'))).toEqual(['app=x', 'app=x', 'app=x']);
    const all$ = await firstValueFrom(api.listAll$({ limit: 1 }));
    expect(all$.items.map((i) => i.metadata?.name)).toEqual(['c0', 'c1', 'c2']);
    expect(all$.metadata.resourceVersion).toBe('rv2');
    expect(seen(3).query.get('limit')).toBe('1');
  });

  it('apply fills in apiVersion, kind and name and sends the field manager and force', async () => {
    server.handle((_req, res) => json(res, 200, cm('a', '2')));
    await Api.namespaced(client, ConfigMapType, 'ns').apply('a', { data: { k: 'v' } }, { fieldManager: 'me', force: true });
    const r = seen(0);
    expect(r.method).toBe('PATCH');
    expect(server.requests[0]?.headers['content-type']).toBe('application/apply-patch+yaml');
    expect(r.query.get('fieldManager')).toBe('me');
    expect(r.query.get('force')).toBe('true');
    expect(r.body).toEqual({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' }, data: { k: 'v' } });
  });

  it('delete tells a terminating object from a Status', async () => {
    server.handle((req, res) =>
      req.url?.endsWith('/pods/p') ? json(res, 200, { kind: 'Pod', metadata: { name: 'p', deletionTimestamp: 'now' } }) : json(res, 200, { kind: 'Status', status: 'Success' }),
    );
    const pods = Api.namespaced(client, PodType, 'ns');
    const a = await pods.delete('p');
    const b = await pods.delete('q');
    expect(a.type === 'object' && a.object.metadata?.name).toBe('p');
    expect(b).toEqual({ type: 'status', status: { kind: 'Status', status: 'Success' } });
  });

  it('evicts pods only', async () => {
    server.handle((_req, res) => json(res, 201, { kind: 'Status', status: 'Success' }));
    await Api.namespaced(client, PodType, 'ns').evict('p');
    expect(seen(0)).toMatchObject({ method: 'POST', path: '/api/v1/namespaces/ns/pods/p/eviction', body: { kind: 'Eviction', metadata: { name: 'p', namespace: 'ns' } } });
    await expect(Api.namespaced(client, ConfigMapType, 'ns').evict('c')).rejects.toBeInstanceOf(InvalidRequestError);
  });

  it('watch parses events in order, including BOOKMARK and ERROR', async () => {
    server.handle((_req, res) => {
      res.writeHead(200);
      res.write(`${JSON.stringify({ type: 'ADDED', object: cm('a', '1') })}\n\n${JSON.stringify({ type: 'BOOKMARK', object: { metadata: { resourceVersion: '5' } } })}\n`);
      res.end(`${JSON.stringify({ type: 'ERROR', object: status(410, 'Expired', 'too old') })}\n`);
    });
    const events = await firstValueFrom(Api.namespaced(client, ConfigMapType, 'ns').watch({ resourceVersion: '1', bookmarks: true }).pipe(toArray()));
    expect(events.map((e) => e.type)).toEqual(['ADDED', 'BOOKMARK', 'ERROR']);
    expect(seen(0).query.get('watch')).toBe('true');
    expect(seen(0).query.get('allowWatchBookmarks')).toBe('true');
  });

  it('watch errors with a DecodeError on a malformed line, after the good events before it', async () => {
    server.handle((_req, res) => {
      res.writeHead(200);
      res.end(`${JSON.stringify({ type: 'ADDED', object: cm('a', '1') })}\n{"type":"MODIFIED","object":{"kind":\n`);
    });
    const got: string[] = [];
    const error = await new Promise<unknown>((resolve) =>
      Api.namespaced(client, ConfigMapType, 'ns').watch().subscribe({ next: (e) => got.push(e.type), error: resolve, complete: () => resolve(undefined) }),
    );
    expect(got).toEqual(['ADDED']);
    expect(error).toBeInstanceOf(DecodeError);
    expect((error as Error).message).toMatch(/^malformed watch event \(not JSON\): \{"type":"MODIFIED"/);
  });

  it('logStream follows logs as lines and stops the request on unsubscribe', async () => {
    const stop = new Subject<void>();
    server.handle((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.write('one\ntwo\n');
      res.on('close', () => stop.next());
    });
    const closed = firstValueFrom(stop);
    const lines = await firstValueFrom(Api.namespaced(client, PodType, 'ns').logStream('p', { container: 'c' }).pipe(take(2), toArray()));
    expect(lines).toEqual(['one', 'two']);
    expect(seen(0).query.get('follow')).toBe('true');
    expect(seen(0).query.get('container')).toBe('c');
    await closed;
  });

  it('logs returns the log text once, and logs$ emits the same text', async () => {
    server.handle((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.end('line 1\nline 2\n');
    });
    const pods = Api.namespaced(client, PodType, 'ns');
    expect(await pods.logs('p', { tailLines: 2 })).toBe('line 1\nline 2\n');
    expect(seen(0)).toMatchObject({ method: 'GET', path: '/api/v1/namespaces/ns/pods/p/log' });
    expect(seen(0).query.get('tailLines')).toBe('2');
    expect(seen(0).query.get('follow')).toBeNull();
    expect(await firstValueFrom(pods.logs$('p'))).toBe('line 1\nline 2\n');
  });

  describe('entry', () => {
    it('replays its changes on a fresh copy after a 409 Conflict', async () => {
      let stored = cm('a', '1', { n: '0' });
      let conflicts = 1;
      server.handle((req, res, body) => {
        if (req.method === 'GET') return json(res, 200, stored);
        const sent = JSON.parse(body) as ConfigMap;
        if (conflicts-- > 0) {
          stored = cm('a', '2', { n: '10' }); // someone else wrote meanwhile
          return json(res, 409, status(409, 'Conflict', 'the object has been modified'));
        }
        if (sent.metadata?.resourceVersion !== stored.metadata?.resourceVersion) return json(res, 409, status(409, 'Conflict', 'stale'));
        stored = { ...sent, metadata: { ...sent.metadata, resourceVersion: '3' } };
        return json(res, 200, stored);
      });
      const api = Api.namespaced(client, ConfigMapType, 'ns');
      const saved = await api.modify('a', (c) => {
        c.data = { n: String(Number(c.data?.n) + 1) };
      });
      expect(saved.data).toEqual({ n: '11' });
      expect(server.requests.map((r) => r.method)).toEqual(['GET', 'PUT', 'GET', 'PUT']);
    });

    it('gives up after maxAttempts with the Conflict error', async () => {
      server.handle((req, res) => (req.method === 'GET' ? json(res, 200, cm('a', '1')) : json(res, 409, status(409, 'Conflict', 'modified'))));
      const entry = await Api.namespaced(client, ConfigMapType, 'ns').entry('a');
      await expect(entry.andModify(() => undefined).commit({ maxAttempts: 3 })).rejects.toMatchObject({ code: 409 });
      expect(server.requests.filter((r) => r.method === 'PUT')).toHaveLength(3);
    });

    it('creates a missing object with orInsert and the changes, named after the entry', async () => {
      server.handle((req, res, body) => (req.method === 'GET' ? json(res, 404, status(404, 'NotFound', 'x')) : json(res, 201, JSON.parse(body))));
      const entry = await Api.namespaced(client, ConfigMapType, 'ns').entry('fresh');
      expect(entry.exists).toBe(false);
      const saved = await entry
        .orInsert(() => ({ data: { a: '1' } }))
        .andModify((c) => ({ ...c, data: { ...c.data, b: '2' } }))
        .commit({ fieldManager: 'me' });
      expect(saved).toEqual({ metadata: { name: 'fresh' }, data: { a: '1', b: '2' } });
      expect(seen(1)).toMatchObject({ method: 'POST', path: '/api/v1/namespaces/ns/configmaps' });
      expect(seen(1).query.get('fieldManager')).toBe('me');
    });

    it('getOrCreate returns the winner after AlreadyExists', async () => {
      let gets = 0;
      server.handle((req, res) => {
        if (req.method === 'POST') return json(res, 409, status(409, 'AlreadyExists', 'exists'));
        return gets++ === 0 ? json(res, 404, status(404, 'NotFound', 'x')) : json(res, 200, cm('a', '7'));
      });
      const got = await Api.namespaced(client, ConfigMapType, 'ns').getOrCreate('a', () => cm('a', ''));
      expect(got.metadata?.resourceVersion).toBe('7');
    });
  });

  it('patches the status and scale subresources', async () => {
    server.handle((_req, res) => json(res, 200, {}));
    const api = Api.namespaced(client, ConfigMapType, 'ns');
    await api.patchStatus('a', Patch.merge({ status: {} }));
    await api.getScale('a');
    await api.replaceScale('a', { spec: { replicas: 2 } });
    expect([0, 1, 2].map((i) => `${seen(i).method} ${seen(i).path}`)).toEqual([
      'PATCH /api/v1/namespaces/ns/configmaps/a/status',
      'GET /api/v1/namespaces/ns/configmaps/a/scale',
      'PUT /api/v1/namespaces/ns/configmaps/a/scale',
    ]);
  });

  describe('cancellation of the Promise methods through { signal }', () => {
    type Call = (api: Api<ConfigMap, 'Namespaced'>, options: RequestOptions) => Promise<unknown>;
    const obj = cm('a', '1');
    const calls: Array<[string, Call]> = [
      ['get', (api, o) => api.get('a', {}, o)],
      ['getOpt', (api, o) => api.getOpt('a', {}, o)],
      ['getMetadata', (api, o) => api.getMetadata('a', {}, o)],
      ['list', (api, o) => api.list({}, o)],
      ['listAll', (api, o) => api.listAll({}, o)],
      ['listMetadata', (api, o) => api.listMetadata({}, o)],
      ['create', (api, o) => api.create(obj, {}, o)],
      ['replace', (api, o) => api.replace('a', obj, {}, o)],
      ['patch', (api, o) => api.patch('a', Patch.merge({ data: { b: '2' } }), {}, o)],
      ['apply', (api, o) => api.apply('a', { data: { b: '2' } }, { fieldManager: 'test' }, o)],
      ['delete', (api, o) => api.delete('a', {}, o)],
      ['deleteCollection', (api, o) => api.deleteCollection({}, {}, o)],
      ['getStatus', (api, o) => api.getStatus('a', o)],
      ['patchStatus', (api, o) => api.patchStatus('a', Patch.merge({}), {}, o)],
      ['replaceStatus', (api, o) => api.replaceStatus('a', obj, {}, o)],
      ['getScale', (api, o) => api.getScale('a', o)],
      ['patchScale', (api, o) => api.patchScale('a', Patch.merge({ spec: { replicas: 1 } }), {}, o)],
      ['replaceScale', (api, o) => api.replaceScale('a', { spec: { replicas: 1 } }, {}, o)],
      ['logs', (api, o) => api.logs('a', {}, o)],
      ['entry', (api, o) => api.entry('a', o)],
      ['getOrCreate', (api, o) => api.getOrCreate('a', () => obj, {}, o)],
      ['modify', (api, o) => api.modify('a', (c) => c, {}, o)],
    ];

    it.each(calls)('%s: aborting rejects with AbortedError and closes the connection', async (_name, call) => {
      server.handle(() => undefined); // never answers
      const controller = new AbortController();
      const pending = call(Api.namespaced(client, ConfigMapType, 'ns'), { signal: controller.signal });
      pending.catch(() => undefined);
      await server.waitForRequests(1);
      const closed = server.nextSocketClose();
      controller.abort();
      const error = await pending.catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AbortedError);
      expect(isAbortedError(error)).toBe(true);
      expect((error as AbortedError).message).toMatch(/: aborted$/);
      await closed; // the server saw the request torn down
    });

    type Call$ = (api: Api<ConfigMap, 'Namespaced'>) => Observable<unknown>;
    const calls$: Array<[string, Call$]> = [
      ['get$', (api) => api.get$('a')],
      ['getOpt$', (api) => api.getOpt$('a')],
      ['getMetadata$', (api) => api.getMetadata$('a')],
      ['list$', (api) => api.list$()],
      ['listAll$', (api) => api.listAll$()],
      ['listMetadata$', (api) => api.listMetadata$()],
      ['create$', (api) => api.create$(obj)],
      ['replace$', (api) => api.replace$('a', obj)],
      ['patch$', (api) => api.patch$('a', Patch.merge({}))],
      ['apply$', (api) => api.apply$('a', {}, { fieldManager: 'test' })],
      ['delete$', (api) => api.delete$('a')],
      ['deleteCollection$', (api) => api.deleteCollection$()],
      ['getStatus$', (api) => api.getStatus$('a')],
      ['patchStatus$', (api) => api.patchStatus$('a', Patch.merge({}))],
      ['replaceStatus$', (api) => api.replaceStatus$('a', obj)],
      ['getScale$', (api) => api.getScale$('a')],
      ['patchScale$', (api) => api.patchScale$('a', Patch.merge({}))],
      ['replaceScale$', (api) => api.replaceScale$('a', { spec: { replicas: 1 } })],
      ['logs$', (api) => api.logs$('a')],
    ];

    it.each(calls$)('%s: unsubscribing closes the connection', async (_name, call) => {
      server.handle(() => undefined); // never answers
      const closed = server.nextSocketClose();
      const sub = call(Api.namespaced(client, ConfigMapType, 'ns')).subscribe({ error: () => undefined });
      await server.waitForRequests(1);
      sub.unsubscribe();
      await closed;
    });

    it('evict: aborting rejects with AbortedError and closes the connection', async () => {
      server.handle(() => undefined);
      const controller = new AbortController();
      const pending = Api.namespaced(client, PodType, 'ns').evict('p', {}, { signal: controller.signal });
      pending.catch(() => undefined);
      await server.waitForRequests(1);
      const closed = server.nextSocketClose();
      controller.abort();
      await expect(pending).rejects.toBeInstanceOf(AbortedError);
      await closed;
    });

    it('sends nothing when the signal has already fired', async () => {
      const controller = new AbortController();
      controller.abort();
      await expect(Api.namespaced(client, ConfigMapType, 'ns').get('a', {}, { signal: controller.signal })).rejects.toBeInstanceOf(AbortedError);
      await new Promise((r) => setTimeout(r, 20));
      expect(server.requests).toHaveLength(0);
    });

    it('rejects with the signal\'s reason when that is a rxkube error (a reconcile timeout, say)', async () => {
      server.handle(() => undefined);
      const controller = new AbortController();
      const pending = Api.namespaced(client, ConfigMapType, 'ns').get('a', {}, { signal: controller.signal });
      await server.waitForRequests(1);
      const reason = new ApiError({ verb: 'get', method: 'GET', path: '/x' }, 504, { code: 504 });
      controller.abort(reason);
      await expect(pending).rejects.toBe(reason);
    });
  });
});
