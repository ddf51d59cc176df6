import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Api } from '../../lib/client/api.js';
import { Client } from '../../lib/client/client.js';
import { isAbortedError } from '../../lib/client/errors.js';
import { ConfigMap } from '../../lib/core/builtins.js';
import { Action } from '../../lib/runtime/action.js';
import { FinalizerError, finalizer, type FinalizerApi, type FinalizerEvent } from '../../lib/runtime/finalizer.js';
import type { Patch } from '../../lib/core/patch.js';
import type { KubeObject } from '../../lib/core/resource.js';

const NAME = 'example.com/cleanup';

/** Records the patches sent; fails them when `fail` is set. */
function recordingApi(fail?: Error): FinalizerApi<KubeObject> & { sent: Array<{ name: string; patch: Patch }> } {
  const sent: Array<{ name: string; patch: Patch }> = [];
  return {
    sent,
    patch(name, patch) {
      sent.push({ name, patch });
      return fail ? Promise.reject(fail) : Promise.resolve({});
    },
  };
}

const obj = (finalizers?: string[], deleting = false): KubeObject => ({
  kind: 'Widget',
  metadata: {
    name: 'w',
    namespace: 'ns',
    ...(finalizers ? { finalizers } : {}),
    ...(deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}),
  },
});

describe('finalizer', () => {
  const events: Array<FinalizerEvent<KubeObject>['type']> = [];
  const handler = async (event: FinalizerEvent<KubeObject>): Promise<Action> => {
    events.push(event.type);
    return Action.requeue(60_000);
  };
  beforeEach(() => (events.length = 0));

  it('adds the finalizer to an object without finalizers, testing that the list is still absent', async () => {
    const api = recordingApi();
    await expect(finalizer(api, NAME, obj(), handler)).resolves.toEqual(Action.awaitChange());
    expect(events).toEqual([]);
    expect(api.sent).toEqual([
      {
        name: 'w',
        patch: {
          type: 'json',
          body: [
            { op: 'test', path: '/metadata/finalizers', value: null },
            { op: 'add', path: '/metadata/finalizers', value: [NAME] },
          ],
        },
      },
    ]);
  });

  it('appends to existing finalizers, testing that the list is unchanged', async () => {
    const api = recordingApi();
    await finalizer(api, NAME, obj(['other.io/x']), handler);
    expect(api.sent[0]?.patch.body).toEqual([
      { op: 'test', path: '/metadata/finalizers', value: ['other.io/x'] },
      { op: 'add', path: '/metadata/finalizers/-', value: NAME },
    ]);
  });

  it('runs apply when the finalizer is present and the object is not being deleted', async () => {
    const api = recordingApi();
    await expect(finalizer(api, NAME, obj([NAME]), handler)).resolves.toEqual(Action.requeue(60_000));
    expect(events).toEqual(['apply']);
    expect(api.sent).toEqual([]);
  });

  it('runs cleanup on deletion, then removes the finalizer at its exact index with a test', async () => {
    const api = recordingApi();
    await expect(finalizer(api, NAME, obj(['a.io/x', NAME, 'b.io/y'], true), handler)).resolves.toEqual(
      Action.requeue(60_000),
    );
    expect(events).toEqual(['cleanup']);
    expect(api.sent[0]?.patch.body).toEqual([
      { op: 'test', path: '/metadata/finalizers/1', value: NAME },
      { op: 'remove', path: '/metadata/finalizers/1' },
    ]);
  });

  it('does nothing for a deleting object without the finalizer', async () => {
    const api = recordingApi();
    await expect(finalizer(api, NAME, obj(['a.io/x'], true), handler)).resolves.toEqual(Action.awaitChange());
    expect(events).toEqual([]);
    expect(api.sent).toEqual([]);
  });

  it('keeps the finalizer when cleanup fails', async () => {
    const api = recordingApi();
    const failing = async (): Promise<Action> => {
      throw new Error('bucket still in use');
    };
    const err = await finalizer(api, NAME, obj([NAME], true), failing).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FinalizerError);
    expect((err as FinalizerError).reason).toBe('cleanupFailed');
    expect((err as FinalizerError).cause).toEqual(new Error('bucket still in use'));
    expect(api.sent).toEqual([]);
  });

  it('names the step that failed', async () => {
    const boom = new Error('409 Conflict');
    const add = (await finalizer(recordingApi(boom), NAME, obj(), handler).catch((e: unknown) => e)) as FinalizerError;
    expect([add.reason, add.message]).toEqual(['addFinalizer', `adding finalizer ${NAME} to Widget ns/w failed`]);
    const remove = (await finalizer(recordingApi(boom), NAME, obj([NAME], true), handler).catch((e: unknown) => e)) as FinalizerError;
    expect(remove.reason).toBe('removeFinalizer');
    const apply = (await finalizer(recordingApi(), NAME, obj([NAME]), () => Promise.reject(boom)).catch((e: unknown) => e)) as FinalizerError;
    expect(apply.reason).toBe('applyFailed');
  });

  it('rejects an invalid finalizer name and an unnamed object', async () => {
    const bad = (await finalizer(recordingApi(), 'not a name!', obj(), handler).catch((e: unknown) => e)) as FinalizerError;
    expect(bad.reason).toBe('invalidFinalizer');
    const unnamed = (await finalizer(recordingApi(), NAME, { metadata: {} }, handler).catch((e: unknown) => e)) as FinalizerError;
    expect(unnamed.reason).toBe('unnamedObject');
  });
});

describe('finalizer signal', () => {
  let server: Server;
  let url: string;
  const pending: ServerResponse[] = [];
  let closedRequests = 0;
  beforeAll(async () => {
    // Never answers a PATCH; counts the requests whose connection the client closed.
    server = createServer((req, res) => {
      pending.push(res);
      req.socket.on('close', () => closedRequests++);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    for (const res of pending) res.destroy();
    await new Promise((resolve) => server.close(resolve));
  });

  it("cancels its own patch when the reconcile's signal aborts, and fails the step with the abort as cause", async () => {
    const api = Api.namespaced(new Client({ server: url }, { retry: false }), ConfigMap, 'ns');
    const controller = new AbortController();
    const cm: ConfigMap = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'w', namespace: 'ns' } };
    const outcome = finalizer(api, NAME, cm, async () => Action.awaitChange(), { signal: controller.signal });
    while (pending.length === 0) await new Promise((r) => setTimeout(r, 5));
    controller.abort();
    const error = await outcome.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(FinalizerError);
    expect((error as FinalizerError).reason).toBe('addFinalizer');
    expect(isAbortedError((error as FinalizerError).cause)).toBe(true);
    // the request itself was cancelled on the wire, not left running
    while (closedRequests === 0) await new Promise((r) => setTimeout(r, 5));
    expect(closedRequests).toBe(1);
  });
});
