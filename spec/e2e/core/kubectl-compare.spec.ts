// Compares the requests rxkube/core builds with what kubectl (the version matching the server) sends for the
// same operations, read from `kubectl -v=8` on stderr ("Request" lines with verb, url and headers, preceded by
// a "Request Body" line). Compared: method, path, query (rxkube is given the parameters kubectl uses, so the
// queries must be equal), Accept and Content-Type, and the body where both send one.
//
// What kubectl sends in addition, not compared: a User-Agent; GETs of /openapi/v3 before `create` and `apply`
// (client-side schema lookup); after a DELETE, a GET of the object while it waits for it to go away; the LIST
// before `get --watch-only`, whose resourceVersion the WATCH starts from. Its DeleteOptions body holds only
// the set fields, where rxkube adds `apiVersion: v1, kind: DeleteOptions`.
import { execFile } from 'node:child_process';
import type { ConfigMap as ConfigMapObject } from '../../../lib/core/api/core/v1.js';
import { ConfigMap } from '../../../lib/core/builtins.js';
import { LabelSelector } from '../../../lib/core/label-selector.js';
import { Patch } from '../../../lib/core/patch.js';
import { type KubeRequest, RequestBuilder } from '../../../lib/core/request.js';
import { kubeconfigPath, kubectlPath, useNamespace } from '../support/cluster.js';

/** One request as kubectl -v=8 logs it. */
interface LoggedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  body: string | undefined;
}

/** Parses the "Request Body" / "Request" pairs of kubectl -v=8 stderr. */
function parseRequests(stderr: string): LoggedRequest[] {
  const requests: LoggedRequest[] = [];
  const pattern = /"Request Body" body=(?:""|<\n([\s\S]*?)\n >)|"Request" verb="([A-Z]+)" url="([^"]+)" headers=<\n([\s\S]*?)\n >/g;
  let pendingBody: string | undefined;
  for (const m of stderr.matchAll(pattern)) {
    if (m[2] === undefined) {
      pendingBody = m[1]?.trim();
      continue;
    }
    const url = new URL(m[3]!);
    const headers: Record<string, string> = {};
    for (const line of m[4]!.split('\n')) {
      const colon = line.indexOf(':');
      if (colon > 0) headers[line.slice(0, colon).trim()] = line.slice(colon + 1).trim();
    }
    requests.push({ method: m[2], path: url.pathname, query: Object.fromEntries(url.searchParams), headers, body: pendingBody || undefined });
    pendingBody = undefined;
  }
  return requests;
}

/** Runs kubectl -v=8 and returns what it logged; a kill by `timeoutMs` (for watches) is expected, not a failure. */
function kubectlV8(args: readonly string[], options: { input?: string; timeoutMs?: number } = {}): Promise<LoggedRequest[]> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      kubectlPath(),
      [`--kubeconfig=${kubeconfigPath()}`, '-v=8', ...args],
      { encoding: 'utf8', timeout: options.timeoutMs ?? 60_000, maxBuffer: 64 * 1024 * 1024 },
      (err, _stdout, stderr) => {
        if (err && !(options.timeoutMs !== undefined && err.killed)) reject(new Error(`kubectl ${args.join(' ')} failed: ${stderr.slice(-2000)}`));
        else resolve(parseRequests(stderr));
      },
    );
    child.stdin?.end(options.input ?? '');
  });
}

/** The one request kubectl made with this method to a path of `collection` (discovery/openapi skipped). */
function pick(requests: LoggedRequest[], method: string, collection: string, predicate: (r: LoggedRequest) => boolean = () => true): LoggedRequest {
  const found = requests.filter((r) => r.method === method && r.path.startsWith(collection) && predicate(r));
  expect(found.map((r) => `${r.method} ${r.path}`)).toHaveLength(1);
  return found[0]!;
}

/** The parts both sides must agree on. */
function comparable(r: { method: string; path: string; query: Readonly<Record<string, string | readonly string[]>>; headers: Readonly<Record<string, string>> }) {
  return { method: r.method, path: r.path, query: { ...r.query }, accept: r.headers.Accept, contentType: r.headers['Content-Type'] };
}

describe('kubectl-compare (e2e)', () => {
  const ns = useNamespace('core-kubectl');
  const cm: ConfigMapObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c1', labels: { app: 'web', tier: 'fe' } }, data: { a: '1' } };
  const rb = (): RequestBuilder => RequestBuilder.for(ConfigMap, ns);
  const collection = (): string => `/api/v1/namespaces/${ns}/configmaps`;

  it('create: POST to the collection with kubectl-create as field manager and Strict validation', async () => {
    const logged = pick(await kubectlV8(['create', '-n', ns, '-f', '-'], { input: JSON.stringify(cm) }), 'POST', collection());
    const ours: KubeRequest = rb().create(cm, { fieldManager: 'kubectl-create', fieldValidation: 'Strict' });
    expect(comparable(ours)).toEqual(comparable(logged));
    // kubectl fills in the namespace from -n; otherwise the same object.
    expect(JSON.parse(logged.body!)).toEqual({ ...cm, metadata: { ...cm.metadata, namespace: ns } });
  });

  it('get: GET the item', async () => {
    const logged = pick(await kubectlV8(['get', 'configmap', 'c1', '-n', ns, '-o', 'json']), 'GET', collection());
    expect(comparable(rb().get('c1'))).toEqual(comparable(logged));
  });

  it('list with a set-based label selector: the same encoded selector and page size', async () => {
    const selector = 'app=web,tier notin (x,y)';
    const logged = pick(await kubectlV8(['get', 'configmaps', '-n', ns, '-l', selector, '-o', 'json']), 'GET', collection());
    const ours = rb().list({ labelSelector: LabelSelector.parse(selector).print(), limit: 500 });
    expect(comparable(ours)).toEqual(comparable(logged));
  });

  it('server-side apply: PATCH with application/apply-patch+yaml, fieldManager and force', async () => {
    const applied = { ...cm, data: { a: '2' } };
    const requests = await kubectlV8(['apply', '--server-side', '--field-manager=rxkube-e2e', '--force-conflicts', '-n', ns, '-f', '-'], {
      input: JSON.stringify(applied),
    });
    const logged = pick(requests, 'PATCH', collection());
    const ours = rb().patch('c1', Patch.apply(applied), { fieldManager: 'rxkube-e2e', force: true, fieldValidation: 'Strict' });
    expect(comparable(ours)).toEqual(comparable(logged));
    expect(JSON.parse(logged.body!)).toEqual({ ...applied, metadata: { ...applied.metadata, namespace: ns } });
  });

  it('watch: the WATCH after the LIST asks for the same selector and resourceVersion', async () => {
    const requests = await kubectlV8(['get', 'configmaps', '-n', ns, '-l', 'app=web', '-o', 'json', '--watch-only'], { timeoutMs: 4_000 });
    const logged = pick(requests, 'GET', collection(), (r) => r.query.watch === 'true');
    const resourceVersion = logged.query.resourceVersion;
    expect(resourceVersion).toMatch(/^\d+$/);
    const ours = rb().watch({ labelSelector: 'app=web', resourceVersion });
    expect(ours.streaming).toBe(true);
    expect(comparable(ours)).toEqual(comparable(logged));
  });

  it('delete with propagationPolicy: DELETE of the item with the policy in a JSON body', async () => {
    const requests = await kubectlV8(['delete', 'configmap', 'c1', '-n', ns, '--cascade=foreground']);
    const logged = pick(requests, 'DELETE', collection());
    const ours = rb().delete('c1', { propagationPolicy: 'Foreground' });
    expect(comparable(ours)).toEqual(comparable(logged));
    expect(JSON.parse(logged.body!)).toEqual({ propagationPolicy: 'Foreground' });
    expect(ours.body).toMatchObject(JSON.parse(logged.body!));
  });
});
