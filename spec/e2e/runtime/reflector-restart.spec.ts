// A reflector across a kube-apiserver restart, on a private control plane (restarting the shared one
// would disturb other test files): the store converges again, with no duplicate and no lost object.
import type { ConfigMap } from '../../../lib/core/builtins.js';
import { reflector } from '../../../lib/runtime/reflector.js';
import { store } from '../../../lib/runtime/store.js';
import { watcher } from '../../../lib/runtime/watcher.js';
import type { WatcherError } from '../../../lib/runtime/watcher-error.js';
import type { WatcherEvent } from '../../../lib/runtime/watcher-event.js';
import { eventually } from '../support/cluster.js';
import { usePrivatePlane } from '../support/private-plane.js';

const cm = (name: string, v: string): ConfigMap => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { v } });

describe('reflector across an API server restart (e2e)', () => {
  const suite = usePrivatePlane();

  it('converges again after kube-apiserver restarts mid-watch', async () => {
    const { plane } = suite;
    const api = suite.configMaps();
    for (let i = 0; i < 20; i++) await api.create(cm(`before-${i}`, '0'));
    const { reader, writer } = store<ConfigMap>();
    const errors: WatcherError[] = [];
    const events: WatcherEvent<ConfigMap>[] = [];
    suite.subscriptions.push(
      reflector(writer, watcher(api, { backoff: { initialMs: 200, maxMs: 2000 }, onError: (e) => errors.push(e) })).subscribe((e) => events.push(e)),
    );
    await reader.ready();
    expect(reader.size).toBeGreaterThanOrEqual(20);

    await api.create(cm('during-0', '0'));
    await plane.restartApiServer();
    // changes right after the restart, while the watcher reconnects
    for (let i = 0; i < 10; i++) await api.create(cm(`after-${i}`, '0'));
    await api.delete('before-0');
    await api.replace('before-1', { ...(await api.get('before-1')), data: { v: 'changed' } });

    const fresh = async (): Promise<string> => {
      const list = await api.list();
      return JSON.stringify(list.items.map((o) => [o.metadata?.name, o.metadata?.resourceVersion]).sort());
    };
    const mine = (): string => JSON.stringify(reader.list().map((o) => [o.metadata?.name, o.metadata?.resourceVersion]).sort());
    await eventually(async () => mine() === (await fresh()) || undefined, { timeoutMs: 60_000, intervalMs: 500 });

    expect(reader.get({ name: 'before-0', namespace: 'default' })).toBeUndefined();
    expect(reader.get({ name: 'before-1', namespace: 'default' })?.data?.v).toBe('changed');
    for (let i = 0; i < 10; i++) expect(reader.get({ name: `after-${i}`, namespace: 'default' })).toBeDefined();
    // The restart was noticed (the stream broke) and reported, never thrown.
    expect(errors.length).toBeGreaterThan(0);
    // No duplicate: after the last listing, each creation arrived as exactly one apply.
    const lastInit = events.map((e) => e.type).lastIndexOf('initDone');
    const applies = events.slice(lastInit + 1).filter((e) => e.type === 'apply').map((e) => (e as { object: ConfigMap }).object.metadata?.name);
    const created = applies.filter((n) => n?.startsWith('after-'));
    expect(new Set(created).size).toBe(created.length);
  }, 180_000);
});
